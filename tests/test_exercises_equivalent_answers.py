"""Every exercise accepts every right answer and rejects every wrong one (issue 18).

The reference answers (the solutions notebooks') are rewritten in the forms a
student may use: float32 or float64, a tensor, a NumPy or a Python number, a
list where a tuple is asked for. Each must pass. Then each wrong answer the
audit found passing, and each answer that got a misleading message, must fail
with a message naming the real cause.

Cost: about 60 checks, a few seconds (lesson 07's exercise 3 uses the fact its
own test establishes, batch sizes 5 and 10 diverge, instead of training again).
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import random
import sys

import numpy as np
import pytest
import torch
from lesson_cells import NOTEBOOKS, exercise_answers, lesson_solutions
from torch import nn

from coursekit.exercises import (
    Outcome,
    autograd,
    backprop,
    chain_rule,
    extending,
    nn_optim,
    tensors,
    training,
)
from coursekit.tiny_autograd import Value

LESSONS = {module.exercises.lesson: module for module in
           (tensors, autograd, chain_rule, backprop, nn_optim, extending, training)}


@pytest.fixture(autouse=True)
def known_diverging_batch_sizes(monkeypatch):
    """Exercise 07.3's reference is 5 trainings (test_exercises_training checks it)."""
    monkeypatch.setattr(training, "_diverging_batch_sizes", lambda lr: (5, 10))


def check(stem: str, number: int, answer):
    return LESSONS[stem].exercises.check(number, answer)


# Lessons 01, 03 and 07 need only the cell before each check; running all of 07's solutions
# would train the explorer's 35 runs again (a minute).
ANSWER_CELLS_ONLY = {"01_tensors", "03_chain_rule", "07_training_for_real"}


@functools.cache
def solutions(stem: str) -> dict:
    if stem not in ANSWER_CELLS_ONLY:
        return lesson_solutions(stem)
    namespace = {"torch": torch, "nn": nn, "math": math, "np": np, "Value": Value,
                 "device": torch.device("cpu")}
    with contextlib.redirect_stdout(io.StringIO()):
        return exercise_answers(NOTEBOOKS / "solutions" / f"{stem}_solutions.py", namespace)


def solution(stem: str, number: int):
    return solutions(stem)[number]


# -- the forms of one number, of a list of numbers, of a function's result ------------------
def scalar_forms(value) -> dict[str, object]:
    value = float(value)
    return {"Python float": value, "float32 tensor": torch.tensor(value),
            "float64 tensor": torch.tensor(value, dtype=torch.float64),
            "NumPy float32": np.float32(value), "NumPy float64": np.float64(value),
            "0-d array": np.array(value), "one-element tensor": torch.tensor([value])}


def sequence_forms(values) -> dict[str, object]:
    values = [float(v) for v in values]
    return {"tuple": tuple(values), "float32 tensor": torch.tensor(values),
            "float64 tensor": torch.tensor(values, dtype=torch.float64),
            "NumPy array": np.array(values), "list of NumPy float32": list(map(np.float32, values)),
            "list of 0-d tensors": [torch.tensor(v) for v in values],
            "generator": (v for v in values)}


def returning(function, transform):
    """`function`, its result rewritten by `transform`."""
    return lambda *args: transform(function(*args))


def each_item(convert):
    return lambda result: [convert(item) for item in result]


def equivalent_answers():
    """(stem, number, form, answer) for every exercise and every form its answer may take."""
    s = solution
    # Value answers.
    for stem, number in (("02_autograd", 1), ("03_chain_rule", 1), ("04_backprop_by_hand", 5),
                         ("05_nn_and_optim", 4)):
        for form, value in scalar_forms(s(stem, number)).items():
            yield stem, number, form, value
    yield "03_chain_rule", 1, "rounded to four decimals", round(s("03_chain_rule", 1), 4)
    for form, value in {"np.int64": (np.int64(32), np.int64(6)), "floats": (32.0, 6.0),
                        "list": [32, 6], "0-d tensors": (torch.tensor(32), torch.tensor(6))
                        }.items():
        yield "06_extending_autograd", 4, form, value
    for form, value in {"np.int64": np.int64(10), "float": 10.0, "NumPy float": np.float64(10),
                        "tensor": torch.tensor(10)}.items():
        yield "07_training_for_real", 3, form, value
    shapes = s("01_tensors", 2)
    yield "01_tensors", 2, "tuple of lists", tuple(list(shape) for shape in shapes)
    yield "01_tensors", 2, "torch.Size and np.int64", [
        torch.Size(shape) if k % 2 else tuple(map(np.int64, shape))
        for k, shape in enumerate(shapes)]
    grads = s("03_chain_rule", 3)
    for form, convert in (("float32 tensors", torch.tensor), ("NumPy", np.float64),
                          ("float64 tensors", lambda v: torch.tensor(v, dtype=torch.float64))):
        yield "03_chain_rule", 3, form, {name: convert(v) for name, v in grads.items()}
    yield "04_backprop_by_hand", 4, "tuple", tuple(s("04_backprop_by_hand", 4))

    # Functions that return numbers. 01.1 asks for Python numbers (`.item()` is its point),
    # so tensors are the wrong answer there; NumPy numbers and a list are fine.
    for form, convert in (("NumPy float32", np.float32), ("NumPy float64", np.float64)):
        yield "01_tensors", 1, form, returning(s("01_tensors", 1), each_item(convert))
    yield "01_tensors", 1, "list", returning(s("01_tensors", 1), list)
    for stem, number in (("02_autograd", 2), ("03_chain_rule", 5), ("04_backprop_by_hand", 3)):
        for form in scalar_forms(1.0):
            yield stem, number, form, returning(s(stem, number),
                                                lambda v, form=form: scalar_forms(v)[form])
    # Functions that return tensors: float64 results for float32 inputs are fine.
    for stem, number in (("01_tensors", 3), ("01_tensors", 4), ("02_autograd", 4)):
        yield stem, number, "float64", returning(s(stem, number), torch.Tensor.double)
    # Losses, one per step, in every sequence form (the longer loops in two).
    for form in sequence_forms([1.0]):
        yield "02_autograd", 3, form, returning(s("02_autograd", 3),
                                                lambda v, form=form: sequence_forms(v)[form])
    for stem, number in (("05_nn_and_optim", 1), ("05_nn_and_optim", 2),
                         ("07_training_for_real", 1)):
        for form in ("float32 tensor", "generator"):
            yield stem, number, form, returning(s(stem, number),
                                                lambda v, form=form: sequence_forms(v)[form])
    # Several results: a list for a tuple, float64 or float32, tensors or numbers.
    neuron = s("03_chain_rule", 2)
    yield "03_chain_rule", 2, "list", returning(neuron, list)
    yield "03_chain_rule", 2, "float32, 0-d tensor", returning(
        neuron, lambda r: (r[0].float(), torch.tensor(float(r[1]))))
    yield "03_chain_rule", 2, "NumPy dC_db", returning(neuron, lambda r: (r[0], np.float64(r[1])))
    for number in (1, 2):
        for form, convert in (("Python floats", float), ("float64 tensors", torch.Tensor.double),
                              ("NumPy", lambda t: np.float32(t.item()))):
            yield "04_backprop_by_hand", number, form, returning(
                s("04_backprop_by_hand", number), each_item(convert))
    yield "05_nn_and_optim", 5, "list", returning(s("05_nn_and_optim", 5), list)
    yield "05_nn_and_optim", 5, "the Adam paper's efficient form", adam_efficient
    yield "07_training_for_real", 1, "a generator that trains as it is read", run_epoch_lazily
    yield "07_training_for_real", 2, "list", returning(s("07_training_for_real", 2), list)
    yield "07_training_for_real", 2, "NumPy float32", returning(
        s("07_training_for_real", 2), each_item(np.float32))
    yield "07_training_for_real", 2, "float32 count kept as a tensor", measure_float32_count
    yield "07_training_for_real", 2, "torch.cat of every score", measure_concatenated
    yield "07_training_for_real", 2, "model.train(was) afterwards", measure_restoring_the_mode
    for form, convert in (("torch.tensor(True)", torch.tensor), ("np.bool_", np.bool_)):
        yield "06_extending_autograd", 3, form, returning(s("06_extending_autograd", 3), convert)


def adam_efficient(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    """Adam as its paper's 'efficient' form: the bias corrections folded into the step."""
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad**2
    step = lr * math.sqrt(1 - betas[1] ** t) / (1 - betas[0] ** t)
    return p - step * m / (v.sqrt() + eps), m, v


def run_epoch_lazily(model, loader, optimizer, loss_fn):
    model.train()
    for x, y in loader:
        loss = loss_fn(model(x), y)
        yield loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def measure_float32_count(model, loader, loss_fn):
    """The count and the loss kept as float32 tensors, read with .item() at the end."""
    model.eval()
    total, correct, n = torch.zeros(()), torch.zeros(()), 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            total += loss_fn(scores, y) * len(y)
            correct += (scores.argmax(1) == y).sum()
            n += len(y)
    return (total / n).item(), (correct / n).item()


def measure_concatenated(model, loader, loss_fn):
    model.eval()
    with torch.no_grad():
        batches = [(model(x), y) for x, y in loader]
    scores, labels = torch.cat([s for s, _ in batches]), torch.cat([y for _, y in batches])
    accuracy = (scores.argmax(1) == labels).float().mean().item()
    return loss_fn(scores, labels).item(), accuracy


def measure_restoring_the_mode(model, loader, loss_fn):
    was = model.training
    result = solution("07_training_for_real", 2)(model, loader, loss_fn)
    model.train(was)
    return result


@pytest.mark.parametrize(("stem", "number", "form", "answer"), list(equivalent_answers()),
                         ids=lambda value: value if isinstance(value, (str, int)) else "")
def test_every_form_of_a_right_answer_passes(stem, number, form, answer):
    result = check(stem, number, answer)
    assert result.passed, f"{stem} {number} as {form}: {result}"


def test_every_exercise_is_swept():
    """No exercise is left out of the sweep (03.4, 05.3, 06.1 and 06.2 take a class or a
    function whose result has one form; the reference itself passes)."""
    swept = {(stem, number) for stem, number, _, _ in equivalent_answers()}
    swept |= {("03_chain_rule", 4), ("05_nn_and_optim", 3), ("06_extending_autograd", 1),
              ("06_extending_autograd", 2)}
    every = {(stem, n) for stem, module in LESSONS.items() for n in module.exercises.numbers()}
    assert every == swept
    for stem, number in (("03_chain_rule", 4), ("05_nn_and_optim", 3),
                         ("06_extending_autograd", 1), ("06_extending_autograd", 2)):
        assert check(stem, number, solution(stem, number)).passed


# -- wrong answers that used to pass, and messages that misled ------------------------------
SmoothAbs = solution("06_extending_autograd", 1)
Hypot = solution("06_extending_autograd", 2)


class ZeroesItsInput(torch.autograd.Function):
    """Zeroes x in place and returns √(0 + 1) = 1: right for the x it leaves behind."""

    @staticmethod
    def forward(ctx, x):
        x.zero_()
        ctx.save_for_backward(x)
        return torch.ones_like(x)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


class HypotZeroesItsInputs(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        a.zero_()
        b.zero_()
        return torch.zeros_like(a)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0, grad_output * 0


class SquaresInPlace(SmoothAbs):
    """A right forward, but it squares x in place first."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x.clone())
        x **= 2
        return torch.sqrt(x + 1)


class ForwardInFloat32(SmoothAbs):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sqrt(x.float() ** 2 + 1)


class ReplacesAllclose(SmoothAbs):
    """A wrong backward (zero) that makes every comparison say 'equal'."""

    @staticmethod
    def backward(ctx, grad_output):
        torch.allclose = lambda *args, **kwargs: True
        return grad_output * 0


def gradcheck_only_at_zero(function):
    x = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    return torch.autograd.gradcheck(function.apply, (x,), raise_exception=False)


def run_epoch_generator_with_a_typo(model, loader, optimizer, loss_fn):
    model.train()
    for x, y in loader:
        loss = loss_fn(model(x), y)  # noqa: F841 (used below, misspelt)
        yield los.item()  # noqa: F821 (the typo)


def exits(*args):
    sys.exit("done")


WRONG = [
    ("06_extending_autograd", 3, gradcheck_only_at_zero,
     "TanhForgotSquare's backward is right, but it is wrong: its slope is right at x = 0"),
    ("06_extending_autograd", 1, ZeroesItsInput, "SmoothAbs.forward changed its input `x`"),
    ("06_extending_autograd", 2, HypotZeroesItsInputs, "Hypot.forward changed its input `a`"),
    ("06_extending_autograd", 1, SquaresInPlace, "SmoothAbs.forward changed its input `x`"),
    ("06_extending_autograd", 1, ForwardInFloat32,
     "forward(x) is torch.float32, but its inputs are torch.float64"),
    ("06_extending_autograd", 1, ReplacesAllclose, "your backward is wrong: at x ="),
    ("07_training_for_real", 1, run_epoch_generator_with_a_typo,
     "your code raised NameError: name 'los' is not defined"),
    ("07_training_for_real", 2, exits, "your code called exit() or sys.exit()"),
    ("03_chain_rule", 1, 2.36, "close, but give at least 4 decimals"),
    ("07_training_for_real", 3, 10.5, "should be a whole number, got 10.5"),
    ("07_training_for_real", 3, True, "should be a number, got True"),
    ("06_extending_autograd", 3, lambda function: torch.tensor([True, False]),
     "should return True or False, got a tensor of dtype torch.bool and shape (2,)"),
]


@pytest.mark.parametrize(("stem", "number", "answer", "reason"), WRONG,
                         ids=[f"{stem[:2]}.{n}-{getattr(a, '__name__', a)}"
                              for stem, n, a, _ in WRONG])
def test_wrong_answers_fail_with_the_real_cause(stem, number, answer, reason):
    allclose = torch.allclose
    result = check(stem, number, answer)
    assert result.outcome is Outcome.FAILED, str(result)
    assert reason in result.message, str(result)
    assert torch.allclose is allclose  # whatever the answer replaced is back


@pytest.mark.parametrize(("stem", "number"), [("06_extending_autograd", 1),
                                              ("07_training_for_real", 1)])
def test_gradients_switched_off_are_named(stem, number):
    torch.set_grad_enabled(False)
    try:
        result = check(stem, number, solution(stem, number))
    finally:
        torch.set_grad_enabled(True)
    assert result.outcome is Outcome.FAILED
    assert result.message.startswith("gradients are switched off")
    assert "checker" not in result.message


def test_an_answer_cannot_change_the_candidates_of_later_checks():
    def breaks_the_candidates(function):
        function.backward = staticmethod(lambda ctx, grad_output: grad_output * 0)
        return False

    assert not check("06_extending_autograd", 3, breaks_the_candidates).passed
    assert check("06_extending_autograd", 3, solution("06_extending_autograd", 3)).passed


@pytest.mark.parametrize(("stem", "number"), [("07_training_for_real", 1),
                                              ("07_training_for_real", 2),
                                              ("07_training_for_real", 3),
                                              ("05_nn_and_optim", 1)])
def test_a_check_leaves_the_random_generators_alone(stem, number):
    def draws():
        return torch.rand(2).tolist(), np.random.rand(2).tolist(), random.random()

    torch.manual_seed(3)
    np.random.seed(3)
    random.seed(3)
    expected = draws()
    torch.manual_seed(3)
    np.random.seed(3)
    random.seed(3)
    assert check(stem, number, solution(stem, number)).passed
    assert draws() == expected


def test_the_reference_of_07_3_is_not_timed(monkeypatch):
    """Its five trainings take seconds on a slow laptop: they run before the clock starts."""
    import functools
    import time

    @functools.cache  # as the real one: trained once, then remembered
    def slow_reference(lr):
        time.sleep(0.6)
        return (5, 10)

    monkeypatch.setattr(training, "_diverging_batch_sizes", slow_reference)
    monkeypatch.setattr(training.exercises, "time_limit", 0.3)
    assert check("07_training_for_real", 3, 10).passed
