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
# # 06 · Extending autograd: solutions
#
# One way to solve each exercise of lesson 06, with a line on why it works.
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

from coursekit.exercises.extending import RepeatNet, exercises, recorded_nodes

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ## Exercise 1: a backward for the smooth absolute value
#
# By the chain rule, d/dx √(x² + 1) = ½·(x² + 1)^(−½) · 2x = x / √(x² + 1).
# The backward multiplies that local derivative by `grad_output`, the gradient
# arriving from above.

# %%
class SmoothAbs(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sqrt(x**2 + 1)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x / torch.sqrt(x**2 + 1)


# %%
check(1, SmoothAbs)

# %% [markdown]
# ## Exercise 2: two inputs, two gradients
#
# ∂h/∂a = a/h and ∂h/∂b = b/h. `backward` returns them as a pair, in the order
# of `forward`'s inputs.

# %%
class Hypot(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return torch.sqrt(a**2 + b**2)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        h = torch.sqrt(a**2 + b**2)
        return grad_output * a / h, grad_output * b / h


# %%
check(2, Hypot)

# %% [markdown]
# ## Exercise 3: a backward checker
#
# gradcheck in float64, with `raise_exception=False` so that a wrong backward
# gives `False` instead of an error. The inputs come from a seeded generator,
# so the check is the same every time.

# %%
def backward_is_right(function):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(5, generator=generator, dtype=torch.float64).requires_grad_()
    return torch.autograd.gradcheck(function.apply, (x,), raise_exception=False)


# %%
check(3, backward_is_right)

# %% [markdown]
# ## Exercise 4: predict the graph
#
# Depth 1 records 14 nodes, and each further turn of the loop adds three (an
# `AddmmBackward0`, a `TBackward0` and a `TanhBackward0`): 14 + 3·6 = 32 at
# depth 7. The leaves are the six parameter tensors, whatever the depth. The
# lesson's network, counted:

# %%
nodes_at_depth_7 = 14 + 3 * (7 - 1)
leaves_at_depth_7 = 6

nodes = recorded_nodes(RepeatNet()(torch.zeros(4, 1), 7))
leaves = sum(node.name().endswith("AccumulateGrad") for node in nodes)
print(f"counted: {len(nodes)} nodes, {leaves} leaves")

# %%
check(4, (nodes_at_depth_7, leaves_at_depth_7))
