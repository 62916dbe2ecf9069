// Shared by the course's explorers (anywidget front ends): Python-like number
// formatting, the verdict rules of coursekit/verdict.py, small plotting on a
// <canvas>, and redraws at most once per animation frame.
// No build step: Python concatenates this file with one explorer's file into
// a single ES module (coursekit/browser_explorer.py).

// --- numbers and words, exactly as in Python ------------------------------------------

// format(x, f".{p}g") of Python (ties aside: JS rounds a binary tie up, Python to even).
function fmtG(x, p) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa, exp] = x.toExponential(p - 1).split("e");
  const e = Number(exp);
  const strip = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (e >= -4 && e < p) return strip(x.toFixed(p - 1 - e));
  const digits = String(Math.abs(e)).padStart(2, "0");
  return `${strip(mantissa)}e${e < 0 ? "-" : "+"}${digits}`;
}

// A slider's value as Python reads it: rounded to 12 significant digits, so a
// typed 0.3 stays 0.3 after the log slider's round trip through log10 and 10**x.
function clean(v) {
  return Number(Number(v).toPrecision(12));
}

const CLOSE_TO_BEST = 0.05;
const CLOSE_TO_ZERO = 1e-6;
const AT_THRESHOLD_RTOL = 1e-9;
const AT_THRESHOLD_WORDS = "neither converges nor diverges: at exactly 2/λ_max the steep " +
  "direction oscillates at constant amplitude";

function firstDivergentEpoch(losses) {
  const bad = (v) => !Number.isFinite(v) || v > losses[0];
  if (!bad(losses[losses.length - 1])) return null;
  return losses.findIndex(bad);
}

function closeToBest(loss, best, start) {
  if (best > 0) return loss - best <= CLOSE_TO_BEST * best;
  return loss - best <= CLOSE_TO_ZERO * Math.max(start - best, 0);
}

function span(epochs) {
  return `${epochs} epoch${epochs !== 1 ? "s" : ""}`;
}

function verdict(losses, best) {
  const diverged = firstDivergentEpoch(losses);
  if (diverged !== null) return `diverges at epoch ${diverged}`;
  const epochs = losses.length - 1;
  const final = losses[epochs];
  if (closeToBest(final, best, losses[0])) {
    return `converges: loss ${fmtG(final, 4)} after ${span(epochs)}`;
  }
  return `too slow: loss still ${fmtG(final, 4)} after ${span(epochs)} ` +
    `(best possible ${fmtG(best, 4)})`;
}

function againstThreshold(lr, threshold) {
  if (Math.abs(lr - threshold) <= AT_THRESHOLD_RTOL * threshold) return "at";
  return lr < threshold ? "below" : "above";
}

function atThresholdVerdict(losses) {
  const epochs = losses.length - 1;
  return `${AT_THRESHOLD_WORDS}; loss ${fmtG(losses[epochs], 4)} after ${span(epochs)}`;
}

// The colour of a verdict line: that of the first verdict word in it.
const VERDICT_COLOURS = { converges: "#1a7f37", diverges: "#c62828", "too slow": "#b26a00",
  neither: "#b26a00" };
function verdictColour(text) {
  let best = null;
  for (const word of Object.keys(VERDICT_COLOURS)) {
    const at = text.indexOf(word);
    if (at >= 0 && (best === null || at < text.indexOf(best))) best = word;
  }
  return best === null ? "#222" : VERDICT_COLOURS[best];
}

// --- the quadratic loss of a straight-line fit -------------------------------------------

// Eigenvalues (ascending) and unit eigenvectors of the symmetric [[a, b], [b, c]].
function eigen2(a, b, c) {
  const mean = (a + c) / 2;
  const radius = Math.hypot((a - c) / 2, b);
  const values = [mean - radius, mean + radius];
  const vectors = values.map((lam) => {
    const [vx, vy] = Math.abs(b) > 1e-300 ? [b, lam - a] : (Math.abs(lam - a) <= Math.abs(lam - c)
      ? [1, 0] : [0, 1]);
    const norm = Math.hypot(vx, vy);
    return [vx / norm, vy / norm];
  });
  return { values, vectors };
}

// Points of the ellipse {θ : ½ (θ − θ*)ᵀ H (θ − θ*) = excess}.
function ellipse(centre, eig, excess, n = 96) {
  const radii = eig.values.map((lam) => Math.sqrt((2 * excess) / lam));
  const [u, v] = eig.vectors;
  const points = [];
  for (let i = 0; i <= n; i++) {
    const t = (2 * Math.PI * i) / n;
    const a = radii[0] * Math.cos(t);
    const b = radii[1] * Math.sin(t);
    points.push([centre[0] + a * u[0] + b * v[0], centre[1] + a * u[1] + b * v[1]]);
  }
  return points;
}

// Viridis at eight points, for contour levels (matplotlib's colour map).
const VIRIDIS = ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39",
  "#fde725"];

// --- drawing on a canvas -------------------------------------------------------------------

const FONT = "12px sans-serif";

function niceStep(range, count) {
  const raw = range / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

// A marker at pixel (px, py): "o" a dot, "x" a cross, "*" a five-pointed star.
function drawMarker(ctx, px, py, { shape = "o", colour = "#000", size = 4, alpha = 1 }) {
  ctx.save();
  ctx.globalAlpha = alpha;
  ctx.fillStyle = colour;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2.2;
  ctx.setLineDash([]);
  ctx.beginPath();
  if (shape === "x") {
    ctx.moveTo(px - size, py - size);
    ctx.lineTo(px + size, py + size);
    ctx.moveTo(px + size, py - size);
    ctx.lineTo(px - size, py + size);
    ctx.stroke();
  } else if (shape === "*") {
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? size * 0.45 : size;
      const a = -Math.PI / 2 + (i * Math.PI) / 5;
      ctx.lineTo(px + r * Math.cos(a), py + r * Math.sin(a));
    }
    ctx.closePath();
    ctx.fill();
  } else {
    ctx.arc(px, py, size, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.restore();
}

// One panel: a data window mapped onto a pixel box, with ticks, labels and a title.
class Panel {
  constructor(ctx, box, { xlim, ylim, ylog = false }) {
    Object.assign(this, { ctx, box, xlim, ylim, ylog });
  }

  fy(v) {
    return this.ylog ? Math.log10(v) : v;
  }

  X(v) {
    const [lo, hi] = this.xlim;
    return this.box.x + ((v - lo) / (hi - lo)) * this.box.w;
  }

  Y(v) {
    const [lo, hi] = this.ylim.map((u) => this.fy(u));
    return this.box.y + this.box.h - ((this.fy(v) - lo) / (hi - lo)) * this.box.h;
  }

  xTicks() {
    const [lo, hi] = this.xlim;
    const step = niceStep(hi - lo, 5);
    const ticks = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(t);
    return ticks.map((t) => [t, fmtG(Math.abs(t) < step * 1e-9 ? 0 : t, 4)]);
  }

  yTicks() {
    if (!this.ylog) {
      const [lo, hi] = this.ylim;
      const step = niceStep(hi - lo, 5);
      const ticks = [];
      for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(t);
      return ticks.map((t) => [t, fmtG(Math.abs(t) < step * 1e-9 ? 0 : t, 4)]);
    }
    const lo = Math.ceil(Math.log10(this.ylim[0]));
    const hi = Math.floor(Math.log10(this.ylim[1]));
    const every = Math.max(1, Math.ceil((hi - lo + 1) / 6));
    const ticks = [];
    for (let k = lo; k <= hi; k += every) ticks.push([10 ** k, `1e${k}`]);
    return ticks;
  }

  // Grid, frame, tick labels, axis labels and title.
  frame({ xlabel, ylabel, title }) {
    const { ctx, box } = this;
    ctx.save();
    ctx.font = FONT;
    ctx.fillStyle = "#222";
    ctx.strokeStyle = "rgba(0, 0, 0, 0.12)";
    ctx.lineWidth = 1;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const [t, label] of this.xTicks()) {
      const x = Math.round(this.X(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, box.y);
      ctx.lineTo(x, box.y + box.h);
      ctx.stroke();
      ctx.fillText(label, x, box.y + box.h + 4);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const [t, label] of this.yTicks()) {
      const y = Math.round(this.Y(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(box.x, y);
      ctx.lineTo(box.x + box.w, y);
      ctx.stroke();
      ctx.fillText(label, box.x - 4, y);
    }
    ctx.strokeStyle = "#444";
    ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w, box.h);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText(xlabel, box.x + box.w / 2, box.y + box.h + 20);
    ctx.font = "bold " + FONT;
    ctx.textBaseline = "bottom";
    ctx.fillText(title, box.x + box.w / 2, box.y - 6);
    ctx.font = FONT;
    ctx.translate(box.x - 48, box.y + box.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(ylabel, 0, 0);
    ctx.restore();
  }

  // Everything drawn inside `draw` is cut at the panel's edge.
  clipped(draw) {
    const { ctx, box } = this;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.w, box.h);
    ctx.clip();
    draw();
    ctx.restore();
  }

  line(xs, ys, { colour, width = 1.5, dash = [], alpha = 1 }) {
    const { ctx } = this;
    ctx.save();
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    xs.forEach((x, i) => (i ? ctx.lineTo(this.X(x), this.Y(ys[i])) : ctx.moveTo(this.X(x), this.Y(ys[i]))));
    ctx.stroke();
    ctx.restore();
  }

  marker(x, y, { shape = "o", colour = "#000", size = 4, alpha = 1 }) {
    drawMarker(this.ctx, this.X(x), this.Y(y), { shape, colour, size, alpha });
  }

  text(s, x, y, { colour = "#333", align = "left", baseline = "bottom" } = {}) {
    const { ctx } = this;
    ctx.save();
    ctx.font = FONT;
    ctx.fillStyle = colour;
    ctx.textAlign = align;
    ctx.textBaseline = baseline;
    ctx.fillText(s, x, y);
    ctx.restore();
  }

  // A legend: [label, colour, kind] rows, kind "line", "o", "*" or "x".
  legend(rows, corner) {
    const { ctx, box } = this;
    const height = 16 * rows.length + 6;
    ctx.save();
    ctx.font = FONT;
    const width = 34 + Math.max(...rows.map(([label]) => ctx.measureText(label).width));
    const x = corner.includes("right") ? box.x + box.w - width - 6 : box.x + 6;
    const y = corner.includes("lower") ? box.y + box.h - height - 6 : box.y + 6;
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillRect(x, y, width, height);
    rows.forEach(([label, colour, kind], i) => {
      const cy = y + 11 + 16 * i;
      ctx.fillStyle = colour;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(kind === "dash" ? [5, 3] : []);
      ctx.beginPath();
      if (kind === "line" || kind === "dash") {
        ctx.moveTo(x + 4, cy);
        ctx.lineTo(x + 24, cy);
        ctx.stroke();
      } else if (kind === "x") {
        ctx.moveTo(x + 9, cy - 5);
        ctx.lineTo(x + 19, cy + 5);
        ctx.moveTo(x + 19, cy - 5);
        ctx.lineTo(x + 9, cy + 5);
        ctx.stroke();
      } else {
        drawMarker(ctx, x + 14, cy, { shape: kind, colour, size: kind === "*" ? 7 : 4 });
      }
      ctx.fillStyle = "#222";
      ctx.textBaseline = "middle";
      ctx.fillText(label, x + 30, cy);
    });
    ctx.restore();
  }
}

// --- the widget shell: a verdict line above a canvas, redrawn once per frame --------------

// Builds the view and returns a function that asks for a redraw. `draw(ctx)`
// paints the canvas and returns the verdict line; the canvas keeps a count of
// its frames (data-frames), when the last one was drawn and how long it took
// (data-drawn-at, data-draw-ms), for tests and benchmarks.
function mountCanvas(el, model, { width, height, names, draw }) {
  el.classList.add("coursekit-explorer");
  const status = document.createElement("div");
  status.className = "coursekit-verdict";
  status.style.cssText = "font-weight: bold; margin: 4px 0 2px; min-height: 2.6em; max-width: " +
    `${width}px; font-family: sans-serif; font-size: 14px;`;
  const canvas = document.createElement("canvas");
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  // Its natural size, shrunk proportionally in a narrower notebook column.
  canvas.style.width = `${width}px`;
  canvas.style.maxWidth = "100%";
  canvas.style.height = "auto";
  canvas.style.aspectRatio = `${width} / ${height}`;
  canvas.dataset.frames = "0";
  el.append(status, canvas);
  const ctx = canvas.getContext("2d");
  let pending = false;

  function frame() {
    pending = false;
    const started = performance.now();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    let text;
    try {
      text = draw(ctx);
      status.style.color = verdictColour(text);
    } catch (error) { // shown, never swallowed
      text = `Could not draw this setting (${error})`;
      status.style.color = "#b00";
    }
    status.textContent = text;
    canvas.dataset.frames = String(Number(canvas.dataset.frames) + 1);
    canvas.dataset.drawnAt = String(performance.now());
    canvas.dataset.drawMs = (Number(canvas.dataset.drawnAt) - started).toFixed(2);
  }

  function request() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(frame);
    }
  }
  for (const name of names) model.on(`change:${name}`, request);
  frame();
  return () => names.forEach((name) => model.off(`change:${name}`, request));
}
