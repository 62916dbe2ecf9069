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
checks them against `torch.optim` step by step. The browser repeats the same
rules, operation for operation, in coursekit/js/optim.js: it computes and draws
every frame itself, and the browser tests check that its verdicts are these.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.figure import Figure

from .browser_explorer import (
    BrowserExplorer,
    ExplorerError,
    ExplorerView,
    cut_at_ceiling,
    esm,
    plain,
)
from .data import REGRESSION_X, REGRESSION_Y
from .i18n import _
from .verdict import against_threshold, at_threshold_verdict, verdict

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
    """mean((w·x + b − y)²) as a quadratic in p = (w, b): loss = pᵀQp − 2qᵀp + r.

    Sums run point by point, in order, and the 2×2 solve is Cramer's rule: the
    browser (js/optim.js) does the same operations, so both get the same bits.
    """

    def __init__(self, x=REGRESSION_X, y=REGRESSION_Y, start=START):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
            raise ValueError("x and y must be 1-D sequences of the same length (at least 2)")
        self.x, self.y = x, y
        n = len(x)
        sxx = sx = sxy = sy = 0.0
        for xi, yi in zip(x.tolist(), y.tolist(), strict=True):
            sxx += xi * xi
            sx += xi
            sxy += xi * yi
            sy += yi
        self.Q = np.array([[sxx / n, sx / n], [sx / n, n / n]])
        self.q = np.array([sxy / n, sy / n])
        self.hessian = 2 * self.Q
        self.start = np.asarray(start, dtype=float)
        (a, b), (c, d) = self.Q.tolist()
        det = a * d - b * c
        self.solution = np.array([(self.q[0] * d - b * self.q[1]) / det,
                                  (a * self.q[1] - c * self.q[0]) / det])
        self.best_loss = float(self.loss(self.solution))
        eigenvalues = np.linalg.eigvalsh(self.hessian)
        self.lambda_min, self.lambda_max = float(eigenvalues[0]), float(eigenvalues[-1])
        # Plain gradient descent on a quadratic is stable exactly when lr < 2/λ_max.
        self.sgd_threshold = 2.0 / self.lambda_max

    def loss(self, p):
        """Loss at points p of shape (..., 2); inf/NaN in p give inf/NaN, not warnings."""
        p = np.asarray(p, dtype=float)
        w, b = p[..., 0], p[..., 1]
        total = np.zeros(p.shape[:-1])
        with np.errstate(all="ignore"):  # overflow is a result here
            for xi, yi in zip(self.x.tolist(), self.y.tolist(), strict=True):
                residual = w * xi + b - yi
                total = total + residual * residual
            return total / len(self.x)

    def gradient(self, p):
        """∇loss = Hp − 2q, for points p of shape (..., 2)."""
        p = np.asarray(p, dtype=float)
        with np.errstate(all="ignore"):  # overflow is a result here
            return p[..., 0:1] * self.hessian[0] + p[..., 1:2] * self.hessian[1] - 2 * self.q


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
    # β**t by repeated multiplication (not pow), as the browser does it: same bits.
    b1_t = np.cumprod(np.full(steps, b1))
    b2_t = np.cumprod(np.full(steps, b2))
    is_adam = np.array([0.0, 0.0, 0.0, 1.0])[:, None]
    lr_bias1 = (lr * (1 + is_adam * (1 / (1 - b1_t) - 1))).T[:, :, None]  # (steps, 4, 1)
    bias2 = (1 + is_adam * (1 / (1 - b2_t) - 1)).T[:, :, None]

    paths = np.empty((steps + 1, len(OPTIMIZERS), 2))
    p = np.tile(problem.start, (len(OPTIMIZERS), 1))
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    paths[0] = p
    with np.errstate(all="ignore"):  # overflow is a result here
        for k in range(steps):
            g = problem.gradient(p)
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


def optimizer_verdict(name: str, losses, lr: float, problem: LinearFitProblem = PROBLEM) -> str:
    """The verdict of one optimizer's run; plain SGD at exactly 2/λ_max says it oscillates."""
    if name == "SGD" and against_threshold(lr, problem.sgd_threshold) == "at":
        return at_threshold_verdict(losses)
    return verdict(losses, problem.best_loss)


def describe(optimizer: str, lr: float, losses, problem: LinearFitProblem = PROBLEM) -> str:
    """The explorer's verdict line: the chosen optimizer in full, the others in short."""
    words = {name: optimizer_verdict(name, row, lr, problem)
             for name, row in zip(OPTIMIZERS, losses, strict=True)}
    others = "; ".join(f"{name} {words[name].split(':')[0]}"
                       for name in OPTIMIZERS if name != optimizer)
    threshold = problem.sgd_threshold
    return _(LINE).format(optimizer=optimizer, lr=plain(lr), verdict=words[optimizer],
                          others=others, threshold=plain(threshold, 2),
                          ratio=plain(lr / threshold, 2))


# The explorer's line; numbers written out (1,900×), as the view writes them (js/optim.js).
LINE = ("{optimizer} at learning rate {lr}: {verdict}. Others: {others}. Plain SGD is stable "
        "only below {threshold} (2/λ_max); this learning rate is {ratio}× that.")


def _plottable_path(path):
    """The path until it leaves the neighbourhood of the plot, as finite numbers.

    The first point outside is kept (clipped) so the line visibly heads off the
    edge in the direction the run went; inf/NaN never reach matplotlib.
    """
    centre = np.array([np.mean(W_RANGE), np.mean(B_RANGE)])
    half_size = 3 * np.array([np.ptp(W_RANGE), np.ptp(B_RANGE)])
    with np.errstate(all="ignore"):  # overflow is a result here
        inside = np.isfinite(path).all(axis=1) & (np.abs(path - centre) < half_size).all(axis=1)
    if inside.all():
        return path
    k = int(np.argmin(inside))
    keep = k + 1 if np.isfinite(path[k]).all() else k
    return np.clip(path[:keep], -PATH_CLIP, PATH_CLIP)


class OptimizerView(ExplorerView):
    """The canvas: the problem and the optimizers' constants once, then two control values."""

    _esm = esm("optim")
    x = traitlets.List(traitlets.Float()).tag(sync=True)
    y = traitlets.List(traitlets.Float()).tag(sync=True)
    start = traitlets.List(traitlets.Float()).tag(sync=True)
    steps = traitlets.Int(STEPS).tag(sync=True)
    constants = traitlets.Dict().tag(sync=True)
    optimizer = traitlets.Int(OPTIMIZERS.index("Adam")).tag(sync=True)  # index in OPTIMIZERS
    lr = traitlets.Float(0.5).tag(sync=True)


class OptimizerExplorer(BrowserExplorer):
    """Pick an optimizer and a learning rate; see all four loss curves and paths.

    Controls: `optimizer` (one of OPTIMIZERS) and `lr` (see `set`). `paths` and
    `losses` hold the four runs (rows in the order of OPTIMIZERS) of the last
    `verdict` computed (`set` computes it).
    """

    title = "Optimizer explorer"
    words = (LINE, "epoch (one full-batch step; k = after k updates)", "loss (log scale)",
             "the four optimizers at the chosen learning rate", "best possible",
             "diverged (left the chart)", "w (slope)", "b (intercept)",
             "their paths over the loss surface (contours)", "start (1, 0)", "minimum")
    picture = ("Two plots. Left: the loss of each of the four optimizers after each epoch, on "
               "a log scale, the chosen one bold. Right: their paths over the loss contours "
               "from the start (dot) towards the minimum (star). {verdict}")

    def __init__(self, optimizer: str = "Adam", lr: float = 0.5, steps: int = STEPS):
        if isinstance(steps, bool) or not (isinstance(steps, int) and 1 <= steps <= 5000):
            template = _("steps must be a whole number from 1 to 5000, got {steps}")
            raise ExplorerError(template.format(steps=repr(steps)))
        self.problem = PROBLEM
        self.steps = steps
        self.losses = None
        controls = {
            "optimizer": widgets.ToggleButtons(
                options=OPTIMIZERS, value="Adam", description=_("optimizer")),
            # No step: a typed learning rate is kept as typed.
            "lr": widgets.FloatLogSlider(
                value=0.5, base=10, min=np.log10(LR_MIN), max=np.log10(LR_MAX), step=None,
                description=_("learning rate"), readout_format=".3g", continuous_update=True),
        }
        view = OptimizerView(
            x=PROBLEM.x.tolist(), y=PROBLEM.y.tolist(), start=PROBLEM.start.tolist(), steps=steps,
            constants={"momentum": MOMENTUM, "alpha": RMS_ALPHA, "betas": list(BETAS), "eps": EPS})
        super().__init__(controls, view)
        self.set(optimizer=optimizer, lr=lr)

    def describe(self, optimizer, lr) -> str:
        self.paths, self.losses = run_optimizers(lr, self.steps, self.problem)
        return describe(optimizer, lr, self.losses, self.problem)

    def static_figure(self, optimizer, lr) -> Figure:
        """The picture the browser draws, in matplotlib: what GitHub shows."""
        verdict = self.verdict  # computes paths and losses for these values
        figure = Figure(figsize=(11.0, 4.6), layout="constrained")
        loss_axes, path_axes = figure.subplots(1, 2)
        figure.suptitle(verdict.split(" Others:")[0], fontsize=10)
        loss_axes.axhline(self.problem.best_loss, color="gray", linestyle="--", linewidth=1,
                          label=_("best possible"))
        w = np.linspace(*W_RANGE, 120)
        b = np.linspace(*B_RANGE, 120)
        surface = self.problem.loss(np.stack(np.meshgrid(w, b), axis=-1))
        levels = self.problem.best_loss * np.geomspace(1.05, 2000, 12)
        path_axes.contour(w, b, surface, levels=levels, cmap="Greys_r", linewidths=0.7, alpha=0.8)
        for i, name in enumerate(OPTIMIZERS):
            chosen = name == optimizer
            style = {"color": COLORS[name], "linewidth": 2.6 if chosen else 1.2,
                     "alpha": 1.0 if chosen else 0.45, "zorder": 3 if chosen else 2}
            epochs, values, end = cut_at_ceiling(self.losses[i], LOSS_CEILING)
            loss_axes.plot(epochs, values, label=name, **style)
            if end:  # spread along the top, never in a heap in the corner
                loss_axes.plot(min(end[0], self.steps * 0.98), end[1], "x", markersize=9,
                               markeredgewidth=2, clip_on=False, **style)
            path_axes.plot(*_plottable_path(self.paths[i]).T, **style)
        loss_axes.plot([], [], "x", color="black", markersize=9, markeredgewidth=2,
                       label=_("diverged (left the chart)"))
        loss_axes.set(yscale="log", xlim=(0, self.steps),
                      ylim=(self.problem.best_loss * 0.7, LOSS_CEILING * 1.5),
                      xlabel=_("epoch (one full-batch step; k = after k updates)"),
                      ylabel=_("loss (log scale)"),
                      title=_("the four optimizers at the chosen learning rate"))
        loss_axes.legend(loc="upper right", fontsize="small")
        path_axes.plot(*self.problem.start, "ko", markersize=6, label=_("start (1, 0)"), zorder=4)
        path_axes.plot(*self.problem.solution, "k*", markersize=12, label=_("minimum"), zorder=4)
        path_axes.set(xlim=W_RANGE, ylim=B_RANGE, xlabel=_("w (slope)"),
                      ylabel=_("b (intercept)"),
                      title=_("their paths over the loss surface (contours)"))
        # Upper left: the paths run along b ≈ 0 and up the right-hand side.
        path_axes.legend(loc="upper left", fontsize="small")
        return figure
