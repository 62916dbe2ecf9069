"""Every exercise of every lesson, fed odd answers: the message is always about the answer.

Issue 11: the checkers' own exceptions used to be reported as "your code raised"
(a wrong-shape tensor, a 0-d tensor, inf, 10**400, a complex result). Here no odd
answer may reach the checker's last-resort message, and none may pass.
"""

import math

import numpy as np
import pytest
import torch

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

LESSONS = [tensors, autograd, chain_rule, backprop, nn_optim, extending, training]

ODD_VALUES = {
    "None": None, "inf": math.inf, "nan": math.nan, "huge int": 10**400, "complex": 2 + 1j,
    "text": "0.5", "bool": True, "0-d tensor": torch.tensor(-7.25), "empty tensor": torch.ones(0),
    "matrix": torch.ones(3, 3), "complex tensor": torch.ones(4, dtype=torch.complex64),
    "meta tensor": torch.ones(4, device="meta"), "numpy matrix": np.ones((2, 2)),
    "empty list": [], "dict": {"a": 1}, "nested lists": [[1, 2], [3]],
}
# Tuples of them, for the exercises that expect two, three or four results.
ODD_VALUES.update({f"{n} × {name}": (ODD_VALUES[name],) * n for n in (2, 3, 4)
                   for name in ("inf", "complex tensor", "meta tensor", "matrix", "huge int")})


def returning(value):
    return lambda *args, **kwargs: value


def raising_not_implemented(*args, **kwargs):
    raise NotImplementedError("The operator 'aten::foo' is not currently implemented for MPS")


ODD_ANSWERS = {**ODD_VALUES, **{f"a function returning {name}": returning(value)
                                for name, value in ODD_VALUES.items()}}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda module: module.exercises.lesson)
@pytest.mark.parametrize("kind", sorted(ODD_ANSWERS))
def test_odd_answers_fail_with_a_reason_about_the_answer(lesson, kind):
    for number in lesson.exercises.numbers():
        result = lesson.exercises.check(number, ODD_ANSWERS[kind])
        assert result.outcome is Outcome.FAILED, f"{number}: {result}"
        assert "checker could not handle" not in result.message, f"{number}: {result}"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda module: module.exercises.lesson)
def test_not_implemented_is_the_answers_error_not_a_template(lesson):
    for number in lesson.exercises.numbers():
        result = lesson.exercises.check(number, raising_not_implemented)
        assert result.outcome is Outcome.FAILED, f"{number}: {result}"


# How often each check calls a right answer: once, except where the exercise itself needs more
# (03.4: exp on a graph that uses a node twice, both orders; 05.2: Adam and SGD with momentum;
# 05.5: six Adam steps). Issue 11: a 30 s answer made one check take 90 s.
CALLS = {("01_tensors", 1): 1, ("01_tensors", 3): 1, ("01_tensors", 4): 1,
         ("02_autograd", 2): 1, ("02_autograd", 3): 1, ("02_autograd", 4): 1,
         ("03_chain_rule", 2): 1, ("03_chain_rule", 4): 3, ("03_chain_rule", 5): 1,
         ("04_backprop_by_hand", 1): 1, ("04_backprop_by_hand", 2): 1,
         ("04_backprop_by_hand", 3): 1,
         ("05_nn_and_optim", 1): 1, ("05_nn_and_optim", 2): 2, ("05_nn_and_optim", 5): 6}


@pytest.mark.parametrize(("stem", "number"), sorted(CALLS))
def test_each_answer_is_called_as_few_times_as_possible(stem, number):
    from lesson_cells import lesson_solutions

    lesson = next(m for m in LESSONS if m.exercises.lesson == stem)
    solution = lesson_solutions(stem)[number]
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return solution(*args, **kwargs)

    assert lesson.exercises.check(number, counted).passed
    assert len(calls) == CALLS[stem, number]
