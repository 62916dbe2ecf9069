"""Exercises of lesson 02 (autograd): gradients by hand and by backward().

Every reference is computed at check time, with autograd or a closed form.
"""

from __future__ import annotations

import math

import torch

from ..i18n import _
from .core import (
    AnswerRaised,
    ExerciseSet,
    as_float_list,
    as_number,
    call,
    expect_number,
    expect_tensor,
    fail,
)

exercises = ExerciseSet("02_autograd")


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b, rtol=1e-4, atol=1e-5)


# --- 1 -------------------------------------------------------------------------------------------


def cubic(x):
    """f(x) = x³ − 4x, the function of exercises 1 and 2."""
    return x**3 - 4 * x


@exercises.exercise(
    1,
    "predict a gradient by hand",
    hint="Differentiate term by term: d(x³)/dx = 3x², d(4x)/dx = 4. Then put x = 2 in.",
)
def _check_slope(slope):
    x = torch.tensor(2.0, requires_grad=True)
    cubic(x).backward()
    value = as_number(slope, _("your slope"))
    if math.isclose(value, 12.0):
        fail(_("12 is the slope of x³ alone: the −4x term adds −4 to the slope"))
    if math.isclose(value, 0.0, abs_tol=1e-9):
        fail(_("0 is f(2), the value of the function, not its slope"))
    expect_number(slope, x.grad.item(), _("your slope"))


# --- 2 -------------------------------------------------------------------------------------------


@exercises.exercise(
    2,
    "confirm with autograd",
    hint="x = torch.tensor(x0, requires_grad=True); y = f(x); y.backward(); "
    "then x.grad holds df/dx. Return x.grad.item().",
)
def _check_autograd_slope(autograd_slope):
    # One call (a slow answer costs its time once), on a function whose value and slope
    # differ, so the usual slips show.
    cases = [(lambda x: torch.exp(-x * x), 1.0, _("exp(−x²) at x = 1"))]
    for f, x0, name in cases:
        got = call(autograd_slope, f, x0, what="autograd_slope(f, x0)")
        x = torch.tensor(x0, requires_grad=True)
        y = f(x)
        y.backward()
        what = _("the slope of {name}").format(name=name)
        value = as_number(got, what)
        if math.isclose(value, y.item(), rel_tol=1e-5) \
                and not math.isclose(y.item(), x.grad.item(), rel_tol=1e-5):
            fail(_("for {name} you returned f(x0) = {value}, the value, not the slope").format(
                name=name, value=f"{y.item():.4g}"))
        expect_number(got, x.grad.item(), what, rtol=1e-4, atol=1e-6)


# --- 3 -------------------------------------------------------------------------------------------


def training_data() -> tuple[torch.Tensor, torch.Tensor]:
    """Twenty points near the line y = 3x (fixed noise, drawn on the CPU)."""
    generator = torch.Generator().manual_seed(3)
    x = torch.linspace(0.0, 1.0, 20)
    y = 3 * x + 0.1 * torch.randn(20, generator=generator)
    return x, y


def train_reference(x, y, steps, lr, *, zero_grad=True, backward_calls=1):
    """Fit y ≈ w·x from w = 0 by gradient descent; the losses before each update.

    zero_grad=False and backward_calls=2 reproduce the two classic mistakes.
    """
    w = torch.zeros((), device=x.device, requires_grad=True)
    losses = []
    for _step in range(steps):
        loss = ((w * x - y) ** 2).mean()
        losses.append(loss.item())
        for _call in range(backward_calls):
            loss.backward(retain_graph=True)
        with torch.no_grad():
            w -= lr * w.grad
        if zero_grad:
            w.grad.zero_()
    return losses


@exercises.exercise(
    3,
    "find and fix the training bug",
    hint="Print w.grad at every step: what does backward() do to a .grad that already "
    "holds a number? Section 4 of the lesson shows it, and how to reset it.",
)
def _check_train(train):
    x, y = training_data()
    steps, lr = 12, 0.3  # one call, with lr and steps unlike the lesson's loop
    try:
        got = call(train, x, y, steps, lr, what="train(x, y, steps, lr)")
    except AnswerRaised as exc:
        if "leaf Variable" in str(exc.error):
            fail(_("updating w in place needs `with torch.no_grad():` around the update"))
        raise
    if isinstance(got, (list, tuple)) and len(got) != steps:
        fail(_("train(x, y, {steps}, lr) returned {got} losses, expected {steps} (one per step)")
             .format(steps=steps, got=len(got)))
    # Tensor losses are fine too: they are read as numbers, without a warning.
    got = torch.tensor(as_float_list(got, steps, _("what train(...) returns")))
    right = torch.tensor(train_reference(x, y, steps, lr))
    if _close(got, right):
        return
    if _close(got, torch.tensor(train_reference(x, y, steps, lr, zero_grad=False))):
        fail(_("gradient accumulated: w.grad keeps adding up step after step, because it is "
               "never reset. Call w.grad.zero_() after each update"))
    if _close(got, torch.tensor(train_reference(x, y, steps, lr, backward_calls=2))):
        fail(_("gradient accumulated twice per step: each update used double the gradient "
               "(backward() ran twice before the update)"))
    if torch.allclose(got, got[0].expand_as(got)):
        fail(_("the loss never changes: w.grad was zeroed before the update could use it"))
    step = int((~torch.isclose(got, right, rtol=1e-4, atol=1e-5)).nonzero()[0])
    fail(_("your losses differ from a correct loop's from step {step} on ({got} instead of "
           "{want})").format(step=step, got=f"{got[step].item():.4g}",
                             want=f"{right[step].item():.4g}"))


# --- 4 -------------------------------------------------------------------------------------------


def _vjp_cases():
    # One call, with a Jacobian that is not symmetric (so J·v and vᵀ·J differ).
    yield (lambda x: torch.stack([x[0] * x[1], x[1] ** 2, torch.sin(x[2]) + x[0]]),
           torch.tensor([1.0, 2.0, 0.5]), torch.tensor([1.0, -1.0, 0.5]))


@exercises.exercise(
    4,
    "a vector-Jacobian product",
    hint="y = f(x) is a vector, so backward needs a vector of the same shape as y: "
    "y.backward(v). Afterwards x.grad holds vᵀ·J, where J[i, j] = ∂y_i/∂x_j.",
)
def _check_vjp(vjp):
    for f, x, v in _vjp_cases():
        got = call(vjp, f, x, v, what="vjp(f, x, v)")
        jacobian = torch.autograd.functional.jacobian(f, x)
        expected = v @ jacobian
        if isinstance(got, torch.Tensor) and got.shape == expected.shape:
            got_cpu = got.detach().cpu().float()
            if _close(got_cpu, jacobian @ v):
                fail(_("that is J·v; backward(v) gives vᵀ·J (v times the Jacobian from the "
                       "left)"))
            if _close(got_cpu, jacobian.sum(dim=0)):
                fail(_("your result ignores v: pass it to backward, y.backward(v)"))
            if _close(got_cpu, 2 * expected):
                fail(_("gradient accumulated twice: backward ran twice into the same x.grad"))
        expect_tensor(got, expected, "vjp(f, x, v)", rtol=1e-4, atol=1e-5)
