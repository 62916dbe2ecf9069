// Lesson 07's minibatch explorer, drawn in the browser. Every run of the grid
// (batch sizes × learning rates, precomputed by coursekit/digits_explorer.py)
// and its verdict line arrive once; a frame only picks a run and draws it.

const LOSS_CEILING = 10.0; // digits_explorer.LOSS_CEILING: where the plots stop
const GREY = "#8c8c8c", BLUE = "#1f77b4", RED = "#d62728", GREEN = "#2ca02c";

// Runs.index: the grid's learning rate nearest to `lr` on a log scale (the first on a tie).
function nearestIndex(rates, lr) {
  const target = Math.log10(lr);
  let best = 0;
  rates.forEach((rate, i) => {
    if (Math.abs(Math.log10(rate) - target) < Math.abs(Math.log10(rates[best]) - target)) best = i;
  });
  return best;
}

// digits_explorer._plottable: the curve up to where it leaves the chart (null is inf or
// NaN), which then ends on the ceiling with a ✗ ({epochs, values, mark}).
function plottable(losses) {
  const k = losses.findIndex((v) => v === null || !(v <= LOSS_CEILING));
  if (k < 0) return { epochs: losses.map((_, i) => i), values: losses, mark: null };
  const values = [...losses.slice(0, k), LOSS_CEILING];
  return { epochs: values.map((_, i) => i), values, mark: [k, LOSS_CEILING] };
}

// The epoch of the lowest validation loss (null when the curve leaves the chart).
function bestEpoch(losses) {
  if (plottable(losses).mark !== null) return null;
  return losses.reduce((best, v, i) => (v < losses[best] ? i : best), 0);
}

function drawCurves(panel, curves, chosen) {
  panel.clipped(() => {
    curves.forEach((curve, i) => {
      if (i === chosen) return; // the chosen run goes on top
      const { epochs, values } = plottable(curve);
      panel.line(epochs, values, { colour: GREY, width: 0.8 });
    });
    const { epochs, values, mark } = plottable(curves[chosen]);
    panel.line(epochs, values, { colour: BLUE, width: 2.4 });
    if (mark !== null) panel.marker(mark[0], mark[1], { shape: "x", colour: RED, size: 6 });
  });
}

// The whole picture at one grid position: batch size `b`, learning rate number `chosen`.
function picture(ctx, data, { boxes, say, stacked }, b, chosen) {
  const epochs = data.train_loss[0][0].length - 1;
  const axes = { xlim: [0, epochs], ylim: [1e-3, LOSS_CEILING * 1.5], ylog: true };
  const train = new Panel(ctx, boxes[0], axes);
  train.frame({ xlabel: say("epoch"), ylabel: say("mean cross-entropy (log scale)"),
    title: fill(say("training loss ({n} training digits)"), { n: data.n_train }) });
  drawCurves(train, data.train_loss[b], chosen);
  train.legend([[say("other learning rates, same batch size"), GREY, "line"], [say("chosen"), BLUE, "line"],
    [say("left the chart (inf, nan or > 10)"), RED, "x"]], "lower left");
  const val = new Panel(ctx, boxes[1], axes);
  val.frame({ xlabel: say("epoch"), ylabel: stacked ? say("mean cross-entropy (log scale)") : "", title:
    fill(say("validation loss ({n} held-out digits)"), { n: data.n_validation }) });
  drawCurves(val, data.val_loss[b], chosen);
  const best = bestEpoch(data.val_loss[b][chosen]);
  if (best !== null) {
    val.clipped(() => val.marker(best, data.val_loss[b][chosen][best], { colour: GREEN, size: 5 }));
  }
  val.legend([[say("lowest validation loss"), GREEN, "o"]], "lower left");
}

function render({ model, el }) {
  const data = Object.fromEntries(["batch_sizes", "learning_rates", "train_loss", "val_loss",
    "verdicts", "n_train", "n_validation"].map((name) => [name, model.get(name)]));
  return mountExplorer(el, model, {
    names: ["batch_size", "lr"], panels: 2, left: 4.6, maxWidth: 940, aspect: 0.68,
    draw(ctx, layout) {
      const b = model.get("batch_size"); // the batch-size slider's index
      const chosen = nearestIndex(data.learning_rates, clean(model.get("lr")));
      // Drawn once per grid position; a move within a position only copies it.
      layout.layered(ctx, `${b} ${chosen}`, (layer) => picture(layer, data, layout, b, chosen));
      return data.verdicts[b][chosen];
    },
  });
}

export default { render };
