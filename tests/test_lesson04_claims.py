"""Lesson 04's 'Things to try' 2, checked at every input scale the explorer offers.

The lesson prints the numbers at scale 1; these tests make sure the sentence
holds at any scale: just above 2/λ_max the loss rises from the first epoch but
slowly, just below it the loss falls at every epoch.
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
