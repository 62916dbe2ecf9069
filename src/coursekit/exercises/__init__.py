"""Exercise checks. Each lesson has a module here with its `ExerciseSet`."""

from .core import (
    CheckFailed,
    ExerciseSet,
    NotAttempted,
    Outcome,
    Result,
    call,
    expect_number,
    expect_tensor,
    fail,
)

__all__ = [
    "CheckFailed",
    "ExerciseSet",
    "NotAttempted",
    "Outcome",
    "Result",
    "call",
    "expect_number",
    "expect_tensor",
    "fail",
]
