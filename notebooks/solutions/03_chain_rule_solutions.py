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
# # 03 · The chain rule: solutions
#
# Solutions of the exercises of `03_chain_rule.ipynb`. Try them yourself first:
# the lesson checks your answers and gives hints (`hint(n)`).

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
import math

from coursekit.exercises.chain_rule import exercises
from coursekit.tiny_autograd import Value

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ### Exercise 1: chain rule, one variable
#
# y = 3x − 1 and z = tanh(y): dz/dx = dz/dy · dy/dx = (1 − tanh²(y)) · 3,
# with y = 3 · 0.5 − 1 = 0.5.

# %%
y = 3 * 0.5 - 1
answer = (1 - math.tanh(y) ** 2) * 3
print(f"dz/dx = {answer:.6f}")

# %%
check(1, answer)

# %% [markdown]
# ### Exercise 2: one neuron, given the upstream gradient
#
# ∂z/∂w = x and ∂z/∂b = 1 come from the forward pass; multiply each by the
# upstream ∂C/∂z.

# %%
def neuron_gradients(x, dC_dz):
    """Return (dC_dw, dC_db) for z = w·x + b."""
    return x * dC_dz, dC_dz


# %%
check(2, neuron_gradients)

# %% [markdown]
# ### Exercise 3: fill in the gradients of a graph
#
# Forward, with x = 2, y = −3: u = x·y = −6, v = u + y = −9, w = v·x = −18,
# f = w·u = 108. Backwards, one node at a time (a node used twice sums the
# gradients arriving along each of its edges):
#
# - ∂f/∂f = 1
# - ∂f/∂w = u = −6 (from f = w·u)
# - ∂f/∂v = ∂f/∂w · x = −12 (from w = v·x)
# - ∂f/∂u = w (from f) + ∂f/∂v · 1 (from v) = −18 − 12 = −30
# - ∂f/∂x = ∂f/∂w · v (from w) + ∂f/∂u · y (from u) = 54 + 90 = 144
# - ∂f/∂y = ∂f/∂u · x (from u) + ∂f/∂v · 1 (from v) = −60 − 12 = −72
#
# Check: f = x³y² + x²y², so ∂f/∂x = 3x²y² + 2xy² = 144 and
# ∂f/∂y = 2x³y + 2x²y = −72.

# %%
grads = {"f": 1.0, "w": -6.0, "v": -12.0, "u": -30.0, "x": 144.0, "y": -72.0}

# %%
check(3, grads)

# %% [markdown]
# ### Exercise 4: write the backward of `exp`
#
# d exp(a)/da = exp(a), which the forward pass already computed: `out.data`.
# As in every operation of the engine, **add** to `a.grad`: `a` may feed other
# operations too.

# %%
def exp(a):
    out = Value(math.exp(a.data), (a,), "exp")

    def _backward():
        a.grad += out.data * out.grad

    out._backward = _backward
    return out


# %%
check(4, exp)

# %% [markdown]
# ### Exercise 5: train ŷ = w·x with the tiny engine
#
# The same loop as the lesson's worked example: the tiny engine's `backward()`
# adds to the gradient of an input, like PyTorch, so reset `w.grad` before
# each backward.

# %%
def fit(w0, lr, epochs):
    """Train ŷ = w·x from w = w0; return the final w."""
    w = Value(w0)
    for _ in range(epochs):
        for x, y in zip([1.0, 2.0, 3.0], [2.0, 4.0, 6.0], strict=True):
            loss = (w * x - y) ** 2
            w.grad = 0.0
            loss.backward()
            w.data -= lr * w.grad
    return w.data


w_final = fit(3.0, 0.01, 100)
print(f"w = {w_final:.6f}; prediction for x = 4: {4 * w_final:.3f}")

# %%
check(5, fit)
