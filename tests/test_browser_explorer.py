"""The browser explorers' shared Python side, lesson 00's slider check, and their JavaScript.

The last test runs the explorers' JavaScript in Node (when Node is installed)
and compares its verdict lines with Python's at hundreds of settings; the
browser tests (test_browser.py) check the same in JupyterLab at a few.
"""

import base64
import io
import itertools
import json
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from coursekit.browser_explorer import JS, ExplorerError, clean, esm, plain
from coursekit.data import REGRESSION_X, REGRESSION_Y
from coursekit.linear_gd import LinearFit, gradient_descent
from coursekit.lr_explorer import describe as describe_run
from coursekit.optim_explorer import (
    BETAS,
    EPS,
    MOMENTUM,
    OPTIMIZERS,
    PROBLEM,
    RMS_ALPHA,
    run_optimizers,
)
from coursekit.optim_explorer import describe as describe_optimizers
from coursekit.wave_check import WaveCheck


def test_wave_check_states_and_text():
    check = WaveCheck()
    assert repr(check) == "Slider check: drawing sin(1·x)"
    assert check.set(frequency=3) == "drawing sin(3·x)"
    assert check.view.frequency == 3.0
    bundle, metadata = check._repr_mimebundle_()
    assert bundle["text/plain"] == "Slider check: drawing sin(3·x)"
    # The static picture's alt text (nbconvert reads it from the output's metadata).
    assert metadata["image/png"]["alt"] == "Move the slider: drawing sin(3·x): sin(f·x) against x"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))))
    assert pixels.std() > 10


def test_controls_are_linked_to_the_view_in_the_kernel():
    check = WaveCheck()
    (link,) = check.links
    assert link.source == (check.controls["frequency"], "value")
    assert link.target == (check.view, "frequency")
    check.view.frequency = 2.5  # what the browser sends while a thumb moves
    assert check.controls["frequency"].value == 2.5 and check.verdict == "drawing sin(2.5·x)"
    check.controls["frequency"].value = 4.0
    assert check.view.frequency == 4.0


def test_the_view_gets_its_controls_and_words():
    check = WaveCheck()
    (spec,) = check.view.controls
    assert spec == {"name": "frequency", "label": "frequency f", "kind": "linear", "min": 0.5,
                    "max": 5.0, "step": 0.05, "digits": 3}
    text = check.view.text
    assert text["drawing sin({f}·x)"] == "drawing sin({f}·x)"  # English: itself
    assert "{verdict}" in text["picture"]
    assert text["tones"]["diverges"] == "bad"


@pytest.mark.parametrize(("x", "shown"), [(1900.4, "1,900"), (18739.2, "18,700"),
                                          (5.34e-5, "0.0000534"), (999.96, "1,000"),
                                          (1e-6, "0.000001"), (0.5, "0.5"), (-2500, "-2,500"),
                                          (3.4e38, "3.4e+38"), (0.0, "0")])
def test_plain_numbers(x, shown):
    assert plain(x) == shown


def test_a_bad_value_is_one_line_in_jupyter():
    check = WaveCheck()
    with pytest.raises(ExplorerError) as error:
        check.set(frequency=7)
    assert error.value._render_traceback_() == [
        "ExplorerError: frequency must be a number from 0.5 to 5; got 7"]


@pytest.mark.parametrize(("value", "message"), [(7, "from 0.5 to 5; got 7"),
                                                (True, "must be a number"), ("3", "got '3'")])
def test_out_of_range_is_an_error_not_a_clamp(value, message):
    check = WaveCheck(frequency=2)
    with pytest.raises(ValueError, match=message):
        check.set(frequency=value)
    assert check.values() == {"frequency": 2.0}


def test_clean_keeps_what_was_typed():
    assert clean(10 ** np.log10(0.3)) == 0.3
    assert clean(0.29999999999999993) == 0.3
    assert clean(1 / 3) == float("0.333333333333")


def test_every_view_module_has_its_shared_part():
    for name in ("wave", "lr", "optim", "digits"):
        module = esm(name)
        assert module.startswith((JS / "common.js").read_text()[:200])
        assert module.rstrip().endswith("export default { render };")


# -- the same verdicts in JavaScript ------------------------------------------------------

def run_node(name: str, body: str) -> list:
    module = esm(name).replace("export default { render };", "")
    done = subprocess.run(["node", "--input-type=module", "-e", module + body],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")


@needs_node
def test_lesson_04_javascript_gives_pythons_verdicts():
    settings = list(itertools.product(
        [1e-6, 1e-4, 1e-3, 3e-3, 5e-3, 0.0053198, 0.01, 0.05, 0.1, 0.3, 1.0],
        [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 3.0, 10.0], [1, 10, 105, 500, 1000]))
    fit = LinearFit(REGRESSION_X, REGRESSION_Y, 1.0)
    settings += [(clean(fit.threshold), 1.0, 300)]  # exactly at the threshold
    expected = []
    for lr, scale, epochs in settings:
        fit = LinearFit(REGRESSION_X, REGRESSION_Y, scale)
        expected.append(describe_run(gradient_descent(fit, lr, epochs), fit))
    got = run_node("lr", f"""
        const x = {json.dumps(list(REGRESSION_X))}, y = {json.dumps(list(REGRESSION_Y))};
        console.log(JSON.stringify({json.dumps(settings)}.map(([lr, s, e]) => {{
          const fit = linearFit(x, y, s);
          return describeRun(gradientDescent(fit, lr, e, [1, 0]), fit, (k) => k).text; }})));""")
    assert sum("overflows" in text for text in expected) > 20
    assert any(text.startswith("neither") for text in expected)
    assert got == expected


@needs_node
def test_lesson_05_javascript_gives_pythons_verdicts_bit_for_bit():
    lrs = [clean(lr) for lr in np.geomspace(1e-4, 10, 81)] + [clean(PROBLEM.sgd_threshold), 0.3]
    settings = [(name, lr) for name in OPTIMIZERS for lr in lrs]
    expected = [describe_optimizers(name, lr, run_optimizers(lr)[1]) for name, lr in settings]
    constants = {"momentum": MOMENTUM, "alpha": RMS_ALPHA, "betas": list(BETAS), "eps": EPS}
    got = run_node("optim", f"""
        const p = problem({json.dumps(list(REGRESSION_X))}, {json.dumps(list(REGRESSION_Y))},
                          [1, 0]);
        console.log(JSON.stringify({json.dumps(settings)}.map(([name, lr]) =>
          describeOptimizers(name, lr, runOptimizers(p, lr, 200, {json.dumps(constants)}), p,
                             (k) => k).text)));
    """)
    # RMSprop at large learning rates is chaotic: only identical arithmetic agrees there.
    assert got == expected
    assert any("," in text.split("is ")[-1] for text in expected)  # 1,900× that


@needs_node
def test_javascript_writes_numbers_as_python_does():
    xs = [1900.4, 18739.2, 5.34e-5, 999.96, 1e-6, 0.5, -2500, 3.4e38, 1e-9, 0.0053198, 12345678,
          0.1 + 0.2, 1 / 3, 2.5e-7]
    got = run_node("wave", f"console.log(JSON.stringify({json.dumps(xs)}.map((x) => "
                           "[plain(x, 2), plain(x, 3), plain(x, 4)])));")
    assert got == [[plain(x, 2), plain(x, 3), plain(x, 4)] for x in xs]


@needs_node
def test_lesson_07_javascript_picks_and_cuts_runs_as_python_does():
    from coursekit.digits_explorer import LEARNING_RATES, Runs, _plottable

    # The view looks the verdict line up by grid position: it must pick Python's position.
    lrs = [clean(lr) for lr in np.geomspace(LEARNING_RATES[0], LEARNING_RATES[-1], 61)]
    runs = Runs((10,), LEARNING_RATES, np.zeros((1, 7, 2)), np.zeros((1, 7, 2)),
                np.zeros((1, 7, 2)))
    expected_index = [runs.index(10, lr)[1] for lr in lrs]
    # Curves that leave the chart every way: above the ceiling, inf, NaN, at once, never.
    curves = [[2.3, 1.0, 0.5], [2.3, 50.0, 0.5], [2.3, np.inf, np.inf], [2.3, 1.0, np.nan],
              [np.nan, np.nan, np.nan], [2.3, 10.0, 10.5]]
    expected_cut = []
    for curve in curves:
        epochs, values, mark = _plottable(curve)
        expected_cut.append([epochs.tolist(), values.tolist(), list(mark) if mark else None])
    as_json = [[v if np.isfinite(v) else None for v in curve] for curve in curves]
    got = run_node("digits", f"""
        const cuts = {json.dumps(as_json)}.map((c) => {{ const p = plottable(c);
          return [p.epochs, p.values, p.mark]; }});
        console.log(JSON.stringify([{json.dumps(lrs)}.map((lr) =>
          nearestIndex({json.dumps(list(LEARNING_RATES))}, lr)), cuts]));""")
    assert got == [expected_index, expected_cut]
    assert sorted(set(expected_index)) == list(range(len(LEARNING_RATES)))
