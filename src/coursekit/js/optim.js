// Lesson 05's optimizer explorer, computed and drawn in the browser.
// The four update rules are coursekit/optim_explorer.py's run_optimizers
// (torch.optim's rules and defaults), operation for operation, in float64.

const OPTIMIZERS = ["SGD", "SGD + momentum", "RMSprop", "Adam"];
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];
const LOSS_CEILING = 1e5;
const PATH_CLIP = 1e6;
const W_RANGE = [-0.5, 4.5];
const B_RANGE = [-8.0, 45.0];

// LinearFitProblem: mean((w·x + b − y)²) = pᵀQp − 2qᵀp + r.
function problem(x, y, start) {
  const n = x.length;
  let sxx = 0, sx = 0, sxy = 0, sy = 0;
  for (let i = 0; i < n; i++) {
    sxx += x[i] * x[i];
    sx += x[i];
    sxy += x[i] * y[i];
    sy += y[i];
  }
  const Q = [[sxx / n, sx / n], [sx / n, n / n]];
  const q = [sxy / n, sy / n];
  const det = Q[0][0] * Q[1][1] - Q[0][1] * Q[1][0];
  const solution = [(q[0] * Q[1][1] - Q[0][1] * q[1]) / det, (Q[0][0] * q[1] - Q[1][0] * q[0]) / det];
  const loss = (p) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const r = p[0] * x[i] + p[1] - y[i];
      sum += r * r;
    }
    return sum / n;
  };
  const hessian = Q.map((row) => row.map((v) => 2 * v));
  const eig = eigen2(hessian[0][0], hessian[0][1], hessian[1][1]);
  return { x, y, start, Q, q, hessian, solution, loss, eig, best: loss(solution),
    threshold: 2 / eig.values[1] };
}

// run_optimizers: paths[o][k] = (w, b) after k steps, losses[o][k].
function runOptimizers(prob, lr, steps, c) {
  const [b1, b2] = c.betas;
  const decay1 = [0, c.momentum, 0, b1], gain1 = [1, 1, 1, 1 - b1];
  const decay2 = [0, 0, c.alpha, b2];
  const gain2 = decay2.map((d, o) => (o < 2 ? 0 : 1 - d));
  const floor = [1, 1, c.eps, c.eps], isAdam = [0, 0, 0, 1];
  const H = prob.hessian, q2 = prob.q.map((v) => 2 * v);
  let b1t = 1, b2t = 1; // β**t by repeated multiplication, as in Python: same bits
  const paths = OPTIMIZERS.map(() => [prob.start.slice()]);
  const p = OPTIMIZERS.map(() => prob.start.slice());
  const m = OPTIMIZERS.map(() => [0, 0]), v = OPTIMIZERS.map(() => [0, 0]);
  for (let k = 0; k < steps; k++) {
    b1t *= b1;
    b2t *= b2;
    for (let o = 0; o < 4; o++) {
      const lrBias1 = lr * (1 + isAdam[o] * (1 / (1 - b1t) - 1));
      const bias2 = 1 + isAdam[o] * (1 / (1 - b2t) - 1);
      const g = [0, 1].map((j) => p[o][0] * H[0][j] + p[o][1] * H[1][j] - q2[j]);
      for (let j = 0; j < 2; j++) {
        m[o][j] = decay1[o] * m[o][j] + gain1[o] * g[j];
        v[o][j] = decay2[o] * v[o][j] + gain2[o] * (g[j] * g[j]);
        p[o][j] = p[o][j] - (lrBias1 * m[o][j]) / (Math.sqrt(bias2 * v[o][j]) + floor[o]);
      }
      paths[o].push(p[o].slice());
    }
  }
  const losses = paths.map((path) => path.map((point) => prob.loss(point)));
  return { paths, losses };
}

// optim_explorer.optimizer_verdict and describe.
function optimizerVerdict(name, losses, prob, lr, say) {
  if (name === "SGD" && againstThreshold(lr, prob.threshold) === "at") return atThresholdVerdict(losses, say);
  return verdict(losses, prob.best, say);
}

function describeOptimizers(optimizer, lr, runs, prob, say) {
  const words = OPTIMIZERS.map((name, o) => optimizerVerdict(name, runs.losses[o], prob, lr, say));
  const others = OPTIMIZERS.flatMap((name, o) => (name === optimizer ? [] : [`${name} ${words[o].split(":")[0]}`]));
  const o = OPTIMIZERS.indexOf(optimizer);
  const text = fill(say("{optimizer} at learning rate {lr}: {verdict}. Others: {others}. Plain SGD is " +
    "stable only below {threshold} (2/λ_max); this learning rate is {ratio}× that."),
  { optimizer, lr: plain(lr, 3), verdict: words[o], others: others.join("; "),
    threshold: plain(prob.threshold, 2), ratio: plain(lr / prob.threshold, 2) });
  const tone = optimizer === "SGD" && againstThreshold(lr, prob.threshold) === "at" ? "warn"
    : verdictTone(runs.losses[o], prob.best);
  return { text, tone };
}

// _plottable_losses: cut where the loss leaves the chart; the last point sits on the ceiling.
function plottableLosses(losses) {
  const k = losses.findIndex((v) => !Number.isFinite(v) || v > LOSS_CEILING);
  if (k < 0) return { values: Array.from(losses), end: null };
  return { values: [...losses.slice(0, k), LOSS_CEILING], end: k };
}

// _plottable_path: the path until it leaves the neighbourhood of the chart, finite.
function plottablePath(path) {
  const centre = [(W_RANGE[0] + W_RANGE[1]) / 2, (B_RANGE[0] + B_RANGE[1]) / 2];
  const half = [3 * (W_RANGE[1] - W_RANGE[0]), 3 * (B_RANGE[1] - B_RANGE[0])];
  const inside = (p) => p.every((v, j) => Number.isFinite(v) && Math.abs(v - centre[j]) < half[j]);
  const k = path.findIndex((p) => !inside(p));
  if (k < 0) return path;
  const keep = path[k].every(Number.isFinite) ? k + 1 : k;
  return path.slice(0, keep).map((p) => p.map((v) => Math.min(Math.max(v, -PATH_CLIP), PATH_CLIP)));
}

// What the loss panel shows whatever the values: the frame and the best possible loss.
function lossesBackground(panel, prob, steps, say) {
  panel.frame({ xlabel: say("epoch (one full-batch step; k = after k updates)"), ylabel: say("loss (log scale)"),
    title: say("the four optimizers at the chosen learning rate") });
  panel.clipped(() => {
    panel.line([0, steps], [prob.best, prob.best], { colour: panel.theme.muted, width: 1, dash: [5, 3] });
  });
}

function drawLosses(panel, runs, optimizer) {
  panel.clipped(() => {
    OPTIMIZERS.forEach((name, o) => {
      if (name === optimizer) return; // the chosen one goes on top
      const { values, end } = plottableLosses(runs.losses[o]);
      panel.line(values.map((_, k) => k), values, { colour: COLORS[o], width: 1.2, alpha: 0.55 });
      if (end !== null) crossAtTop(panel, end, COLORS[o], 0.55);
    });
    const o = OPTIMIZERS.indexOf(optimizer);
    const { values, end } = plottableLosses(runs.losses[o]);
    panel.line(values.map((_, k) => k), values, { colour: COLORS[o], width: 2.6 });
    if (end !== null) crossAtTop(panel, end, COLORS[o], 1);
  });
}

function lossesLegend(panel, say) {
  panel.legend([[say("best possible"), panel.theme.muted, "dash"], ...OPTIMIZERS.map((name, o) => [name, COLORS[o], "line"]),
    [say("diverged (left the chart)"), panel.theme.fg, "x"]], "upper right");
}

// A diverged run's ✗ where it left the chart, inside the frame (never cut by its edge).
function crossAtTop(panel, epoch, colour, alpha) {
  const x = Math.min(Math.max(panel.X(epoch), panel.box.x + 7), panel.box.x + panel.box.w - 7);
  drawMarker(panel.ctx, x, panel.box.y + 7, { shape: "x", colour: panel.theme.line(colour), size: 5, alpha });
}

// What the paths panel shows whatever the values: the frame and the loss contours.
function pathsBackground(panel, prob, say) {
  panel.frame({ xlabel: say("w (slope)"), ylabel: say("b (intercept)"),
    title: say("their paths over the loss surface (contours)") });
  const [fg, bg] = [toRGB(panel.theme.fg), toRGB(panel.theme.bg)];
  panel.clipped(() => {
    for (let i = 0; i < 12; i++) {
      const level = prob.best * 1.05 * (2000 / 1.05) ** (i / 11); // numpy geomspace(1.05, 2000, 12)
      const ring = ellipse(prob.solution, prob.eig, level - prob.best);
      // Greys from the text colour (inner rings) towards the background (outer ones).
      const t = 0.1 + 0.045 * i;
      panel.ctx.save();
      panel.ctx.globalAlpha = 0.8;
      panel.ctx.strokeStyle = hex(fg.map((c, j) => c + (bg[j] - c) * t));
      panel.ctx.lineWidth = 0.7;
      panel.ctx.beginPath();
      ring.forEach(([w, b], k) => (k ? panel.ctx.lineTo(panel.X(w), panel.Y(b)) : panel.ctx.moveTo(panel.X(w), panel.Y(b))));
      panel.ctx.stroke();
      panel.ctx.restore();
    }
  });
}

function drawPaths(panel, runs, prob, optimizer) {
  panel.clipped(() => {
    const order = [...OPTIMIZERS.keys()].filter((o) => OPTIMIZERS[o] !== optimizer);
    order.push(OPTIMIZERS.indexOf(optimizer));
    for (const o of order) {
      const path = plottablePath(runs.paths[o]);
      const chosen = OPTIMIZERS[o] === optimizer;
      panel.line(path.map((p) => p[0]), path.map((p) => p[1]), { colour: COLORS[o],
        width: chosen ? 2.6 : 1.2, alpha: chosen ? 1 : 0.55 });
    }
    panel.marker(prob.start[0], prob.start[1], { colour: panel.theme.fg, size: 4.5 });
    panel.marker(prob.solution[0], prob.solution[1], { shape: "*", colour: panel.theme.fg, size: 9 });
  });
}

// Upper left: the paths run along the bottom (b ≈ 0) and up the right.
function pathsLegend(panel, say) {
  panel.legend([[say("start (1, 0)"), panel.theme.fg, "o"], [say("minimum"), panel.theme.fg, "*"]], "upper left");
}

function render({ model, el }) {
  const prob = problem(model.get("x"), model.get("y"), model.get("start"));
  const constants = model.get("constants");
  return mountExplorer(el, model, {
    names: ["optimizer", "lr"], panels: 2, left: 5.2, maxWidth: 940, aspect: 0.72,
    draw(ctx, { boxes, say, layered }) {
      const [optimizer, lr, steps] = [OPTIMIZERS[model.get("optimizer")], clean(model.get("lr")), model.get("steps")];
      const runs = runOptimizers(prob, lr, steps, constants);
      const losses = new Panel(ctx, boxes[0],
        { xlim: [0, steps], ylim: [prob.best * 0.7, LOSS_CEILING * 1.5], ylog: true });
      const paths = new Panel(ctx, boxes[1], { xlim: W_RANGE, ylim: B_RANGE });
      layered(ctx, `background ${steps}`, (layer) => {
        lossesBackground(losses.on(layer), prob, steps, say);
        pathsBackground(paths.on(layer), prob, say);
      });
      drawLosses(losses, runs, optimizer);
      drawPaths(paths, runs, prob, optimizer);
      layered(ctx, `legends ${steps}`, (layer) => {
        lossesLegend(losses.on(layer), say);
        pathsLegend(paths.on(layer), say);
      });
      return describeOptimizers(optimizer, lr, runs, prob, say);
    },
  });
}

export default { render };
