// Lesson 00's slider check: sin(f·x) on [0, 2π], redrawn in the browser.

function render({ model, el }) {
  const xs = Array.from({ length: 200 }, (_, i) => (2 * Math.PI * i) / 199);
  return mountExplorer(el, model, {
    names: ["frequency"], panels: 1, left: 4.2, maxWidth: 600, aspect: 0.36,
    draw(ctx, { boxes, say, layered }) {
      const f = clean(model.get("frequency"));
      const panel = new Panel(ctx, boxes[0], { xlim: [0, 2 * Math.PI], ylim: [-1.1, 1.1] });
      layered(ctx, "frame", (layer) => panel.on(layer).frame({ xlabel: "x", ylabel: "sin(f·x)",
        title: say("Move the slider") }));
      panel.clipped(() => panel.line(xs, xs.map((x) => Math.sin(f * x)), { colour: "#1f77b4", width: 2 }));
      return { text: fill(say("drawing sin({f}·x)"), { f: fmtG(f, 6) }), tone: null };
    },
  });
}

export default { render };
