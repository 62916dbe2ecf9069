"""Self-checking exercises: passed, failed (with a reason) or not attempted yet.

A lesson module declares its exercises with `ExerciseSet.exercise`; each
checker receives the student's answer, computes its own reference at check
time (with autograd or a closed form) and calls `fail(reason)` when the answer
is wrong. Answers are never compared as code or as strings.

Blame goes where it belongs: the student's code runs inside `call` (or
`running_answer`), so only its own exceptions are reported as "your code
raised"; it gets copies of the checker's tensors, so it can neither spoil the
reference nor pass by changing its inputs; and a check stops after
`ExerciseSet.time_limit` seconds where the platform allows a timer.
"""

from __future__ import annotations

import enum
import inspect
import math
import numbers
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch


class Outcome(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted yet"
    NO_SUCH_EXERCISE = "no such exercise"


_ICONS = {Outcome.PASSED: "✅", Outcome.FAILED: "❌", Outcome.NOT_ATTEMPTED: "⬜",
          Outcome.NO_SUCH_EXERCISE: "⚠️"}

DEFAULT_TIME_LIMIT = 30.0  # seconds per check; every reference answer takes well under 1 s


class TODO(Exception):  # noqa: N818 (students write `raise TODO`: the name is the message)
    """The templates' placeholder: `raise TODO` marks code still to be written."""


class CheckFailed(Exception):
    """Raised by a checker: the answer is wrong, for the reason given."""


class NotAttempted(Exception):
    """Raised by a checker: part of the answer is still the template's placeholder."""


class AnswerRaised(Exception):
    """The student's code raised `error` (wrapped so the checker's own errors stay apart)."""

    def __init__(self, error: Exception):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error


class TimeLimitExceeded(BaseException):
    """The check ran out of time. A BaseException, so `except Exception` cannot swallow it."""


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

    def __init__(self, lesson: str, time_limit: float | None = DEFAULT_TIME_LIMIT):
        self.lesson = lesson
        self.time_limit = time_limit
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
            raise KeyError(self._no_such(number)) from None

    def _no_such(self, number) -> str:
        listed = ", ".join(str(n) for n in self.numbers())
        return f"{self.lesson} has no exercise {number!r}; its exercises are {listed}"

    def _lookup(self, number) -> Exercise | None:
        """The exercise `number` names (an int, or a string like '1'), or None."""
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number)
        if isinstance(number, bool) or not isinstance(number, numbers.Integral):
            return None
        return self._exercises.get(int(number))

    def check(self, number, answer) -> Result:
        exercise = self._lookup(number)
        if exercise is None:
            return Result(f"Exercise {number!r}", Outcome.NO_SUCH_EXERCISE, self._no_such(number))
        number = exercise.number
        label = f"Exercise {number} ({exercise.title})"
        if is_placeholder(answer):
            return Result(label, Outcome.NOT_ATTEMPTED, "Replace the `...` with your answer.")
        try:
            with time_limit(self.time_limit):
                exercise.checker(answer)
        except TODO:
            return Result(label, Outcome.NOT_ATTEMPTED,
                          "The template's `raise TODO` is still there: replace it with your code.")
        except NotAttempted as exc:
            return Result(label, Outcome.NOT_ATTEMPTED, str(exc) or "Fill in the template first.")
        except CheckFailed as exc:
            return Result(label, Outcome.FAILED, f"{exc} (hint: run hint({number}))")
        except AnswerRaised as exc:
            return Result(label, Outcome.FAILED, f"your code raised {exc}")
        except TimeLimitExceeded:
            return Result(label, Outcome.FAILED,
                          f"your answer ran longer than {self.time_limit:g} s and was stopped: "
                          "look for a loop that never ends, or far more work than needed")
        except Exception as exc:  # a gap in the checker, not the student's fault: say so
            return Result(label, Outcome.FAILED,
                          f"the checker could not handle your answer ({type(exc).__name__}: "
                          f"{exc}); please report this to the course maintainers")
        return Result(label, Outcome.PASSED, "")

    def hint(self, number) -> None:
        exercise = self._lookup(number)
        if exercise is None:
            print(self._no_such(number))
            return
        print(f"Hint for exercise {exercise.number} ({exercise.title}): {exercise.hint}")


def is_placeholder(answer) -> bool:
    """The template's own placeholders: `...` for values, TODO for code."""
    return answer is Ellipsis or answer is TODO


@contextmanager
def time_limit(seconds: float | None):
    """Raise TimeLimitExceeded after `seconds`, where a timer is available.

    SIGALRM exists only on POSIX and only the main thread may set its handler
    (a notebook cell runs there); a timer already running is left alone. Anywhere
    else the check runs without a limit.
    """
    usable = (seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise TimeLimitExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def running_answer():
    """Run the student's code: its own exceptions become AnswerRaised."""
    try:
        yield
    except (CheckFailed, NotAttempted, AnswerRaised, TODO):
        raise
    except Exception as exc:
        raise AnswerRaised(exc) from exc


def _copy(value):
    """A tensor the student may do anything with, without touching the checker's."""
    if isinstance(value, torch.Tensor):
        copied = value.detach().clone()
        return copied.requires_grad_(value.requires_grad) if value.is_leaf else copied
    return value


def _argument_names(function, count: int) -> list[str]:
    try:
        parameters = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        parameters = []
    return [parameters[i] if i < len(parameters) else f"argument {i + 1}" for i in range(count)]


def call(function, *args, what: str = "your function", inputs_may_change: bool = False):
    """Call the student's function on copies of `args`; return its result.

    The checker's own tensors stay untouched, so references computed from them
    are right whatever the function does. Unless `inputs_may_change`, a
    function that changes a tensor argument in place fails with that reason.
    """
    if not callable(function):
        fail(f"expected a function, got {type(function).__name__}")
    copies = [_copy(arg) for arg in args]
    with running_answer():
        result = function(*copies)
    if is_placeholder(result):
        raise NotAttempted(f"{what} still returns the template's placeholder: fill in its body.")
    if result is None:
        fail(f"{what} returns None: end it with `return` and the result")
    if not inputs_may_change:
        names = _argument_names(function, len(args))
        for name, original, copied in zip(names, args, copies, strict=True):
            if isinstance(original, torch.Tensor) and not _same(original, copied):
                fail(f"{what} changed its input `{name}` in place: leave inputs as they were "
                     f"(write `{name} - ...`, not `{name} -= ...`; or work on `{name}.clone()`)")
    return result


def _same(original: torch.Tensor, copied: torch.Tensor) -> bool:
    return original.shape == copied.shape and torch.equal(original.detach(), copied.detach())


def as_number(value, what: str = "your answer") -> float:
    """`value` as a finite Python float: accepts Python and NumPy numbers, 0-d arrays and
    one-element tensors; fails with the reason for anything else."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            fail(f"{what} should be a single number, got a tensor of shape {tuple(value.shape)}")
        if value.device.type == "meta":
            fail(f"{what} is on the meta device, which holds no values")
        value = value.detach().cpu().item()
    elif isinstance(value, np.ndarray):
        if value.size != 1:
            fail(f"{what} should be a single number, got an array of shape {value.shape}")
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        fail(f"{what} should be a number, got {value!r}")
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        fail(f"{what} is the complex number {value}: a real number is expected")
    if not isinstance(value, numbers.Real):
        fail(f"{what} should be a number, got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        fail(f"{what} is too large for a float (about 2 to the power {int(value).bit_length()})")
    if not math.isfinite(number):
        fail(f"{what} is {number}, not a finite number")
    return number


def as_float_list(values, count: int, what: str, noun: str = "numbers") -> list[float]:
    """`values` (a list, tuple or tensor of `count` numbers) as Python floats."""
    expected = f"{what} should be a list of {count} {noun}"
    if isinstance(values, (torch.Tensor, np.ndarray)):
        if values.ndim == 0:
            fail(f"{expected}, got a single number")
        if isinstance(values, torch.Tensor) and values.device.type == "meta":
            fail(f"{what} is on the meta device, which holds no values")
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        fail(f"{expected}, got {type(values).__name__}")
    values = list(values)
    if len(values) != count:
        fail(f"{expected} (one per step), got {len(values)}")
    return [as_number(value, f"item {i} of {what}") for i, value in enumerate(values)]


def expect_tensor(got, expected: torch.Tensor, what: str = "your result", *, rtol=1e-4, atol=1e-5):
    """Fail with a specific reason unless `got` is a tensor equal to `expected`."""
    if not isinstance(got, torch.Tensor):
        fail(f"{what} should be a tensor, got {type(got).__name__}")
    if got.device.type == "meta":
        fail(f"{what} is on the meta device, which holds no values")
    if tuple(got.shape) != tuple(expected.shape):
        fail(f"{what} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}")
    if got.is_complex() and not expected.is_complex():
        fail(f"{what} is complex ({got.dtype}): real numbers are expected")
    if got.is_floating_point() != expected.is_floating_point():
        fail(f"{what} has dtype {got.dtype}, expected a {expected.dtype} tensor")
    got_cpu = got.detach().to("cpu", expected.dtype)
    expected_cpu = expected.detach().to("cpu")
    if not torch.isfinite(got_cpu).all() and torch.isfinite(expected_cpu).all():
        kind = "NaN" if torch.isnan(got_cpu).any() else "inf"
        fail(f"{what} contains {kind}: every value should be a finite number")
    if not torch.allclose(got_cpu, expected_cpu, rtol=rtol, atol=atol, equal_nan=False):
        worst = (got_cpu - expected_cpu).abs().nan_to_num(math.inf).max().item()
        fail(f"{what} has the right shape but wrong values (largest difference {worst:.3g})")


def expect_number(got, expected: float, what: str = "your answer", *, rtol=1e-4, atol=1e-6):
    """Fail unless `got` is a real number (or one-element tensor) close to `expected`."""
    got = as_number(got, what)
    if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
        fail(f"{what} is {got:.6g}, expected {expected:.6g} (off by {abs(got - expected):.3g})")
