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
    import os
    import subprocess
    import sys

    class CourseSetupError(Exception):
        def _render_traceback_(self):  # Jupyter shows this one line, not a traceback
            return [str(self)]

    if any(os.path.isfile(os.path.join(up, "course.py")) for up in ("..", "../..")):
        raise CourseSetupError(  # a course folder: its own command sets the helpers up
            "This Python lacks the course helpers (coursekit): in the course folder, run "
            "`python course.py lab` and open the lesson from there.") from None
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", f"coursekit @ git+{COURSE_URL}"],
        capture_output=True, text=True,
    )
    if pip.returncode != 0:
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
# Two limits. lr = 0.5 must be below the threshold 2/λ_max(s), and the
# threshold grows as the scale shrinks: that gives an upper bound on s. But
# the smaller s, the smaller λ_min, and the flat axis shrinks by 1 − 0.5·λ_min
# per epoch: in 100 epochs that must get within 1 % of the best loss, which
# gives a lower bound. A sweep over scales shows both:

# %%
for s in (0.01, 0.02, 0.03, 0.05, 0.08, 0.1):
    fit = LinearFit(x, y, s)
    lam_min, lam_max = fit.eigenvalues
    final = gradient_descent(fit, 0.5, 100).losses[-1]
    print(f"scale {s:<4g}: threshold {fit.threshold:.3g}, flat axis shrinks by "
          f"{1 - 0.5 * lam_min:.3f} per epoch, loss after 100 epochs {final:.4g} "
          f"(best {fit.best_loss:.4g})")

# %% [markdown]
# In the sweep 0.03, 0.05 and 0.08 work: 0.02 is still 5 % above the best loss
# after 100 epochs, and at 0.1 the threshold (0.39) is below 0.5, so it
# diverges. Take a scale in the middle:

# %%
scale = 0.05

# %%
check(5, scale)
