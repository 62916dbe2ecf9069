"""Lesson 04's signature piece: watch gradient descent converge or diverge.

Three sliders (learning rate, input scale, epochs) drive one picture: the loss
per epoch on a log scale, and the path of (w, b) over the loss contours. The
verdict line says in plain words what happened and where the learning rate
stands against the threshold 2/λ_max of the Hessian.

The browser computes and draws every frame (coursekit/js/lr.js): it gets the
eleven points once and runs the closed form of `coursekit.linear_gd` in
float64, the same formulas as here. This module computes the same verdict in
Python (for `set`, tests and the text nbval compares) and the static picture.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.figure import Figure

from .browser_explorer import BrowserExplorer, ExplorerView, esm, plain
from .data import REGRESSION_X, REGRESSION_Y
from .i18n import _
from .linear_gd import DEFAULT_START, FLOAT32_MAX, LinearFit, Run, gradient_descent
from .verdict import (
    against_threshold,
    at_threshold_verdict,
    first_divergent_epoch,
)

LR_RANGE = (1e-6, 1.0)
SCALE_RANGE = (0.01, 10.0)
EPOCH_RANGE = (1, 1000)
# Contour levels as fractions of the way from the best loss up to the starting loss.
LEVELS = np.array([0.002, 0.01, 0.04, 0.12, 0.3, 0.6, 1.0, 1.6])


LINE = "{words} · lr = {lr} is {ratio}× the threshold 2/λ_max = {threshold} at input scale {scale}"
OVERFLOW = " · the loss overflows float32 (inf) at epoch {epoch}"
ABOVE = " · above the threshold: it diverges given more epochs"


def describe(run: Run, fit: LinearFit) -> str:
    """The full verdict line: what happened, and why, in one sentence.

    Numbers are written out (1,880×; 0.00532), as the view writes them (js/lr.js).
    """
    position = against_threshold(run.lr, fit.threshold)
    if position == "at":
        words = at_threshold_verdict(run.losses)
    else:
        words = run.verdict()
    text = _(LINE).format(words=words, lr=plain(run.lr), ratio=plain(run.lr / fit.threshold),
                          threshold=plain(fit.threshold), scale=plain(fit.scale))
    if run.overflow_epoch is not None:
        text += _(OVERFLOW).format(epoch=run.overflow_epoch)
    elif position == "above" and first_divergent_epoch(run.losses) is None:
        text += _(ABOVE)
    return text


def clip_path(points: np.ndarray, box) -> tuple[np.ndarray, int | None]:
    """Cut a path where it first leaves `box` = (x_lo, x_hi, y_lo, y_hi).

    Returns the points up to the exit, the last one moved back along its segment
    onto the box edge (so the direction drawn is the true one), and the index of
    the first point outside (None if the path stays inside). Huge coordinates
    never reach matplotlib.
    """
    lo = np.array([box[0], box[2]])
    hi = np.array([box[1], box[3]])
    outside = ~np.all((points >= lo) & (points <= hi), axis=1)
    if not outside.any():
        return points, None
    k = int(np.argmax(outside))
    if k == 0:
        return points[:1].clip(lo, hi), 0
    p, q = points[k - 1], points[k]
    step = q - p
    with np.errstate(all="ignore"):
        limits = np.where(step > 0, (hi - p) / step, np.where(step < 0, (lo - p) / step, np.inf))
    t = float(np.clip(np.min(limits), 0.0, 1.0))
    return np.vstack([points[:k], p + t * step]), k


class LearningRateView(ExplorerView):
    """The canvas: the data once, then only the three control values change."""

    _esm = esm("lr")
    x = traitlets.List(traitlets.Float()).tag(sync=True)
    y = traitlets.List(traitlets.Float()).tag(sync=True)
    start = traitlets.List(traitlets.Float()).tag(sync=True)
    lr = traitlets.Float(1e-2).tag(sync=True)
    scale = traitlets.Float(1.0).tag(sync=True)
    epochs = traitlets.Int(10).tag(sync=True)


class LearningRateExplorer(BrowserExplorer):
    """Learning rate × input scale × epochs → loss curve, path over contours, verdict.

    `x`, `y` default to the lesson's eleven points; the run starts at `start`
    = (w, b) = (1, 0). Controls: `lr`, `scale`, `epochs` (see `set`). `fit` and
    `run` hold the quadratic and the run of the last `verdict` computed (`set`
    computes it).
    """

    title = "Learning-rate explorer"
    words = (LINE, OVERFLOW, ABOVE, "epoch (k = after k updates)", "mean squared error",
             "loss (log scale)", "best possible", "w (weight on scale·x)",
             "path of (w, b) over loss contours", "start", "minimum",
             "leaves the plot at epoch {epoch}")
    picture = ("Two plots. Left: the loss after each epoch, on a log scale, with the best "
               "possible loss dashed. Right: the path of (w, b) from the start (dot) over the "
               "loss contours, towards the minimum (star). {verdict}")

    def __init__(self, x=None, y=None, *, lr: float = 1e-2, scale: float = 1.0, epochs: int = 10,
                 start=DEFAULT_START):
        self.x = np.asarray(REGRESSION_X if x is None else x, dtype=np.float64)
        self.y = np.asarray(REGRESSION_Y if y is None else y, dtype=np.float64)
        self.start = (float(start[0]), float(start[1]))
        LinearFit(self.x, self.y)  # bad data fails here, with LinearFit's message
        self.fit: LinearFit | None = None
        self.run: Run | None = None
        # Log sliders without a step: a typed value is kept as typed (with a
        # step, the slider would snap 0.3 to 10^-0.5 = 0.316).
        common = {"continuous_update": True}
        controls = {
            "lr": widgets.FloatLogSlider(
                value=1e-2, base=10, min=np.log10(LR_RANGE[0]), max=np.log10(LR_RANGE[1]),
                step=None, readout_format=".3g", description=_("learning rate"), **common),
            "scale": widgets.FloatLogSlider(
                value=1.0, base=10, min=np.log10(SCALE_RANGE[0]), max=np.log10(SCALE_RANGE[1]),
                step=None, readout_format=".3g", description=_("input scale"), **common),
            "epochs": widgets.IntSlider(
                value=10, min=EPOCH_RANGE[0], max=EPOCH_RANGE[1], step=1,
                description=_("epochs"), **common),
        }
        view = LearningRateView(x=self.x.tolist(), y=self.y.tolist(), start=list(self.start))
        super().__init__(controls, view)
        self.set(lr=lr, scale=scale, epochs=epochs)

    def describe(self, lr, scale, epochs) -> str:
        if self.fit is None or self.fit.scale != scale:
            self.fit = LinearFit(self.x, self.y, scale)
        self.run = gradient_descent(self.fit, lr, epochs, self.start)
        return describe(self.run, self.fit)

    def static_figure(self, lr, scale, epochs) -> Figure:
        """The picture the browser draws, in matplotlib: what GitHub shows."""
        verdict = self.verdict  # computes fit and run for these values
        fit, run = self.fit, self.run
        figure = Figure(figsize=(9.6, 4.2), layout="constrained")
        loss_axes, path_axes = figure.subplots(1, 2)
        figure.suptitle(verdict.replace(" · ", "\n", 1), fontsize=10)
        n = run.finite_epochs  # only finite losses reach matplotlib
        shown = run.losses[:n]
        last = run.epochs if run.overflow_epoch is None else min(run.epochs, max(2 * n, 10))
        loss_axes.semilogy(np.arange(n), shown, color="C0", lw=1.8)
        loss_axes.axhline(fit.best_loss, color="0.4", ls="--", lw=1, label=_("best possible"))
        if run.overflow_epoch is not None or first_divergent_epoch(run.losses) is not None:
            # Clipped off: never cut in half by the frame's edge.
            loss_axes.plot([n - 1], [shown[-1]], "X", color="#c62828", ms=10, clip_on=False,
                           zorder=5)
        loss_axes.set(xlim=(0, last), ylim=(min(shown.min(), fit.best_loss) / 2,
                                            min(shown.max(), FLOAT32_MAX) * 4),
                      xlabel=_("epoch (k = after k updates)"), ylabel=_("mean squared error"),
                      title=_("loss (log scale)"))
        # Lower left: under the dashed line, where no curve ends.
        loss_axes.legend(loc="lower left", fontsize=10)
        box = fit.window(self.start)
        w, b = np.meshgrid(np.linspace(box[0], box[1], 80), np.linspace(box[2], box[3], 80))
        rise = float(fit.loss(*self.start)) - fit.best_loss
        path_axes.contour(w, b, fit.loss(w, b), levels=fit.best_loss + rise * LEVELS,
                          cmap="viridis", linewidths=0.9, alpha=0.8)
        points, exit_epoch = clip_path(run.params[:n], box)
        path_axes.plot(points[:, 0], points[:, 1], "o-", color="C3", lw=1.4, ms=3,
                       markevery=max(1, len(points) // 60))
        path_axes.plot(*self.start, "o", color="k", ms=7, label=_("start"))
        path_axes.plot(*fit.minimum, "*", color="#1a7f37", ms=13, label=_("minimum"))
        if exit_epoch is not None:
            leaves = _("leaves the plot at epoch {epoch}").format(epoch=exit_epoch)
            path_axes.text(0.97, 0.04, leaves, transform=path_axes.transAxes, ha="right",
                           color="#c62828")
        path_axes.set(xlim=box[:2], ylim=box[2:], xlabel=_("w (weight on scale·x)"), ylabel="b",
                      title=_("path of (w, b) over loss contours"))
        path_axes.legend(loc="upper left", fontsize=10)
        return figure
