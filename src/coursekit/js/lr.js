// Lesson 04's learning-rate explorer, computed and drawn in the browser.
// The maths is coursekit/linear_gd.py's closed form, line for line:
//   θ_k = θ* + (I − lr·H)^k (θ0 − θ*),  in the eigenvectors of H.

const FLOAT32_MAX = 3.4028234663852886e38;
// Contour levels, as fractions of the way from the best loss up to the starting loss.
const LEVELS = [0.002, 0.01, 0.04, 0.12, 0.3, 0.6, 1.0, 1.6];

// LinearFit: the mean squared error of ŷ = w·(s·x) + b as a quadratic in (w, b).
function linearFit(x, y, scale) {
  const n = x.length;
  let sxx = 0, sx = 0, sxy = 0, sy = 0;
  for (let i = 0; i < n; i++) {
    const u = scale * x[i];
    sxx += u * u;
    sx += u;
    sxy += u * y[i];
    sy += y[i];
  }
  const H = [(2 / n) * sxx, (2 / n) * sx, (2 / n) * n];
  const g = [(2 / n) * sxy, (2 / n) * sy];
  const det = H[0] * H[2] - H[1] * H[1];
  const minimum = [(g[0] * H[2] - H[1] * g[1]) / det, (H[0] * g[1] - H[1] * g[0]) / det];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (scale * x[i] * minimum[0] + minimum[1] - y[i]) ** 2;
  const best = sum / n;
  const eig = eigen2(H[0], H[1], H[2]);
  const loss = (w, b) => {
    const dw = w - minimum[0], db = b - minimum[1];
    return best + 0.5 * (H[0] * dw * dw + 2 * H[1] * dw * db + H[2] * db * db);
  };
  return { n, scale, H, det, minimum, best, eig, loss, threshold: 2 / eig.values[1] };
}

// (w_lo, w_hi, b_lo, b_hi): the box around the ellipse L ≤ L(start), plus a margin.
function fitWindow(fit, start, margin = 0.15) {
  const rise = fit.loss(...start) - fit.best;
  const inverse = [fit.H[2] / fit.det, fit.H[0] / fit.det];
  const [hw, hb] = inverse.map((d) => Math.sqrt(2 * Math.max(rise, 1e-12) * d) * (1 + margin));
  return [fit.minimum[0] - hw, fit.minimum[0] + hw, fit.minimum[1] - hb, fit.minimum[1] + hb];
}

// The whole run, k = 0..epochs; inf/NaN from the epoch a float32 loss would overflow.
function gradientDescent(fit, lr, epochs, start) {
  const { values, vectors } = fit.eig;
  const d = [start[0] - fit.minimum[0], start[1] - fit.minimum[1]];
  const offset = vectors.map((v) => v[0] * d[0] + v[1] * d[1]);
  const losses = new Float64Array(epochs + 1);
  const params = [];
  let overflow = null;
  for (let k = 0; k <= epochs; k++) {
    if (overflow !== null) {
      losses[k] = Infinity;
      params.push([NaN, NaN]);
      continue;
    }
    const parts = offset.map((o, i) => (o === 0 ? 0 : o * Math.pow(1 - lr * values[i], k)));
    const p = [0, 1].map((j) => fit.minimum[j] + parts[0] * vectors[0][j] + parts[1] * vectors[1][j]);
    const loss = fit.best + 0.5 * (parts[0] * parts[0] * values[0] + parts[1] * parts[1] * values[1]);
    // float32 sums the N squared errors before dividing: that sum overflows first.
    if (!(loss <= FLOAT32_MAX / fit.n) || !p.every((v) => Math.abs(v) <= FLOAT32_MAX)) {
      overflow = k;
      losses[k] = Infinity;
      params.push([NaN, NaN]);
    } else {
      losses[k] = loss;
      params.push(p);
    }
  }
  return { lr, epochs, losses, params, overflow, finite: overflow === null ? epochs + 1 : overflow };
}

// lr_explorer.describe: the verdict line, and its tone.
function describeRun(run, fit, say) {
  const position = againstThreshold(run.lr, fit.threshold);
  const words = position === "at" ? atThresholdVerdict(run.losses, say) : verdict(run.losses, fit.best, say);
  let text = fill(say("{words} · lr = {lr} is {ratio}× the threshold 2/λ_max = {threshold} at input scale {scale}"),
    { words, lr: plain(run.lr, 3), ratio: plain(run.lr / fit.threshold, 3), threshold: plain(fit.threshold, 3),
      scale: plain(fit.scale, 3) });
  const diverges = firstDivergentEpoch(run.losses) !== null;
  if (run.overflow !== null) {
    text += fill(say(" · the loss overflows float32 (inf) at epoch {epoch}"), { epoch: run.overflow });
  } else if (position === "above" && !diverges) {
    text += say(" · above the threshold: it diverges given more epochs");
  }
  const tone = position === "at" ? "warn" : verdictTone(run.losses, fit.best);
  return { text, tone: tone === "good" && position === "above" ? "warn" : tone };
}

// lr_explorer.clip_path: the path up to where it leaves the box, the last point on the edge.
function clipPath(points, box) {
  const lo = [box[0], box[2]], hi = [box[1], box[3]];
  const inside = (p) => p.every((v, j) => v >= lo[j] && v <= hi[j]);
  const k = points.findIndex((p) => !inside(p));
  if (k < 0) return { points, exit: null };
  if (k === 0) return { points: [points[0].map((v, j) => Math.min(Math.max(v, lo[j]), hi[j]))], exit: 0 };
  const p = points[k - 1], q = points[k];
  const step = [q[0] - p[0], q[1] - p[1]];
  const limits = step.map((s, j) => (s > 0 ? (hi[j] - p[j]) / s : s < 0 ? (lo[j] - p[j]) / s : Infinity));
  const t = Math.min(Math.max(Math.min(...limits), 0), 1);
  const edge = Number.isFinite(t) ? [p[0] + t * step[0], p[1] + t * step[1]] : p;
  return { points: [...points.slice(0, k), edge], exit: k };
}

// The power of ten at or below (Math.floor) or above (Math.ceil) a positive value.
const decade = (value, round) => (value > 0 && Number.isFinite(value) ? 10 ** round(Math.log10(value)) : value);

function drawLosses(panel, run, fit, say, layered) {
  const shown = Array.from(run.losses.slice(0, run.finite));
  const top = Math.min(Math.max(...shown), FLOAT32_MAX);
  const bottom = Math.min(Math.min(...shown), fit.best);
  // After an overflow, zoom on the epochs that still have a loss to show.
  const last = run.overflow === null ? run.epochs : Math.min(run.epochs, Math.max(2 * run.finite, 10));
  panel.xlim = [0, last];
  // Whole decades: the axes (a layer drawn once, then copied) change only when the curve
  // crosses into another decade, not at every step of a dragged learning rate.
  panel.ylim = [decade(bottom / 2, Math.floor), decade(top * 4, Math.ceil)];
  // The axes stay the same over most learning rates (those whose loss never rises).
  layered(panel.ctx, `losses ${panel.xlim} ${panel.ylim} ${fit.best}`, (layer) => {
    const frame = panel.on(layer);
    frame.frame({ xlabel: say("epoch (k = after k updates)"), ylabel: say("mean squared error"),
      title: say("loss (log scale)") });
    frame.clipped(() => {
      frame.line([0, last], [fit.best, fit.best], { colour: panel.theme.muted, width: 1, dash: [5, 3] });
    });
  });
  panel.clipped(() => {
    const epochs = shown.map((_, k) => k);
    panel.line(epochs, shown, { colour: "#1f77b4", width: 1.8 });
    if (run.overflow !== null || firstDivergentEpoch(run.losses) !== null) {
      // Inside the frame, never cut in half by its edge.
      const k = shown.length - 1;
      const x = Math.min(panel.X(k), panel.box.x + panel.box.w - 7);
      const y = Math.max(panel.Y(shown[k]), panel.box.y + 7);
      drawMarker(panel.ctx, x, y, { shape: "x", colour: panel.theme.line("#c62828"), size: 6 });
    }
  });
  // The label of the dashed line sits under it, at the left, where the curve has left it.
  panel.text(say("best possible"), panel.box.x + 6, Math.min(panel.Y(fit.best) + 3, panel.box.y + panel.box.h - 2),
    { baseline: "top" });
}

function drawPath(panel, run, fit, start, box, say, layered) {
  panel.xlim = [box[0], box[1]];
  panel.ylim = [box[2], box[3]];
  // The frame and the contours change only with the input scale.
  layered(panel.ctx, `contours ${fit.scale}`, (layer) => {
    const frame = panel.on(layer);
    frame.frame({ xlabel: say("w (weight on scale·x)"), ylabel: "b",
      title: say("path of (w, b) over loss contours") });
    const rise = fit.loss(...start) - fit.best;
    frame.clipped(() => {
      LEVELS.forEach((level, i) => {
        const ring = ellipse(fit.minimum, fit.eig, rise * level);
        frame.line(ring.map((p) => p[0]), ring.map((p) => p[1]), { colour: VIRIDIS[i], width: 0.9, alpha: 0.8 });
      });
    });
  });
  const { points, exit } = clipPath(run.params.slice(0, run.finite), box);
  panel.clipped(() => {
    panel.line(points.map((p) => p[0]), points.map((p) => p[1]), { colour: "#d62728", width: 1.4 });
    const every = Math.max(1, Math.floor(points.length / 60));
    points.forEach((p, i) => i % every || panel.marker(p[0], p[1], { colour: "#d62728", size: 2 }));
    panel.marker(start[0], start[1], { colour: panel.theme.fg, size: 4.5 });
    panel.marker(fit.minimum[0], fit.minimum[1], { shape: "*", colour: "#1a7f37", size: 9 });
  });
  layered(panel.ctx, "legend", (layer) => panel.on(layer).legend(
    [[say("start"), panel.theme.fg, "o"], [say("minimum"), "#1a7f37", "*"]], "upper left"));
  if (exit !== null) {
    panel.text(fill(say("leaves the plot at epoch {epoch}"), { epoch: exit }), panel.box.x + panel.box.w - 6,
      panel.box.y + panel.box.h - 6, { colour: "#c62828", align: "right" });
  }
}

function render({ model, el }) {
  let cached = null; // the fit only changes with the input scale
  return mountExplorer(el, model, {
    names: ["lr", "scale", "epochs"], panels: 2, left: 5.2, maxWidth: 900, aspect: 0.75,
    draw(ctx, { boxes, say, layered }) {
      const [lr, scale, epochs] = [clean(model.get("lr")), clean(model.get("scale")), model.get("epochs")];
      const start = model.get("start");
      if (cached === null || cached.fit.scale !== scale) {
        const fit = linearFit(model.get("x"), model.get("y"), scale);
        cached = { fit, box: fitWindow(fit, start) };
      }
      const { fit, box } = cached;
      const run = gradientDescent(fit, lr, epochs, start);
      drawLosses(new Panel(ctx, boxes[0], { ylog: true }), run, fit, say, layered);
      drawPath(new Panel(ctx, boxes[1], {}), run, fit, start, box, say, layered);
      return describeRun(run, fit, say);
    },
  });
}

export default { render };
