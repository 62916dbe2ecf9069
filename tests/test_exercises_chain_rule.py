"""Lesson 03 exercises: solutions pass, typical mistakes fail, templates are not attempted."""

import math

import numpy as np
import pytest
from lesson_cells import lesson_solutions, lesson_templates

from coursekit.exercises import Outcome
from coursekit.exercises.chain_rule import exercises
from coursekit.tiny_autograd import Value

# ---- reference solutions: the one copy, in notebooks/solutions/03_chain_rule_solutions.py
SOLUTIONS = lesson_solutions("03_chain_rule")
EX1, neuron_gradients, EX3, exp, fit = (SOLUTIONS[n] for n in (1, 2, 3, 4, 5))


def outcome(number, answer):
    return exercises.check(number, answer)


@pytest.mark.parametrize("number", sorted(SOLUTIONS))
def test_reference_solutions_pass(number):
    result = outcome(number, SOLUTIONS[number])
    assert result.passed, str(result)


def test_five_exercises():
    assert exercises.numbers() == [1, 2, 3, 4, 5]


def test_worked_example_numbers():
    # The lesson's claim: from w = 3 (prediction 12 for x = 4) to about 8 after 100 epochs.
    assert 4 * fit(3.0, 0.01, 100) == pytest.approx(8.0, abs=1e-3)
    assert 4 * fit(1.0, 0.01, 100) == pytest.approx(8.0, abs=1e-3)


# ---- templates: what the lesson hands out


@pytest.mark.parametrize("number", sorted(SOLUTIONS))
def test_templates_are_not_attempted(number):
    result = outcome(number, lesson_templates("03_chain_rule")[number])
    assert result.outcome is Outcome.NOT_ATTEMPTED, str(result)


# ---- typical mistakes


def fails_with(number, answer, reason):
    result = outcome(number, answer)
    assert result.outcome is Outcome.FAILED, str(result)
    assert reason in result.message, result.message


def test_ex1_mistakes():
    fails_with(1, 3.0, "3 is only dy/dx")
    fails_with(1, 1 - math.tanh(0.5) ** 2, "dz/dx is 0.786448, expected 2.35934")
    fails_with(1, "2.36", "should be a number")


def test_ex2_mistakes():
    fails_with(2, lambda x, g: (x, g), "only ∂z/∂w")
    fails_with(2, lambda x, g: (x * g, 1.0), "dC_db is 1")
    fails_with(2, lambda x, g: x * g, "return two things")
    fails_with(2, lambda x, g: ((x * g).tolist(), g), "should be a tensor")
    fails_with(2, lambda x, g: (-x * g, g), "wrong values")


def test_ex3_mistakes():
    one_path_u = dict(EX3, u=-18.0)  # forgot the path through v
    fails_with(3, one_path_u, "u is used by 2 operations (f, v)")
    one_path_x = dict(EX3, x=54.0)  # forgot the path through u
    fails_with(3, one_path_x, "x is used by 2 operations")
    wrong_w = dict(EX3, w=-9.0)
    fails_with(3, wrong_w, "∂f/∂w = -9 is not right; multiply the gradient of its user")
    fails_with(3, {"f": 1.0}, "missing the gradient of x, y, u, v, w")
    fails_with(3, [1.0], "should be a dict")


def test_numpy_numbers_pass():
    assert outcome(1, np.float64(EX1)).passed
    assert outcome(3, {name: np.float32(value) for name, value in EX3.items()}).passed
    assert outcome(5, lambda *a: np.float64(fit(*a))).passed


def test_ex2_changing_x_in_place_is_named():
    def scales_x_in_place(x, dC_dz):
        x *= dC_dz
        return x, dC_dz

    fails_with(2, scales_x_in_place, "changed its input `x` in place")


def test_ex4_an_empty_backward_is_a_failure_not_a_template():
    def does_nothing(a):
        out = Value(math.exp(a.data), (a,), "exp")
        out._backward = lambda: None
        return out

    fails_with(4, does_nothing, "a.grad is still 0")


def test_ex4_mistakes():
    def overwrites(a):  # = instead of +=: loses the other path's gradient
        out = Value(math.exp(a.data), (a,), "exp")

        def _backward():
            a.grad = out.data * out.grad

        out._backward = _backward
        return out

    def no_local_derivative(a):
        out = Value(math.exp(a.data), (a,), "exp")

        def _backward():
            a.grad += out.grad

        out._backward = _backward
        return out

    def forgets_parent(a):
        return Value(math.exp(a.data))

    fails_with(4, overwrites, "ADD to a.grad")
    fails_with(4, no_local_derivative, "the gradient of exp(a) at a = 0.7 is 1")
    fails_with(4, forgets_parent, "remember its input")
    fails_with(4, lambda a: math.exp(a.data), "should return a Value, got float")


def test_ex5_mistakes():
    def no_zeroing(w0, lr, epochs):
        w = Value(w0)
        for _ in range(epochs):
            for x, y in zip([1.0, 2.0, 3.0], [2.0, 4.0, 6.0], strict=True):
                ((w * x - y) ** 2).backward()
                w.data -= lr * w.grad
        return w.data

    def gradient_ascent(w0, lr, epochs):
        return fit(w0, -lr, epochs)

    def full_batch(w0, lr, epochs):
        w = Value(w0)
        for _ in range(epochs):
            loss = sum(((w * x - y) ** 2 for x, y in zip([1.0, 2.0, 3.0], [2.0, 4.0, 6.0],
                                                          strict=True)), Value(0.0))
            w.grad = 0.0
            loss.backward()
            w.data -= lr * w.grad
        return w.data

    def full_batch_mean(w0, lr, epochs):
        return full_batch(w0, lr / 3, epochs)

    fails_with(5, full_batch, "update w after EACH sample")
    fails_with(5, full_batch_mean, "update w after EACH sample")
    fails_with(5, no_zeroing, "lets gradients pile up")
    fails_with(5, gradient_ascent, "fit(1.0, 0.05, 3) is")
    # Returning the Value itself is accepted.
    assert outcome(5, lambda *a: Value(fit(*a))).passed
