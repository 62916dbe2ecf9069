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
# # 01 · Tensors: solutions
#
# One way to solve each exercise of lesson 01, with a line on why it works.
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

from coursekit.exercises.tensors import exercises

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ## Exercise 1: sum and mean as Python numbers
#
# `sum()` and `mean()` return 0-dimensional tensors; `.item()` unwraps each
# into a Python float.

# %%
def total_and_mean(t):
    return t.sum().item(), t.mean().item()


print(total_and_mean(torch.tensor([1.0, 2.0, 3.0, 4.0])))

# %%
check(1, total_and_mean)

# %% [markdown]
# ## Exercise 2: predict the shapes
#
# 1. `(4, 1)` and `(3,)` line up from the right as `(4, 1)` and `(1, 3)`: each
#    size 1 stretches, giving `(4, 3)`.
# 2. 2·3·4 = 24 elements in 6 rows leaves 4 per row: `(6, 4)`.
# 3. A new axis of size 1 at position 1: `(5, 1, 3)`.
# 4. `(5, 1, 3)` and `(2, 1)` line up as `(5, 1, 3)` and `(1, 2, 1)`: `(5, 2, 3)`.

# %%
shapes = [(4, 3), (6, 4), (5, 1, 3), (5, 2, 3)]

# %%
check(2, shapes)

# %% [markdown]
# ## Exercise 3: cubic features by broadcasting
#
# `(N, 1)` against `(3,)` broadcasts to `(N, 3)`. The powers are created on
# `x.device`, so the function works wherever `x` lives.

# %%
def cubic_features(x):
    powers = torch.tensor([1, 2, 3], device=x.device)
    return x.unsqueeze(-1).pow(powers)


example = cubic_features(torch.tensor([1.0, 2.0, -1.0], device=device))
print(example.cpu())

# %%
check(3, cubic_features)

# %% [markdown]
# ## Exercise 4: standardize every column
#
# `m.mean(dim=0)` and `m.std(dim=0)` have shape `(C,)`, one number per column;
# against the `(N, C)` matrix they broadcast along the rows.

# %%
def standardize(m):
    return (m - m.mean(dim=0)) / m.std(dim=0)


data = torch.tensor([[1.0, 100.0], [2.0, 300.0], [3.0, 500.0]])
scaled = standardize(data)
print("column means:", [f"{v:.3f}" for v in scaled.mean(dim=0).tolist()])
print("column stds: ", [f"{v:.3f}" for v in scaled.std(dim=0).tolist()])

# %%
check(4, standardize)
