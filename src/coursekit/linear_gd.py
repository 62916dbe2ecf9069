"""Gradient descent on a straight-line fit, done exactly and fast (lessons 04 and 05).

The model is ŷ = w·(s·x) + b with the mean squared error as loss; s is the
*input scale*. As a function of θ = (w, b) that loss is a quadratic,

    L(θ) = L* + ½ (θ − θ*)ᵀ H (θ − θ*),   H = (2/N) XᵀX,   X = [s·x, 1],

so plain gradient descent, θ ← θ − lr·∇L(θ), has a closed form:

    θ_k = θ* + (I − lr·H)^k (θ0 − θ*).

In the eigenvectors of H each component is multiplied by (1 − lr·λ) per epoch:
the run converges exactly when every |1 − lr·λ| < 1, that is lr < 2/λ_max, and
the slowest direction shrinks like (1 − lr·λ_min).

`LinearFit` holds the quadratic (Hessian, minimum, threshold), `gradient_descent`
returns a whole run in one vectorised step (no loop over epochs), and
`torch_gradient_descent` is the lesson's hand-written float32 loop, kept here
so tests and benchmarks can compare against it.

Conventions shared with `coursekit.verdict`: `losses[k]` is the loss after k
updates (index 0 = the start). The course's tensors are float32, so a run counts
as overflowed once the sum of squared errors passes the largest float32 (about
3.4e38), where the torch loop's loss turns into inf: from that epoch on the
losses are `inf` and the parameters NaN, as they would be in the torch loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .verdict import verdict as verdict_words

FLOAT32_MAX = float(np.finfo(np.float32).max)
DEFAULT_START = (1.0, 0.0)


def _as_vector(values, name: str) -> np.ndarray:
    try:  # tensors (CPU or GPU), lists and arrays alike
        values = values.detach().cpu().numpy() if hasattr(values, "detach") else values
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a list, array or tensor of numbers ({exc})") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains inf or NaN")
    return array


@dataclass(frozen=True, eq=False)
class LinearFit:
    """The mean squared error of ŷ = w·(scale·x) + b on fixed data, as a quadratic in (w, b).

    `x` and `y` may be lists, NumPy arrays or tensors; everything is computed in
    float64 NumPy.
    """

    x: np.ndarray
    y: np.ndarray
    scale: float = 1.0

    def __post_init__(self):
        x, y = _as_vector(self.x, "x"), _as_vector(self.y, "y")
        if len(x) != len(y) or len(x) < 2:
            raise ValueError(
                f"x and y need the same length, at least 2 (got {len(x)} and {len(y)})")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"the input scale must be a positive number, got {self.scale!r}")
        if np.ptp(x) == 0:
            raise ValueError("all x are equal: a straight line is not determined")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "scale", float(self.scale))

    @cached_property
    def design(self) -> np.ndarray:
        """X = [s·x, 1], one row per sample."""
        return np.column_stack([self.scale * self.x, np.ones_like(self.x)])

    @cached_property
    def hessian(self) -> np.ndarray:
        """H = (2/N)·XᵀX, the same at every (w, b) because the loss is quadratic."""
        return 2.0 / len(self.x) * self.design.T @ self.design

    @cached_property
    def minimum(self) -> np.ndarray:
        """θ* = (w*, b*), where the gradient is zero (the least-squares line)."""
        return np.linalg.solve(self.hessian, 2.0 / len(self.x) * self.design.T @ self.y)

    @cached_property
    def best_loss(self) -> float:
        """L*, the lowest loss any (w, b) can reach."""
        residual = self.design @ self.minimum - self.y
        return float(np.mean(residual**2))

    @cached_property
    def _eigen(self) -> tuple[np.ndarray, np.ndarray]:
        return np.linalg.eigh(self.hessian)

    @property
    def eigenvalues(self) -> np.ndarray:
        """(λ_min, λ_max) of the Hessian."""
        return self._eigen[0]

    @property
    def threshold(self) -> float:
        """2/λ_max: gradient descent converges exactly for learning rates below this."""
        return 2.0 / float(self.eigenvalues[-1])

    def loss(self, w, b) -> np.ndarray:
        """Mean squared error at (w, b); both may be arrays (they broadcast, e.g. a grid)."""
        dw = np.asarray(w, dtype=np.float64) - self.minimum[0]
        db = np.asarray(b, dtype=np.float64) - self.minimum[1]
        (hww, hwb), (_, hbb) = self.hessian
        return self.best_loss + 0.5 * (hww * dw * dw + 2 * hwb * dw * db + hbb * db * db)

    def gradient(self, w: float, b: float) -> np.ndarray:
        """(dL/dw, dL/db) = mean of 2(ŷ − y)·(s·x) and mean of 2(ŷ − y)."""
        return self.hessian @ (np.array([w, b], dtype=np.float64) - self.minimum)

    def window(self, start=DEFAULT_START, margin: float = 0.15) -> tuple[float, ...]:
        """(w_lo, w_hi, b_lo, b_hi): a box holding every converging run from `start`.

        A converging run never climbs above its starting loss, so it stays inside
        the ellipse L ≤ L(start); this is that ellipse's bounding box plus a margin.
        """
        rise = float(self.loss(*start)) - self.best_loss
        inverse = np.linalg.inv(self.hessian)
        half = np.sqrt(2.0 * max(rise, 1e-12) * np.diag(inverse)) * (1 + margin)
        (w0, b0), (hw, hb) = self.minimum, half
        return (w0 - hw, w0 + hw, b0 - hb, b0 + hb)


@dataclass(frozen=True, eq=False)
class Run:
    """One gradient-descent run: `params[k]` = (w, b) and `losses[k]` after k updates."""

    lr: float
    params: np.ndarray  # shape (epochs + 1, 2); NaN once overflowed
    losses: np.ndarray  # shape (epochs + 1,); inf once overflowed
    best_loss: float
    overflow_epoch: int | None  # first epoch whose loss no longer fits in float32

    @property
    def epochs(self) -> int:
        return len(self.losses) - 1

    @property
    def finite_epochs(self) -> int:
        """How many leading entries of `losses` are finite (all of them if no overflow)."""
        return len(self.losses) if self.overflow_epoch is None else self.overflow_epoch

    def verdict(self) -> str:
        """"converges…", "diverges at epoch k" or "too slow…" (see coursekit.verdict)."""
        return verdict_words(self.losses, self.best_loss)


def _check_settings(lr: float, epochs: int) -> None:
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a whole number ≥ 1, got {epochs!r}")


def gradient_descent(fit: LinearFit, lr: float, epochs: int, start=DEFAULT_START) -> Run:
    """The whole run θ_k = θ* + (I − lr·H)^k (θ0 − θ*), k = 0..epochs, without a loop.

    Exact (float64) up to where a float32 loss would overflow; from there on the
    losses are inf and the parameters NaN. Never warns.
    """
    _check_settings(lr, epochs)
    lam, vectors = fit._eigen
    k = np.arange(epochs + 1, dtype=np.float64)[:, None]
    offset = vectors.T @ (np.asarray(start, dtype=np.float64) - fit.minimum)
    with np.errstate(all="ignore"):  # overflow is a result here, handled below
        factors = np.power(1.0 - lr * lam, k)  # (epochs + 1, 2), per eigen-direction
        parts = np.where(offset == 0.0, 0.0, offset * factors)
        params = fit.minimum + parts @ vectors.T
        losses = fit.best_loss + 0.5 * (parts * parts) @ lam
    # float32 sums the N squared errors before dividing: that sum overflows first.
    too_big = ~(losses <= FLOAT32_MAX / len(fit.x)) | ~np.all(np.abs(params) <= FLOAT32_MAX, axis=1)
    overflow_epoch = int(np.argmax(too_big)) if too_big.any() else None
    if overflow_epoch is not None:
        losses[overflow_epoch:] = np.inf
        params[overflow_epoch:] = np.nan
    return Run(float(lr), params, losses, fit.best_loss, overflow_epoch)


def torch_gradient_descent(x, y, lr: float, epochs: int, scale: float = 1.0, start=DEFAULT_START,
                           device=None):
    """The lesson's hand-written loop in float32 torch, one epoch at a time.

    Returns (losses, params) as NumPy arrays with the same layout as `Run`:
    index k is after k updates. Slow on purpose: it is the reference that the
    closed form must match.
    """
    import torch

    _check_settings(lr, epochs)
    x = torch.as_tensor(x, dtype=torch.float32, device=device) * scale
    y = torch.as_tensor(y, dtype=torch.float32, device=device)
    w = torch.tensor(float(start[0]), device=device)
    b = torch.tensor(float(start[1]), device=device)
    losses, params = [], []
    for _ in range(epochs + 1):
        y_hat = w * x + b
        losses.append(((y_hat - y) ** 2).mean().item())
        params.append((w.item(), b.item()))
        grad_y_hat = 2 * (y_hat - y)  # dL/dŷ, one per sample
        grad_w = (grad_y_hat * x).mean()  # dŷ/dw = x
        grad_b = grad_y_hat.mean()  # dŷ/db = 1
        w = w - lr * grad_w
        b = b - lr * grad_b
    return np.array(losses), np.array(params)
