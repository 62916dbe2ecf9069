"""Lesson 04's signature piece: watch gradient descent converge or diverge.

Three sliders (learning rate, input scale, epochs) drive one figure: the loss
per epoch on a log scale, and the path of (w, b) over the loss contours. The
verdict line says in plain words what happened and where the learning rate
stands against the threshold 2/λ_max of the Hessian.

Speed: a run comes from the closed form in `coursekit.linear_gd` (no loop over
epochs); the figure is built once and only its artists' data change; contours
are rebuilt only when the input scale changes; the layout is fixed (no
constrained layout to recompute).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator
from matplotlib.transforms import blended_transform_factory
from PIL import Image

from .data import REGRESSION_X, REGRESSION_Y
from .explorer import Explorer, quiet_numpy
from .linear_gd import DEFAULT_START, FLOAT32_MAX, LinearFit, Run, gradient_descent

LR_RANGE = (1e-6, 1.0)
SCALE_RANGE = (0.01, 10.0)
EPOCH_RANGE = (1, 1000)
COLOURS = {"converges": "#1a7f37", "diverges": "#c62828", "too slow": "#b26a00"}
# Contour levels as fractions of the way from the best loss up to the starting loss.
LEVELS = np.array([0.002, 0.01, 0.04, 0.12, 0.3, 0.6, 1.0, 1.6])


def threshold_text(lr: float, fit: LinearFit) -> str:
    """Where `lr` stands against 2/λ_max, e.g. 'lr = 0.01 is 1.88× the threshold 0.00532'."""
    ratio = lr / fit.threshold
    return f"lr = {lr:.3g} is {ratio:.3g}× the threshold 2/λ_max = {fit.threshold:.3g}"


def describe(run: Run, fit: LinearFit) -> str:
    """The full verdict line: what happened, and why, in one sentence."""
    words = run.verdict()
    text = f"{words} · {threshold_text(run.lr, fit)} at input scale {fit.scale:.3g}"
    if run.overflow_epoch is not None:
        text += f" · the loss overflows float32 (inf) at epoch {run.overflow_epoch}"
    elif run.lr >= fit.threshold and not words.startswith("diverges"):
        text += " · above the threshold: it diverges given more epochs"
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


class PartialCanvas(FigureCanvasAgg):
    """An Agg canvas that redraws only what changes.

    The first render (and the first after `forget_background`) draws the
    figure's patch and the `static` artists (without the `dynamic` artists
    inside them) and keeps those pixels. Later renders paste them back and draw
    the figure's other children and the `dynamic` artists on top. Whoever
    changes a static artist must call `forget_background`. PNGs are written as
    RGB with fast compression: they go to a widget many times a second.
    """

    def __init__(self, figure, static, dynamic):
        super().__init__(figure)
        self.static = list(static)
        self.dynamic = list(dynamic)
        self._background = None

    def forget_background(self) -> None:
        self._background = None

    def draw(self):
        renderer = self.get_renderer()
        key = (renderer.width, renderer.height, self.figure.dpi)
        if self._background is None or self._background[0] != key:
            self._background = (key, self._draw_background(renderer))
        renderer.restore_region(self._background[1])
        others = [a for a in self.figure.get_children()
                  if a is not self.figure.patch and not any(a is b for b in self.static)]
        for artist in sorted(others + self.dynamic, key=lambda a: a.get_zorder()):
            artist.draw(renderer)
        self.figure.stale = False

    def _draw_background(self, renderer):
        hidden = [a for a in self.figure.get_children()
                  if a is not self.figure.patch and not any(a is b for b in self.static)]
        hidden += self.dynamic
        shown = [a.get_visible() for a in hidden]
        for artist in hidden:
            artist.set_visible(False)
        try:
            super().draw()
            return renderer.copy_from_bbox(self.figure.bbox)
        finally:
            for artist, visible in zip(hidden, shown, strict=True):
                artist.set_visible(visible)

    def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **_savefig_options):
        self.draw()
        rgb = np.asarray(self.buffer_rgba())[..., :3]
        options = {"compress_level": 1, **(pil_kwargs or {})}
        Image.fromarray(rgb).save(filename_or_obj, format="png", **options)


class LearningRateExplorer(Explorer):
    """Learning rate × input scale × epochs → loss curve, path over contours, verdict.

    `x`, `y` default to the lesson's eleven points; the run starts at `start`
    = (w, b) = (1, 0). Controls: `lr`, `scale`, `epochs` (see `set`).
    """

    title = "Learning-rate explorer"

    def __init__(self, x=None, y=None, *, lr: float = 1e-2, scale: float = 1.0, epochs: int = 10,
                 start=DEFAULT_START, dpi: int = 72, continuous_update: bool = True):
        self.x = np.asarray(REGRESSION_X if x is None else x, dtype=np.float64)
        self.y = np.asarray(REGRESSION_Y if y is None else y, dtype=np.float64)
        self.start = (float(start[0]), float(start[1]))
        self.fit: LinearFit | None = None
        self.run: Run | None = None
        self._contours = None
        self._build_figure(dpi)
        style = {"description_width": "90px"}
        layout = widgets.Layout(width="480px")
        common = {"continuous_update": continuous_update, "style": style, "layout": layout}
        controls = {
            "lr": widgets.FloatLogSlider(
                value=lr, base=10, min=np.log10(LR_RANGE[0]), max=np.log10(LR_RANGE[1]),
                step=0.05, readout_format=".3g", description="learning rate", **common),
            "scale": widgets.FloatLogSlider(
                value=scale, base=10, min=np.log10(SCALE_RANGE[0]), max=np.log10(SCALE_RANGE[1]),
                step=0.05, readout_format=".3g", description="input scale", **common),
            "epochs": widgets.IntSlider(
                value=epochs, min=EPOCH_RANGE[0], max=EPOCH_RANGE[1], step=1,
                description="epochs", **common),
        }
        super().__init__(controls, self.figure, dpi=dpi)

    # -- the figure, built once ------------------------------------------------
    def _build_figure(self, dpi: int) -> None:
        self.figure = Figure(figsize=(9.6, 4.2), dpi=dpi)
        # A fixed layout: constrained layout would be recomputed on every render.
        self.figure.subplots_adjust(left=0.075, right=0.985, bottom=0.13, top=0.74, wspace=0.24)
        self.loss_axes, self.path_axes = self.figure.subplots(1, 2)
        for ax, label_x in ((self.loss_axes, -0.14), (self.path_axes, -0.1)):
            # Fixed title and label positions: matplotlib would otherwise measure
            # every tick label on every render to place them.
            ax.title.set_y(1.01)
            ax._autotitlepos = False
            ax.xaxis.set_label_coords(0.5, -0.11)
            ax.yaxis.set_label_coords(label_x, 0.5)
            ax.xaxis.set_major_locator(MaxNLocator(6))
        self.headline = self.figure.text(0.5, 0.975, "", ha="center", va="top", fontsize=12,
                                         fontweight="bold")
        self.subline = self.figure.text(0.5, 0.895, "", ha="center", va="top", fontsize=10)

        ax = self.loss_axes
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(numticks=6))
        ax.yaxis.set_minor_locator(NullLocator())
        # Plain "1e+03" labels: the default 10ⁿ labels go through mathtext, which
        # costs more render time than everything else on this axis.
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0e}"))
        # Its labels are figure texts, so that they belong to the static background.
        box = ax.get_position()
        label_size, title_size = rcParams["axes.labelsize"], rcParams["axes.titlesize"]
        labels = [
            self.figure.text(box.x0 + box.width / 2, box.y0 - 0.105, "epoch", ha="center",
                             fontsize=label_size),
            self.figure.text(box.x0 - 0.065, box.y0 + box.height / 2, "mean squared error",
                             rotation=90, ha="center", va="center", fontsize=label_size),
            self.figure.text(box.x0 + box.width / 2, box.y1 + 0.015, "loss (log scale)",
                             ha="center", fontsize=title_size),
        ]
        (self.loss_line,) = ax.plot([0.0], [1.0], "-", color="C0", lw=1.8)
        self.best_line = ax.axhline(1.0, color="0.4", ls="--", lw=1)
        self.best_text = ax.text(0.02, 1.0, "best possible", color="0.3", fontsize=9, va="bottom",
                                 transform=blended_transform_factory(ax.transAxes, ax.transData))
        (self.loss_end,) = ax.plot([], [], "X", color=COLOURS["diverges"], ms=10, zorder=5)
        self.loss_note = ax.text(0.97, 0.1, "", transform=ax.transAxes, ha="right", va="bottom",
                                 color=COLOURS["diverges"], fontsize=10)

        ax = self.path_axes
        ax.set(xlabel="w (weight on scale·x)", ylabel="b",
               title="path of (w, b) over loss contours")
        ax.yaxis.set_major_locator(MaxNLocator(6))
        (self.path_line,) = ax.plot([], [], "o-", color="C3", lw=1.4, ms=3, zorder=4)
        (self.start_mark,) = ax.plot([], [], "o", color="k", ms=7, zorder=5, label="start")
        (self.best_mark,) = ax.plot([], [], "*", color="#1a7f37", ms=13, zorder=5, label="minimum")
        self.path_note = ax.text(0.97, 0.06, "", transform=ax.transAxes, ha="right", va="bottom",
                                 color=COLOURS["diverges"], fontsize=10,
                                 bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
        ax.legend(loc="upper left", fontsize=9)
        # The path panel's contours, ticks and labels only change with the input
        # scale: the canvas keeps them as a ready-made background.
        PartialCanvas(self.figure, static=[self.path_axes, *labels],
                      dynamic=[self.path_line, self.path_note])

    def _set_scale(self, scale: float) -> None:
        """New input scale: new quadratic, new contour window, new contours."""
        self.fit = LinearFit(self.x, self.y, scale)
        fit, ax = self.fit, self.path_axes
        self.box = fit.window(self.start)
        w_lo, w_hi, b_lo, b_hi = self.box
        w, b = np.meshgrid(np.linspace(w_lo, w_hi, 60), np.linspace(b_lo, b_hi, 60))
        rise = float(fit.loss(*self.start)) - fit.best_loss
        if self._contours is not None:
            self._contours.remove()
        self._contours = ax.contour(w, b, fit.loss(w, b), levels=fit.best_loss + rise * LEVELS,
                                    cmap="viridis", linewidths=0.9, alpha=0.8)
        ax.set_xlim(w_lo, w_hi)
        ax.set_ylim(b_lo, b_hi)
        self.start_mark.set_data([self.start[0]], [self.start[1]])
        self.best_mark.set_data([fit.minimum[0]], [fit.minimum[1]])
        self.best_line.set_ydata([fit.best_loss, fit.best_loss])
        self.best_text.set_y(fit.best_loss)
        self.figure.canvas.forget_background()

    # -- one redraw --------------------------------------------------------------
    def draw(self, lr, scale, epochs) -> str:
        with quiet_numpy():
            if self.fit is None or scale != self.fit.scale:
                self._set_scale(scale)
            self.run = run = gradient_descent(self.fit, float(lr), int(epochs), self.start)
            words = run.verdict()
            self._draw_losses(run, words)
            self._draw_path(run)
        # The figure carries the verdict and the threshold (what a static viewer
        # sees); the status line below the sliders carries the full sentence.
        self.headline.set_text(words)
        self.headline.set_color(next(c for k, c in COLOURS.items() if words.startswith(k)))
        # Short: every glyph costs render time; the status line has the full sentence.
        ratio, threshold = run.lr / self.fit.threshold, self.fit.threshold
        self.subline.set_text(f"lr = {ratio:.3g}× threshold (2/λ_max = {threshold:.3g})")
        return describe(run, self.fit)

    def _draw_losses(self, run: Run, words: str) -> None:
        n = run.finite_epochs  # only finite losses reach matplotlib
        shown = run.losses[:n]
        self.loss_line.set_data(np.arange(n), shown)
        top = min(float(shown.max()), FLOAT32_MAX)
        bottom = min(float(shown.min()), run.best_loss)
        # After an overflow, zoom on the epochs that still have a loss to show.
        last = run.epochs if run.overflow_epoch is None else min(run.epochs, max(2 * n, 10))
        self.loss_axes.set_xlim(0, last)
        self.loss_axes.set_ylim(bottom / 2, top * 4)
        note, colour, end = "", COLOURS["diverges"], ([], [])
        if run.overflow_epoch is not None:
            note = f"diverged: loss is inf from epoch {run.overflow_epoch}"
            end = ([n - 1], [shown[-1]])
        elif words.startswith("diverges"):  # the headline says it; mark the end only
            end = ([run.epochs], [shown[-1]])
        elif run.lr >= self.fit.threshold:
            note, colour = "above the threshold: diverges given more epochs", COLOURS["too slow"]
        self.loss_end.set_data(*end)
        self.loss_note.set_text(note)
        self.loss_note.set_color(colour)

    def _draw_path(self, run: Run) -> None:
        points, exit_epoch = clip_path(run.params[: run.finite_epochs], self.box)
        self.path_line.set_data(points[:, 0], points[:, 1])
        # Past ~60 epochs the dots merge into a line anyway: draw at most ~60 of them.
        self.path_line.set_markevery(max(1, len(points) // 60))
        if exit_epoch is not None:
            self.path_note.set_text(f"leaves the plot at epoch {exit_epoch}")
        elif run.overflow_epoch is not None:
            self.path_note.set_text(f"overflow at epoch {run.overflow_epoch}")
        else:
            self.path_note.set_text("")
