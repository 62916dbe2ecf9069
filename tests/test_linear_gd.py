"""The closed-form gradient descent of coursekit.linear_gd against the lesson's torch loop."""

import math

import numpy as np
import pytest
import torch

from coursekit.data import REGRESSION_X, REGRESSION_Y
from coursekit.linear_gd import (
    FLOAT32_MAX,
    LinearFit,
    gradient_descent,
    torch_gradient_descent,
)


def fit(scale=1.0):
    return LinearFit(REGRESSION_X, REGRESSION_Y, scale)


def test_syllabus_numbers():
    assert float(fit().loss(1.0, 0.0)) == pytest.approx(1763.88, abs=0.01)
    # The lesson prints the loss computed during epoch 10, i.e. after 9 updates.
    for lr, scale, expected in [(1e-2, 1.0, 1.128e11), (1e-4, 1.0, 1110.3), (1e-2, 0.1, 1139.6)]:
        run = gradient_descent(fit(scale), lr, 10)
        assert run.losses[9] == pytest.approx(expected, rel=1e-3)
    w, b = gradient_descent(fit(), 1e-2, 10).params[10]
    assert w == pytest.approx(-6.75e4, rel=1e-2) and b == pytest.approx(-3.79e3, rel=1e-2)


def test_hessian_threshold_and_minimum():
    f = fit()
    x = np.array(REGRESSION_X)
    X = np.column_stack([x, np.ones_like(x)])
    np.testing.assert_allclose(f.hessian, 2 / len(x) * X.T @ X)
    np.testing.assert_allclose(f.minimum, np.linalg.lstsq(X, REGRESSION_Y, rcond=None)[0])
    assert f.threshold == pytest.approx(2 / np.linalg.eigvalsh(f.hessian).max())
    assert f.threshold == pytest.approx(0.00532, rel=1e-3)
    assert fit(0.1).threshold == pytest.approx(0.3885, rel=1e-3)
    # Scaling x by s scales the w-curvature by s².
    assert fit(0.1).hessian[0, 0] == pytest.approx(f.hessian[0, 0] * 0.01)
    # The best loss does not depend on the scale (same lines, other units of w).
    assert fit(0.1).best_loss == pytest.approx(f.best_loss)
    np.testing.assert_allclose(f.gradient(*f.minimum), 0, atol=1e-9)


def test_gradient_matches_autograd():
    f = fit(0.3)
    w = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(REGRESSION_X, dtype=torch.float64) * 0.3
    ((w * x + b - torch.tensor(REGRESSION_Y, dtype=torch.float64)) ** 2).mean().backward()
    np.testing.assert_allclose(f.gradient(1.5, -2.0), [w.grad.item(), b.grad.item()], rtol=1e-12)
    assert float(f.loss(1.5, -2.0)) == pytest.approx(
        np.mean((1.5 * 0.3 * np.array(REGRESSION_X) - 2.0 - REGRESSION_Y) ** 2))


@pytest.mark.parametrize(
    ("lr", "scale", "epochs"),
    [(1e-2, 1.0, 10), (1e-4, 1.0, 50), (1e-2, 0.1, 200), (0.3, 0.1, 100), (5e-3, 1.0, 200),
     (1e-6, 0.01, 100), (1e-2, 1.0, 60), (1.0, 10.0, 10), (0.1, 0.3, 80), (2e-2, 3.0, 30)],
)
def test_closed_form_matches_the_torch_loop(lr, scale, epochs):
    """Same losses as the per-epoch float32 loop, up to where float32 overflows."""
    run = gradient_descent(fit(scale), lr, epochs)
    losses, params = torch_gradient_descent(REGRESSION_X, REGRESSION_Y, lr, epochs, scale)
    torch_finite = int(np.argmin(np.isfinite(losses))) if not np.isfinite(losses).all() else None
    assert run.overflow_epoch == torch_finite
    n = run.finite_epochs
    assert n >= 2
    np.testing.assert_allclose(run.losses[:n], losses[:n], rtol=2e-4)
    np.testing.assert_allclose(run.params[:n], params[:n], rtol=2e-4, atol=1e-4)
    if torch_finite is not None:
        assert np.isinf(run.losses[n:]).all() and np.isnan(run.params[n:]).all()


def test_overflow_is_a_result_not_a_warning(recwarn):
    run = gradient_descent(fit(10.0), 1.0, 1000)
    assert run.overflow_epoch == 4
    assert np.all(run.losses[:4] <= FLOAT32_MAX)
    assert run.verdict() == "diverges at epoch 1"
    assert len(recwarn) == 0


def test_verdicts_and_threshold_edge():
    f = fit()
    below = gradient_descent(f, 0.95 * f.threshold, 1000)
    above = gradient_descent(f, 1.05 * f.threshold, 1000)
    assert below.verdict().startswith("converges")
    assert above.verdict().startswith("diverges")
    assert gradient_descent(f, 1e-4, 10).verdict().startswith("too slow")
    # The slowest direction shrinks like (1 - lr·λ_min) per epoch.
    lr = 1e-2
    g = fit(0.1)
    excess = gradient_descent(g, lr, 300).losses - g.best_loss
    rate = (1 - lr * g.eigenvalues[0]) ** 2
    assert excess[300] / excess[299] == pytest.approx(rate, rel=1e-6)


def test_window_holds_every_converging_run():
    for scale in (0.01, 0.1, 1.0, 10.0):
        f = fit(scale)
        w_lo, w_hi, b_lo, b_hi = f.window()
        for fraction in (0.1, 0.5, 0.9, 0.999):
            params = gradient_descent(f, fraction * f.threshold, 300).params
            assert np.all((params[:, 0] >= w_lo) & (params[:, 0] <= w_hi))
            assert np.all((params[:, 1] >= b_lo) & (params[:, 1] <= b_hi))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gradient_descent(fit(), 0.0, 10), "learning rate must be a positive number"),
        (lambda: gradient_descent(fit(), math.nan, 10), "learning rate must be a positive number"),
        (lambda: gradient_descent(fit(), 1e-3, 0), "epochs must be a whole number"),
        (lambda: gradient_descent(fit(), 1e-3, 2.5), "epochs must be a whole number"),
        (lambda: LinearFit(REGRESSION_X, REGRESSION_Y, 0.0), "input scale must be a positive"),
        (lambda: LinearFit([1.0, 2.0], [1.0], 1.0), "same length"),
        (lambda: LinearFit([1.0, 1.0], [1.0, 2.0], 1.0), "all x are equal"),
        (lambda: LinearFit([1.0, math.inf], [1.0, 2.0], 1.0), "x contains inf or NaN"),
    ],
)
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_accepts_tensors():
    x, y = torch.tensor(REGRESSION_X), torch.tensor(REGRESSION_Y)
    assert LinearFit(x, y).threshold == pytest.approx(fit().threshold, rel=1e-6)
