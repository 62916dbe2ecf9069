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
# # 02 · Autograd: solutions
#
# One way to solve each exercise of lesson 02, with a line on why it works.
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

from coursekit.exercises.autograd import exercises, training_data

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ## Exercise 1: predict a gradient by hand
#
# f(x) = x³ − 4x, so df/dx = 3x² − 4, and at x = 2: 3 · 4 − 4 = 8.

# %%
slope = 3 * 2**2 - 4

# %%
check(1, slope)

# %% [markdown]
# ## Exercise 2: confirm with autograd
#
# A leaf tensor that requires grad, one forward pass, one `backward()`; the
# slope is then in `x.grad`.

# %%
def autograd_slope(f, x0):
    x = torch.tensor(x0, requires_grad=True)
    f(x).backward()
    return x.grad.item()


print(f"autograd: {autograd_slope(lambda x: x**3 - 4 * x, 2.0):g}, by hand: {slope}")

# %%
check(2, autograd_slope)

# %% [markdown]
# ## Exercise 3: find and fix the bug
#
# `backward()` adds to `w.grad`, and the buggy loop never resets it: each step
# moved `w` by the sum of all gradients so far, which overshoots and swings
# back and forth. One line fixes it: `w.grad.zero_()` after the update.

# %%
def train(x, y, steps, lr):
    w = torch.zeros((), device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((w * x - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            w.grad.zero_()  # the fix: the next step starts from a zero gradient
    return losses


line_x, line_y = training_data()
fixed_losses = train(line_x.to(device), line_y.to(device), steps=30, lr=0.1)
print("losses:", " ".join(f"{loss:.2f}" for loss in fixed_losses[::3]), "(every 3rd step)")

# %%
check(3, train)

# %% [markdown]
# ## Exercise 4: a vector-Jacobian product
#
# `y.backward(v)` leaves vᵀ·J in `x.grad`. For a linear map y = A·x the
# Jacobian is A itself, which makes an easy test: vᵀ·A.

# %%
def vjp(f, x, v):
    x = x.detach().clone().requires_grad_(True)
    f(x).backward(v)
    return x.grad


A = torch.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
v = torch.tensor([1.0, -1.0], device=device)
print("vjp:  ", vjp(lambda x: A @ x, torch.zeros(2, device=device), v).tolist())
print("vᵀ·A: ", (v @ A).tolist())

# %%
check(4, vjp)
