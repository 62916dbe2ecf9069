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
# # 02 · Autograd
#
# Training a model means nudging its numbers so that a loss gets smaller, and
# for that you need the loss's **gradient**: how much it changes when each
# number changes. Working it out by hand is error-prone (lesson 04 does it
# anyway, to see what is inside). PyTorch's **autograd** does it for you: it
# records the operations you perform, then walks that record backwards.
#
# In this lesson: `requires_grad` and the recorded graph, `backward()` on a
# scalar and on a vector, why gradients accumulate, `no_grad` and `detach`,
# and a two-layer network trained with gradients from autograd.

# %%
# On Colab or Binder the course helpers may be missing: install them once.
try:
    import coursekit
except ModuleNotFoundError:
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q",
         "coursekit @ git+https://github.com/pytorch-ground-up/course"],
        check=True,
    )
    import coursekit

# %%
device = coursekit.setup()

# %% [markdown]
# ## 1. `requires_grad` records the graph
#
# A tensor created with `requires_grad=True` tells PyTorch: "I will want
# gradients with respect to this". From then on, every result computed from it
# remembers the operation that made it, in its `grad_fn`. Tensors you create
# yourself (the inputs) have no `grad_fn`: they are the **leaves** of the graph.

# %%
import torch

x = torch.ones(2, 2, requires_grad=True, device=device)
y = x + 2
z = y * y * 3
out = z.mean()

for name, tensor in [("x", x), ("y", y), ("z", z), ("out", out)]:
    made_by = type(tensor.grad_fn).__name__ if tensor.grad_fn else "nothing (a leaf)"
    print(f"{name:>3}: requires_grad={tensor.requires_grad}, made by {made_by}")

# %% [markdown]
# `AddBackward0`, `MulBackward0`, `MeanBackward0` are the recorded steps: each
# knows how to pass a gradient back to its inputs. Lesson 03 draws this graph.
#
# ## 2. The classic check: 4.5 everywhere
#
# `out` is a single number, so `out.backward()` needs no argument. It computes
# d out / dx for every entry of `x` and stores it in `x.grad`.

# %%
out.backward()
print(f"out = {out.item():.4g}")
print("x.grad =", x.grad.tolist())

# %% [markdown]
# Now by hand. With four entries, out = ¼ Σᵢ zᵢ = ¼ Σᵢ 3(xᵢ + 2)². Only one
# term of the sum contains a given xᵢ, so
#
# d out / dxᵢ = ¼ · 3 · 2(xᵢ + 2) = 6(xᵢ + 2) / 4,
#
# and at xᵢ = 1 that is 6 · 3 / 4 = 4.5.

# %%
by_hand = 6 * (1 + 2) / 4
print(f"by hand: {by_hand}")
print("autograd agrees in every entry:", torch.allclose(x.grad, torch.full_like(x, by_hand)))

# %% [markdown]
# ## 3. Vector outputs: `backward(v)`
#
# `backward()` without an argument only works for a single number. Let us
# build a vector instead: start from a random `x` and keep doubling until the
# result's length (its norm) passes 1000. `x` is drawn on the CPU with a fixed
# seed, so the number of doublings is the same on every machine.

# %%
generator = torch.Generator().manual_seed(0)
x = torch.randn(3, generator=generator).to(device).requires_grad_()

y = x * 2
doublings = 1
while y.norm() < 1000:
    y = y * 2
    doublings += 1

print(f"|x| = {x.norm().item():.4g}, doubled {doublings} times, |y| = {y.norm().item():.4g}")

# %% [markdown]
# `y` has three entries, so "the gradient of y" is a 3×3 **Jacobian** matrix J,
# with J[i, j] = ∂yᵢ/∂xⱼ. Autograd does not build it: asking for it plainly
# fails.

# %%
try:
    y.backward()
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# Instead you hand `backward` a vector `v` with the same shape as `y`, and it
# computes the **vector-Jacobian product** vᵀ·J: the gradient of the number
# v · y. That is all a training loop ever needs (the loss is a number), and it
# is much cheaper than the whole Jacobian.
#
# Here y = 2ᵏ · x with k the number of doublings, so J = 2ᵏ · I and
# vᵀ·J = 2ᵏ · v. Let us check.

# %%
v = torch.tensor([0.1, 1.0, 0.0001], device=device)
y.backward(v)

print(f"2^{doublings} = {2 ** doublings}")
print("x.grad   =", [f"{g:.4g}" for g in x.grad.tolist()])
print("2^k · v  =", [f"{g:.4g}" for g in (2**doublings * v).tolist()])

# %% [markdown]
# ## 4. Gradients accumulate
#
# `backward()` does not overwrite `.grad`: it **adds** to it. Run the same
# computation twice and the gradient doubles. For w² at w = 3 the gradient is
# 2w = 6:

# %%
w = torch.tensor(3.0, requires_grad=True, device=device)

(w * w).backward()
print(f"after one backward:  w.grad = {w.grad.item():g}")
(w * w).backward()
print(f"after two backwards: w.grad = {w.grad.item():g}   (6 + 6)")

# %% [markdown]
# This is deliberate: when a loss is a sum of parts, you can call `backward` on
# each part and get the gradient of the sum. But in a training loop every step
# wants the gradient of *that* step only, so you reset it with `.grad.zero_()`
# (the trailing `_` means "in place"). Forgetting this is one of the most common
# PyTorch bugs; exercise 3 shows what it does to training.

# %%
w.grad.zero_()
print(f"after zero_():       w.grad = {w.grad.item():g}")
(w * w).backward()
print(f"one more backward:   w.grad = {w.grad.item():g}")

# %% [markdown]
# ## 5. `torch.no_grad()` and `.detach()`
#
# Not every computation should be recorded. Updating the weights, for one: the
# update is not part of the model, and recording it would make the graph grow
# forever. PyTorch even refuses to change a leaf that requires grad in place
# while recording:

# %%
try:
    w -= 0.1 * w.grad
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# Inside `with torch.no_grad():` nothing is recorded, so the update is allowed,
# and results made there carry no `grad_fn`:

# %%
with torch.no_grad():
    w -= 0.1 * w.grad  # 3 − 0.1 · 6
    doubled = w * 2

print(f"w = {w.item():.4g}, still a leaf that requires grad: {w.requires_grad}")
print(f"doubled.requires_grad = {doubled.requires_grad}, grad_fn = {doubled.grad_fn}")

# %% [markdown]
# `.detach()` is the one-tensor version: the same numbers (the same memory,
# even), cut off from the graph. You need it, for example, before turning a
# tensor that requires grad into a NumPy array, which is refused otherwise:

# %%
try:
    torch.ones(2, requires_grad=True).numpy()
except RuntimeError as error:
    print("RuntimeError:", error)

detached = w.detach()
print("detached requires grad:", detached.requires_grad)
print("same memory as w:", detached.data_ptr() == w.data_ptr())
print("as NumPy:", detached.cpu().numpy())

# %% [markdown]
# ## 6. Worked example: a two-layer network
#
# Now all of it together. A small network turns 1000 inputs into 10 outputs:
#
# ŷ = ReLU(x · W₁) · W₂, with W₁ of shape 1000×100 and W₂ of shape 100×10,
#
# where ReLU(h) = max(h, 0) sets negative numbers to zero. The data are random:
# a batch of N = 64 inputs and 64 targets. The loss is the summed squared error
# Σ (ŷ − y)². Autograd computes the gradients; we do the update ourselves,
# under `no_grad`, and zero the gradients after each step.

# %%
from coursekit.data import random_batch, random_weights

N, D_in, H, D_out = 64, 1000, 100, 10
inputs, targets = random_batch(N, D_in, D_out, seed=0, device=device)
w1 = random_weights(D_in, H, seed=1, device=device, requires_grad=True)
w2 = random_weights(H, D_out, seed=2, device=device, requires_grad=True)
print(f"inputs {tuple(inputs.shape)}, targets {tuple(targets.shape)}, "
      f"W1 {tuple(w1.shape)}, W2 {tuple(w2.shape)}")

# %% [markdown]
# One step is four lines: forward pass, loss, backward pass, update.

# %%
def fit_two_layer(x, y, w1, w2, steps=500, learning_rate=1e-6):
    """Gradient descent on the two-layer net; returns the loss before every step."""
    losses = []
    for _ in range(steps):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)  # forward: linear, ReLU, linear
        loss = (y_pred - y).pow(2).sum()  # summed squared error
        losses.append(loss.item())
        loss.backward()  # autograd fills w1.grad and w2.grad
        with torch.no_grad():  # the update must not be recorded
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()  # start the next step from zero
            w2.grad.zero_()
    return losses


losses = fit_two_layer(inputs, targets, w1, w2)
for step in range(0, 251, 50):
    print(f"step {step:3d}: loss {losses[step]:.3g}")

# %% [markdown]
# From tens of millions down to a fraction of one in 250 steps. Over all 500
# steps:

# %%
import math

orders = math.log10(losses[0] / losses[-1])
print(f"loss after 500 steps below 0.001: {losses[-1] < 1e-3}")
print(f"first loss / last loss ≈ 10^{orders:.0f}: about {orders:.0f} orders of magnitude")

# %% [markdown]
# On a linear axis such a curve is an L hugging the axes; a **logarithmic**
# axis shows every order of magnitude equally:

# %%
import matplotlib.pyplot as plt

plt.semilogy(losses, label="loss at each step")
plt.xlabel("step")
plt.ylabel("summed squared error (log scale)")
plt.title("Two-layer network, learning rate 1e-6")
plt.legend()
plt.show()

# %% [markdown]
# ### Why the curve flattens near the end
#
# From about step 350 the curve bends and flattens. The network has not stopped
# learning: **float32 has run out of digits**. It keeps about 7 significant
# digits, and each prediction is a sum of 100 products, many of them in the
# tens or hundreds, that cancel out to about 1. The last digits of the
# predictions are rounding noise, and the squared errors cannot get much below
# that noise. (It is also why this lesson prints the late losses
# only as an order of magnitude: their last digits differ between machines.)
#
# The same training in float64, with about 16 digits, from the same random
# starting weights, keeps going:

# %%
w1_64 = random_weights(D_in, H, seed=1, device=device).double().requires_grad_()
w2_64 = random_weights(H, D_out, seed=2, device=device).double().requires_grad_()
losses64 = fit_two_layer(inputs.double(), targets.double(), w1_64, w2_64)
print(f"float64: loss {losses64[0]:.3g} -> {losses64[-1]:.2g} after 500 steps, "
      f"about {math.log10(losses64[0] / losses64[-1]):.0f} orders of magnitude")

plt.semilogy(losses, label="float32")
plt.semilogy(losses64, "--", label="float64")
plt.xlabel("step")
plt.ylabel("summed squared error (log scale)")
plt.title("The float32 run stalls where rounding noise begins")
plt.legend()
plt.show()

# %% [markdown]
# ## Exercises
#
# Four exercises, easiest first. Fill in each template (replace its
# `raise TODO` or `...` with your answer), run it, then run the `check` cell
# below it: it says *passed*, *failed* (with the reason), or *not attempted
# yet*. `hint(1)` prints a hint for exercise 1, and so on. The
# solutions are in `solutions/02_autograd_solutions.ipynb`.

# %%
from coursekit.exercises import TODO
from coursekit.exercises.autograd import exercises, training_data

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ### Exercise 1: predict a gradient by hand
#
# For f(x) = x³ − 4x, what is df/dx at x = 2? Work it out on paper and write
# the number.

# %%
slope = ...

# %%
check(1, slope)

# %% [markdown]
# ### Exercise 2: confirm with autograd
#
# Write `autograd_slope(f, x0)`: it returns df/dx at the point `x0` (a Python
# float) as a Python float, computed with `requires_grad` and `backward()`.
# Then compare `autograd_slope(lambda x: x**3 - 4 * x, 2.0)` with your answer
# to exercise 1.

# %%
def autograd_slope(f, x0):
    raise TODO  # replace with your code


# %%
check(2, autograd_slope)

# %% [markdown]
# ### Exercise 3: find and fix the bug
#
# This loop fits a line y ≈ w·x through 20 points (`training_data()`), starting
# from w = 0. It returns the loss of every step. Something is wrong: run it and
# look at the losses.

# %%
def train_buggy(x, y, steps, lr):
    w = torch.zeros((), device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((w * x - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
    return losses


line_x, line_y = training_data()
buggy_losses = train_buggy(line_x.to(device), line_y.to(device), steps=30, lr=0.1)
print("losses:", " ".join(f"{loss:.2f}" for loss in buggy_losses[::3]), "(every 3rd step)")

plt.plot(buggy_losses, "o-")
plt.xlabel("step")
plt.ylabel("mean squared error")
plt.title("train_buggy: the loss swings up and down instead of falling")
plt.show()

# %% [markdown]
# Write `train(x, y, steps, lr)`: the same loop, fixed, returning the same list
# of losses.

# %%
def train(x, y, steps, lr):
    raise TODO  # replace with your code


# %%
check(3, train)

# %% [markdown]
# ### Exercise 4: a vector-Jacobian product
#
# Write `vjp(f, x, v)`: for a function `f` from a vector to a vector, return
# vᵀ·J, where J is the Jacobian of `f` at `x`. Use `backward(v)` (section 3),
# not a hand-made Jacobian. The first line of the template gives you a fresh
# copy of `x` that records its graph.

# %%
def vjp(f, x, v):
    x = x.detach().clone().requires_grad_(True)
    raise TODO  # replace with your code


# %%
check(4, vjp)
