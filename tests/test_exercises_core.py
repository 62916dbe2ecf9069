import time

import numpy as np
import pytest
import torch

from coursekit.exercises import (
    TODO,
    AnswerRaised,
    ExerciseSet,
    Outcome,
    as_float_list,
    call,
    expect_number,
    expect_tensor,
    fail,
)


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

    @exercises.exercise(4, "a checker with a bug", hint="none")
    def _(answer):
        {}["missing"]  # the checker's own mistake, not the answer's

    @exercises.exercise(5, "centre a tensor", hint="subtract the mean")
    def _(centre):
        x = torch.tensor([1.0, 2.0, 6.0])
        expect_tensor(call(centre, x, what="centre(x)"), x - 3.0, "centre(x)")

    return exercises


def test_placeholders_are_not_attempted(lesson):
    assert lesson.check(2, ...).outcome is Outcome.NOT_ATTEMPTED
    assert lesson.check(2, TODO).outcome is Outcome.NOT_ATTEMPTED

    def template(x):
        raise TODO

    result = lesson.check(1, template)
    assert result.outcome is Outcome.NOT_ATTEMPTED
    assert str(result) == ("⬜ Not attempted — Exercise 1 (double a tensor): The template's "
                           "`raise TODO` is still there: replace it with your code.")


def test_only_the_placeholder_is_not_attempted(lesson):
    def no_return(x):
        x * 2

    def mps_like(x):
        raise NotImplementedError("The operator 'aten::foo' is not currently implemented for MPS")

    result = lesson.check(1, no_return)
    assert result.outcome is Outcome.FAILED
    assert "double returns None" not in result.message
    assert "returns None: end it with `return`" in result.message
    result = lesson.check(1, mps_like)
    assert result.outcome is Outcome.FAILED
    assert result.message == ("your code raised NotImplementedError: The operator 'aten::foo' "
                              "is not currently implemented for MPS")
    assert lesson.check(2, None).outcome is Outcome.FAILED


def test_meta_device_results_are_named(lesson):
    result = lesson.check(1, lambda x: (x * 2).to("meta"))
    assert result.outcome is Outcome.FAILED
    assert "on the meta device, which holds no values" in result.message
    assert "meta device" in lesson.check(2, torch.tensor(4.5, device="meta")).message


def test_right_answers_pass(lesson):
    assert lesson.check(1, lambda x: x * 2).passed
    assert lesson.check(2, 4.5).passed
    assert lesson.check(2, torch.tensor(4.5)).passed
    assert str(lesson.check(3, "yes")) == "✅ Passed — Exercise 3 (custom reason)"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (lambda x: x.reshape(2, 2) * 2, "has shape (2, 2), expected (4,)"),
        (lambda x: x * 3, "wrong values (largest difference 3)"),
        (lambda x: (x * 2).tolist(), "should be a tensor, got list"),
        (lambda x: (x * 2).long(), "dtype torch.int64"),
        (lambda x: x / 0 * 0, "contains NaN: every value should be a finite number"),
        (lambda x: (x * 2).to(torch.complex64), "is complex (torch.complex64)"),
        (lambda x: x.undefined(), "your code raised AttributeError"),
    ],
)
def test_wrong_tensors_fail_with_reason(lesson, answer, reason):
    result = lesson.check(1, answer)
    assert result.outcome is Outcome.FAILED
    assert reason in result.message


@pytest.mark.parametrize(
    "answer", [np.float32(4.5), np.float64(4.5), np.array(4.5), np.array([4.5]), np.int64(4) + 0.5])
def test_numpy_numbers_are_numbers(lesson, answer):
    assert lesson.check(2, answer).passed


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(float("inf"), "is inf, not a finite number"), (float("nan"), "is nan, not a finite number"),
     (10**400, "too large for a float (about 2 to the power 1329)"),
     (4.5 + 1j, "complex number"), (True, "should be a number, got True"),
     (np.ones(2), "an array of shape (2,)")],
)
def test_odd_numbers_fail_with_reason(lesson, answer, reason):
    result = lesson.check(2, answer)
    assert result.outcome is Outcome.FAILED
    assert reason in result.message


def test_an_int_too_long_to_print_is_still_named(lesson):
    assert "too large for a float" in lesson.check(2, 10**5000).message


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


@pytest.mark.parametrize("number", [0, 6, 99, -1, "x", 1.5, None])
def test_unknown_exercise_is_one_line(lesson, number, capsys):
    result = lesson.check(number, 1)
    assert result.outcome is Outcome.NO_SUCH_EXERCISE
    assert str(result).endswith(f"99_demo has no exercise {number!r}; its exercises are "
                                "1, 2, 3, 4, 5")
    lesson.hint(number)
    assert capsys.readouterr().out == (f"99_demo has no exercise {number!r}; its exercises are "
                                       "1, 2, 3, 4, 5\n")


def test_exercise_numbers_as_text_work(lesson, capsys):
    assert lesson.check("2", 4.5).passed
    assert lesson.check(np.int64(2), 4.5).passed
    lesson.hint(" 2 ")
    assert capsys.readouterr().out.startswith("Hint for exercise 2 (a number)")


def test_checker_errors_are_not_blamed_on_the_answer(lesson):
    result = lesson.check(4, 1)
    assert result.outcome is Outcome.FAILED
    assert "your code raised" not in result.message
    assert result.message.startswith("the checker could not handle your answer (KeyError")


def test_answers_get_copies_and_may_not_change_inputs(lesson):
    seen = []

    def centre_in_place(x):
        seen.append(x)
        x -= x.mean()
        return x

    result = lesson.check(5, centre_in_place)
    assert result.outcome is Outcome.FAILED
    assert "centre(x) changed its input `x` in place" in result.message
    # The answer never saw the checker's own tensor, so the reference stayed right.
    assert lesson.check(5, lambda x: x - x.mean()).passed
    assert seen[0].tolist() == [-2.0, -1.0, 3.0]


def test_call_may_allow_changes_to_inputs():
    x = torch.ones(3)

    def add_one_(t):
        return t.add_(1)

    assert call(add_one_, x, inputs_may_change=True).tolist() == [2.0, 2.0, 2.0]
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_loss_lists_read_tensors_without_warnings(recwarn):
    w = torch.ones((), requires_grad=True)
    assert as_float_list([w * 2, np.float32(1.5), 3], 3, "losses") == [2.0, 1.5, 3.0]
    assert as_float_list(torch.arange(3.0), 3, "losses") == [0.0, 1.0, 2.0]
    assert not recwarn.list


def test_a_check_has_a_time_limit(lesson):
    lesson.time_limit = 0.2

    def forever(x):
        while True:
            pass

    def sleeps(x):
        time.sleep(30)
        return x * 2

    for answer in (forever, sleeps):
        start = time.perf_counter()
        result = lesson.check(1, answer)
        assert time.perf_counter() - start < 5
        assert result.outcome is Outcome.FAILED
        assert result.message.startswith("your answer ran longer than 0.2 s and was stopped")
    assert lesson.check(1, lambda x: x * 2).passed  # and the timer is gone afterwards
    time.sleep(0.3)


def test_the_time_limit_cannot_be_swallowed(lesson):
    lesson.time_limit = 0.2

    def swallows(x):
        while True:
            try:
                time.sleep(30)
            except Exception:
                pass

    assert "ran longer than" in lesson.check(1, swallows).message


def test_duplicate_numbers_rejected(lesson):
    with pytest.raises(ValueError, match="defined twice"):
        lesson.exercise(1, "again", hint="")(lambda a: None)


def test_without_a_timer_a_check_runs_without_limit(lesson, monkeypatch):
    """Windows has no setitimer; threads other than the main one may not set SIGALRM."""
    import signal
    import threading

    results = []
    thread = threading.Thread(target=lambda: results.append(lesson.check(1, lambda x: x * 2)))
    thread.start()
    thread.join()
    assert results[0].passed
    monkeypatch.delattr(signal, "setitimer")
    assert lesson.check(1, lambda x: x * 2).passed


# -- issue 22: the outcome in words, wrapped between words, in the theme's colours ----------
def test_outcomes_are_told_by_words_not_only_icons(lesson):
    """With no emoji font ✅, ❌ and ⬜ are the same box: the words tell them apart."""
    shown = {str(lesson.check(3, "yes")), str(lesson.check(3, "no")), str(lesson.check(3, ...))}
    words = {text.split(" — ")[0][2:] for text in shown}
    assert words == {"Passed", "Not yet", "Not attempted"}
    html = lesson.check(3, "no")._repr_html_()
    assert "<strong>Not yet</strong>" in html and "the answer must be yes" in html


def test_the_html_wraps_between_words_in_the_themes_text_colour(lesson):
    for answer in ("yes", "no", ...):
        html = lesson.check(3, answer)._repr_html_()
        assert "word-break: normal" in html and "overflow-wrap: normal" in html
        # Text in the theme's own text colour (its contrast, light or dark); colour only
        # in the stripe, which repeats what the word says.
        assert "color: var(--jp-content-font-color1" in html
        assert html.count("color:") == 1
    assert "var(--jp-success-color1" in lesson.check(3, "yes")._repr_html_()
    assert "var(--jp-error-color1" in lesson.check(3, "no")._repr_html_()


def test_the_html_escapes_the_message(lesson):
    result = lesson.check(1, lambda x: "<b>")
    assert "<b>" not in result._repr_html_() and "&lt;" not in result.message


def test_backticked_names_are_code_in_html(lesson):
    def template(x):
        raise TODO

    assert "<code>raise TODO</code>" in lesson.check(1, template)._repr_html_()


# -- issue 18: messages that mislead, state a check must leave alone ------------------------
def test_gradients_switched_off_are_named(lesson):
    with torch.no_grad():
        result = lesson.check(1, lambda x: x * 2)
    assert result.outcome is Outcome.FAILED
    assert result.message.startswith("gradients are switched off")
    torch.set_grad_enabled(False)
    try:
        assert "torch.set_grad_enabled(True)" in lesson.check(1, lambda x: x * 2).message
    finally:
        torch.set_grad_enabled(True)


def test_an_answer_that_switches_gradients_off_leaves_them_on(lesson):
    def switches_off(x):
        torch.set_grad_enabled(False)
        return x * 2

    assert lesson.check(1, switches_off).passed
    assert torch.is_grad_enabled()


def test_system_exit_is_the_answers_and_is_caught(lesson):
    import sys

    def exits(x):
        sys.exit(3)

    result = lesson.check(1, exits)
    assert result.outcome is Outcome.FAILED
    assert result.message.startswith("your code called exit() or sys.exit() (SystemExit: 3)")


def test_replaced_torch_functions_are_put_back(lesson):
    """An answer that replaces torch.allclose (or a Tensor method) cannot fool the checker,
    and the session keeps the real functions."""
    allclose, isfinite = torch.allclose, torch.isfinite

    def cheats(x):
        torch.allclose = lambda *args, **kwargs: True
        torch.isfinite = lambda t: torch.ones_like(t, dtype=torch.bool)
        torch.Tensor.cheat = lambda self: None
        return x * 3

    result = lesson.check(1, cheats)
    assert result.outcome is Outcome.FAILED and "wrong values" in result.message
    assert torch.allclose is allclose and torch.isfinite is isfinite
    assert not hasattr(torch.Tensor, "cheat")


def test_a_check_leaves_the_random_generators_alone(lesson):
    import random

    @lesson.exercise(6, "a checker that seeds", hint="")
    def _(answer):
        torch.manual_seed(0)
        np.random.seed(0)
        random.seed(0)
        call(answer)

    torch.manual_seed(7)
    np.random.seed(7)
    random.seed(7)
    expected = (torch.rand(3), np.random.rand(3), random.random())
    torch.manual_seed(7)
    np.random.seed(7)
    random.seed(7)
    lesson.check(6, lambda: torch.rand(5))
    after = (torch.rand(3), np.random.rand(3), random.random())
    assert torch.equal(after[0], expected[0]) and (after[1] == expected[1]).all()
    assert after[2] == expected[2]


def test_prepare_runs_outside_the_time_limit(lesson):
    """The checker's own reference work does not count against the answer's seconds."""
    prepared = []

    def slow_reference():
        time.sleep(0.4)
        prepared.append(1)

    @lesson.exercise(7, "a slow reference", hint="", prepare=slow_reference)
    def _(answer):
        expect_number(answer, 4.5)

    lesson.time_limit = 0.2
    assert lesson.check(7, 4.5).passed
    assert prepared == [1]


def test_float32_numbers_get_float32_tolerances(lesson):
    @lesson.exercise(8, "a precise number", hint="")
    def _(answer):
        expect_number(answer, 1 / 3, rtol=1e-12, atol=0)

    assert lesson.check(8, torch.tensor(1 / 3)).passed  # float32: right to its precision
    assert lesson.check(8, np.float32(1 / 3)).passed
    assert not lesson.check(8, 0.3333333).passed  # a Python float: float64's tolerance


def test_a_float32_result_for_float64_inputs_names_the_dtype(lesson):
    @lesson.exercise(9, "float64 in, float64 out", hint="")
    def _(double):
        x = torch.linspace(-1, 1, 5, dtype=torch.float64) / 3
        expect_tensor(call(double, x), 2 * x, "double(x)", rtol=1e-9, atol=1e-12)

    assert lesson.check(9, lambda x: 2 * x).passed
    result = lesson.check(9, lambda x: 2 * x.float())
    assert "double(x) is torch.float32, but its inputs are torch.float64" in result.message
    assert "wrong values" in lesson.check(9, lambda x: 2.01 * x.float()).message


def test_a_generator_with_a_typo_is_the_answers_error():
    def losses():
        yield 1.0
        yield undefined_name  # noqa: F821 (the typo)

    with pytest.raises(AnswerRaised, match="NameError"):
        as_float_list(losses(), 2, "the losses")


def test_titles_and_hints_are_listed_for_the_translators(lesson):
    assert lesson.texts()[:4] == ["double a tensor", "multiply by 2", "a number", "it is 4.5"]
