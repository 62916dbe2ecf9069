// Shared by the course's explorers (anywidget front ends): Python-like number
// formatting, the verdict rules of coursekit/verdict.py, small plotting on a
// <canvas> in the page's theme, the controls, and redraws at most once per
// animation frame. Plain anywidget API only (no JupyterLab globals): the course
// website renders the same views.
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

// The verdict words are coursekit/verdict.py's templates, translated by Python and
// sent in the view's `text` dict: `say(template)` is the translation.
function firstDivergentEpoch(losses) {
  const bad = (v) => !Number.isFinite(v) || v > losses[0];
  if (!bad(losses[losses.length - 1])) return null;
  return losses.findIndex(bad);
}

function closeToBest(loss, best, start) {
  if (best > 0) return loss - best <= CLOSE_TO_BEST * best;
  return loss - best <= CLOSE_TO_ZERO * Math.max(start - best, 0);
}

function span(epochs, say) {
  return fill(say(epochs === 1 ? "{n} epoch" : "{n} epochs"), { n: epochs });
}

function verdict(losses, best, say) {
  const diverged = firstDivergentEpoch(losses);
  if (diverged !== null) return fill(say("diverges at epoch {epoch}"), { epoch: diverged });
  const epochs = losses.length - 1;
  const final = losses[epochs];
  if (closeToBest(final, best, losses[0])) {
    return fill(say("converges: loss {loss} after {span}"), { loss: fmtG(final, 4), span: span(epochs, say) });
  }
  return fill(say("too slow: loss still {loss} after {span} (best possible {best})"),
    { loss: fmtG(final, 4), span: span(epochs, say), best: fmtG(best, 4) });
}

// "good", "warn" or "bad": the colour of a verdict.
function verdictTone(losses, best) {
  if (firstDivergentEpoch(losses) !== null) return "bad";
  return closeToBest(losses[losses.length - 1], best, losses[0]) ? "good" : "warn";
}

function againstThreshold(lr, threshold) {
  if (Math.abs(lr - threshold) <= AT_THRESHOLD_RTOL * threshold) return "at";
  return lr < threshold ? "below" : "above";
}

const AT_THRESHOLD = "neither converges nor diverges: at exactly 2/λ_max the steep direction " +
  "oscillates at constant amplitude; loss {loss} after {span}";

function atThresholdVerdict(losses, say) {
  const epochs = losses.length - 1;
  return fill(say(AT_THRESHOLD), { loss: fmtG(losses[epochs], 4), span: span(epochs, say) });
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

// --- friendly numbers --------------------------------------------------------------------

// browser_explorer.plain: `p` significant digits written out, with thousands separators
// (1,900; 0.0000534), and Python's "g" format only where that would be very long.
function plain(x, p) {
  if (!Number.isFinite(x) || x === 0) return fmtG(x, p);
  const e = Number(x.toExponential(p - 1).split("e")[1]);
  if (e >= 9 || e < -7) return fmtG(x, p);
  const rounded = Math.abs(Number(x.toExponential(p - 1))); // to p significant digits first
  let [whole, frac] = rounded.toFixed(Math.max(p - 1 - e, 0)).split(".");
  frac = frac ? frac.replace(/0+$/, "") : "";
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (x < 0 ? "-" : "") + whole + (frac ? `.${frac}` : "");
}

// A template from Python's `text` dict with its {name} placeholders filled in.
function fill(template, values = {}) {
  return String(template).replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
}

// --- colours: the theme's CSS variables, and WCAG contrast ---------------------------------

const PROBE = typeof document !== "undefined" ? document.createElement("canvas").getContext("2d",
  { willReadFrequently: true }) : null;
const RGB_CACHE = new Map();

// Any CSS colour as [r, g, b] (0-255), composited over white when translucent.
function toRGB(colour) {
  if (RGB_CACHE.has(colour)) return RGB_CACHE.get(colour);
  PROBE.canvas.width = PROBE.canvas.height = 1;
  PROBE.clearRect(0, 0, 1, 1);
  PROBE.fillStyle = "#fff";
  PROBE.fillRect(0, 0, 1, 1);
  PROBE.fillStyle = "#000";
  PROBE.fillStyle = colour;
  PROBE.fillRect(0, 0, 1, 1);
  const rgb = Array.from(PROBE.getImageData(0, 0, 1, 1).data.slice(0, 3));
  RGB_CACHE.set(colour, rgb);
  return rgb;
}

function luminance([r, g, b]) {
  const lin = (c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const hex = (rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;

// `colour`, moved towards black or white (whichever the background allows) just far
// enough to reach `ratio` against `bg` (4.5 for text, 3 for lines: WCAG AA).
function readable(colour, bg, ratio) {
  const c = toRGB(colour), back = toRGB(bg);
  if (contrast(c, back) >= ratio) return hex(c);
  const target = luminance(back) > 0.18 ? [0, 0, 0] : [255, 255, 255];
  for (let t = 0.1; t < 1; t += 0.1) {
    const mixed = c.map((v, i) => v + (target[i] - v) * t);
    if (contrast(mixed, back) >= ratio) return hex(mixed);
  }
  return hex(target);
}

// The colours and text size of the page around `el`: --ck-* variables, else JupyterLab's,
// else light-theme literals. Colours of data are passed through `theme.line`/`theme.text`.
const THEME_VARS = {
  fg: [["--ck-fg", "--jp-content-font-color1"], "#1a1a1a"],
  muted: [["--ck-muted", "--jp-content-font-color2"], "#555555"],
  bg: [["--ck-bg", "--jp-layout-color0"], "#ffffff"],
  grid: [["--ck-grid", "--jp-border-color2"], "#e0e0e0"],
  good: [["--ck-good"], "#1a7f37"],
  warn: [["--ck-warn"], "#9a5b00"],
  bad: [["--ck-bad"], "#c62828"],
  accent: [["--ck-accent", "--jp-brand-color1"], "#1565c0"],
  fontSize: [["--ck-font-size", "--jp-ui-font-size1"], "13px"],
};

function themeKey(el) {
  const style = getComputedStyle(el);
  return Object.values(THEME_VARS).map(([names, fallback]) => {
    for (const name of names) {
      const value = style.getPropertyValue(name).trim();
      if (value) return value;
    }
    return fallback;
  }).join("|");
}

function makeTheme(key) {
  const values = Object.fromEntries(Object.keys(THEME_VARS).map((k, i) => [k, key.split("|")[i]]));
  const bg = hex(toRGB(values.bg));
  const cache = new Map();
  const ensure = (colour, ratio) => {
    const k = `${colour}/${ratio}`;
    if (!cache.has(k)) cache.set(k, readable(colour, bg, ratio));
    return cache.get(k);
  };
  // Text in the picture never gets smaller than the page's own small text (12 px at least).
  const size = Math.max(12, parseFloat(values.fontSize) || 13);
  return {
    key, bg, size, font: `${size}px sans-serif`,
    fg: ensure(values.fg, 4.5), muted: ensure(values.muted, 4.5), grid: hex(toRGB(values.grid)),
    frame: ensure(values.muted, 3),
    good: ensure(values.good, 4.5), warn: ensure(values.warn, 4.5), bad: ensure(values.bad, 4.5),
    accent: ensure(values.accent, 3),
    text: (colour) => ensure(colour, 4.5), // a colour for words
    line: (colour) => ensure(colour, 3), // a colour for lines and markers
    dark: luminance(toRGB(bg)) < 0.18,
  };
}

// Viridis at eight points, for contour levels (matplotlib's colour map).
const VIRIDIS = ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39",
  "#fde725"];

// --- drawing on a canvas -------------------------------------------------------------------

function niceStep(range, count) {
  const raw = range / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷",
  8: "⁸", 9: "⁹" };
const powerOfTen = (k) => `10${String(k).replace(/./g, (c) => SUPERSCRIPT[c])}`;

// Words split into lines no wider than `width` (a single long word stays whole).
function wrapWords(ctx, text, width) {
  const lines = [];
  let line = "";
  for (const word of String(text).split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
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
// Its colours and text size come from the page's theme (ctx.theme, set by mountExplorer).
class Panel {
  constructor(ctx, box, { xlim, ylim, ylog = false }) {
    Object.assign(this, { ctx, box, xlim, ylim, ylog, theme: ctx.theme });
  }

  // The same panel, drawing on another context (a layer: see `layered`).
  on(ctx) {
    return new Panel(ctx, this.box, { xlim: this.xlim, ylim: this.ylim, ylog: this.ylog });
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

  linearTicks([lo, hi], count) {
    const step = niceStep(hi - lo, count);
    const ticks = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(t);
    return ticks.map((t) => [t, plain(Math.abs(t) < step * 1e-9 ? 0 : t, 4)]);
  }

  // As many ticks as fit: about one per 5.5 characters across, one per 2.6 lines up.
  xTicks() {
    return this.linearTicks(this.xlim, Math.max(2, Math.floor(this.box.w / (5.5 * this.theme.size))));
  }

  yTicks() {
    const count = Math.max(2, Math.floor(this.box.h / (2.6 * this.theme.size)));
    if (!this.ylog) return this.linearTicks(this.ylim, count);
    const lo = Math.ceil(Math.log10(this.ylim[0]));
    const hi = Math.floor(Math.log10(this.ylim[1]));
    const every = Math.max(1, Math.ceil((hi - lo + 1) / count));
    const ticks = [];
    for (let k = lo; k <= hi; k += every) ticks.push([10 ** k, powerOfTen(k)]);
    return ticks;
  }

  // Grid, frame, tick labels, axis labels and title (long ones wrap onto a second line).
  frame({ xlabel, ylabel, title }) {
    const { ctx, box, theme } = this;
    const size = theme.size;
    ctx.save();
    ctx.font = theme.font;
    ctx.fillStyle = theme.muted;
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const [t, label] of this.xTicks()) {
      const x = Math.round(this.X(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, box.y);
      ctx.lineTo(x, box.y + box.h);
      ctx.stroke();
      ctx.fillText(label, x, box.y + box.h + 0.3 * size);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    let widest = 0;
    for (const [t, label] of this.yTicks()) {
      const y = Math.round(this.Y(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(box.x, y);
      ctx.lineTo(box.x + box.w, y);
      ctx.stroke();
      ctx.fillText(label, box.x - 0.35 * size, y);
      widest = Math.max(widest, ctx.measureText(label).width);
    }
    ctx.strokeStyle = theme.frame;
    ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w, box.h);
    ctx.fillStyle = theme.fg;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    wrapWords(ctx, xlabel, box.w + box.x * 0.5).slice(0, 2).forEach((line, i) =>
      ctx.fillText(line, box.x + box.w / 2, box.y + box.h + (1.6 + 1.25 * i) * size));
    ctx.font = `bold ${theme.font}`;
    ctx.textBaseline = "bottom";
    const lines = wrapWords(ctx, title, box.w + 2 * size).slice(0, 2);
    lines.forEach((line, i) => ctx.fillText(line, box.x + box.w / 2,
      box.y - 0.4 * size - 1.25 * size * (lines.length - 1 - i)));
    if (ylabel) {
      ctx.font = theme.font;
      ctx.translate(Math.max(box.x - widest - 1.2 * size, 0.7 * size), box.y + box.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "middle";
      ctx.fillText(ylabel, 0, 0, box.h + 2 * size);
    }
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
    ctx.strokeStyle = this.theme.line(colour);
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    xs.forEach((x, i) => (i ? ctx.lineTo(this.X(x), this.Y(ys[i])) : ctx.moveTo(this.X(x), this.Y(ys[i]))));
    ctx.stroke();
    ctx.restore();
  }

  marker(x, y, { shape = "o", colour = "#000", size = 4, alpha = 1 }) {
    drawMarker(this.ctx, this.X(x), this.Y(y), { shape, colour: this.theme.line(colour), size, alpha });
  }

  text(s, x, y, { colour, align = "left", baseline = "bottom" } = {}) {
    const { ctx, theme } = this;
    ctx.save();
    ctx.font = theme.font;
    ctx.fillStyle = colour ? theme.text(colour) : theme.fg;
    ctx.textAlign = align;
    ctx.textBaseline = baseline;
    ctx.fillText(s, x, y, this.box.w - 0.5 * theme.size);
    ctx.restore();
  }

  // A legend: [label, colour, kind] rows, kind "line", "dash", "o", "*" or "x"; on the
  // page's background, slightly translucent.
  legend(rows, corner) {
    const { ctx, box, theme } = this;
    const row = 1.3 * theme.size;
    const height = row * rows.length + 0.5 * theme.size;
    ctx.save();
    ctx.font = theme.font;
    const width = Math.min(box.w - 8, 34 + Math.max(...rows.map(([label]) => ctx.measureText(label).width)));
    const x = corner.includes("right") ? box.x + box.w - width - 4 : box.x + 4;
    const y = corner.includes("lower") ? box.y + box.h - height - 4 : box.y + 4;
    ctx.globalAlpha = 0.85;
    ctx.fillStyle = theme.bg;
    ctx.fillRect(x, y, width, height);
    ctx.globalAlpha = 1;
    rows.forEach(([label, colour, kind], i) => {
      const cy = y + 0.25 * theme.size + row * (i + 0.5);
      const ink = theme.line(colour);
      ctx.fillStyle = ink;
      ctx.strokeStyle = ink;
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
        drawMarker(ctx, x + 14, cy, { shape: kind, colour: ink, size: kind === "*" ? 7 : 4 });
      }
      ctx.fillStyle = theme.fg;
      ctx.textBaseline = "middle";
      ctx.fillText(label, x + 30, cy, width - 32);
    });
    ctx.restore();
  }
}

// Parts of a picture that change only with some of the values (axes, ticks, titles,
// contours, legends) are drawn once into a layer, an offscreen canvas of the picture's
// size, and copied onto the picture at each frame: on a slow laptop, text and long
// curves cost far more than a copy. `layered(ctx, key, paint)` copies the layer that
// `paint(layerCtx)` drew for `key` (and the picture's size and theme), drawing it first
// if needed. The few most recent layers are kept.
const LAYERS_KEPT = 12;

function layerCache() {
  const layers = new Map();
  const layered = (ctx, key, paint) => {
    const { width, height } = ctx.canvas;
    const id = `${key}|${width}×${height}|${ctx.theme.key}`;
    let layer = layers.get(id);
    if (layer === undefined) {
      layer = document.createElement("canvas");
      [layer.width, layer.height] = [width, height];
      const lctx = layer.getContext("2d");
      lctx.setTransform(ctx.getTransform());
      lctx.theme = ctx.theme;
      paint(lctx);
      if (layers.size >= LAYERS_KEPT) layers.delete(layers.keys().next().value);
    } else layers.delete(id); // kept as the most recent
    layers.set(id, layer);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(layer, 0, 0);
    ctx.restore();
  };
  layered.clear = () => layers.clear(); // new words (the `text` dict): every layer redrawn
  return layered;
}

// Pixel boxes for `count` panels in a canvas `width` px wide: side by side when each
// still has `minPlot` px of plot, else stacked. Margins are in lines of text, so
// larger text gets more room; narrow panels keep two lines for titles and x labels.
function layoutPanels(width, size, { count = 1, left = 5, minPlot = 230, aspect = 0.7, maxPlot = 250 }) {
  const margin = { left: left * size, right: 1.2 * size };
  const across = count > 1 && width / count - margin.left - margin.right >= minPlot ? count : 1;
  const column = width / across;
  const w = Math.max(column - margin.left - margin.right, 60);
  const narrow = w < 380;
  const top = (narrow ? 3.1 : 1.9) * size;
  const bottom = (narrow ? 4.4 : 3.2) * size;
  const h = Math.round(Math.min(Math.max(w * aspect, 140), maxPlot));
  const rows = Math.ceil(count / across);
  const boxes = [];
  for (let i = 0; i < count; i++) {
    const [c, r] = [i % across, Math.floor(i / across)];
    boxes.push({ x: Math.round(c * column + margin.left), y: Math.round(r * (top + h + bottom) + top), w: Math.round(w), h });
  }
  return { width, height: Math.round(rows * (top + h + bottom)), boxes, stacked: across < count };
}

// --- the page around the picture: controls, verdict line, text alternative ------------------

const STYLE = `
.coursekit-explorer { color: var(--ck-fg, var(--jp-content-font-color1, #1a1a1a));
  font-family: var(--jp-ui-font-family, system-ui, -apple-system, "Segoe UI", sans-serif);
  font-size: var(--ck-font-size, var(--jp-ui-font-size1, 13px)); max-width: 100%;
  contain: layout; line-height: 1.4; will-change: transform; }
.coursekit-explorer .ck-controls { display: flex; flex-direction: column; gap: 0.35em; margin: 0.2em 0 0.5em; }
.coursekit-explorer .ck-control { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25em 0.6em; max-width: 46em; }
.coursekit-explorer .ck-label { flex: 0 0 8.5em; }
.coursekit-explorer .ck-track { flex: 1 1 10em; min-width: 7em; }
.coursekit-explorer .ck-track > span { display: block; height: 1.6em; padding: 4px;
  position: relative; contain: strict; touch-action: pan-y; cursor: pointer; }
.coursekit-explorer input[type=range] { display: block; width: 100%; margin: 0; height: 100%;
  -webkit-appearance: none; appearance: none; background: transparent; pointer-events: none; }
.coursekit-explorer input[type=range]::-webkit-slider-runnable-track { height: 4px; background: transparent; }
.coursekit-explorer input[type=range]::-moz-range-track { height: 4px; background: transparent; }
.coursekit-explorer input[type=range]::-webkit-slider-thumb { -webkit-appearance: none; appearance: none;
  width: 16px; height: 16px; margin-top: -6px; background: transparent; border: 0; }
.coursekit-explorer input[type=range]::-moz-range-thumb { width: 16px; height: 16px;
  background: transparent; border: 0; }
.coursekit-explorer canvas.ck-rail { position: absolute; inset: 4px; width: calc(100% - 8px);
  height: calc(100% - 8px); pointer-events: none; }
.coursekit-explorer .ck-readout { flex: 0 0 auto; width: 7.5em; box-sizing: border-box; font: inherit;
  color: inherit; background: var(--ck-bg, var(--jp-layout-color0, #fff));
  border: 1px solid var(--ck-muted, var(--jp-content-font-color2, #555)); border-radius: 3px;
  padding: 0.1em 0.35em; font-variant-numeric: tabular-nums; }
.coursekit-explorer output.ck-readout { border-color: transparent; }
.coursekit-explorer :focus-visible { outline: 2px solid var(--ck-accent, var(--jp-brand-color1, #1565c0));
  outline-offset: 2px; }
.coursekit-explorer .ck-note { flex-basis: 100%; font-size: 0.95em; }
.coursekit-explorer .ck-note:empty { display: none; }
.coursekit-explorer .ck-choices { display: flex; flex-wrap: wrap; gap: 0.3em; border: 0; margin: 0; padding: 0; }
.coursekit-explorer .ck-choice { position: relative; border: 1px solid var(--ck-muted, var(--jp-content-font-color2, #555));
  border-radius: 3px; padding: 0.15em 0.7em; cursor: pointer; }
.coursekit-explorer .ck-choice input { position: absolute; opacity: 0; width: 1px; height: 1px; margin: 0; }
.coursekit-explorer .ck-choice:has(input:checked) { background: var(--ck-accent, var(--jp-brand-color1, #1565c0));
  color: var(--ck-bg, var(--jp-layout-color0, #fff)); border-color: transparent; font-weight: 600; }
.coursekit-explorer .ck-choice:has(input:focus-visible) { outline: 2px solid var(--ck-accent, var(--jp-brand-color1, #1565c0));
  outline-offset: 2px; }
.coursekit-explorer .coursekit-verdict { font-weight: 600; margin: 0.3em 0 0.4em; min-height: 2.8em;
  overflow-wrap: break-word; }
.coursekit-explorer .ck-nowrap { white-space: nowrap; }
.coursekit-explorer canvas { display: block; max-width: 100%; will-change: transform; }
.coursekit-explorer .ck-control, .coursekit-explorer .coursekit-verdict { contain: paint; }
.coursekit-explorer .ck-sr { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
`;

function addStyle() {
  if (document.getElementById("coursekit-explorer-style")) return;
  const style = document.createElement("style");
  style.id = "coursekit-explorer-style";
  style.textContent = STYLE;
  document.head.append(style);
}

function element(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "className" || key === "textContent") node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

// The verdict line as text, with the pieces a line must never break inside kept whole:
// "2/λ_max = 0.00534", "lr = 0.01", "1,900×".
const NOWRAP = /(\S*2\/λ_max(?: = \S+)?|\b(?:lr|f) = \S+|\S+×)/g;
function showVerdict(node, text) {
  node.replaceChildren(...String(text).split(NOWRAP).map((part, i) => (i % 2
    ? element("span", { className: "ck-nowrap" }, part) : document.createTextNode(part))));
}

// The tone of a verdict line: that of the first verdict word in it (Python's words,
// so translations keep their own list: `text.tones`, {word: "good"|"warn"|"bad"}).
function toneOf(text, tones) {
  let best = null, at = Infinity;
  for (const [word, tone] of Object.entries(tones || {})) {
    const i = text.indexOf(word);
    if (i >= 0 && i < at) [best, at] = [tone, i];
  }
  return best;
}

let uid = 0;

// One control from its spec (sent by Python, browser_explorer.control_spec): a range
// input and a box to type into (its readout), or a group of radio buttons for a choice.
// A change is `onValue(value, final)`: `final` once the thumb is let go or a value typed.
function makeControl(spec, say, onValue) {
  const id = `ck-${++uid}`;
  const row = element("div", { className: "ck-control" });
  if (spec.kind === "buttons") {
    const group = element("div", { className: "ck-choices", role: "radiogroup", "aria-label": spec.label });
    const inputs = spec.options.map((option, i) => {
      const input = element("input", { type: "radio", name: id, value: String(i) });
      input.addEventListener("change", () => input.checked && onValue(i, true));
      group.append(element("label", { className: "ck-choice" }, input, option));
      return input;
    });
    row.append(element("span", { className: "ck-label", id: `${id}-label` }, spec.label), group);
    return { row, show: (index) => inputs.forEach((input, i) => { input.checked = i === index; }) };
  }
  const log = spec.kind === "log";
  const choice = spec.kind === "choice";
  const [lo, hi] = choice ? [0, spec.options.length - 1] : [spec.min, spec.max];
  const fine = spec.step || (spec.kind === "int" ? 1 : (hi - lo) / 1000);
  const range = element("input", { type: "range", id, min: lo, max: hi, step: fine, "aria-label": spec.label });
  const toValue = (r) => (log ? clean(10 ** r) : choice || spec.kind === "int" ? Math.round(r) : clean(r));
  const toRange = (v) => (log ? Math.log10(v) : v);
  const text = (v) => (choice ? spec.options[v] : spec.kind === "int" ? String(v) : plain(v, spec.digits || 3));
  const readout = choice ? element("output", { className: "ck-readout", for: id })
    : element("input", { className: "ck-readout", type: "text", inputmode: "decimal",
      "aria-label": fill(say("value of {label}"), { label: spec.label }), spellcheck: "false" });
  const note = element("span", { className: "ck-note", role: "status" });
  let shown = null;
  // The track and thumb we see are drawn on a small canvas of their own (rail); the
  // range input under it is transparent and takes no pointer (pointer-events: none):
  // pointers are the track box's, and the input's own thumb stays put while one drags.
  // A moving native thumb (or any element) is layout, paint and layering work for the
  // whole notebook page at every step, a third of a slow laptop's frame in JupyterLab;
  // a canvas drawn again is not. The input stays what keyboards, screen readers and
  // tests use, and takes its value when the thumb is let go.
  const rail = element("canvas", { className: "ck-rail", "aria-hidden": "true" });
  const railCtx = rail.getContext("2d");
  let railTheme = null, railAt = lo, railSize = [0, 0];
  const drawRail = () => {
    const [w, h] = railSize;
    if (!railTheme || !w || !h) return;
    const ratio = window.devicePixelRatio || 1;
    if (rail.width !== Math.round(w * ratio) || rail.height !== Math.round(h * ratio)) {
      rail.width = Math.round(w * ratio);
      rail.height = Math.round(h * ratio);
    }
    railCtx.setTransform(ratio, 0, 0, ratio, 0, 0);
    railCtx.clearRect(0, 0, w, h);
    const y = h / 2, x = 8 + ((railAt - lo) / (hi - lo || 1)) * Math.max(w - 16, 0);
    railCtx.fillStyle = railTheme.frame; // the track: a line at 3:1 contrast at least
    railCtx.fillRect(2, y - 2, w - 4, 4);
    railCtx.beginPath(); // the thumb: 16 px, the accent colour, ringed by the background
    railCtx.arc(x, y, 7, 0, 2 * Math.PI);
    railCtx.fillStyle = railTheme.accent;
    railCtx.fill();
    railCtx.lineWidth = 2;
    railCtx.strokeStyle = railTheme.bg;
    railCtx.stroke();
  };
  const place = (r) => {
    railAt = r;
    drawRail();
  };
  const trackBox = element("span", {}, range, rail);
  const track = element("span", { className: "ck-track" }, trackBox);
  new ResizeObserver((entries) => { // the rail canvas is drawn at its size on screen
    const { width, height } = entries[entries.length - 1].contentRect;
    railSize = [Math.floor(width), Math.floor(height)];
    drawRail();
  }).observe(rail);
  row.append(element("label", { className: "ck-label", for: id }, spec.label), track, readout, note);
  // A stepped slider (spec.step) snaps every value to its grid, as ipywidgets' did.
  const snap = (r) => (spec.step ? lo + Math.round((r - lo) / spec.step) * spec.step : r);
  // A pointer on the track: its place along the track (as the input's own thumb would
  // take it, 8 px in from each end) is the value, to the input's step.
  let drag = null;
  const pointAt = (x) => {
    const f = Math.min(Math.max((x - drag.left) / drag.width, 0), 1);
    const r = snap(Number((lo + Math.round((f * (hi - lo)) / fine) * fine).toPrecision(12)));
    if (r === drag.r) return;
    drag.r = r;
    range.dragValue = r; // where a dragged thumb is, for benchmarks (a property: no DOM work)
    place(r);
    note.textContent = "";
    onValue(toValue(r), false);
  };
  trackBox.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault(); // no text selection; the focus goes to the input, below
    range.focus({ preventScroll: true });
    const box = range.getBoundingClientRect();
    drag = { left: box.left + 8, width: Math.max(box.width - 16, 1), id: event.pointerId, r: null,
      touch: event.pointerType === "touch", x0: event.clientX, y0: event.clientY };
    try {
      trackBox.setPointerCapture(event.pointerId);
    } catch (error) { // a synthetic pointer (a benchmark's) cannot be captured
    }
    // A finger may be starting to scroll the page (touch-action: pan-y lets it): its
    // value is taken once it moves sideways, or where it lifts after a tap.
    if (!drag.touch) pointAt(event.clientX);
  });
  trackBox.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    if (drag.touch && drag.r === null) {
      const dx = Math.abs(event.clientX - drag.x0), dy = Math.abs(event.clientY - drag.y0);
      if (dx < 6 || dx < dy) return; // not sideways (yet): perhaps a scroll
    }
    pointAt(event.clientX);
  });
  const letGo = (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    if (drag.r === null && event.type === "pointerup") pointAt(event.clientX); // a tap
    const { r } = drag;
    drag = null;
    if (r === null) return; // a finger that scrolled the page instead: nothing changed
    range.value = String(r);
    onValue(toValue(r), true);
  };
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) trackBox.addEventListener(type, letGo);
  // A value set some other way (assistive technology, a test): the input's own events.
  range.addEventListener("input", () => {
    note.textContent = "";
    place(Number(range.value));
    onValue(toValue(snap(Number(range.value))), false);
  });
  range.addEventListener("change", () => onValue(toValue(snap(Number(range.value))), true));
  // The keyboard: arrows move a hundredth of the track (a step when stepped), Page keys a tenth.
  range.addEventListener("keydown", (event) => {
    const small = spec.step || (choice || spec.kind === "int" ? 1 : (hi - lo) / 100);
    const big = spec.step || choice ? small : Math.max(small, (hi - lo) / 10);
    const moves = { ArrowRight: small, ArrowUp: small, ArrowLeft: -small, ArrowDown: -small,
      PageUp: big, PageDown: -big, Home: -Infinity, End: Infinity };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const r = Math.min(Math.max(snap(Number(range.value) + moves[event.key]), lo), hi);
    range.value = String(r);
    place(r);
    note.textContent = "";
    onValue(toValue(r), true);
  });
  if (!choice) {
    readout.addEventListener("change", () => {
      const typed = readout.value.replace(/[,\s]/g, "");
      const v = Number(typed);
      if (typed === "" || !Number.isFinite(v)) {
        note.textContent = fill(say("{typed} is not a number from {lo} to {hi}"),
          { typed: readout.value, lo: text(toValue(lo)), hi: text(toValue(hi)) });
        return;
      }
      const [vlo, vhi] = [toValue(lo), toValue(hi)];
      let value = Math.min(Math.max(v, vlo), vhi);
      if (spec.step) value = toValue(snap(toRange(value)));
      else if (spec.kind === "int") value = Math.round(value);
      note.textContent = value === v ? "" : fill(say("{typed} is outside {lo} to {hi}: using {value}"),
        { typed: readout.value, lo: text(vlo), hi: text(vhi), value: text(value) });
      readout.value = text(value); // the value in use, as the slider shows it
      onValue(value, true);
    });
  }
  // Keys typed here are the control's, never JupyterLab's shortcuts (Tab still moves on).
  row.addEventListener("keydown", (event) => event.key !== "Tab" && event.stopPropagation());
  return {
    row,
    theme(theme) {
      railTheme = theme;
      drawRail();
    },
    // Only what changed is written: each write to an input is layout work for the page.
    show(value, typing) {
      if (value === shown) return;
      shown = value;
      if (!typing) {
        range.value = String(toRange(value));
        place(Number(range.value));
      }
      if (choice || document.activeElement !== readout) readout.value = text(value);
    },
  };
}

// Builds the explorer: its controls, the verdict line, a canvas that fits the column
// (text at the page's size) and a text alternative. `draw(ctx, layout)` paints the
// canvas for the model's current values and returns the verdict line. Frames are drawn
// at most once per animation frame; the canvas keeps a count of its frames
// (data-frames), when the last one was drawn and how long it took (data-drawn-at,
// data-draw-ms), for tests and benchmarks.
//
// While a thumb moves, its value changes only in the page (model.set); the kernel gets
// it when the thumb is let go, or once it has rested SYNC_MS: every message to the
// kernel makes JupyterLab redraw its busy/idle indicators, work a slow laptop cannot
// spare while the picture follows the thumb.
const SYNC_MS = 400;
// While a thumb moves, the words (readouts, verdict line, text alternative) change at
// most every TEXT_MS; the picture follows every frame. Each change of words is layout
// work for the whole notebook page, and faster changing words cannot be read anyway.
// They are written at once when the thumb is let go or a value is typed or keyed.
const TEXT_MS = 150;

function mountExplorer(el, model, { names, panels = 1, left = 5, maxWidth = 900, aspect = 0.7, draw }) {
  addStyle();
  const say = (key) => (model.get("text") || {})[key] ?? key;
  el.classList.add("coursekit-explorer");
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const specs = model.get("controls") || [];
  let width = Math.floor(el.clientWidth);
  const controls = element("div", { className: "ck-controls" });
  const status = element("div", { className: "coursekit-verdict" });
  const announce = element("div", { className: "ck-sr", "aria-live": "polite", role: "status" });
  const canvas = element("canvas", { className: "ck-picture", role: "img" });
  el.append(controls, status, canvas, announce);
  const ctx = canvas.getContext("2d");
  canvas.dataset.frames = "0";

  // A press or focus on a control stays with the control: in JupyterLab it would make
  // the cell active, which resets every editor's selection in the notebook (a second
  // of work for a long lesson on a slow laptop, before the thumb even moves). The
  // shortcuts stay off inside (data-lm-suppress-shortcuts) all the same.
  for (const type of ["mousedown", "pointerdown", "focusin"]) {
    controls.addEventListener(type, (event) => event.stopPropagation());
  }

  const local = {}; // the value each control last set in this page, and when
  const widgets = {};
  let saveTimer = null;
  const save = () => {
    clearTimeout(saveTimer);
    saveTimer = null;
    try {
      model.save_changes();
    } catch (error) { // a page without a kernel (the website) has nothing to sync with
    }
  };
  for (const spec of specs) {
    widgets[spec.name] = makeControl(spec, say, (value, final) => {
      local[spec.name] = { value, at: performance.now(), final };
      model.set(spec.name, value);
      clearTimeout(saveTimer);
      if (final) {
        widgets[spec.name].show(value, false); // the value at rest, in its box at once
        wordsDue = true; // and the verdict's words with the next frame
        saveAfterFrame = true; // the kernel hears of it once the picture is on screen
        request();
      } else saveTimer = setTimeout(save, SYNC_MS);
    });
    controls.append(widgets[spec.name].row);
  }

  let pending = false, theme = null, key = "", lastText = null, announceTimer = null;
  const layered = layerCache();
  let wordsDue = true, wordsAt = -Infinity, wordsTimer = null, shownWords = null;
  let saveAfterFrame = false;

  function frame() {
    pending = false;
    const started = performance.now();
    // The column's width, as the ResizeObserver last saw it (never measured here: a
    // forced layout of the whole notebook per frame is what a slow laptop cannot afford).
    const w = Math.max(Math.min(width || maxWidth, maxWidth), 200);
    const layout = { ...layoutPanels(w, theme.size, { count: panels, left, aspect }), theme, say, layered };
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(layout.height * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(layout.height * ratio);
      canvas.style.width = `${w}px`;
      canvas.style.height = `${layout.height}px`;
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, w, layout.height);
    ctx.theme = theme;
    let text, tone;
    try {
      const result = draw(ctx, layout);
      text = typeof result === "string" ? result : result.text;
      tone = typeof result === "string" ? toneOf(text, say("tones")) : result.tone;
    } catch (error) { // shown, never swallowed
      text = fill(say("Could not draw this setting ({error})"), { error: String(error) });
      tone = "bad";
    }
    shownWords = { text, tone };
    if (wordsDue || started - wordsAt >= TEXT_MS) showWords();
    else if (wordsTimer === null) wordsTimer = setTimeout(showWords, TEXT_MS - (started - wordsAt));
    canvas.dataset.frames = String(Number(canvas.dataset.frames) + 1);
    canvas.dataset.drawnAt = String(performance.now());
    canvas.dataset.drawMs = (Number(canvas.dataset.drawnAt) - started).toFixed(2);
    if (saveAfterFrame) { // sending is work too: after this frame, not before it
      saveAfterFrame = false;
      setTimeout(save, 0);
    }
  }

  // The words of the last frame drawn: readouts, the verdict line, the text alternative.
  function showWords() {
    clearTimeout(wordsTimer);
    wordsTimer = null;
    wordsDue = false;
    wordsAt = performance.now();
    const { text, tone } = shownWords;
    for (const spec of specs) {
      const typing = local[spec.name] && !local[spec.name].final;
      widgets[spec.name].show(model.get(spec.name), typing);
    }
    if (text !== lastText) {
      showVerdict(status, text);
      status.style.color = tone ? theme[tone] : theme.fg;
      canvas.setAttribute("aria-label", fill(say("picture"), { verdict: text }));
      lastText = text;
      // Screen readers hear the verdict once the values rest, not at every pointer move.
      clearTimeout(announceTimer);
      announceTimer = setTimeout(() => { announce.textContent = text; }, 700);
    }
  }

  function request() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(frame);
    }
  }

  // A value coming back from the kernel while this page moves the same control (the
  // kernel's echo of an earlier value) must not pull the picture back.
  function changed(name) {
    const mine = local[name];
    if (mine && performance.now() - mine.at < 2000 && model.get(name) !== mine.value) {
      if (!mine.final) {
        model.set(name, mine.value);
        return;
      }
    }
    if (mine && model.get(name) !== mine.value) {
      delete local[name];
      wordsDue = true; // a value from elsewhere (the kernel, another view): no drag here
    }
    request();
  }
  const handlers = names.map((name) => [`change:${name}`, () => changed(name)]);
  handlers.push(["change:text", () => {
    layered.clear();
    request();
  }]);
  handlers.forEach(([event, handler]) => model.on(event, handler));

  // The theme: read now, and again whenever the page's theme may have changed.
  const retheme = () => {
    const next = themeKey(el);
    if (next !== key) {
      key = next;
      theme = makeTheme(key);
      showTheme();
      lastText = null;
      request();
    }
  };
  // The colours and text size in use, for tests (data-theme on the canvas).
  const showTheme = () => {
    Object.values(widgets).forEach((widget) => widget.theme?.(theme));
    canvas.dataset.theme = JSON.stringify({ bg: theme.bg, fg: theme.fg, muted: theme.muted, size: theme.size });
  };
  key = themeKey(el);
  theme = makeTheme(key);
  showTheme();
  const observer = new MutationObserver(() => requestAnimationFrame(retheme));
  for (const node of [document.documentElement, document.body]) {
    observer.observe(node, { attributes: true, attributeFilter: ["class", "style", "data-jp-theme-name", "data-jp-theme-light", "data-theme"] });
  }
  const media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  media?.addEventListener?.("change", retheme);
  const poll = setInterval(() => el.isConnected && retheme(), 2000); // a theme's CSS loads late
  const resized = new ResizeObserver((entries) => {
    const seen = Math.floor(entries[entries.length - 1].contentRect.width);
    if (seen !== width) {
      width = seen;
      retheme(); // first seen on the page: its theme is now readable
      request();
    }
  });
  resized.observe(el);
  frame();
  return () => {
    handlers.forEach(([event, handler]) => model.off(event, handler));
    observer.disconnect();
    resized.disconnect();
    media?.removeEventListener?.("change", retheme);
    clearInterval(poll);
    clearTimeout(announceTimer);
    clearTimeout(wordsTimer);
    if (saveTimer !== null || saveAfterFrame) save();
  };
}
