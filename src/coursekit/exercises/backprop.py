"""Exercises of lesson 04: gradients by hand, and the learning-rate threshold."""

from __future__ import annotations

import torch

from ..data import REGRESSION_X, REGRESSION_Y
from ..i18n import _
from ..linear_gd import LinearFit, gradient_descent
from .core import ExerciseSet, NotAttempted, as_number, call, expect_number, expect_tensor, fail

exercises = ExerciseSet("04_backprop_by_hand")

# Exercise 4: (learning rate, input scale) pairs whose fate the student predicts, and checks
# with the explorer over its longest run. Each converging one is far enough below its
# threshold to come within a hair of the best loss in PREDICT_EPOCHS epochs, so any sensible
# reading of "converges" (loss or parameters close to the best) agrees with lr < 2/λ_max.
PREDICT_SETTINGS = [(1e-2, 1.0), (5e-2, 0.1), (3e-2, 0.3), (0.5, 0.1), (0.1, 0.3), (1.5e-2, 0.5),
                    (1e-4, 10.0)]
PREDICT_EPOCHS = 1000  # the explorer's longest run
# Exercise 5: the learning rate and epoch budget the chosen scale must work with, and how
# close to the best loss the run must end. The lesson's worked example (scale 0.1 at
# lr 0.01) diverges at this lr, so the answer has to be worked out.
RESCALE_LR = 0.5
RESCALE_EPOCHS = 100
RESCALE_TOLERANCE = 0.01  # the final loss must be within 1 % of the best possible loss


def _random_line_data(seed: int, n: int = 13):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=generator) * 5
    y = 3 * x + 2 + torch.randn(n, generator=generator)
    w, b = torch.randn(2, generator=generator)
    return x, y, w, b


def _as_pair(result, what: str):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(_("{what} should return two values (grad_w, grad_b), got {type}").format(
            what=what, type=type(result).__name__))
    return result


def _scalar(value, what: str):
    """A Python or NumPy number, or a one-element tensor, as a 0-d tensor; tensors of another
    size are returned as they are, for expect_tensor to name the wrong shape."""
    if isinstance(value, torch.Tensor) and value.numel() != 1:
        return value
    if isinstance(value, torch.Tensor) and value.is_complex():
        return value
    return torch.tensor(as_number(value, what))


def _slips(n: int, loss: str) -> list[tuple[float, str]]:
    """The usual slips, as (ratio to the right gradient, reason), for a mean or a summed loss."""
    sum_or_mean = ((n, _("it is a sum over the samples; the loss is a mean")) if loss == "mean"
                   else (1 / n, _("it is a mean over the samples; this loss is a sum")))
    return [(0.5, _("the 2 of dL/dŷ = 2(ŷ − y) is missing")), sum_or_mean,
            (-1.0, _("the sign is flipped: it is 2(ŷ − y), not 2(y − ŷ)"))]


def _compare_scaled(got, expected, what: str, slips) -> None:
    """A clearer reason than 'wrong values' for the usual slips: factor 2, sum vs mean, sign."""
    got = _scalar(got, what)
    if got.numel() == 1 and not got.is_complex() and expected.abs() > 1e-3:
        ratio = (got.detach().double().cpu().reshape(()) / expected.double()).item()
        for factor, reason in slips:
            if abs(ratio - factor) < 1e-3 * abs(factor):
                fail(_("{what} is off by a factor {factor}: {reason}").format(
                    what=what, factor=f"{factor:.4g}", reason=reason))
    expect_tensor(got.reshape(expected.shape) if got.numel() == 1 else got, expected, what,
                  rtol=1e-4, atol=1e-4)


@exercises.exercise(
    1, "gradients of the straight line",
    hint="y_hat = w * x + b; grad_y_hat = 2 * (y_hat - y); then grad_w is the mean of "
         "grad_y_hat * x and grad_b the mean of grad_y_hat. Return (grad_w, grad_b).",
)
def _line_gradients(line_gradients):
    x, y, w, b = _random_line_data(0)
    got = _as_pair(call(line_gradients, x, y, w, b, what="line_gradients(x, y, w, b)"),
                   "line_gradients")
    w_ = w.clone().requires_grad_()
    b_ = b.clone().requires_grad_()
    ((w_ * x + b_ - y) ** 2).mean().backward()
    _compare_scaled(got[0], w_.grad, "grad_w", _slips(len(x), "mean"))
    _compare_scaled(got[1], b_.grad, "grad_b", _slips(len(x), "mean"))


@exercises.exercise(
    2, "gradients of the cubic",
    hint="grad_y_hat = 2 * (y_hat - y) with y_hat = a + b*x + c*x**2 + d*x**3; the loss is a "
         "sum, so grad_a = grad_y_hat.sum(), grad_b = (grad_y_hat * x).sum(), and so on.",
)
def _cubic_gradients(cubic_gradients):
    generator = torch.Generator().manual_seed(4)
    x = torch.linspace(-2, 2, 50)
    y = torch.sin(x) + 0.1 * torch.randn(50, generator=generator)
    coefficients = torch.randn(4, generator=generator)
    got = call(cubic_gradients, x, y, *coefficients, what="cubic_gradients(x, y, a, b, c, d)")
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        fail(_("cubic_gradients should return four values (grad_a, grad_b, grad_c, grad_d)"))
    leaves = coefficients.clone().requires_grad_()
    a, b, c, d = leaves
    ((a + b * x + c * x**2 + d * x**3 - y) ** 2).sum().backward()
    for name, value, expected in zip("abcd", got, leaves.grad, strict=True):
        _compare_scaled(value, expected, f"grad_{name}", _slips(len(x), "sum"))


@exercises.exercise(
    3, "the largest safe learning rate",
    hint="X = torch.stack([x * scale, torch.ones_like(x)], dim=1); H = 2 / len(x) * X.T @ X; "
         "return 2 / torch.linalg.eigvalsh(H).max() as a Python float (.item()).",
)
def _largest_safe_lr(largest_safe_lr):
    generator = torch.Generator().manual_seed(3)
    # One call, on points and a scale of its own: an answer that ignores x or scale fails.
    x, scale = torch.randn(20, generator=generator) * 3, 2.5
    what = f"largest_safe_lr(x, {scale:g})"
    value = as_number(call(largest_safe_lr, x, scale, what=what), what)
    fit = LinearFit(x, torch.zeros_like(x), scale)
    expected = fit.threshold
    slips = [(expected / 2, _("half the threshold: the edge is 2/λ_max, not 1/λ_max")),
             (2 * expected, _("twice the threshold: H = (2/N)·XᵀX; without its 2, λ_max "
                              "is halved and 2/λ_max doubled")),
             (2 / fit.eigenvalues[0], _("2/λ_min; the fastest (largest) curvature sets the "
                                        "limit: use λ_max"))]
    for wrong, reason in slips:
        if abs(value - wrong) < 1e-3 * abs(wrong):
            fail(_("for scale {scale} you return {value}, {reason}").format(
                scale=f"{scale:g}", value=f"{value:.4g}", reason=reason))
    expect_number(value, expected, what, rtol=1e-3)


@exercises.exercise(
    4, "converge or diverge?",
    hint="For each (lr, scale), compare lr with 2/λ_max at that scale (your answer to "
         "exercise 3, or LinearFit(x, y, scale).threshold): below it converges, above it "
         "diverges. The explorer shows each one over 1000 epochs.",
)
def _predictions(predictions):
    if not isinstance(predictions, (list, tuple)):
        fail(_("answer with a list of words, one per setting, e.g. ['converges', 'diverges', "
               "…]; got {type}").format(type=type(predictions).__name__))
    if len(predictions) != len(PREDICT_SETTINGS):
        fail(_("give one word per setting: {count} expected, got {got}").format(
            count=len(PREDICT_SETTINGS), got=len(predictions)))
    if all(p is Ellipsis or p is None for p in predictions):
        raise NotAttempted(_("Replace each `...` with 'converges' or 'diverges'."))
    if any(p is Ellipsis or p is None for p in predictions):
        fail(_("some settings still hold `...`: answer every one"))
    wrong = []
    for (lr, scale), word in zip(PREDICT_SETTINGS, predictions, strict=True):
        if not isinstance(word, str):
            fail(_("each answer should be the word 'converges' or 'diverges', got {word}").format(
                word=repr(word)))
        word = word.strip().lower()
        if not word.startswith(("conv", "div")):
            fail(_("{word} is neither 'converges' nor 'diverges'").format(word=repr(word)))
        if not expected_fate(lr, scale).startswith(word[:3]):
            wrong.append(f"lr={lr:g}, scale={scale:g}")
    if wrong:
        fail(_("{wrong} of {count} wrong, for instance {example}").format(
            wrong=len(wrong), count=len(PREDICT_SETTINGS), example=wrong[0]))


def expected_fate(lr: float, scale: float) -> str:
    """'converges' below the threshold 2/λ_max, 'diverges' above it (no setting sits on it)."""
    return "converges" if lr < LinearFit(REGRESSION_X, REGRESSION_Y, scale).threshold \
        else "diverges"


@exercises.exercise(
    5, "rescale the input",
    hint=f"lr = {RESCALE_LR:g} must stay below the threshold 2/λ_max(s): use your "
         "largest_safe_lr from exercise 3 to see how small the scale s must be. But the smaller "
         f"s, the smaller λ_min, and the flat axis shrinks only by 1 − {RESCALE_LR:g}·λ_min per "
         "epoch. Try a few scales with gradient_descent(LinearFit(x, y, s), "
         f"{RESCALE_LR:g}, {RESCALE_EPOCHS}).losses[-1] and compare with LinearFit(x, y, s)"
         ".best_loss, or move the input scale in the explorer.",
)
def _rescale(scale):
    scale = as_number(scale, _("the scale"))
    if not scale > 0:
        fail(_("the scale must be positive, got {scale}").format(scale=f"{scale:g}"))
    fit = LinearFit(REGRESSION_X, REGRESSION_Y, float(scale))
    if RESCALE_LR >= fit.threshold:
        fail(_("at scale {scale} the threshold 2/λ_max is {threshold}, not above lr = {lr}: it "
               "diverges; scale the input down more").format(
            scale=f"{scale:g}", threshold=f"{fit.threshold:.3g}", lr=f"{RESCALE_LR:g}"))
    final = gradient_descent(fit, RESCALE_LR, RESCALE_EPOCHS).losses[-1]
    if final <= (1 + RESCALE_TOLERANCE) * fit.best_loss:
        return
    steep, flat = (abs(1 - RESCALE_LR * lam) for lam in fit.eigenvalues[::-1])
    where = _("after {epochs} epochs the loss is still {final}, more than {tolerance} above "
              "the best {best}").format(epochs=RESCALE_EPOCHS, final=f"{final:.4g}",
                                        tolerance=f"{RESCALE_TOLERANCE:.0%}",
                                        best=f"{fit.best_loss:.4g}")
    if steep >= flat:
        fail(_("at scale {scale} {where}: lr = {lr} is so close to the threshold {threshold} "
               "that the steep axis zigzags, shrinking only by {steep} per epoch; scale the "
               "input down a little more").format(
            scale=f"{scale:g}", where=where, lr=f"{RESCALE_LR:g}",
            threshold=f"{fit.threshold:.3g}", steep=f"{steep:.4f}"))
    fail(_("at scale {scale} {where}: the flat axis shrinks only by {flat} per epoch; scale "
           "the input down less").format(scale=f"{scale:g}", where=where, flat=f"{flat:.4f}"))
