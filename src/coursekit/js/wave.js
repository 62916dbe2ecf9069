// Lesson 00's slider check: sin(f·x) on [0, 2π], redrawn in the browser.

function render({ model, el }) {
  return mountCanvas(el, model, {
    width: 560, height: 250, names: ["frequency"],
    draw(ctx) {
      const f = clean(model.get("frequency"));
      const panel = new Panel(ctx, { x: 70, y: 30, w: 470, h: 170 },
        { xlim: [0, 2 * Math.PI], ylim: [-1.1, 1.1] });
      panel.frame({ xlabel: "x", ylabel: "sin(f·x)", title: "Move the slider" });
      const xs = Array.from({ length: 200 }, (_, i) => (2 * Math.PI * i) / 199);
      panel.clipped(() => panel.line(xs, xs.map((x) => Math.sin(f * x)), { colour: "#1f77b4" }));
      return `drawing sin(${fmtG(f, 6)}·x)`;
    },
  });
}

export default { render };
