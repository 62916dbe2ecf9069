"""Lesson 04's 'Things to try' 2, checked at every input scale the explorer offers.

The lesson prints the numbers at scale 1; these tests make sure the sentence
holds at any scale: from 1.01 × 2/λ_max the loss rises from the first epoch but
slowly, just below it the loss falls at every epoch; and, at scale 1, that as
close as 1.0005 × the loss falls for a while before it grows.
"""

import numpy as np
import pytest

from coursekit.data import REGRESSION_X, REGRESSION_Y
from coursekit.linear_gd import LinearFit, gradient_descent

SCALES = np.geomspace(0.01, 10, 25)


@pytest.mark.parametrize("scale", SCALES)
def test_just_above_the_threshold_the_first_epoch_already_raises_the_loss(scale):
    fit = LinearFit(REGRESSION_X, REGRESSION_Y, scale)
    for ratio in np.linspace(1.01, 1.2, 20):
        losses = gradient_descent(fit, ratio * fit.threshold, 1).losses
        assert losses[1] > losses[0], (scale, ratio)


@pytest.mark.parametrize("scale", SCALES)
def test_near_the_edge_everything_is_gentle(scale):
    fit = LinearFit(REGRESSION_X, REGRESSION_Y, scale)
    above = gradient_descent(fit, 1.01 * fit.threshold, 100).losses
    assert np.argmax(above > 2 * above[0]) > 10  # more than 10 epochs to double
    below = gradient_descent(fit, 0.99 * fit.threshold, 100).losses
    assert np.all(np.diff(below) < 0)  # falls at every epoch


def test_at_scale_1_the_printed_figures_hold():
    fit = LinearFit(REGRESSION_X, REGRESSION_Y, 1.0)
    above = gradient_descent(fit, 1.01 * fit.threshold, 100).losses
    assert np.argmax(above > 2 * above[0]) == 23  # "first doubles at epoch 23"
    edge = gradient_descent(fit, 1.0005 * fit.threshold, 1000).losses
    assert edge[1] < edge[0] and np.argmin(edge) == 37  # falls until epoch 37
    assert 450 <= np.argmax(edge > 2 * edge[0]) <= 550  # "about 500 epochs to double"
