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
    as_bool,
    as_float_list,
    as_number,
    as_whole_number,
    call,
    copies,
    expect_number,
    expect_tensor,
    expect_unchanged,
    fail,
    precision,
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
    "as_bool",
    "as_number",
    "as_whole_number",
    "call",
    "copies",
    "expect_number",
    "expect_tensor",
    "expect_unchanged",
    "fail",
    "precision",
    "running_answer",
]
