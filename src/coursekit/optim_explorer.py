"""Lesson 05's optimizer explorer: SGD, momentum, RMSprop and Adam side by side.

The problem is lesson 04's straight-line fit with the input left unscaled:
loss(w, b) = mean((w·x + b − y)²) over the eleven points, starting at
(w, b) = (1, 0). Its curvature along w is about 190 times the curvature along
b, so plain gradient descent must keep the learning rate below 2/λ_max ≈ 0.0053
and then crawls along b. RMSprop and Adam divide each coordinate's step by a
running size of its own gradient, so both coordinates move about `lr` per step
whatever their curvature.

The four update rules are written in numpy (float64) and vectorised over the
four optimizers, so a full run of all four takes a few milliseconds; a unit test
checks them against `torch.optim` step by step.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .data import REGRESSION_X, REGRESSION_Y
from .explorer import Explorer, quiet_numpy
from .verdict import verdict

OPTIMIZERS = ("SGD", "SGD + momentum", "RMSprop", "Adam")
MOMENTUM = 0.9  # torch.optim.SGD(momentum=0.9)
RMS_ALPHA = 0.99  # torch.optim.RMSprop default
BETAS = (0.9, 0.999)  # torch.optim.Adam default
EPS = 1e-8  # RMSprop and Adam default
START = (1.0, 0.0)  # (w, b), as in lesson 04
STEPS = 200
LR_MIN, LR_MAX = 1e-4, 10.0
COLORS = {"SGD": "tab:blue", "SGD + momentum": "tab:orange", "RMSprop": "tab:green",
          "Adam": "tab:red"}

# Where the plots stop: a run above this loss (or off to inf/NaN) has diverged.
LOSS_CEILING = 1e5
PATH_CLIP = 1e6  # path coordinates are clipped to ±this before matplotlib sees them
W_RANGE = (-0.5, 4.5)
B_RANGE = (-8.0, 45.0)


class LinearFitProblem:
    """mean((w·x + b − y)²) as a quadratic in p = (w, b): loss = pᵀQp − 2qᵀp + r."""

    def __init__(self, x=REGRESSION_X, y=REGRESSION_Y, start=START):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
            raise ValueError("x and y must be 1-D sequences of the same length (at least 2)")
        self.x, self.y = x, y
        self.design = np.stack([x, np.ones_like(x)], axis=1)  # rows (x_i, 1)
        n = len(x)
        self.Q = self.design.T @ self.design / n
        self.q = self.design.T @ y / n
        self.r = float(y @ y / n)
        self.hessian = 2 * self.Q
        self.start = np.asarray(start, dtype=float)
        self.solution = np.linalg.solve(self.Q, self.q)
        self.best_loss = float(self.loss(self.solution))
        eigenvalues = np.linalg.eigvalsh(self.hessian)
        self.lambda_min, self.lambda_max = float(eigenvalues[0]), float(eigenvalues[-1])
        # Plain gradient descent on a quadratic is stable exactly when lr < 2/λ_max.
        self.sgd_threshold = 2.0 / self.lambda_max

    def loss(self, p):
        """Loss at points p of shape (..., 2); inf/NaN in p give inf/NaN, not warnings."""
        p = np.asarray(p, dtype=float)
        with quiet_numpy():
            residuals = p @ self.design.T - self.y  # (..., n)
            return np.mean(residuals**2, axis=-1)

    def gradient(self, p):
        """∇loss = 2(Qp − q), for points p of shape (..., 2)."""
        with quiet_numpy():
            return 2.0 * (np.asarray(p, dtype=float) @ self.Q - self.q)


PROBLEM = LinearFitProblem()


def _check_lr(lr) -> float:
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"the learning rate must be a number, got {lr!r}") from None
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
    return lr


def run_optimizers(lr: float, steps: int = STEPS, problem: LinearFitProblem = PROBLEM):
    """Run SGD, SGD + momentum, RMSprop and Adam for `steps` full-batch steps at one `lr`.

    Returns (paths, losses): paths has shape (4, steps + 1, 2) (the (w, b) after
    each step, index 0 = start), losses shape (4, steps + 1), rows in the order
    of OPTIMIZERS. The rules and defaults are torch.optim's. Runs that blow up
    hold inf/NaN from there on: that is the result, not an error.
    """
    lr = _check_lr(lr)
    if not (isinstance(steps, (int, np.integer)) and steps >= 1):
        raise ValueError(f"steps must be a positive whole number, got {steps!r}")
    b1, b2 = BETAS
    # One row per optimizer (SGD, momentum, RMSprop, Adam). Every rule is the same
    # three lines with different constants:
    #   m ← decay1·m + gain1·g            running gradient (SGD: m = g)
    #   v ← decay2·v + gain2·g²           running squared gradient (SGD: stays 0)
    #   p ← p − lr·bias1·m / (√(bias2·v) + floor)
    # floor is 1 for the SGD rows (so they step lr·m) and eps for the adaptive ones;
    # bias1, bias2 are Adam's corrections for starting m and v at zero (1 elsewhere).
    decay1 = np.array([0.0, MOMENTUM, 0.0, b1])[:, None]
    gain1 = np.array([1.0, 1.0, 1.0, 1 - b1])[:, None]
    decay2 = np.array([0.0, 0.0, RMS_ALPHA, b2])[:, None]
    gain2 = 1 - decay2
    gain2[:2] = 0.0
    floor = np.array([1.0, 1.0, EPS, EPS])[:, None]
    t = np.arange(1, steps + 1)
    is_adam = np.array([0.0, 0.0, 0.0, 1.0])[:, None]
    lr_bias1 = lr * (1 + is_adam * (1 / (1 - b1 ** t) - 1)).T[:, :, None]  # (steps, 4, 1)
    bias2 = (1 + is_adam * (1 / (1 - b2 ** t) - 1)).T[:, :, None]
    hessian, q2 = problem.hessian, 2 * problem.q  # ∇loss(p) = H p − 2q

    paths = np.empty((steps + 1, len(OPTIMIZERS), 2))
    p = np.tile(problem.start, (len(OPTIMIZERS), 1))
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    paths[0] = p
    with quiet_numpy():
        for k in range(steps):
            g = p @ hessian - q2
            m = decay1 * m + gain1 * g
            v = decay2 * v + gain2 * (g * g)
            p = p - lr_bias1[k] * m / (np.sqrt(bias2[k] * v) + floor)
            paths[k + 1] = p
        paths = paths.transpose(1, 0, 2)
        losses = problem.loss(paths)
    return paths, losses


def short_verdict(losses, best_loss: float) -> str:
    """'converges', 'too slow' or 'diverges at epoch k' (the words of lesson 04)."""
    return verdict(losses, best_loss).split(":")[0]


def _plottable_losses(losses):
    """Losses cut where they leave the plot; returns (epochs, values, end_marker or None)."""
    bad = ~np.isfinite(losses) | (losses > LOSS_CEILING)
    epochs = np.arange(len(losses))
    if not bad.any():
        return epochs, losses, None
    k = int(np.argmax(bad))
    values = np.append(losses[:k], LOSS_CEILING)  # the last point sits on the ceiling
    return epochs[: k + 1], values, (k, LOSS_CEILING)


def _plottable_path(path):
    """The path until it leaves the neighbourhood of the plot, as finite numbers.

    The first point outside is kept (clipped) so the line visibly heads off the
    edge in the direction the run went; inf/NaN never reach matplotlib.
    """
    centre = np.array([np.mean(W_RANGE), np.mean(B_RANGE)])
    half_size = 3 * np.array([np.ptp(W_RANGE), np.ptp(B_RANGE)])
    with quiet_numpy():
        inside = np.isfinite(path).all(axis=1) & (np.abs(path - centre) < half_size).all(axis=1)
    if inside.all():
        return path
    k = int(np.argmin(inside))
    keep = k + 1 if np.isfinite(path[k]).all() else k
    return np.clip(path[:keep], -PATH_CLIP, PATH_CLIP)


class _Backdrop(Artist):
    """A picture rendered earlier, pasted pixel for pixel behind everything else."""

    def __init__(self, rgba: np.ndarray):
        super().__init__()
        self.rgba = rgba[::-1]  # buffer rows run top to bottom; draw_image wants bottom up
        self.set_zorder(-1)

    def draw(self, renderer):
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self.rgba)
        gc.restore()


class OptimizerExplorer(Explorer):
    """Pick an optimizer and a learning rate; see all four loss curves and paths.

    For speed the figure has two layers. Everything that never changes (axes,
    ticks, grid, labels, contours) is drawn once into a picture that sits at
    the back of the figure; the axes in front have their
    decorations switched off and hold only the curves, paths, legend and
    title, so a redraw renders a dozen lines instead of the whole figure.
    """

    title = "Optimizer explorer"
    size = (11.0, 4.2)  # inches
    margins = {"left": 0.065, "right": 0.985, "bottom": 0.12, "top": 0.92, "wspace": 0.2}

    def __init__(self, optimizer: str = "Adam", lr: float = 0.5, steps: int = STEPS,
                 dpi: int = 72):
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {list(OPTIMIZERS)}")
        lr = _check_lr(lr)
        if not LR_MIN <= lr <= LR_MAX:
            raise ValueError(f"the learning rate must lie between {LR_MIN:g} and {LR_MAX:g}")
        if not (isinstance(steps, int) and 1 <= steps <= 5000):
            raise ValueError(f"steps must be a whole number from 1 to 5000, got {steps!r}")
        self.problem = PROBLEM
        self.steps = steps
        figure = self._live_layer(self._background(dpi), dpi)
        controls = {
            "optimizer": widgets.ToggleButtons(
                options=OPTIMIZERS, value=optimizer, description="optimizer",
                style={"description_width": "initial", "button_width": "auto"}),
            "lr": widgets.FloatLogSlider(
                value=lr, base=10, min=np.log10(LR_MIN), max=np.log10(LR_MAX), step=0.05,
                description="learning rate", readout_format=".3g", continuous_update=True,
                style={"description_width": "initial"}, layout={"width": "520px"}),
        }
        super().__init__(controls, figure, dpi=dpi)

    def _two_axes(self, dpi):
        # A fixed layout (no constrained layout), identical in both layers.
        figure = Figure(figsize=self.size, dpi=dpi)
        loss_axes, path_axes = figure.subplots(1, 2)
        figure.subplots_adjust(**self.margins)
        loss_axes.set_yscale("log")
        loss_axes.set_xlim(0, self.steps)
        loss_axes.set_ylim(self.problem.best_loss * 0.7, LOSS_CEILING * 1.5)
        path_axes.set_xlim(*W_RANGE)
        path_axes.set_ylim(*B_RANGE)
        for axes in (loss_axes, path_axes):
            axes.set_autoscale_on(False)
        return figure, loss_axes, path_axes

    def _background(self, dpi) -> np.ndarray:
        """The unchanging part of the figure, rendered once to an RGBA array.

        That includes every piece of text: matplotlib takes milliseconds per
        string, so the verdicts of all four go in the status line instead.
        """
        figure, loss_axes, path_axes = self._two_axes(dpi)
        loss_axes.set(xlabel="epoch (one full-batch step)", ylabel="loss (log scale)",
                      title="the four optimizers at the chosen learning rate")
        loss_axes.axhline(self.problem.best_loss, color="gray", linestyle="--", linewidth=1,
                          label="best possible")
        for name in OPTIMIZERS:
            loss_axes.plot([], [], color=COLORS[name], label=name)
        loss_axes.plot([], [], "x", color="black", markersize=9, markeredgewidth=2,
                       label="diverged (left the chart)")
        loss_axes.legend(loc="upper right", fontsize="small")
        path_axes.set(xlabel="w (slope)", ylabel="b (intercept)",
                      title="their paths over the loss surface (contours)")
        path_axes.plot(*self.problem.start, "ko", markersize=6, label="start (1, 0)")
        path_axes.plot(*self.problem.solution, "k*", markersize=12, label="minimum")
        path_axes.legend(loc="lower right", fontsize="small")
        w = np.linspace(*W_RANGE, 120)
        b = np.linspace(*B_RANGE, 120)
        surface = self.problem.loss(np.stack(np.meshgrid(w, b), axis=-1))
        levels = self.problem.best_loss * np.geomspace(1.05, 2000, 12)
        path_axes.contour(w, b, surface, levels=levels, cmap="Greys_r", linewidths=0.7,
                          alpha=0.8)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()

    def _live_layer(self, background: np.ndarray, dpi) -> Figure:
        figure, self.loss_axes, self.path_axes = self._two_axes(dpi)
        figure.add_artist(_Backdrop(background))
        FigureCanvasAgg(figure)  # keeps one renderer between redraws
        for axes in (self.loss_axes, self.path_axes):
            axes.set_axis_off()  # ticks, grid, frame and texts are in the background
        self.loss_lines, self.end_marks = {}, {}
        for name in OPTIMIZERS:
            (self.loss_lines[name],) = self.loss_axes.plot([], [], color=COLORS[name])
            (self.end_marks[name],) = self.loss_axes.plot(
                [], [], "x", color=COLORS[name], markersize=9, markeredgewidth=2)
        ax = self.path_axes
        self.path_lines = {name: ax.plot([], [], color=COLORS[name])[0] for name in OPTIMIZERS}
        # Start and minimum again in front, so no path hides them.
        ax.plot(*self.problem.start, "ko", markersize=6, zorder=4)
        ax.plot(*self.problem.solution, "k*", markersize=12, zorder=4)
        return figure

    # -- one redraw --------------------------------------------------------------------------
    def draw(self, optimizer, lr):
        paths, losses = run_optimizers(lr, self.steps, self.problem)
        best = self.problem.best_loss
        others = []
        for i, name in enumerate(OPTIMIZERS):
            chosen = name == optimizer
            style = {"linewidth": 2.6 if chosen else 1.2, "alpha": 1.0 if chosen else 0.45,
                     "zorder": 3 if chosen else 2}
            epochs, values, end = _plottable_losses(losses[i])
            line = self.loss_lines[name]
            line.set_data(epochs, values)
            line.set(**style)
            self.end_marks[name].set_data(([end[0]], [end[1]]) if end else ([], []))
            self.end_marks[name].set(alpha=style["alpha"])
            path = self.path_lines[name]
            path.set_data(*_plottable_path(paths[i]).T)
            path.set(**style)
            if not chosen:
                others.append(f"{name} {short_verdict(losses[i], best)}")
        full = verdict(losses[OPTIMIZERS.index(optimizer)], best)
        threshold = self.problem.sgd_threshold
        return (f"{optimizer} at learning rate {lr:.3g}: {full}. "
                f"Others: {'; '.join(others)}. "
                f"Plain SGD is stable only below {threshold:.2g} (2/λ_max); "
                f"this learning rate is {lr / threshold:.2g}× that.")
