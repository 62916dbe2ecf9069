# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Backpropagation by hand: solutions
#
# One way to solve each exercise of lesson 04, with a line on why it works.
# Other answers can be right too: the checks compare results, not code.

# %%
# On Colab or Binder the course helpers may be missing: install them once.
COURSE_URL = "https://github.com/pytorch-ground-up/course"
try:
    import coursekit
except ModuleNotFoundError:
    import subprocess
    import sys

    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", f"coursekit @ git+{COURSE_URL}"],
        capture_output=True, text=True,
    )
    if pip.returncode != 0:
        class CourseSetupError(Exception):
            def _render_traceback_(self):  # Jupyter shows this one line, not a traceback
                return [str(self)]

        raise CourseSetupError(
            f"Could not install the course helpers (coursekit) from {COURSE_URL}: check "
            "that this address opens and that you are online, then run this cell again.") from None
    import coursekit

# %%
device = coursekit.setup()

# %%
import torch

from coursekit.data import regression_points
from coursekit.exercises.backprop import PREDICT_SETTINGS, exercises
from coursekit.linear_gd import LinearFit, gradient_descent

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ## Exercise 1: gradients of the straight line
#
# dL/dŷ = 2(ŷ − y) per point; multiply by dŷ/dw = x or dŷ/db = 1, then take
# the mean, because the loss is a mean.

# %%
def line_gradients(x, y, w, b):
    grad_y_hat = 2 * (w * x + b - y)
    return (grad_y_hat * x).mean(), grad_y_hat.mean()


# %%
check(1, line_gradients)

# %% [markdown]
# ## Exercise 2: gradients of the cubic
#
# The same dL/dŷ, times dŷ/da = 1, dŷ/db = x, dŷ/dc = x², dŷ/dd = x³, summed
# (the loss is a sum here).

# %%
def cubic_gradients(x, y, a, b, c, d):
    grad_y_hat = 2 * (a + b * x + c * x**2 + d * x**3 - y)
    return (grad_y_hat.sum(), (grad_y_hat * x).sum(), (grad_y_hat * x**2).sum(),
            (grad_y_hat * x**3).sum())


# %%
check(2, cubic_gradients)

# %% [markdown]
# ## Exercise 3: the largest safe learning rate
#
# Build X = [x·scale, 1], the Hessian H = (2/N)·XᵀX, and take 2/λ_max. Float64
# keeps the small eigenvalue accurate.

# %%
def largest_safe_lr(x, scale):
    X = torch.stack([x * scale, torch.ones_like(x)], dim=1).double()
    H = 2 / len(x) * X.T @ X
    return 2 / torch.linalg.eigvalsh(H).max().item()


x, y = regression_points(device)
for s in (1.0, 0.1):
    print(f"input scale {s:g}: largest safe learning rate {largest_safe_lr(x, s):.4g}")

# %%
check(3, largest_safe_lr)

# %% [markdown]
# ## Exercise 4: converge or diverge?
#
# Compare each learning rate with the threshold at its input scale.

# %%
predictions = []
for lr, scale in PREDICT_SETTINGS:
    threshold = largest_safe_lr(x, scale)
    predictions.append("converges" if lr < threshold else "diverges")
    print(f"lr = {lr:g}, scale = {scale:g}: threshold {threshold:.3g} → {predictions[-1]}")

# %%
check(4, predictions)

# %% [markdown]
# ## Exercise 5: rescale the input
#
# Below about 0.7 the threshold is above 0.01, so it no longer diverges; but
# the smaller the scale, the flatter the w direction, and below about 0.04
# 500 epochs are not enough. Anything in between works, for instance 0.3:

# %%
scale = 0.3
run = gradient_descent(LinearFit(x, y, scale), 1e-2, 500)
print(run.verdict())

# %%
check(5, scale)
