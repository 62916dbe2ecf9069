"""Exercises of lesson 01 (tensors): reductions, shapes, broadcasting.

Every checker builds its reference at check time from plain torch operations,
then compares the student's answer with float32 tolerances.
"""

from __future__ import annotations

import numbers

import torch

from ..i18n import _
from .core import AnswerRaised, ExerciseSet, as_number, call, expect_number, expect_tensor, fail

exercises = ExerciseSet("01_tensors")


def _sample(n: int, seed: int) -> torch.Tensor:
    """A small random float32 tensor, drawn on the CPU so every machine sees the same."""
    return torch.randn(n, generator=torch.Generator().manual_seed(seed))


# --- 1 -------------------------------------------------------------------------------------------


@exercises.exercise(
    1,
    "sum and mean as Python numbers",
    hint="t.sum() and t.mean() are still tensors (0-dimensional ones); "
    ".item() turns a one-element tensor into a plain Python float.",
)
def _check_total_and_mean(total_and_mean):
    t = _sample(100, 2)
    result = call(total_and_mean, t, what="total_and_mean(t)")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(_("total_and_mean(t) should return two things: (total, mean)"))
    total, mean = result
    for name, value in ((_("the total"), total), (_("the mean"), mean)):
        if isinstance(value, torch.Tensor):
            fail(_("{name} is still a tensor: call .item() to get a Python number").format(
                name=name))
    expect_number(total, t.sum().item(), _("the total"), rtol=1e-5, atol=1e-5)
    if abs(as_number(mean, _("the mean")) - as_number(total, _("the total"))) < 1e-9:
        fail(_("the mean equals the total: divide by the number of elements (or use .mean())"))
    expect_number(mean, t.mean().item(), _("the mean"), rtol=1e-5, atol=1e-6)


# --- 2 -------------------------------------------------------------------------------------------

# The expressions of the shape puzzle, exactly as the lesson shows them.
SHAPE_PUZZLE = [
    "torch.zeros(4, 1) + torch.zeros(3)",
    "torch.zeros(2, 3, 4).reshape(6, -1)",
    "torch.zeros(5, 3).unsqueeze(1)",
    "torch.zeros(5, 1, 3) * torch.zeros(2, 1)",
]

def _puzzle_hint(k: int) -> str:
    """What to look at for puzzle line k (from 0), in the student's language."""
    return [
        _("line the shapes up from the right; a 1 stretches to match the other size"),
        _("-1 means 'whatever size makes the number of elements come out right'"),
        _("unsqueeze(1) inserts a new axis of size 1 at position 1"),
        _("line the shapes up from the right, pad the shorter one with 1s on the left"),
    ][k]


def _as_shape(guess) -> tuple[int, ...] | None:
    """A tuple (or list, or torch.Size) of whole numbers as a tuple of ints; None otherwise."""
    if not isinstance(guess, (tuple, list)):
        return None
    if not all(isinstance(size, numbers.Integral) and not isinstance(size, bool)
               for size in guess):
        return None
    return tuple(int(size) for size in guess)


@exercises.exercise(
    2,
    "predict the shapes",
    hint="Broadcasting lines shapes up from the RIGHT. Two sizes are compatible when they "
    "are equal or one of them is 1; a missing axis on the left counts as 1.",
)
def _check_shapes(shapes):
    count = len(SHAPE_PUZZLE)
    if not isinstance(shapes, (list, tuple)):
        fail(_("answer with a list of {count} shapes, got {type}").format(
            count=count, type=type(shapes).__name__))
    if shapes and all(isinstance(size, int) for size in shapes):
        fail(_("that is a single shape; answer with a list of {count} shapes, one tuple per "
               "expression").format(count=count))
    if len(shapes) != count:
        fail(_("answer with {count} shapes, one per expression; got {got}").format(
            count=count, got=len(shapes)))
    for number, (expression, guess) in enumerate(zip(SHAPE_PUZZLE, shapes, strict=True), 1):
        truth = tuple(eval(expression, {"torch": torch}).shape)  # our own constant strings
        guess = _as_shape(guess)
        if guess is None:
            fail(_("shape {number} should be a tuple of whole numbers like (2, 3), got {got}")
                 .format(number=number, got=repr(shapes[number - 1])))
        if guess != truth:
            fail(_("shape {number} (`{expression}`) is not {guess}: {hint}").format(
                number=number, expression=expression, guess=guess,
                hint=_puzzle_hint(number - 1)))


# --- 3 -------------------------------------------------------------------------------------------


@exercises.exercise(
    3,
    "cubic features by broadcasting",
    hint="x.unsqueeze(-1) has shape (N, 1); a tensor of powers [1, 2, 3] has shape (3,); "
    "together they broadcast to (N, 3). Create the powers on x.device.",
)
def _check_cubic_features(cubic_features):
    x = _sample(5, 3)  # one call: a slow answer costs its time once
    n = x.shape[0]
    try:
        features = call(cubic_features, x, what="cubic_features(x)")
    except AnswerRaised as exc:
        if not (isinstance(exc.error, RuntimeError) and "device" in str(exc.error)):
            raise
        fail(_("your powers are on another device than x: create them with device=x.device"))
    if isinstance(features, torch.Tensor) and tuple(features.shape) == (n, 3):
        got = features.detach().cpu().float()
        if torch.allclose(got, torch.stack([x**0, x, x**2], dim=1), rtol=1e-5, atol=1e-5):
            fail(_("your columns are 1, x, x²: the powers start at 1, not 0"))
        if torch.allclose(got, (x**3).unsqueeze(-1).expand(n, 3), rtol=1e-5, atol=1e-5):
            fail(_("every column is x³: the columns must be x, x² and x³"))
    if isinstance(features, torch.Tensor) and tuple(features.shape) == (3, n):
        fail(_("your features have shape (3, {n}): one row per point is needed, so (N, 3)")
             .format(n=n))
    expected = torch.stack([x, x**2, x**3], dim=1)
    expect_tensor(features, expected, _("cubic_features(x) for {n} points").format(n=n),
                  rtol=1e-5)
    if features.device != x.device:
        fail(_("your features are not on x's device: create the powers with device=x.device"))


# --- 4 -------------------------------------------------------------------------------------------


def _standardize_reference(m: torch.Tensor, correction: int) -> torch.Tensor:
    return (m - m.mean(dim=0)) / m.std(dim=0, correction=correction)


@exercises.exercise(
    4,
    "standardize every column",
    hint="m.mean(dim=0) has one number per column, shape (C,); subtracting it from an (N, C) "
    "matrix broadcasts along the rows. Same for m.std(dim=0).",
)
def _check_standardize(standardize):
    generator = torch.Generator().manual_seed(4)
    # Columns with very different means and spreads, so every mistake shows.
    m = torch.randn(50, 3, generator=generator) * torch.tensor([1.0, 10.0, 0.1])
    m = m + torch.tensor([5.0, -20.0, 0.3])
    got = call(standardize, m, what="standardize(m)")
    if not isinstance(got, torch.Tensor):
        fail(_("standardize(m) should return a tensor, got {type}").format(
            type=type(got).__name__))
    if tuple(got.shape) != tuple(m.shape):
        fail(_("standardize(m) has shape {got}, expected {want}: the result has the same "
               "shape as m").format(got=tuple(got.shape), want=tuple(m.shape)))
    got = got.detach().cpu().float()
    for correction in (1, 0):  # torch's default std, or the population std: both are fine
        if torch.allclose(got, _standardize_reference(m, correction), rtol=1e-4, atol=1e-4):
            return
    centred = m - m.mean(dim=0)
    wrong = {
        _("you used one mean and one std for the whole matrix; each column needs its own "
          "(dim=0)"): (m - m.mean()) / m.std(),
        _("you divided by the std of the whole matrix (m.std()); each column needs its own "
          "std, m.std(dim=0)"): centred / m.std(),
        _("you divided by the variance (.var); divide by the standard deviation, "
          "m.std(dim=0), its square root"): centred / m.var(dim=0),
        _("you standardized the rows (dim=1); the columns are wanted (dim=0)"):
            (m - m.mean(dim=1, keepdim=True)) / m.std(dim=1, keepdim=True),
        _("you subtracted the column means but did not divide by the column stds"): centred,
        _("you divided by the column stds but did not subtract the column means first"):
            m / m.std(dim=0),
    }
    for reason, value in wrong.items():
        if torch.allclose(got, value, rtol=1e-4, atol=1e-4):
            fail(reason)
    if torch.allclose(got, centred / m.var(dim=0, correction=0), rtol=1e-4, atol=1e-4):
        fail(_("you divided by the variance (.var); divide by the standard deviation, "
               "m.std(dim=0), its square root"))
    means = ", ".join(f"{round(v, 2) + 0.0:.2f}" for v in got.mean(dim=0).tolist())
    stds = ", ".join(f"{v:.3g}" for v in got.std(dim=0).tolist())
    fail(_("after standardizing, each column should have mean 0 and std 1; your columns have "
           "means {means} and stds {stds}").format(means=means, stds=stds))
