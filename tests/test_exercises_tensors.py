"""Lesson 01 exercises: reference solutions pass, typical mistakes fail with a reason."""

from pathlib import Path

import numpy as np
import pytest
import torch
from lesson_cells import lesson_solutions, lesson_templates

from coursekit.exercises import Outcome
from coursekit.exercises.tensors import SHAPE_PUZZLE, exercises

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "01_tensors.py"


# The reference solutions: the one copy, in notebooks/solutions/01_tensors_solutions.py.
SOLUTIONS = lesson_solutions("01_tensors")
total_and_mean, SHAPES, cubic_features, standardize = (SOLUTIONS[n] for n in (1, 2, 3, 4))


def test_lesson_has_four_exercises():
    assert exercises.numbers() == [1, 2, 3, 4]


@pytest.mark.parametrize("number", sorted(SOLUTIONS))
def test_reference_solution_passes(number):
    result = exercises.check(number, SOLUTIONS[number])
    assert result.outcome is Outcome.PASSED, str(result)


@pytest.mark.parametrize("number", sorted(SOLUTIONS))
def test_template_is_not_attempted(number):
    result = exercises.check(number, lesson_templates("01_tensors")[number])
    assert result.outcome is Outcome.NOT_ATTEMPTED, str(result)


def test_other_right_answers_pass():
    assert exercises.check(1, lambda t: (float(t.sum()), float(t.sum() / t.numel()))).passed
    assert exercises.check(2, [torch.Size(s) for s in SHAPES]).passed
    assert exercises.check(3, lambda x: torch.stack([x, x * x, x * x * x], dim=1)).passed
    population_std = lambda m: (m - m.mean(0)) / m.std(0, correction=0)  # noqa: E731
    assert exercises.check(4, population_std).passed


@pytest.mark.parametrize(
    ("number", "answer", "reason"),
    [
        (1, lambda t: (t.sum(), t.mean()), "the total is still a tensor: call .item()"),
        (1, lambda t: (t.sum().item(), t.sum().item()), "the mean equals the total"),
        (1, lambda t: t.sum().item(), "should return two things"),
        (1, lambda t: (t.sum().item(), t.mean().item() + 1), "the mean is"),
        (2, [(4, 3), (6, 4), (5, 3, 1), (5, 2, 3)], "shape 3 (`torch.zeros(5, 3).unsqueeze(1)`)"),
        (2, [(4, 1), (6, 4), (5, 1, 3), (5, 2, 3)], "shape 1"),
        (2, [(4, 3), (6, 4), (5, 1, 3), (2, 5, 3)], "pad the shorter one with 1s"),
        (2, SHAPES[:3], "answer with 4 shapes"),
        (2, (4, 3), "that is a single shape"),
        (2, [4, (6, 4), (5, 1, 3), (5, 2, 3)], "shape 1 should be a tuple of whole numbers"),
        (2, "(4, 3)", "answer with a list of 4 shapes"),
        (3, lambda x: torch.stack([x, x**2, x**3]), "shape (3, 5): one row per point"),
        (3, lambda x: x.unsqueeze(-1).pow(torch.tensor([0, 1, 2])), "the powers start at 1"),
        (3, lambda x: x.unsqueeze(-1).pow(3).expand(-1, 3), "every column is x³"),
        (3, lambda x: x.unsqueeze(-1) * torch.tensor([1.0, 2.0, 3.0]), "wrong values"),
        (4, lambda m: (m - m.mean()) / m.std(), "one mean and one std for the whole matrix"),
        (4, lambda m: (m - m.mean(1, keepdim=True)) / m.std(1, keepdim=True), "the rows (dim=1)"),
        (4, lambda m: m - m.mean(dim=0), "did not divide by the column stds"),
        (4, lambda m: m / m.std(dim=0), "did not subtract the column means first"),
        (4, lambda m: (m - m.mean(0)) / m.std(), "divided by the std of the whole matrix"),
        (4, lambda m: (m - m.mean(0)) / m.var(0), "divided by the variance (.var)"),
        (4, lambda m: (m - m.mean(0)) / m.var(0, correction=0), "divided by the variance"),
        (4, lambda m: (m - m.mean(0)) / 2, "means 0.00, 0.00, 0.00 and stds 0.454, 5.43, 0.0522"),
        (4, lambda m: m.T, "has shape (3, 50), expected (50, 3)"),
    ],
)
def test_typical_mistakes_fail_with_reason(number, answer, reason):
    result = exercises.check(number, answer)
    assert result.outcome is Outcome.FAILED, str(result)
    assert reason in result.message, result.message


def test_numpy_numbers_are_accepted():
    def numpy_floats(t):
        return np.float32(t.sum().item()), np.float64(t.mean().item())

    assert exercises.check(1, numpy_floats).passed


def standardize_in_place(m):
    m -= m.mean(dim=0)
    m /= m.std(dim=0)
    return m


def features_in_place(x):
    x.zero_()
    return torch.zeros(len(x), 3)


def total_after_zeroing(t):
    total, mean = t.sum().item(), t.mean().item()
    t.zero_()
    return total, mean


@pytest.mark.parametrize(
    ("number", "answer", "name"),
    [(1, total_after_zeroing, "t"), (3, features_in_place, "x"), (4, standardize_in_place, "m")],
)
def test_changing_the_input_in_place_is_named(number, answer, name):
    result = exercises.check(number, answer)
    assert result.outcome is Outcome.FAILED, str(result)
    assert f"changed its input `{name}` in place" in result.message


def test_puzzle_shapes_are_what_torch_says():
    # The answer key in SHAPES must follow from the expressions themselves.
    assert [tuple(eval(e, {"torch": torch}).shape) for e in SHAPE_PUZZLE] == SHAPES


def test_lesson_shows_the_puzzle_expressions():
    text = LESSON.read_text(encoding="utf-8")
    for expression in SHAPE_PUZZLE:
        assert f"`{expression}`" in text, expression


def test_hints_exist():
    for number in exercises.numbers():
        assert len(exercises.get(number).hint) > 20
