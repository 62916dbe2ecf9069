"""Self-checking exercises: passed, failed (with a reason) or not attempted yet.

A lesson module declares its exercises with `ExerciseSet.exercise`; each
checker receives the student's answer, computes its own reference at check
time (with autograd or a closed form) and calls `fail(reason)` when the answer
is wrong. Answers are never compared as code or as strings.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch


class Outcome(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted yet"


_ICONS = {Outcome.PASSED: "✅", Outcome.FAILED: "❌", Outcome.NOT_ATTEMPTED: "⬜"}


class CheckFailed(Exception):
    """Raised by a checker: the answer is wrong, for the reason given."""


class NotAttempted(Exception):
    """Raised by a checker: the answer is still the template's placeholder."""


def fail(reason: str):
    raise CheckFailed(reason)


@dataclass(frozen=True)
class Result:
    label: str
    outcome: Outcome
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED

    def __str__(self) -> str:
        text = f"{_ICONS[self.outcome]} {self.label}: {self.outcome.value}"
        return f"{text}. {self.message}" if self.message else text

    __repr__ = __str__


@dataclass(frozen=True)
class Exercise:
    number: int
    title: str
    checker: Callable
    hint: str


class ExerciseSet:
    """The exercises of one lesson. In the notebook: `check(1, answer)`, `hint(1)`."""

    def __init__(self, lesson: str):
        self.lesson = lesson
        self._exercises: dict[int, Exercise] = {}

    def exercise(self, number: int, title: str, hint: str):
        """Decorator registering `checker(answer)` as exercise `number`."""

        def register(checker: Callable) -> Callable:
            if number in self._exercises:
                raise ValueError(f"{self.lesson}: exercise {number} is defined twice")
            self._exercises[number] = Exercise(number, title, checker, hint)
            return checker

        return register

    def __len__(self) -> int:
        return len(self._exercises)

    def numbers(self) -> list[int]:
        return sorted(self._exercises)

    def get(self, number: int) -> Exercise:
        try:
            return self._exercises[number]
        except KeyError:
            raise KeyError(
                f"{self.lesson} has no exercise {number}; it has {self.numbers()}"
            ) from None

    def check(self, number: int, answer) -> Result:
        exercise = self.get(number)
        label = f"Exercise {number} ({exercise.title})"
        if is_placeholder(answer):
            return Result(label, Outcome.NOT_ATTEMPTED, "Replace the `...` with your answer.")
        try:
            exercise.checker(answer)
        except NotAttempted as exc:
            return Result(label, Outcome.NOT_ATTEMPTED, str(exc) or "Fill in the template first.")
        except NotImplementedError:
            return Result(label, Outcome.NOT_ATTEMPTED, "Fill in the template first.")
        except CheckFailed as exc:
            return Result(label, Outcome.FAILED, f"{exc} (hint: run hint({number}))")
        except Exception as exc:  # the student's code crashed: say where, briefly
            return Result(label, Outcome.FAILED, f"your code raised {type(exc).__name__}: {exc}")
        return Result(label, Outcome.PASSED, "")

    def hint(self, number: int) -> None:
        exercise = self.get(number)
        print(f"Hint for exercise {number} ({exercise.title}): {exercise.hint}")


def is_placeholder(answer) -> bool:
    return answer is None or answer is Ellipsis


def call(function, *args, what: str = "your function"):
    """Call the student's function; a `...` body (returns None) means not attempted."""
    if not callable(function):
        fail(f"expected a function, got {type(function).__name__}")
    result = function(*args)
    if is_placeholder(result):
        raise NotAttempted(f"{what} returns None: fill in its body.")
    return result


def expect_tensor(got, expected: torch.Tensor, what: str = "your result", *, rtol=1e-4, atol=1e-5):
    """Fail with a specific reason unless `got` is a tensor equal to `expected`."""
    if not isinstance(got, torch.Tensor):
        fail(f"{what} should be a tensor, got {type(got).__name__}")
    if tuple(got.shape) != tuple(expected.shape):
        fail(f"{what} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}")
    if got.is_floating_point() != expected.is_floating_point():
        fail(f"{what} has dtype {got.dtype}, expected a {expected.dtype} tensor")
    got_cpu = got.detach().to("cpu", expected.dtype)
    expected_cpu = expected.detach().to("cpu")
    if not torch.allclose(got_cpu, expected_cpu, rtol=rtol, atol=atol, equal_nan=False):
        worst = (got_cpu - expected_cpu).abs().nan_to_num(math.inf).max().item()
        fail(f"{what} has the right shape but wrong values (largest difference {worst:.3g})")


def expect_number(got, expected: float, what: str = "your answer", *, rtol=1e-4, atol=1e-6):
    """Fail unless `got` is a real number (or one-element tensor) close to `expected`."""
    if isinstance(got, torch.Tensor):
        if got.numel() != 1:
            fail(f"{what} should be a single number, got a tensor of shape {tuple(got.shape)}")
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        fail(f"{what} should be a number, got {type(got).__name__}")
    if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
        fail(f"{what} is {got:.6g}, expected {expected:.6g} (off by {abs(got - expected):.3g})")
