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
# # 01 · Tensors
#
# A **tensor** is PyTorch's n-dimensional array. If you know NumPy arrays, you
# already know most of it: a tensor has a shape, a dtype, and supports
# indexing, arithmetic and reductions. Two things make it more than an array:
#
# 1. it can live on a **GPU**, where big arithmetic runs much faster;
# 2. it can **record the operations** done to it, so PyTorch can compute
#    gradients for you. That is lesson 02.
#
# In this lesson: creating tensors, shapes and broadcasting, reductions,
# NumPy interop, devices, and the data set that lesson 04 will fit.

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

# %% [markdown]
# ## 1. Creating tensors
#
# The most direct way: from a (nested) Python list.

# %%
import torch

t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(t)
print("shape:", tuple(t.shape), " dtype:", t.dtype)

# %% [markdown]
# Decimal numbers become `torch.float32`, which PyTorch also calls
# `torch.float`: the usual choice for neural networks. Each number takes 4
# bytes, half of NumPy's default float64, so twice as many fit in memory. It is
# not the fastest type, though: GPUs compute faster still with the 16-bit types
# `float16` and `bfloat16`, which give up precision for speed (section 5 times
# them where a GPU is present). This course stays with float32: precise enough
# for training, and supported everywhere. Whole numbers become `torch.int64`.

# %%
print("torch.float is torch.float32:", torch.float is torch.float32)
print("bytes per number: float32", torch.ones(1).element_size(),
      " float64", torch.ones(1, dtype=torch.float64).element_size(),
      " float16", torch.ones(1, dtype=torch.float16).element_size())
print("dtype of torch.tensor([1, 2, 3]):", torch.tensor([1, 2, 3]).dtype)

# %% [markdown]
# Functions that fill a tensor of a given shape:

# %%
print(torch.zeros(2, 3))
print(torch.ones(2, 3))
print(torch.randn(2, 3))  # normal distribution, mean 0, std 1
print(torch.linspace(0, 1, 5))  # 5 evenly spaced points from 0 to 1, ends included

# %% [markdown]
# Every creation function takes a `dtype` (what kind of number) and a `device`
# (where the tensor lives). `device` is the variable `coursekit.setup()`
# returned: the GPU when there is one, the CPU otherwise.

# %%
halves = torch.ones(3, dtype=torch.float64)
counts = torch.zeros(3, dtype=torch.int32)
on_device = torch.ones(3, device=device)
print(halves.dtype, counts.dtype)
# Compare the device *type*: a tensor reports "cuda:0" where the variable may say "cuda".
print("on_device lives on the course device:", on_device.device.type == device.type)

# %% [markdown]
# ## 2. Shapes
#
# Indexing works like NumPy: one index per axis, `:` for "all of this axis",
# negative numbers count from the end. `.tolist()` turns a tensor into a plain
# Python list, and `.item()` a one-element tensor into a plain number (more on
# it in section 3): both print more cleanly than the tensor itself.

# %%
m = torch.arange(12).reshape(3, 4)  # 0, 1, …, 11 as 3 rows of 4
print(m)
print("m[1]     =", m[1].tolist())  # the second row
print("m[:, 0]  =", m[:, 0].tolist())  # the first column
print("m[-1, -1] =", m[-1, -1].item())  # the last element, as a Python int

# %% [markdown]
# `reshape` rearranges the same numbers into another shape; `-1` means
# "whatever size makes the count come out right". `view` does the same but
# never copies: it only works when the memory layout allows it, and the result
# shares memory with the original.

# %%
print(tuple(m.reshape(4, 3).shape), tuple(m.reshape(2, -1).shape), tuple(m.view(12).shape))

flat = m.view(12)
flat[0] = 100  # a view shares memory: m changes too
print("m[0, 0] after changing the view:", m[0, 0].item())

# %% [markdown]
# The number of elements must match, or you get a clear error:

# %%
try:
    m.reshape(5, -1)
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# `unsqueeze(dim)` inserts an axis of size 1. A vector of shape `(4,)` becomes
# a column `(4, 1)` with `unsqueeze(-1)` or a row `(1, 4)` with `unsqueeze(0)`.

# %%
v = torch.tensor([1.0, 2.0, 3.0, 4.0])
print("v:", tuple(v.shape), " v.unsqueeze(-1):", tuple(v.unsqueeze(-1).shape),
      " v.unsqueeze(0):", tuple(v.unsqueeze(0).shape))

# %% [markdown]
# ### Broadcasting
#
# When two tensors of different shapes meet in an operation, PyTorch lines
# their shapes up **from the right**. Two sizes fit when they are equal or one
# of them is 1 (a missing axis counts as 1); a size 1 is stretched to match,
# without copying any data. A column `(4, 1)` plus a row `(3,)` gives a
# `(4, 3)` table of every sum:

# %%
column = torch.tensor([[0.0], [10.0], [20.0], [30.0]])  # shape (4, 1)
row = torch.tensor([1.0, 2.0, 3.0])  # shape (3,)
table = column + row
print(tuple(column.shape), "+", tuple(row.shape), "->", tuple(table.shape))
print(table)

# %% [markdown]
# Shapes that do not fit raise an error naming the axis:

# %%
try:
    torch.zeros(4, 3) + torch.zeros(2)
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# ### The key example: polynomial features in one line
#
# Lessons 04 and 05 fit a cubic a + b·x + c·x² + d·x³ to data. That needs, for
# every point x, the three numbers (x, x², x³). With broadcasting it is one
# line: `x.unsqueeze(-1)` has shape `(2000, 1)`, the powers `[1, 2, 3]` have
# shape `(3,)`, so `pow` produces a `(2000, 3)` matrix, row i being
# (xᵢ, xᵢ², xᵢ³). The powers are created on `device`, like `x`: every tensor of
# an expression must live on the same device.

# %%
import math

x = torch.linspace(-math.pi, math.pi, 2000, device=device)
powers = torch.tensor([1, 2, 3], device=device)
features = x.unsqueeze(-1).pow(powers)

print("x:", tuple(x.shape), " powers:", tuple(powers.shape), " features:", tuple(features.shape))
print("row 0:", [f"{value:.4f}" for value in features[0].tolist()])
print(f"check: x[0] = {x[0].item():.4f}, x[0]² = {x[0].item() ** 2:.4f}, "
      f"x[0]³ = {x[0].item() ** 3:.4f}")

# %% [markdown]
# The three columns, drawn against x:

# %%
import matplotlib.pyplot as plt

x_cpu, features_cpu = x.cpu(), features.cpu()  # matplotlib needs CPU data
for column_index, label in enumerate(["x", "x²", "x³"]):
    plt.plot(x_cpu, features_cpu[:, column_index], label=label)
plt.xlabel("x")
plt.ylabel("feature value")
plt.title("The columns of x.unsqueeze(-1).pow([1, 2, 3])")
plt.legend()
plt.show()

# %% [markdown]
# ## 3. Reductions and `item()`
#
# `sum` and `mean` reduce a tensor to fewer numbers: all of it by default, or
# along one axis with `dim`. The result is still a tensor, even when it holds
# a single number; `.item()` turns a one-element tensor into a plain Python
# number (what you want for printing, comparing, or storing in a list).

# %%
grid = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
total = grid.sum()
print("grid.sum() is a", type(total).__name__, "of shape", tuple(total.shape))
print("grid.sum().item() =", total.item(), " (a Python", type(total.item()).__name__ + ")")
print("grid.mean().item() =", grid.mean().item())
print("column sums, dim=0:", grid.sum(dim=0).tolist())
print("row means,   dim=1:", grid.mean(dim=1).tolist())

# %% [markdown]
# `item()` only works on a tensor with exactly one element:

# %%
try:
    grid.sum(dim=0).item()
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# ## 4. NumPy interop
#
# `torch.from_numpy(array)` makes a tensor that **shares memory** with the
# array: no copy is made, so changing one changes the other. `.numpy()` goes
# the other way, also without a copy.

# %%
import numpy as np

array = np.zeros(3)
shared = torch.from_numpy(array)
array[0] = 7.0  # change the NumPy array ...
print("tensor after changing the array:", shared.tolist())  # ... the tensor sees it

shared.mul_(2)  # change the tensor in place ...
print("array after changing the tensor:", array.tolist())  # ... the array sees it
print("same memory:", np.shares_memory(array, shared.numpy()))

# %% [markdown]
# Two things to notice. `torch.from_numpy` keeps NumPy's dtype, float64 here
# (use `.float()` to get float32). And `torch.tensor(array)` is the way to get
# an independent **copy**:

# %%
print("dtype from NumPy:", shared.dtype, " after .float():", shared.float().dtype)
copy = torch.tensor(array)
array[1] = -1.0
print("array now:", array.tolist(), " copy unchanged:", copy.tolist())

# %% [markdown]
# NumPy only knows the CPU's memory. A tensor on a GPU must come to the CPU
# first: `tensor.cpu().numpy()`. On the CPU, `.cpu()` returns the tensor itself,
# so the same line works on every machine. (Calling `.numpy()` directly on a
# CUDA tensor raises a `TypeError` telling you to do exactly this.)

# %%
back = on_device.cpu().numpy()
print(type(back).__name__, back.dtype, back.tolist())

# %% [markdown]
# ## 5. Devices
#
# The course chooses a device once, in `device = coursekit.setup()`, and then
# creates tensors with `device=device` or moves them with `.to(device)`. The
# rule: **every tensor in an expression must be on the same device**. Mixing
# them fails with an error such as *Expected all tensors to be on the same
# device, but found at least two devices, cuda:0 and cpu!*
#
# Random data in this course is drawn on the CPU (with a fixed seed) and then
# moved, because a GPU's random generator gives different numbers than the
# CPU's for the same seed. That keeps your numbers identical to the ones printed
# here, whatever your machine.

# %%
cpu_data = torch.randn(3, 2)  # drawn on the CPU
moved = cpu_data.to(device)  # the same numbers, now on the course device
print("same numbers after .to(device):", torch.equal(moved.cpu(), cpu_data))
# @ is the matrix product, .T the transpose (rows become columns)
print("(moved @ moved.T) is on the course device:", (moved @ moved.T).device.type == device.type)

# %% [markdown]
# ### How much faster is a GPU?
#
# Where a GPU is in use, the next cell times one 2048×2048 matrix product on the
# CPU and on the GPU, then on the GPU again with the other number types of
# section 1. GPUs run asynchronously, so the timing waits for the GPU
# to finish (`torch.cuda.synchronize()`) and runs once before timing, to leave
# out one-off start-up costs. Without a GPU it says so and we move on.

# %%
# NBVAL_IGNORE_OUTPUT
# The output depends on the machine: whether it has a GPU, and how fast each part is.
import time


def matmul_ms(a, b, repeats=5):
    """Average time of a @ b in milliseconds (waiting for the GPU to finish)."""
    a @ b  # warm-up: the first call pays one-off costs
    if a.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    if a.device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats * 1000


if device.type == "cuda":
    generator = torch.Generator().manual_seed(0)  # leaves the global random numbers alone
    a, b = torch.randn(2, 2048, 2048, generator=generator)
    cpu_ms = matmul_ms(a, b)
    gpu_ms = matmul_ms(a.to(device), b.to(device), repeats=50)
    print(f"2048×2048 matrix product: CPU {cpu_ms:.1f} ms, GPU {gpu_ms:.2f} ms "
          f"(the GPU is {cpu_ms / gpu_ms:.0f}× faster)")
    other_types = [torch.float64, torch.float16]
    if torch.cuda.is_bf16_supported():
        other_types.append(torch.bfloat16)
    for dtype in other_types:
        dtype_ms = matmul_ms(a.to(device, dtype), b.to(device, dtype), repeats=50)
        print(f"  the same on the GPU in {str(dtype).removeprefix('torch.'):<8}: {dtype_ms:.2f} ms "
              f"({gpu_ms / dtype_ms:.1f}× the speed of float32)")
else:
    print("No GPU in use here, so there is nothing to compare: this course runs fine on the CPU.")

# %% [markdown]
# ## 6. The data for later: 2000 points of sin(x)
#
# Lesson 04 fits a cubic to this data, with gradients written by hand. It is
# just two tensors: 2000 points evenly spaced from −π to π, and their sines.

# %%
x = torch.linspace(-math.pi, math.pi, 2000, device=device)
y = torch.sin(x)
print("x:", tuple(x.shape), " y:", tuple(y.shape))
print(f"x runs from {x[0].item():.4f} to {x[-1].item():.4f}; "
      f"y from {y.min().item():.4f} to {y.max().item():.4f}")

# %%
plt.plot(x.cpu(), y.cpu(), label="y = sin(x)")
plt.xlabel("x")
plt.ylabel("y")
plt.title("2000 points of sin(x) on [−π, π]: lesson 04 fits a cubic to them")
plt.legend()
plt.show()

# %% [markdown]
# ## Exercises
#
# Four exercises, easiest first. Fill in each template (replace its
# `raise TODO` or `...` with your answer), run it, then run the `check` cell
# below it: it says *passed*, *failed* (with the reason), or *not attempted
# yet*. Stuck? `hint(1)` prints a hint for exercise 1, and so on.
# The solutions are in `solutions/01_tensors_solutions.ipynb`: try first!

# %%
from coursekit.exercises import TODO
from coursekit.exercises.tensors import exercises

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ### Exercise 1: sum and mean as Python numbers
#
# Write `total_and_mean(t)`: it returns the sum and the mean of all elements of
# the tensor `t`, as two plain Python floats (not tensors).

# %%
def total_and_mean(t):
    raise TODO  # replace with your code


# %%
check(1, total_and_mean)

# %% [markdown]
# ### Exercise 2: predict the shapes
#
# Without running them, predict the shape of each result:
#
# 1. `torch.zeros(4, 1) + torch.zeros(3)`
# 2. `torch.zeros(2, 3, 4).reshape(6, -1)`
# 3. `torch.zeros(5, 3).unsqueeze(1)`
# 4. `torch.zeros(5, 1, 3) * torch.zeros(2, 1)`
#
# Answer with a list of four tuples, such as `[(1, 2), (3,), ...]`. Then run the
# expressions yourself to see why.

# %%
shapes = ...

# %%
check(2, shapes)

# %% [markdown]
# ### Exercise 3: cubic features by broadcasting
#
# Write `cubic_features(x)`: for a 1-D tensor `x` of N points, return the
# (N, 3) tensor whose row i is (xᵢ, xᵢ², xᵢ³). Use broadcasting, no loop, and
# make it work on whatever device `x` is on.

# %%
def cubic_features(x):
    raise TODO  # replace with your code


# %%
check(3, cubic_features)

# %% [markdown]
# ### Exercise 4: standardize every column
#
# A data matrix `m` has one row per sample and one column per feature.
# Features often live on very different scales, and a common first step is to
# **standardize** each column: subtract the column's mean, then divide by the
# column's standard deviation (`.std(dim=0)`), so every column ends up with
# mean 0 and standard deviation 1. Write `standardize(m)` with broadcasting,
# no loop.

# %%
def standardize(m):
    raise TODO  # replace with your code


# %%
check(4, standardize)
