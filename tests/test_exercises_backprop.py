"""Lesson 04's exercises: reference solutions pass, typical mistakes fail with a reason."""

from pathlib import Path

import numpy as np
import pytest
import torch
from lesson_cells import lesson_solutions, lesson_templates

from coursekit.data import REGRESSION_X, REGRESSION_Y
from coursekit.exercises import Outcome
from coursekit.exercises.backprop import PREDICT_EPOCHS, PREDICT_SETTINGS, exercises
from coursekit.linear_gd import LinearFit, gradient_descent

check = exercises.check
NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"


# The reference solutions: the one copy, in notebooks/solutions/04_backprop_by_hand_solutions.py.
SOLUTIONS = lesson_solutions("04_backprop_by_hand")
line_gradients, cubic_gradients, largest_safe_lr = (SOLUTIONS[n] for n in (1, 2, 3))

# The answer key of exercise 4, written out (the solutions notebook computes it).
RIGHT_PREDICTIONS = ["diverges", "converges", "converges", "diverges", "diverges", "converges",
                     "diverges"]


def test_there_are_five():
    assert exercises.numbers() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("number", "answer"),
    [(1, line_gradients),
     (1, lambda x, y, w, b: tuple(g.item() for g in line_gradients(x, y, w, b))),
     (2, cubic_gradients), (3, largest_safe_lr), (4, RIGHT_PREDICTIONS), (4, SOLUTIONS[4]),
     (4, ["Diverges", "converge", "conv", "div", "diverges", "converges", "diverges"]),
     (5, 0.05), (5, 0.03), (5, 0.075)],
)
def test_reference_solutions_pass(number, answer):
    result = check(number, answer)
    assert result.passed, str(result)


def plain_loop(lr: float, scale: float, epochs: int) -> tuple[float, float, float]:
    """Full-batch gradient descent on the lesson's points in float64, written out again
    (no LinearFit): (final loss, starting loss, best loss)."""
    x = np.asarray(REGRESSION_X, dtype=float) * scale
    y = np.asarray(REGRESSION_Y, dtype=float)
    X = np.stack([x, np.ones_like(x)], axis=1)
    best = float(np.mean((X @ np.linalg.lstsq(X, y, rcond=None)[0] - y) ** 2))
    w, b = 1.0, 0.0
    start = float(np.mean((w * x + b - y) ** 2))
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            residual = w * x + b - y
            w, b = w - lr * np.mean(2 * residual * x), b - lr * np.mean(2 * residual)
        return float(np.mean((w * x + b - y) ** 2)), start, best


@pytest.mark.parametrize(("setting", "word"),
                         list(zip(PREDICT_SETTINGS, RIGHT_PREDICTIONS, strict=True)))
def test_predictions_are_what_the_explorer_shows(setting, word):
    """Issue 12: the explorer's verdict over 1000 epochs must agree with every expected answer,
    and an independent loop must agree beyond doubt: a converging run ends within 1e-6 of the
    best loss, a diverging one above its start; no setting sits within 20 % of its threshold."""
    lr, scale = setting
    final, start, best = plain_loop(lr, scale, PREDICT_EPOCHS)
    if word == "converges":
        assert final - best < 1e-6 * best
    else:
        assert not final < start
    threshold = LinearFit(REGRESSION_X, REGRESSION_Y, scale).threshold
    assert not 0.8 < lr / threshold < 1.2
    explorer_words = gradient_descent(LinearFit(REGRESSION_X, REGRESSION_Y, scale), lr,
                                      PREDICT_EPOCHS).verdict()
    assert explorer_words.startswith(word), explorer_words


def test_the_lesson_names_the_explorers_longest_run():
    from coursekit.lr_explorer import EPOCH_RANGE

    assert EPOCH_RANGE[1] == PREDICT_EPOCHS
    assert f"{PREDICT_EPOCHS} epochs" in (NOTEBOOK_DIR / "04_backprop_by_hand.py").read_text()


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_templates_are_not_attempted(number):
    result = check(number, lesson_templates("04_backprop_by_hand")[number])
    assert result.outcome is Outcome.NOT_ATTEMPTED, str(result)


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


def test_cubic_slips_are_named():
    def mean_instead_of_sum(x, y, a, b, c, d):
        return tuple(g / len(x) for g in cubic_gradients(x, y, a, b, c, d))

    def no_two(x, y, a, b, c, d):
        return tuple(g / 2 for g in cubic_gradients(x, y, a, b, c, d))

    def flipped(x, y, a, b, c, d):
        return tuple(-g for g in cubic_gradients(x, y, a, b, c, d))

    failed(2, mean_instead_of_sum, "grad_a is off by a factor 0.02: it is a mean over the "
                                   "samples; this loss is a sum")
    failed(2, no_two, "grad_a is off by a factor 0.5: the 2 of dL/dŷ")
    failed(2, flipped, "the sign is flipped")
    failed(2, lambda x, y, a, b, c, d: cubic_gradients(x, y, a, b, c, d)[:3], "four values")


def test_threshold_slips_are_named():
    failed(3, lambda x, s: largest_safe_lr(x, s) / 2, "half the threshold")

    def with_lambda_min(x, scale):
        X = torch.stack([x * scale, torch.ones_like(x)], dim=1)
        return 2 / torch.linalg.eigvalsh(2 / len(x) * X.T @ X).min().item()

    failed(3, with_lambda_min, "use λ_max")

    def hessian_without_its_two(x, scale):
        X = torch.stack([x * scale, torch.ones_like(x)], dim=1)
        return 2 / torch.linalg.eigvalsh(X.T @ X / len(x)).max().item()

    failed(3, hessian_without_its_two, "twice the threshold: H = (2/N)·XᵀX; without its 2")

    def without_two_over_n(x, scale):
        X = torch.stack([x * scale, torch.ones_like(x)], dim=1)
        return 2 / torch.linalg.eigvalsh(X.T @ X).max().item()

    failed(3, without_two_over_n, "largest_safe_lr(x, 2.5)")


def test_wrong_predictions_fail():
    wrong = list(RIGHT_PREDICTIONS)
    wrong[5] = "diverges"
    failed(4, wrong, "1 of 7 wrong, for instance lr=0.015, scale=0.5")
    failed(4, RIGHT_PREDICTIONS[:3], "one word per setting")
    failed(4, ["maybe"] * 7, "neither 'converges' nor 'diverges'")
    failed(4, ["converges", ...] + RIGHT_PREDICTIONS[2:], "answer every one")


def test_inputs_changed_in_place_are_named():
    def zeroes_the_data(x, y, w, b):
        """Issue 11: this passed, with no gradient maths at all."""
        x.zero_()
        y.zero_()
        return 0.0, 2 * b

    def centres_x(x, y, w, b):
        x -= x.mean()
        return line_gradients(x, y, w, b)

    def cubic_zeroing(x, y, a, b, c, d):
        y.zero_()
        return cubic_gradients(x, y, a, b, c, d)

    def scales_x(x, scale):
        x *= scale
        return largest_safe_lr(x, 1.0)

    failed(1, zeroes_the_data, "changed its input `x` in place")
    failed(1, centres_x, "changed its input `x` in place")
    failed(2, cubic_zeroing, "changed its input `y` in place")
    failed(3, scales_x, "changed its input `x` in place")


def test_numpy_numbers_pass():
    def numpy_line(x, y, w, b):
        return tuple(np.float32(g.item()) for g in line_gradients(x, y, w, b))

    assert check(1, numpy_line).passed
    assert check(3, lambda x, s: np.float64(largest_safe_lr(x, s))).passed
    assert check(5, np.float32(0.05)).passed


@pytest.mark.parametrize(
    ("number", "answer", "reason"),
    [(3, lambda x, s: torch.ones(2), "a tensor of shape (2,)"),
     (3, lambda x, s: float("inf"), "inf, not a finite number"),
     (4, torch.tensor(1.0), "answer with a list of words"),
     (4, np.array(RIGHT_PREDICTIONS), "answer with a list of words"),
     (4, [1] * 7, "the word 'converges' or 'diverges', got 1"),
     (5, float("inf"), "the scale is inf, not a finite number"),
     (5, 10**400, "too large for a float"),
     (5, torch.ones(3), "a tensor of shape (3,)"),
     (1, lambda x, y, w, b: (torch.ones(3), b), "grad_w has shape (3,), expected ()")],
)
def test_odd_answers_are_named_not_blamed_on_the_checker(number, answer, reason):
    result = check(number, answer)
    assert result.outcome is Outcome.FAILED
    assert reason in result.message
    assert "checker" not in result.message and "your code raised" not in result.message


def test_rescale_failures_say_which_way():
    failed(5, 1.0, "scale the input down more")
    failed(5, 0.1, "scale the input down more")  # the lesson's worked example (lr 0.01) fails
    failed(5, 0.0805, "scale the input down a little more")  # just below the threshold
    failed(5, 0.01, "scale the input down less")
    failed(5, -0.1, "must be positive")
    failed(5, "0.1", "should be a number")


def test_rescale_answers_agree_with_the_float32_loop():
    """What exercise 5 accepts is what the lesson's own float32 training loop does."""
    from coursekit.exercises.backprop import RESCALE_EPOCHS, RESCALE_LR, RESCALE_TOLERANCE
    from coursekit.linear_gd import torch_gradient_descent

    for scale in (0.01, 0.02, 0.03, 0.05, 0.075, 0.1):
        losses, _ = torch_gradient_descent(REGRESSION_X, REGRESSION_Y, RESCALE_LR, RESCALE_EPOCHS,
                                           scale)
        best = LinearFit(REGRESSION_X, REGRESSION_Y, scale).best_loss
        close = bool(losses[-1] <= (1 + RESCALE_TOLERANCE) * best)
        assert check(5, scale).passed == close, scale
