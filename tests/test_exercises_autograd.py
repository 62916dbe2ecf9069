"""Lesson 02 exercises: reference solutions pass, typical mistakes fail with a reason."""

import warnings

import numpy as np
import pytest
import torch
from lesson_cells import lesson_solutions, lesson_templates

from coursekit.exercises import Outcome
from coursekit.exercises.autograd import exercises, train_reference, training_data

# The reference solutions: the one copy, in notebooks/solutions/02_autograd_solutions.py.
SOLUTIONS = lesson_solutions("02_autograd")
SLOPE, autograd_slope, train, vjp = (SOLUTIONS[n] for n in (1, 2, 3, 4))


# Typical wrong answers.
def train_without_zero(x, y, steps, lr):
    return train_reference(x, y, steps, lr, zero_grad=False)


def train_backward_twice(x, y, steps, lr):
    w = torch.zeros((), requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((w * x - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward(retain_graph=True)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            w.grad.zero_()
    return losses


def train_zero_too_early(x, y, steps, lr):
    w = torch.zeros((), requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((w * x - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        w.grad.zero_()
        with torch.no_grad():
            w -= lr * w.grad
    return losses


def train_without_no_grad(x, y, steps, lr):
    w = torch.zeros((), requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((w * x - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        w -= lr * w.grad
    return losses


def train_fixed_lr(x, y, steps, lr):
    return train_reference(x, y, steps, 0.1)


def vjp_twice(f, x, v):
    x = x.detach().clone().requires_grad_(True)
    y = f(x)
    y.backward(v, retain_graph=True)
    y.backward(v)
    return x.grad


def vjp_jacobian_times_v(f, x, v):
    return torch.autograd.functional.jacobian(f, x) @ v


def vjp_ignoring_v(f, x, v):
    x = x.detach().clone().requires_grad_(True)
    f(x).sum().backward()
    return x.grad


def test_lesson_has_four_exercises():
    assert exercises.numbers() == [1, 2, 3, 4]


@pytest.mark.parametrize("number", sorted(SOLUTIONS))
def test_reference_solution_passes(number):
    result = exercises.check(number, SOLUTIONS[number])
    assert result.outcome is Outcome.PASSED, str(result)


@pytest.mark.parametrize("number", sorted(SOLUTIONS))
def test_template_is_not_attempted(number):
    result = exercises.check(number, lesson_templates("02_autograd")[number])
    assert result.outcome is Outcome.NOT_ATTEMPTED, str(result)


def test_other_right_answers_pass():
    assert exercises.check(1, 8).passed
    assert exercises.check(1, torch.tensor(8.0)).passed
    # Returning the gradient tensor instead of a float is fine.
    def slope_tensor(f, x0):
        x = torch.tensor(x0, requires_grad=True)
        f(x).backward()
        return x.grad

    assert exercises.check(2, slope_tensor).passed
    # Zeroing before backward (instead of after the update) is just as right.
    def train_zero_first(x, y, steps, lr):
        w = torch.zeros((), requires_grad=True)
        losses = []
        for _ in range(steps):
            if w.grad is not None:
                w.grad.zero_()
            loss = ((w * x - y) ** 2).mean()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
        return losses

    assert exercises.check(3, train_zero_first).passed
    # A loop that returns tensors of one element is accepted too.
    assert exercises.check(3, lambda *a: [torch.tensor(v) for v in train(*a)]).passed


@pytest.mark.parametrize(
    ("number", "answer", "reason"),
    [
        (1, 12, "12 is the slope of x³ alone"),
        (1, 0, "0 is f(2), the value"),
        (1, 4.0, "your slope is 4, expected 8"),
        (1, "8", "should be a number"),
        (2, lambda f, x0: f(torch.tensor(x0)).item(), "the value, not the slope"),
        (2, lambda f, x0: 3 * x0**2 - 4, "the slope of exp(−x²) at x = 1"),
        (3, train_without_zero, "gradient accumulated: w.grad keeps adding up"),
        (3, train_backward_twice, "gradient accumulated twice per step"),
        (3, train_zero_too_early, "the loss never changes"),
        (3, train_without_no_grad, "needs `with torch.no_grad():`"),
        (3, lambda x, y, steps, lr: train(x, y, steps - 1, lr), "expected 12 (one per step)"),
        (3, train_fixed_lr, "differ from a correct loop's from step 1 on"),
        (3, lambda *a: 3.0, "what train(...) returns should be a list of 12 numbers"),
        (4, vjp_jacobian_times_v, "that is J·v"),
        (4, vjp_ignoring_v, "ignores v"),
        (4, vjp_twice, "gradient accumulated twice"),
        (4, lambda f, x, v: v, "wrong values"),
        (4, lambda f, x, v: vjp(f, x, v).tolist(), "should be a tensor"),
    ],
)
def test_typical_mistakes_fail_with_reason(number, answer, reason):
    result = exercises.check(number, answer)
    assert result.outcome is Outcome.FAILED, str(result)
    assert reason in result.message, result.message


def train_tensor_losses(x, y, steps, lr):
    """The fixed loop, recording the loss tensors themselves (no .item())."""
    w = torch.zeros((), requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((w * x - y) ** 2).mean()
        losses.append(loss)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            w.grad.zero_()
    return losses


def test_tensor_losses_pass_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = exercises.check(3, train_tensor_losses)
        assert result.passed, str(result)
        assert exercises.check(3, lambda *a: torch.stack(train_tensor_losses(*a))).passed


def test_numpy_numbers_pass():
    assert exercises.check(1, np.float32(8.0)).passed
    assert exercises.check(2, lambda f, x0: np.float64(autograd_slope(f, x0))).passed


def test_changing_the_data_in_place_is_named():
    def train_centring_y(x, y, steps, lr):
        y -= y.mean()
        return train(x, y, steps, lr)

    result = exercises.check(3, train_centring_y)
    assert result.outcome is Outcome.FAILED
    assert "changed its input `y` in place" in result.message


def test_the_buggy_loop_really_misbehaves():
    """The lesson's claim: without zero_() the loss swings instead of falling."""
    x, y = training_data()
    right = train_reference(x, y, 30, 0.1)
    buggy = train_reference(x, y, 30, 0.1, zero_grad=False)
    assert right[-1] < 0.1 * right[0]
    assert max(buggy[20:]) > 0.9 * buggy[0]


def test_hints_exist():
    for number in exercises.numbers():
        assert len(exercises.get(number).hint) > 20
