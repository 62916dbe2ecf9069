"""Exercise checks. Each lesson has a module here with its `ExerciseSet`.

Templates in the lessons mark code still to write with `raise TODO`.
"""

from .core import (
    TODO,
    AnswerRaised,
    CheckFailed,
    ExerciseSet,
    NotAttempted,
    Outcome,
    Result,
    as_float_list,
    as_number,
    call,
    expect_number,
    expect_tensor,
    fail,
    running_answer,
)

__all__ = [
    "TODO",
    "AnswerRaised",
    "CheckFailed",
    "ExerciseSet",
    "NotAttempted",
    "Outcome",
    "Result",
    "as_float_list",
    "as_number",
    "call",
    "expect_number",
    "expect_tensor",
    "fail",
    "running_answer",
]
