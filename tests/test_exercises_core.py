import pytest
import torch

from coursekit.exercises import ExerciseSet, Outcome, call, expect_number, expect_tensor, fail


@pytest.fixture
def lesson():
    exercises = ExerciseSet("99_demo")

    @exercises.exercise(1, "double a tensor", hint="multiply by 2")
    def _(double):
        x = torch.arange(4.0)
        expect_tensor(call(double, x), 2 * x, "double(x)")

    @exercises.exercise(2, "a number", hint="it is 4.5")
    def _(answer):
        expect_number(answer, 4.5)

    @exercises.exercise(3, "custom reason", hint="no")
    def _(answer):
        if answer != "yes":
            fail("the answer must be yes")

    return exercises


def test_placeholders_are_not_attempted(lesson):
    assert lesson.check(2, ...).outcome is Outcome.NOT_ATTEMPTED
    assert lesson.check(2, None).outcome is Outcome.NOT_ATTEMPTED

    def template(x):
        ...

    result = lesson.check(1, template)
    assert result.outcome is Outcome.NOT_ATTEMPTED
    assert str(result).startswith("⬜ Exercise 1 (double a tensor): not attempted yet.")


def test_right_answers_pass(lesson):
    assert lesson.check(1, lambda x: x * 2).passed
    assert lesson.check(2, 4.5).passed
    assert lesson.check(2, torch.tensor(4.5)).passed
    assert str(lesson.check(3, "yes")) == "✅ Exercise 3 (custom reason): passed"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (lambda x: x.reshape(2, 2) * 2, "has shape (2, 2), expected (4,)"),
        (lambda x: x * 3, "wrong values (largest difference 3)"),
        (lambda x: (x * 2).tolist(), "should be a tensor, got list"),
        (lambda x: (x * 2).long(), "dtype torch.int64"),
        (lambda x: x / 0 * 0, "wrong values"),
        (lambda x: x.undefined(), "your code raised AttributeError"),
    ],
)
def test_wrong_tensors_fail_with_reason(lesson, answer, reason):
    result = lesson.check(1, answer)
    assert result.outcome is Outcome.FAILED
    assert reason in result.message


def test_wrong_numbers_fail_with_distance(lesson):
    result = lesson.check(2, 4.0)
    assert result.outcome is Outcome.FAILED
    assert "is 4, expected 4.5 (off by 0.5)" in result.message
    assert "hint(2)" in result.message
    assert "single number" in lesson.check(2, torch.ones(2)).message
    assert "should be a number" in lesson.check(2, "4.5").message


def test_custom_failure(lesson):
    assert lesson.check(3, "no").message.startswith("the answer must be yes")


def test_hint_prints(lesson, capsys):
    lesson.hint(2)
    assert capsys.readouterr().out == "Hint for exercise 2 (a number): it is 4.5\n"


def test_unknown_exercise_is_clear(lesson):
    with pytest.raises(KeyError, match=r"99_demo has no exercise 9; it has \[1, 2, 3\]"):
        lesson.check(9, 1)


def test_duplicate_numbers_rejected(lesson):
    with pytest.raises(ValueError, match="defined twice"):
        lesson.exercise(1, "again", hint="")(lambda a: None)
