"""Lesson 04's exercises: reference solutions pass, typical mistakes fail with a reason."""

import pytest
import torch

from coursekit.data import REGRESSION_X, REGRESSION_Y
from coursekit.exercises import Outcome
from coursekit.exercises.backprop import PREDICT_SETTINGS, exercises
from coursekit.linear_gd import LinearFit

check = exercises.check


def line_gradients(x, y, w, b):
    grad_y_hat = 2 * (w * x + b - y)
    return (grad_y_hat * x).mean(), grad_y_hat.mean()


def cubic_gradients(x, y, a, b, c, d):
    grad_y_hat = 2 * (a + b * x + c * x**2 + d * x**3 - y)
    return (grad_y_hat.sum(), (grad_y_hat * x).sum(), (grad_y_hat * x**2).sum(),
            (grad_y_hat * x**3).sum())


def largest_safe_lr(x, scale):
    X = torch.stack([x * scale, torch.ones_like(x)], dim=1)
    H = 2 / len(x) * X.T @ X
    return 2 / torch.linalg.eigvalsh(H).max().item()


RIGHT_PREDICTIONS = ["converges", "diverges", "converges", "diverges", "diverges", "converges",
                     "diverges"]


def test_there_are_five():
    assert exercises.numbers() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("number", "answer"),
    [(1, line_gradients),
     (1, lambda x, y, w, b: tuple(g.item() for g in line_gradients(x, y, w, b))),
     (2, cubic_gradients), (3, largest_safe_lr), (4, RIGHT_PREDICTIONS),
     (4, ["Converges", "diverge", "conv", "div", "diverges", "converges", "diverges"]),
     (5, 0.1), (5, 0.3), (5, 0.06)],
)
def test_reference_solutions_pass(number, answer):
    result = check(number, answer)
    assert result.passed, str(result)


def test_predictions_agree_with_a_long_run():
    from coursekit.linear_gd import gradient_descent

    for (lr, scale), word in zip(PREDICT_SETTINGS, RIGHT_PREDICTIONS, strict=True):
        fit = LinearFit(REGRESSION_X, REGRESSION_Y, scale)
        final = gradient_descent(fit, lr, 20000).losses[-1]
        assert (final < fit.loss(1.0, 0.0)) == (word == "converges")


def template(*args):
    ...


@pytest.mark.parametrize("number", [1, 2, 3])
def test_templates_are_not_attempted(number):
    assert check(number, template).outcome is Outcome.NOT_ATTEMPTED


def test_placeholders_are_not_attempted():
    assert check(4, [...] * len(PREDICT_SETTINGS)).outcome is Outcome.NOT_ATTEMPTED
    assert check(5, ...).outcome is Outcome.NOT_ATTEMPTED


def failed(number, answer, reason):
    result = check(number, answer)
    assert result.outcome is Outcome.FAILED, str(result)
    assert reason in result.message, result.message


def test_line_gradient_slips_are_named():
    def no_two(x, y, w, b):
        g_w, g_b = line_gradients(x, y, w, b)
        return g_w / 2, g_b / 2

    def summed(x, y, w, b):
        grad_y_hat = 2 * (w * x + b - y)
        return (grad_y_hat * x).sum(), grad_y_hat.sum()

    def flipped(x, y, w, b):
        g_w, g_b = line_gradients(x, y, w, b)
        return -g_w, -g_b

    failed(1, no_two, "the 2 of dL/dŷ")
    failed(1, summed, "a sum over the samples")
    failed(1, flipped, "the sign is flipped")
    failed(1, lambda x, y, w, b: line_gradients(x, y, w, b)[0], "should return two values")
    failed(1, lambda x, y, w, b: (x.mean(), y.mean()), "grad_w")


def test_cubic_slips_fail():
    def mean_instead_of_sum(x, y, a, b, c, d):
        return tuple(g / len(x) for g in cubic_gradients(x, y, a, b, c, d))

    failed(2, mean_instead_of_sum, "grad_a")
    failed(2, lambda x, y, a, b, c, d: cubic_gradients(x, y, a, b, c, d)[:3], "four values")


def test_threshold_slips_are_named():
    failed(3, lambda x, s: largest_safe_lr(x, s) / 2, "half the threshold")

    def with_lambda_min(x, scale):
        X = torch.stack([x * scale, torch.ones_like(x)], dim=1)
        return 2 / torch.linalg.eigvalsh(2 / len(x) * X.T @ X).min().item()

    failed(3, with_lambda_min, "use λ_max")

    def without_two_over_n(x, scale):
        X = torch.stack([x * scale, torch.ones_like(x)], dim=1)
        return 2 / torch.linalg.eigvalsh(X.T @ X).max().item()

    failed(3, without_two_over_n, "largest_safe_lr(x, 1)")


def test_wrong_predictions_fail():
    wrong = list(RIGHT_PREDICTIONS)
    wrong[5] = "diverges"
    failed(4, wrong, "1 of 7 wrong, for instance lr=5e-05, scale=10")
    failed(4, RIGHT_PREDICTIONS[:3], "one word per setting")
    failed(4, ["maybe"] * 7, "neither 'converges' nor 'diverges'")
    failed(4, ["converges", ...] + RIGHT_PREDICTIONS[2:], "answer every one")


def test_rescale_failures_say_which_way():
    failed(5, 1.0, "scale the input down more")
    failed(5, 0.01, "scale the input down less")
    failed(5, -0.1, "must be positive")
    failed(5, "0.1", "should be a number")
