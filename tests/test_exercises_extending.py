import pytest
import torch
from lesson_cells import lesson_solutions, lesson_templates

from coursekit.exercises import Outcome
from coursekit.exercises.extending import candidates, exercises, graph_counts, make_function

check = exercises.check


# The one copy of the reference answers (the solutions notebook) and the lesson's own
# templates, read from notebooks/.
SOLUTIONS = lesson_solutions("06_extending_autograd")
TEMPLATES = lesson_templates("06_extending_autograd")
SmoothAbs, Hypot = SOLUTIONS[1], SOLUTIONS[2]


def test_four_exercises():
    assert exercises.numbers() == [1, 2, 3, 4]


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_reference_solutions_pass(number):
    result = check(number, SOLUTIONS[number])
    assert result.outcome is Outcome.PASSED, str(result)


def test_graph_counts_follow_the_lesson():
    """Lesson 06 prints 14, 17, 20, 23 nodes for depths 1 to 4, always 6 leaves."""
    assert [graph_counts(depth) for depth in range(1, 5)] == [(14, 6), (17, 6), (20, 6), (23, 6)]
    assert graph_counts(7) == (32, 6)


def test_candidates_really_are_right_or_wrong():
    """The checker's own Functions: gradcheck in float64 agrees with the labels."""
    x = torch.linspace(-1.5, 1.5, 5, dtype=torch.float64, requires_grad=True)
    for function, right in candidates():
        assert torch.autograd.gradcheck(function.apply, (x,), raise_exception=False) == right


# -- templates ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("number", "template"),
    [(1, TEMPLATES[1]), (2, TEMPLATES[2]), (3, TEMPLATES[3]), (4, TEMPLATES[4]),
     (4, (..., ...)), (4, ...)],
)
def test_templates_are_not_attempted(number, template):
    result = check(number, template)
    assert result.outcome is Outcome.NOT_ATTEMPTED, str(result)


class ForgetsToReturn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sqrt(x**2 + 1)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        grad_output * x / torch.sqrt(x**2 + 1)  # computed, but never returned


def test_a_missing_return_is_a_failure_not_an_untouched_template():
    """Issue 11: "not attempted" means the template's placeholder, nothing else."""
    result = check(1, ForgetsToReturn)
    assert result.outcome is Outcome.FAILED, str(result)
    assert "returns None: end it with `return`" in result.message
    result = check(3, lambda function: None)
    assert result.outcome is Outcome.FAILED
    assert "end it with `return True` or `return False`" in result.message


# -- typical wrong answers ------------------------------------------------------------------
def smooth_abs_with(backward):
    return type("SmoothAbs", (torch.autograd.Function,), {
        "forward": staticmethod(SmoothAbs.forward),
        "backward": staticmethod(backward),
    })


def ignores_grad_output(ctx, grad_output):
    (x,) = ctx.saved_tensors
    return x / torch.sqrt(x**2 + 1)


def forgets_the_square_root(ctx, grad_output):
    (x,) = ctx.saved_tensors
    return grad_output * x


class HypotSwapped(Hypot):
    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        h = torch.sqrt(a**2 + b**2)
        return grad_output * b / h, grad_output * a / h


class HypotOneGradient(Hypot):
    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return grad_output * a / torch.sqrt(a**2 + b**2)


class HypotWithoutGradOutput(Hypot):
    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        h = torch.sqrt(a**2 + b**2)
        return a / h, b / h


class HypotWrongForward(Hypot):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a**2 + b**2


def checks_in_float32(function):
    x = torch.randn(5, requires_grad=True)
    return torch.autograd.gradcheck(function.apply, (x,), raise_exception=False)


def lets_the_error_escape(function):
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    return torch.autograd.gradcheck(function.apply, (x,))


@pytest.mark.parametrize(
    ("number", "answer", "message"),
    [
        (1, smooth_abs_with(ignores_grad_output), "ignores grad_output"),
        (1, smooth_abs_with(forgets_the_square_root), "your backward is wrong: at x ="),
        (1, make_function("SmoothAbs", torch.abs, torch.sign), "forward(x) has the right shape"),
        (1, lambda x: x, "a class derived from torch.autograd.Function"),
        (2, HypotSwapped, "swapped"),
        (2, HypotOneGradient, "one gradient per input"),
        (2, HypotWithoutGradOutput, "ignores grad_output"),
        (2, HypotWrongForward, "forward(a, b) has the right shape but wrong values"),
        (3, checks_in_float32, "are your inputs float64?"),
        (3, lets_the_error_escape, "let gradcheck's error escape"),
        (3, lambda function: True, "but it is wrong"),
        (3, lambda function: "yes", "should return True or False"),
        (4, (32, 7 * 2 + 6), "a shared layer's weight and bias are one leaf each"),
        (4, (32, 4), "too few"),
        (4, (29, 6), "29 nodes is too few"),
        (4, (35, 6), "35 nodes is too many"),
        (4, 32, "two whole numbers"),
        (4, (32.5, 6), "should be a whole number, got 32.5"),
        (4, (True, 6), "should be a number, got True"),
    ],
)
def test_wrong_answers_fail_with_the_reason(number, answer, message):
    result = check(number, answer)
    assert result.outcome is Outcome.FAILED, str(result)
    assert message in result.message, str(result)
