"""Self-checking exercises: passed, failed (with a reason) or not attempted yet.

A lesson module declares its exercises with `ExerciseSet.exercise`; each
checker receives the student's answer, computes its own reference at check
time (with autograd or a closed form) and calls `fail(reason)` when the answer
is wrong. Answers are never compared as code or as strings.

Blame goes where it belongs: the student's code runs inside `call` (or
`running_answer`), so only its own exceptions are reported as "your code
raised"; it gets copies of the checker's tensors, so it can neither spoil the
reference nor pass by changing its inputs; whatever it replaces in torch, NumPy
or math (say `torch.allclose`) is put back as soon as it returns, so the
checker compares with the real functions; a check leaves the random generators
as it found them; and a check stops after `ExerciseSet.time_limit` seconds
where the platform allows a timer (an exercise's own reference work, its
`prepare`, runs before the clock starts).

Every sentence shown to the student goes through `_()` (coursekit.i18n).
"""

from __future__ import annotations

import enum
import html
import inspect
import math
import numbers
import random
import re
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional

from ..i18n import _

# The functions the checkers compare with, bound now: an answer that replaces
# `torch.allclose` cannot make a wrong result look right.
_allclose = torch.allclose
_equal = torch.equal
_isfinite = torch.isfinite
_isclose = math.isclose


class Outcome(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted yet"
    NO_SUCH_EXERCISE = "no such exercise"


# Each outcome has an icon AND a word: with no emoji font the icons are identical boxes.
_ICONS = {Outcome.PASSED: "✅", Outcome.FAILED: "❌", Outcome.NOT_ATTEMPTED: "⬜",
          Outcome.NO_SUCH_EXERCISE: "⚠️"}


def _status_word(outcome: Outcome) -> str:
    """The outcome in words, in the student's language (literal templates, for the catalog)."""
    return {Outcome.PASSED: _("Passed"), Outcome.FAILED: _("Not yet"),
            Outcome.NOT_ATTEMPTED: _("Not attempted"),
            Outcome.NO_SUCH_EXERCISE: _("No such exercise")}[outcome]


# The stripe's colour: JupyterLab's theme colours (light and dark), then light-theme literals.
# The text itself keeps the theme's own text colour, so it has the theme's contrast.
_STRIPES = {Outcome.PASSED: "var(--jp-success-color1, #388e3c)",
            Outcome.FAILED: "var(--jp-error-color1, #d32f2f)",
            Outcome.NOT_ATTEMPTED: "var(--jp-ui-font-color2, #757575)",
            Outcome.NO_SUCH_EXERCISE: "var(--jp-warn-color1, #f57c00)"}

DEFAULT_TIME_LIMIT = 30.0  # seconds per check; every reference answer takes well under 1 s


class TODO(Exception):  # noqa: N818 (students write `raise TODO`: the name is the message)
    """The templates' placeholder: `raise TODO` marks code still to be written."""


class CheckFailed(Exception):
    """Raised by a checker: the answer is wrong, for the reason given."""


class NotAttempted(Exception):
    """Raised by a checker: part of the answer is still the template's placeholder."""


class AnswerRaised(Exception):
    """The student's code raised `error` (wrapped so the checker's own errors stay apart)."""

    def __init__(self, error: BaseException):
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

    @property
    def status(self) -> str:
        """The outcome in words: 'Passed', 'Not yet', 'Not attempted', ..."""
        return _status_word(self.outcome)

    def __str__(self) -> str:
        text = f"{_ICONS[self.outcome]} {self.status} — {self.label}"
        return f"{text}: {self.message}" if self.message else text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """The same words for JupyterLab, wrapped between words only (its plain-text outputs
        break lines mid-word), in the theme's text colour, with a coloured stripe."""
        style = (f"border-left: 0.35em solid {_STRIPES[self.outcome]}; "
                 "padding: 0.15em 0 0.15em 0.6em; "
                 "color: var(--jp-content-font-color1, inherit); "
                 "font-family: var(--jp-content-font-family, inherit); "
                 "white-space: normal; overflow-wrap: normal; word-break: normal; "
                 "overflow-x: auto")
        text = f"{html.escape(self.label)}: {_code_spans(self.message)}" if self.message \
            else html.escape(self.label)
        return (f'<div class="ck-result ck-{self.outcome.name.lower().replace("_", "-")}" '
                f'style="{style}"><span aria-hidden="true">{_ICONS[self.outcome]}</span> '
                f"<strong>{html.escape(self.status)}</strong> — {text}</div>")


def _code_spans(message: str) -> str:
    """`message` as HTML, its `backticked` names in <code>."""
    parts = re.split(r"`([^`]*)`", message)
    return "".join(f"<code>{html.escape(part)}</code>" if i % 2 else html.escape(part)
                   for i, part in enumerate(parts))


@dataclass(frozen=True)
class Exercise:
    number: int
    title: str
    checker: Callable
    hint: str
    prepare: Callable | None = None


class ExerciseSet:
    """The exercises of one lesson. In the notebook: `check(1, answer)`, `hint(1)`."""

    def __init__(self, lesson: str, time_limit: float | None = DEFAULT_TIME_LIMIT):
        self.lesson = lesson
        self.time_limit = time_limit
        self._exercises: dict[int, Exercise] = {}

    def exercise(self, number: int, title: str, hint: str, prepare: Callable | None = None):
        """Decorator registering `checker(answer)` as exercise `number`.

        `prepare()`, if given, is the checker's own slow work (a reference that it
        caches): it runs before the answer's time limit starts.
        """

        def register(checker: Callable) -> Callable:
            if number in self._exercises:
                raise ValueError(f"{self.lesson}: exercise {number} is defined twice")
            self._exercises[number] = Exercise(number, title, checker, hint, prepare)
            return checker

        return register

    def __len__(self) -> int:
        return len(self._exercises)

    def texts(self) -> list[str]:
        """Every exercise's title and hint: English templates for the translation catalog
        (they are shown through `_()`, like every other sentence)."""
        return [text for exercise in self._exercises.values()
                for text in (exercise.title, exercise.hint)]

    def numbers(self) -> list[int]:
        return sorted(self._exercises)

    def get(self, number: int) -> Exercise:
        try:
            return self._exercises[number]
        except KeyError:
            raise KeyError(self._no_such(number)) from None

    def _no_such(self, number) -> str:
        listed = ", ".join(str(n) for n in self.numbers())
        return _("{lesson} has no exercise {number}; its exercises are {listed}").format(
            lesson=self.lesson, number=repr(number), listed=listed)

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
            return Result(_("Exercise {number}").format(number=repr(number)),
                          Outcome.NO_SUCH_EXERCISE, self._no_such(number))
        label = _("Exercise {number} ({title})").format(number=exercise.number,
                                                        title=_(exercise.title))
        if is_placeholder(answer):
            return Result(label, Outcome.NOT_ATTEMPTED, _("Replace the `...` with your answer."))
        if not torch.is_grad_enabled() or torch.is_inference_mode_enabled():
            return Result(label, Outcome.FAILED, _(
                "gradients are switched off in this notebook (by `torch.set_grad_enabled(False)`"
                ", or because check() runs inside `with torch.no_grad():`): switch them back on "
                "with `torch.set_grad_enabled(True)` and check again"))
        with _random_state_kept():
            outcome, message = self._run(exercise, answer)
        return Result(label, outcome, message)

    def _run(self, exercise: Exercise, answer) -> tuple[Outcome, str]:
        """Run the checker: (outcome, message)."""
        number = exercise.number
        try:
            if exercise.prepare is not None:
                exercise.prepare()  # the checker's own work, outside the answer's time
            with time_limit(self.time_limit):
                exercise.checker(answer)
        except TODO:
            return Outcome.NOT_ATTEMPTED, _(
                "The template's `raise TODO` is still there: replace it with your code.")
        except NotAttempted as exc:
            return Outcome.NOT_ATTEMPTED, str(exc) or _("Fill in the template first.")
        except CheckFailed as exc:
            return Outcome.FAILED, _("{reason} (hint: run hint({number}))").format(
                reason=exc, number=number)
        except AnswerRaised as exc:
            return Outcome.FAILED, _raised_message(exc.error)
        except SystemExit as exc:  # an answer that stopped Python outside `call`
            return Outcome.FAILED, _raised_message(exc)
        except TimeLimitExceeded:
            return Outcome.FAILED, _(
                "your answer ran longer than {seconds} s and was stopped: look for a loop that "
                "never ends, or far more work than needed").format(seconds=f"{self.time_limit:g}")
        except Exception as exc:  # a gap in the checker, not the student's fault: say so
            return Outcome.FAILED, _(
                "the checker could not handle your answer ({error}); please report this to the "
                "course maintainers").format(error=f"{type(exc).__name__}: {exc}")
        return Outcome.PASSED, ""

    def hint(self, number) -> None:
        exercise = self._lookup(number)
        if exercise is None:
            print(self._no_such(number))
            return
        print(_("Hint for exercise {number} ({title}): {hint}").format(
            number=exercise.number, title=_(exercise.title), hint=_(exercise.hint)))


def _raised_message(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return _("your code called exit() or sys.exit() (SystemExit: {code}), which would stop "
                 "the notebook: return the result instead").format(code=error.code)
    return _("your code raised {error}").format(error=f"{type(error).__name__}: {error}")


def is_placeholder(answer) -> bool:
    """The template's own placeholders: `...` for values, TODO for code."""
    return answer is Ellipsis or answer is TODO


@contextmanager
def _random_state_kept():
    """Leave Python's, NumPy's and torch's random generators as they were: a check may
    seed them for its own reference runs, but the student's notebook must not notice."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    cuda = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    with torch.random.fork_rng(devices=cuda):
        try:
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)


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


# What an answer might replace and the checkers rely on: put back after the answer runs.
_GUARDED = (torch, torch.Tensor, torch.nn.functional, torch.autograd, torch.linalg, math, np)


def _snapshot() -> list[tuple[object, dict]]:
    return [(owner, dict(vars(owner))) for owner in _GUARDED]


def _restore(snapshot: list[tuple[object, dict]]) -> None:
    """Put back every attribute the answer replaced; remove what it added to torch.Tensor.
    (Modules gain attributes legitimately, when a submodule is imported: those stay.)"""
    for owner, before in snapshot:
        now = vars(owner)
        for name, value in before.items():
            if now.get(name, _MISSING) is not value:
                setattr(owner, name, value)
        if owner is torch.Tensor:
            for name in set(now) - set(before):
                delattr(owner, name)


_MISSING = object()


@contextmanager
def running_answer():
    """Run the student's code: its own exceptions (SystemExit too) become AnswerRaised,
    and whatever it replaced in torch, NumPy or math, or the grad mode, is put back."""
    snapshot, grad_enabled = _snapshot(), torch.is_grad_enabled()
    try:
        yield
    except (CheckFailed, NotAttempted, AnswerRaised, TODO):
        raise
    except (Exception, SystemExit) as exc:
        raise AnswerRaised(exc) from exc
    finally:
        _restore(snapshot)
        torch.set_grad_enabled(grad_enabled)


def _copy(value):
    """A tensor the student may do anything with, without touching the checker's."""
    if isinstance(value, torch.Tensor):
        copied = value.detach().clone()
        return copied.requires_grad_(value.requires_grad) if value.is_leaf else copied
    return value


def copies(*values) -> list:
    """Copies of the checker's tensors, for the answer (the copy rule): see `call`."""
    return [_copy(value) for value in values]


def _argument_names(function, count: int) -> list[str]:
    try:
        parameters = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        parameters = []
    return [parameters[i] if i < len(parameters) else _("argument {n}").format(n=i + 1)
            for i in range(count)]


def call(function, *args, what: str | None = None, inputs_may_change: bool = False):
    """Call the student's function on copies of `args`; return its result.

    The checker's own tensors stay untouched, so references computed from them
    are right whatever the function does. Unless `inputs_may_change`, a
    function that changes a tensor argument in place fails with that reason.
    """
    what = _("your function") if what is None else what
    if not callable(function):
        fail(_("expected a function, got {type}").format(type=type(function).__name__))
    copied = copies(*args)
    with running_answer():
        result = function(*copied)
    if is_placeholder(result):
        raise NotAttempted(_("{what} still returns the template's placeholder: fill in its "
                             "body.").format(what=what))
    if result is None:
        fail(_("{what} returns None: end it with `return` and the result").format(what=what))
    if not inputs_may_change:
        expect_unchanged(function, args, copied, what)
    return result


def expect_unchanged(function, originals, copied, what: str) -> None:
    """Fail if the answer changed one of its tensor inputs (its copy of it) in place."""
    names = _argument_names(function, len(originals))
    for name, original, copy in zip(names, originals, copied, strict=True):
        if isinstance(original, torch.Tensor) and not _same(original, copy):
            fail(_("{what} changed its input `{name}` in place: leave inputs as they were "
                   "(write `{name} - ...`, not `{name} -= ...`; or work on `{name}.clone()`)"
                   ).format(what=what, name=name))


def _same(original: torch.Tensor, copied: torch.Tensor) -> bool:
    return original.shape == copied.shape and _equal(original.detach(), copied.detach())


def precision(value) -> float:
    """The relative rounding step of `value`'s type: about 1.2e-7 for float32 (tensor or
    NumPy), 2.2e-16 for float64 and Python floats. Tolerances never go below a few of it."""
    dtype = value.dtype if isinstance(value, (torch.Tensor, np.ndarray, np.generic)) else None
    if isinstance(dtype, torch.dtype) and dtype.is_floating_point:
        return torch.finfo(dtype).eps
    if isinstance(dtype, np.dtype) and np.issubdtype(dtype, np.floating):
        return float(np.finfo(dtype).eps)
    return float(np.finfo(np.float64).eps)


def as_number(value, what: str | None = None) -> float:
    """`value` as a finite Python float: accepts Python and NumPy numbers, 0-d arrays and
    one-element tensors; fails with the reason for anything else."""
    what = _("your answer") if what is None else what
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            fail(_("{what} should be a single number, got a tensor of shape {shape}").format(
                what=what, shape=tuple(value.shape)))
        if value.device.type == "meta":
            fail(_("{what} is on the meta device, which holds no values").format(what=what))
        value = value.detach().cpu().item()
    elif isinstance(value, np.ndarray):
        if value.size != 1:
            fail(_("{what} should be a single number, got an array of shape {shape}").format(
                what=what, shape=value.shape))
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        fail(_("{what} should be a number, got {value}").format(what=what, value=repr(value)))
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        fail(_("{what} is the complex number {value}: a real number is expected").format(
            what=what, value=value))
    if not isinstance(value, numbers.Real):
        fail(_("{what} should be a number, got {type}").format(what=what,
                                                               type=type(value).__name__))
    try:
        number = float(value)
    except OverflowError:
        fail(_("{what} is too large for a float (about 2 to the power {bits})").format(
            what=what, bits=int(value).bit_length()))
    if not math.isfinite(number):
        fail(_("{what} is {value}, not a finite number").format(what=what, value=number))
    return number


def as_whole_number(value, what: str) -> int:
    """`value` as an int: Python, NumPy or one-element tensor integers, and floats such as
    10.0 whose value is whole, all count; True/False, 10.5 and text do not."""
    number = as_number(value, what)
    if not number.is_integer():
        fail(_("{what} should be a whole number, got {value}").format(what=what,
                                                                      value=f"{number:g}"))
    return int(number)


def as_bool(value, what: str) -> bool:
    """`value` as True or False: Python, NumPy and one-element boolean tensors all count."""
    if isinstance(value, torch.Tensor) and value.dtype == torch.bool and value.numel() == 1:
        return bool(value.item())
    if isinstance(value, np.ndarray) and value.dtype == np.bool_ and value.size == 1:
        return bool(value.item())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    kind = (_("a tensor of dtype {dtype} and shape {shape}").format(
        dtype=value.dtype, shape=tuple(value.shape)) if isinstance(value, torch.Tensor)
        else type(value).__name__)
    fail(_("{what} should return True or False, got {kind}").format(what=what, kind=kind))


def as_float_list(values, count: int, what: str, noun: str | None = None) -> list[float]:
    """`values` (a list, tuple, tensor, array or generator of `count` numbers) as Python
    floats. A generator is the answer's own code: its errors are the answer's."""
    noun = _("numbers") if noun is None else noun
    expected = _("{what} should be a list of {count} {noun}").format(what=what, count=count,
                                                                     noun=noun)
    if isinstance(values, (torch.Tensor, np.ndarray)):
        if values.ndim == 0:
            fail(_("{expected}, got a single number").format(expected=expected))
        if isinstance(values, torch.Tensor) and values.device.type == "meta":
            fail(_("{what} is on the meta device, which holds no values").format(what=what))
        values = values.tolist()
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        fail(_("{expected}, got {type}").format(expected=expected, type=type(values).__name__))
    with running_answer():  # iterating a generator runs the answer's code
        values = list(values)
    if len(values) != count:
        fail(_("{expected} (one per step), got {got}").format(expected=expected,
                                                             got=len(values)))
    return [as_number(value, _("item {i} of {what}").format(i=i, what=what))
            for i, value in enumerate(values)]


def expect_tensor(got, expected: torch.Tensor, what: str | None = None, *, rtol=1e-4,
                  atol=1e-5):
    """Fail with a specific reason unless `got` is a tensor equal to `expected`.

    A result of a less precise dtype than `expected` (float32 for float64) that is
    right to its own precision fails with the dtype named, not as 'wrong values'."""
    what = _("your result") if what is None else what
    if not isinstance(got, torch.Tensor):
        fail(_("{what} should be a tensor, got {type}").format(what=what,
                                                               type=type(got).__name__))
    if got.device.type == "meta":
        fail(_("{what} is on the meta device, which holds no values").format(what=what))
    if tuple(got.shape) != tuple(expected.shape):
        fail(_("{what} has shape {got}, expected {want}").format(
            what=what, got=tuple(got.shape), want=tuple(expected.shape)))
    if got.is_complex() and not expected.is_complex():
        fail(_("{what} is complex ({dtype}): real numbers are expected").format(what=what,
                                                                               dtype=got.dtype))
    if got.is_floating_point() != expected.is_floating_point():
        fail(_("{what} has dtype {got}, expected a {want} tensor").format(
            what=what, got=got.dtype, want=expected.dtype))
    got_cpu = got.detach().to("cpu", expected.dtype)
    expected_cpu = expected.detach().to("cpu")
    if not _isfinite(got_cpu).all() and _isfinite(expected_cpu).all():
        kind = "NaN" if torch.isnan(got_cpu).any() else "inf"
        fail(_("{what} contains {kind}: every value should be a finite number").format(
            what=what, kind=kind))
    if _allclose(got_cpu, expected_cpu, rtol=rtol, atol=atol, equal_nan=False):
        return
    loose = 8 * precision(got)
    if (got.is_floating_point() and loose > 8 * precision(expected)
            and _allclose(got_cpu, expected_cpu, rtol=loose, atol=max(atol, loose))):
        fail(_("{what} is {got}, but its inputs are {want}: its values are right only to "
               "{got}'s precision. Keep the inputs' dtype (no `.float()`, no "
               "`dtype=torch.float32`)").format(what=what, got=got.dtype, want=expected.dtype))
    worst = (got_cpu - expected_cpu).abs().nan_to_num(math.inf).max().item()
    fail(_("{what} has the right shape but wrong values (largest difference {worst})").format(
        what=what, worst=f"{worst:.3g}"))


def expect_number(got, expected: float, what: str | None = None, *, rtol=1e-4, atol=1e-6):
    """Fail unless `got` is a real number (or one-element tensor) close to `expected`.
    A float32 value (tensor or NumPy) is allowed float32's rounding."""
    what = _("your answer") if what is None else what
    rtol = max(rtol, 8 * precision(got))
    got = as_number(got, what)
    if not _isclose(got, expected, rel_tol=rtol, abs_tol=atol):
        fail(_("{what} is {got}, expected {want} (off by {off})").format(
            what=what, got=f"{got:.6g}", want=f"{expected:.6g}", off=f"{abs(got - expected):.3g}"))
