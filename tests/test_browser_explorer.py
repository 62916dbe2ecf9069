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

from coursekit.browser_explorer import JS, clean, esm
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
    bundle = check._repr_mimebundle_()
    assert bundle["text/plain"] == "Slider check: drawing sin(3·x)"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))))
    assert pixels.std() > 10


def test_controls_are_linked_in_the_browser():
    check = WaveCheck()
    (link,) = check.links
    assert type(link).__name__ == "Link"  # jslink: the browser links them, not the kernel
    assert link.source == (check.controls["frequency"], "value")
    assert link.target == (check.view, "frequency")


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
          return describeRun(gradientDescent(fit, lr, e, [1, 0]), fit); }})));""")
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
          describeOptimizers(name, lr, runOptimizers(p, lr, 200, {json.dumps(constants)}), p))));
    """)
    # RMSprop at large learning rates is chaotic: only identical arithmetic agrees there.
    assert got == expected


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
