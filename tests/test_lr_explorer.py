"""Lesson 04's learning-rate explorer: logic without widgets, then the wiring."""

import io
import itertools

import numpy as np
import pytest
from PIL import Image

from coursekit.data import REGRESSION_X, REGRESSION_Y
from coursekit.linear_gd import FLOAT32_MAX, LinearFit, gradient_descent, torch_gradient_descent
from coursekit.lr_explorer import (
    EPOCH_RANGE,
    LearningRateExplorer,
    clip_path,
    describe,
    threshold_text,
)
from coursekit.plotting import figure_png


@pytest.fixture(scope="module")
def explorer():
    return LearningRateExplorer()


def png_pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


# -- logic, no widgets -----------------------------------------------------------

def test_threshold_text():
    fit = LinearFit(REGRESSION_X, REGRESSION_Y, 1.0)
    assert threshold_text(0.01, fit) == "lr = 0.01 is 1.88× the threshold 2/λ_max = 0.00532"
    assert "0.0257×" in threshold_text(0.01, LinearFit(REGRESSION_X, REGRESSION_Y, 0.1))


def test_describe_says_what_happens_and_why():
    fit = LinearFit(REGRESSION_X, REGRESSION_Y, 1.0)
    text = describe(gradient_descent(fit, 1e-2, 60), fit)
    assert text.startswith("diverges at epoch 1 · lr = 0.01 is 1.88×")
    assert text.endswith("the loss overflows float32 (inf) at epoch 39")
    # Just above the threshold, from a start in the valley, the loss first
    # falls: the verdict must still say that it will diverge.
    _, vectors = np.linalg.eigh(fit.hessian)
    start = fit.minimum + 10 * vectors[:, 0] + 0.01 * vectors[:, 1]
    run = gradient_descent(fit, 1.01 * fit.threshold, 3, start)
    assert run.losses[3] < run.losses[0]
    assert "above the threshold: it diverges given more epochs" in describe(run, fit)


def test_clip_path_keeps_true_direction():
    box = (0.0, 1.0, 0.0, 1.0)
    inside = np.array([[0.5, 0.5], [0.6, 0.4]])
    points, exit_epoch = clip_path(inside, box)
    assert exit_epoch is None and points is inside
    path = np.array([[0.5, 0.5], [0.75, 0.5], [1e30, 0.5 - 1e29], [-1e300, 0.0]])
    points, exit_epoch = clip_path(path, box)
    assert exit_epoch == 2
    assert len(points) == 3
    np.testing.assert_allclose(points[2], [1.0, 0.475], rtol=1e-9)


# -- the widget ------------------------------------------------------------------

def test_opens_on_the_problem(explorer):
    explorer.set(lr=1e-2, scale=1.0, epochs=10)
    assert explorer.verdict.startswith("diverges at epoch 1")
    assert "lr = 0.01 is 1.88× the threshold 2/λ_max = 0.00532" in explorer.verdict
    assert "diverges" in explorer.status.value and "0.00532" in explorer.status.value
    assert explorer.headline.get_text() == "diverges at epoch 1"
    fresh = LearningRateExplorer()
    assert fresh.values() == {"lr": 1e-2, "scale": 1.0, "epochs": 10}
    assert fresh.verdict == explorer.verdict
    assert fresh.problems == []


def test_controls_are_labelled_and_cover_the_ranges(explorer):
    lr, scale, epochs = (explorer.controls[k] for k in ("lr", "scale", "epochs"))
    assert (lr.description, scale.description, epochs.description) == (
        "learning rate", "input scale", "epochs")
    assert 10**lr.min <= 1e-6 and 10**lr.max >= 1
    assert 10**scale.min <= 0.01 and 10**scale.max >= 10
    assert epochs.min == 1 and epochs.max >= 200


GRID = list(itertools.product([1e-6, 1.0], [0.01, 10.0], list(EPOCH_RANGE)))


@pytest.mark.parametrize(("lr", "scale", "epochs"), GRID)
def test_extremes_never_throw_warn_or_go_blank(explorer, recwarn, lr, scale, epochs):
    verdict = explorer.set(lr=lr, scale=scale, epochs=epochs)
    assert explorer.problems == []
    assert len(recwarn) == 0
    assert verdict.split(" ")[0] in {"converges:", "diverges", "too"}
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert png_pixels(explorer.image.value).std() > 10  # something is drawn
    y = np.asarray(explorer.loss_line.get_ydata())
    assert len(y) >= 1 and np.all(np.isfinite(y)) and np.all(y <= FLOAT32_MAX)
    path = np.column_stack(explorer.path_line.get_data())
    assert np.all(np.isfinite(path))
    w_lo, w_hi, b_lo, b_hi = explorer.box
    slack = 1e-9 * max(w_hi - w_lo, b_hi - b_lo)  # the exit point sits on the edge
    assert np.all((path[:, 0] >= w_lo - slack) & (path[:, 0] <= w_hi + slack))
    assert np.all((path[:, 1] >= b_lo - slack) & (path[:, 1] <= b_hi + slack))
    if explorer.run.overflow_epoch is not None:
        assert "inf from epoch" in explorer.loss_note.get_text()


def test_moving_sliders_redraws_the_right_run(explorer):
    explorer.set(lr=1e-2, scale=1.0, epochs=10)
    explorer.controls["scale"].value = 0.1
    explorer.controls["epochs"].value = 300
    assert explorer.verdict.startswith("converges: loss")
    expected = gradient_descent(LinearFit(REGRESSION_X, REGRESSION_Y, 0.1), 1e-2, 300).losses
    np.testing.assert_allclose(explorer.loss_line.get_ydata(), expected)
    explorer.controls["lr"].value = 1e-4
    assert explorer.verdict.startswith("too slow: loss still")
    assert explorer.loss_axes.get_xlim() == (0, 300)


@pytest.mark.parametrize(
    ("lr", "scale", "epochs"),
    [(1e-2, 1.0, 10), (1e-2, 1.0, 80), (1e-4, 1.0, 30), (1e-2, 0.1, 100), (1.0, 10.0, 20),
     (0.3, 0.1, 50)],
)
def test_explorer_shows_the_lessons_torch_loop(explorer, lr, scale, epochs):
    explorer.set(lr=lr, scale=scale, epochs=epochs)
    losses, _ = torch_gradient_descent(REGRESSION_X, REGRESSION_Y, lr, epochs, scale)
    shown = np.asarray(explorer.loss_line.get_ydata())
    finite = np.isfinite(losses)
    assert len(shown) == finite.sum()  # the curve stops where float32 overflows
    np.testing.assert_allclose(shown, losses[finite], rtol=2e-4)


def test_contours_rebuilt_only_when_the_scale_changes(explorer):
    explorer.set(lr=1e-3, scale=1.0, epochs=10)
    contours = explorer._contours
    explorer.set(lr=0.5, epochs=500)
    assert explorer._contours is contours
    explorer.set(scale=0.5)
    assert explorer._contours is not contours
    assert contours.axes is None  # the old set left the figure


def test_partial_redraw_matches_a_full_redraw(explorer):
    for settings in ({"lr": 1e-2, "scale": 1.0, "epochs": 10}, {"lr": 0.2, "epochs": 77},
                     {"scale": 0.05, "lr": 1e-3}):
        explorer.set(**settings)
        fast = png_pixels(explorer.image.value)
        explorer.figure.canvas.forget_background()
        full = png_pixels(figure_png(explorer.figure, explorer.dpi))
        np.testing.assert_array_equal(fast, full)


def test_static_picture_for_github():
    bundle = LearningRateExplorer()._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Learning-rate explorer: diverges at epoch 1")
    assert bundle["image/png"]
    width, height = Image.open(io.BytesIO(LearningRateExplorer().image.value)).size
    assert width >= 600 and height >= 250
