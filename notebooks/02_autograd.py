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
# scalar and on a vector, gradient descent (what training does with a
# gradient), why gradients accumulate, `no_grad` and `detach`, and a two-layer
# network trained with gradients from autograd.

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
# allclose: equal up to rounding; full_like: a tensor shaped like x, filled with by_hand
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
# requires_grad_() switches recording on for an existing tensor (the trailing _
# means "change this tensor itself", section 5).
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
# v · y. That is all training ever needs (its loss is a single number, as the
# next section shows), and it is much cheaper than the whole Jacobian.
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
# ## 4. Gradient descent, from first principles
#
# Autograd computes gradients. What does training *do* with them? Take the
# simplest case there is: one weight w and a loss that says how bad each value
# of w is,
#
# L(w) = (w − 3)²,
#
# smallest at w = 3. Training does not know where the minimum is; all it can
# ask is "if I nudge w, does L go up or down, and how fast?" That is the
# derivative dL/dw, the **slope** of the loss curve at w.

# %%
def loss_fn(w):
    """A made-up loss with its minimum at w = 3: works on floats and tensors."""
    return (w - 3) ** 2


for w in (1.0, 3.0, 4.0):
    print(f"L({w}) = {loss_fn(w):g}, slope dL/dw = 2(w − 3) = {2 * (w - 3):g}")

# %% [markdown]
# ### Checking a derivative with finite differences
#
# A slope can be measured without any calculus: move w a little, h, both ways,
# and divide the change of L by the distance, 2h:
#
# dL/dw ≈ (L(w + h) − L(w − h)) / 2h.
#
# This **finite difference** is how you check any gradient, by hand or by
# autograd. At w = 1 all three agree:

# %%
import math

w0, h = 1.0, 1e-3
finite_difference = (loss_fn(w0 + h) - loss_fn(w0 - h)) / (2 * h)

w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
loss_fn(w).backward()

print(f"by hand, 2(w − 3):  {2 * (w0 - 3):.6f}")
print(f"finite difference:  {finite_difference:.6f}")
print(f"autograd:           {w.grad.item():.6f}")

# %% [markdown]
# For a parabola the finite difference happens to be exact. For a curvier
# function, f(x) = x·sin(x), it is off by an error that shrinks like h²: ten
# times smaller h, a hundred times smaller error.

# %%
x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
(x * torch.sin(x)).backward()
print(f"autograd: df/dx at x = 1 is {x.grad.item():.10f}")

previous = None
for h in (1e-1, 1e-2, 1e-3):
    finite_difference = ((1 + h) * math.sin(1 + h) - (1 - h) * math.sin(1 - h)) / (2 * h)
    error = abs(finite_difference - x.grad.item())
    shrink = f"   ({previous / error:.0f}× smaller)" if previous else ""
    print(f"h = {h:.0e}: finite difference {finite_difference:.10f}, error {error:.1e}{shrink}")
    previous = error

# %% [markdown]
# ### One step downhill
#
# At w = 1 the slope is −4: the loss *falls* as w grows. So w should grow. At
# w = 4 the slope is +2: the loss rises with w, so w should shrink. In both
# cases the right move is **against the slope**, which is why the update has a
# minus sign:
#
# w ← w − lr · dL/dw.
#
# The number lr, the **learning rate**, sets how far to go: the step is lr
# times the slope. One such update is a **step**. With lr = 0.25 from w = 1:

# %%
lr = 0.25
w_before = 1.0
slope = 2 * (w_before - 3)
w_after = w_before - lr * slope
print(f"w = {w_before}, slope {slope:+.1f}, step −lr·slope = {-lr * slope:+.1f}, new w = {w_after}")
print(f"loss {loss_fn(w_before):.1f} -> {loss_fn(w_after):.1f}")

# %% [markdown]
# In the picture: the loss curve, its tangent at w = 1 (the straight line with
# the same slope), and the step. The tangent only says "downhill is to the
# right"; the learning rate decides how far we walk.

# %%
import matplotlib.pyplot as plt

ws = torch.linspace(-0.5, 6.5, 200)
fig, ax = plt.subplots()
ax.plot(ws, loss_fn(ws), label="loss L(w) = (w − 3)²")
tangent_ws = torch.linspace(0.0, 2.0, 20)
ax.plot(tangent_ws, loss_fn(w_before) + slope * (tangent_ws - w_before), "--",
        label=f"tangent at w = 1, slope {slope:.0f}")
ax.annotate("", xy=(w_after, loss_fn(w_after)), xytext=(w_before, loss_fn(w_before)),
            arrowprops=dict(arrowstyle="->", color="C2", lw=2))
ax.plot([w_before, w_after], [loss_fn(w_before), loss_fn(w_after)], "o", color="C2",
        label=f"one step, lr = {lr}: w = {w_before} -> {w_after}")
ax.set(xlabel="weight w", ylabel="loss L(w)", ylim=(-0.5, 13),
       title="Gradient descent: step against the slope")
ax.legend()
plt.show()

# %% [markdown]
# Repeat the step and w walks to 3. Each step shrinks the distance to the
# minimum by the same factor: w − 3 becomes (w − 3) − lr · 2(w − 3), that is
# (1 − 2·lr) times what it was, half of it here with lr = 0.25.

# %%
def descend(w, lr, steps):
    """Gradient descent on loss_fn from w; returns every w visited."""
    path = [w]
    for _ in range(steps):
        w = w - lr * 2 * (w - 3)
        path.append(w)
    return path


path = descend(1.0, lr=0.25, steps=6)
print("lr 0.25:", " -> ".join(f"{w:.3f}" for w in path))

# %% [markdown]
# ### A step too large overshoots
#
# The learning rate is a trade-off. Too small and w crawls; too large and a
# step jumps *over* the minimum and lands on the other side. Here the factor
# 1 − 2·lr tells the whole story: with lr = 0.9 it is −0.8, so w lands on the
# other side each time but closer; with lr = 1.1 it is −1.2, so every jump
# lands farther away and the loss grows without end.

# %%
for lr in (0.05, 0.9, 1.1):
    path = descend(1.0, lr, steps=6)
    losses_on_path = [loss_fn(w) for w in path]
    print(f"lr {lr:<4}: factor {1 - 2 * lr:+.1f}, w: " + " ".join(f"{w:6.2f}" for w in path)
          + f"   loss {losses_on_path[0]:.1f} -> {losses_on_path[-1]:.2f}")

# %%
wide_ws = torch.linspace(-3.5, 9.5, 200)
verdicts = {0.05: "crawls", 0.9: "zigzags in", 1.1: "overshoots more each time"}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True, layout="constrained")
for ax, (lr, verdict) in zip(axes, verdicts.items(), strict=True):
    path = torch.tensor(descend(1.0, lr, steps=6))
    ax.plot(wide_ws, loss_fn(wide_ws), color="C0", label="loss")
    ax.plot(path, loss_fn(path), "o-", color="C3", markersize=4, label="six steps from w = 1")
    ax.set(xlabel="weight w", title=f"lr = {lr}: {verdict}", ylim=(-1, 45))
axes[0].set_ylabel("loss L(w)")
axes[0].legend(loc="upper right")
plt.show()

# %% [markdown]
# ### Many weights; steps and epochs
#
# A network has thousands of weights, not one. Each gets the same update
# against its own partial derivative, w ← w − lr · ∂L/∂w, all at once; together
# those derivatives are the **gradient**, which autograd delivers in `.grad`.
# That is **gradient descent**.
#
# Two words for counting. A **step** is one update of the weights. An
# **epoch** is one pass over all the training data (the examples the loss is
# computed from). When every step uses all
# the data, as in this lesson, one step is one epoch and we just count steps.
# When the data are fed a piece at a time, as in lesson 03's per-sample
# updates, an epoch is made of several steps.

# %% [markdown]
# ## 5. Gradients accumulate
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
# ## 6. `torch.no_grad()` and `.detach()`
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
# `.clone()` is the opposite: a copy in new memory, so changing the copy leaves
# the original alone. `x.detach().clone()` is therefore an independent copy of
# the numbers, with no graph and no shared memory:

# %%
copy = w.detach().clone()
copy += 100
print(f"w = {w.item():.4g}, copy = {copy.item():.4g}, "
      f"same memory: {copy.data_ptr() == w.data_ptr()}")

# %% [markdown]
# ## 7. Worked example: a two-layer network
#
# Now all of it together. A small network turns 1000 inputs into 10 outputs:
#
# ŷ = ReLU(x · W₁) · W₂, with W₁ of shape 1000×100 and W₂ of shape 100×10,
#
# where ReLU(h) = max(h, 0) sets negative numbers to zero. The data are random:
# a batch of N = 64 inputs and 64 targets. The loss is the summed squared error
# Σ (ŷ − y)². Autograd computes the gradients; we do the gradient-descent
# update of section 4 ourselves, with learning rate 1e-6, under `no_grad`, and
# zero the gradients after each step. Every step uses all 64 samples, so here
# one step is one epoch.

# %%
from coursekit.data import random_batch, random_weights

# Both helpers draw on the CPU from a fixed seed, then move to `device` (lesson 01).
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
        # forward: mm is the matrix product (x @ w1), clamp(min=0) is the ReLU
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
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
orders = math.log10(losses[0] / losses[-1])
print(f"loss after 500 steps below 0.001: {losses[-1] < 1e-3}")
print(f"first loss / last loss ≈ 10^{orders:.0f}: about {orders:.0f} orders of magnitude")

# %% [markdown]
# On a linear axis such a curve is an L hugging the axes; a **logarithmic**
# axis shows every order of magnitude equally:

# %%
plt.semilogy(losses, label="loss at each step")
plt.xlabel("step")
plt.ylabel("summed squared error (log scale)")
plt.title("Two-layer network, learning rate 1e-6")
plt.legend()
plt.show()

# %% [markdown]
# ### Why the float32 curve flattens near the end
#
# From about step 300 the curve bends: the loss still falls, but more slowly.
# Is that real, or an artefact of float32, which keeps only about 7 significant
# digits? The same training in float64 (about 16 digits), from the same
# starting weights, says the slowdown is not in the problem. `.double()`
# returns a float64 copy of a tensor (it is `.to(torch.float64)`), and
# `.to(dtype)` converts to any dtype:

# %%
print("dtype after .double():", torch.ones(2).double().dtype,
      "; after .to(torch.float32):", torch.ones(2).double().to(torch.float32).dtype)

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
plt.title("Same start, same steps: float32 falls more slowly after step 300")
plt.legend()
plt.show()

# %% [markdown]
# Two suspects. Either the float32 *weights* are as good as the float64 ones
# and only the float32 *loss* is computed badly (rounding noise in the
# predictions), or the float32 weights really have stopped improving as fast.
#
# The second one has a mechanism. Just above 1, neighbouring float32 numbers
# are about 1.2e-7 apart (2⁻²³, `torch.finfo(torch.float32).eps`); just below
# 1 the gap is half that, about 6e-8 (2⁻²⁴). Change a number by less than half
# the gap on the side you move towards and the result rounds back to the number
# you started from: the update is lost. So 1 + 5e-8 gives 1, while 1 − 5e-8
# gives 0.99999994. With a learning rate of 1e-6, a gradient of 0.01 gives an
# update of 1e-8, lost on either side. Float64's gap is about 2e-16, so there
# it survives:

# %%
eps32 = torch.finfo(torch.float32).eps
one = torch.tensor(1.0)
below = (one - torch.nextafter(one, torch.tensor(0.0))).item()
print(f"float32 gap just above 1: {eps32:.1e}; just below 1: {below:.1e}; "
      f"float64 above 1: {torch.finfo(torch.float64).eps:.1e}")
print(f"float32: 1 + 5e-8 = {(one + 5e-8).item():.8f}, 1 − 5e-8 = {(one - 5e-8).item():.8f}")

update = 1e-6 * 0.01  # learning rate × a small gradient
one32 = torch.tensor(1.0)  # float32
one64 = torch.tensor(1.0, dtype=torch.float64)
print(f"float32: 1 − {update:.0e} == 1 ? {(one32 - update).item() == 1.0}")
print(f"float64: 1 − {update:.0e} == 1 ? {(one64 - update).item() == 1.0}")

# %% [markdown]
# Let us measure both suspects during training. The loop below is
# `fit_two_layer` again, and at a few steps it also
#
# - recomputes the loss of the current weights in float64: if the float32 loss
#   were rounding noise, this one would come out clearly lower;
# - counts the entries of W1 that the update leaves exactly unchanged, although
#   their gradient is not zero.
#
# It runs on the CPU, so the counts do not depend on a GPU's order of sums.

# %%
def fit_and_watch(x, y, w1, w2, watch, steps=500, learning_rate=1e-6):
    """fit_two_layer, also measuring at the steps in `watch`; returns {step: measurements}."""
    report = {}
    for step in range(steps):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            if step in watch:
                y_pred64 = x.double().mm(w1.double()).clamp(min=0).mm(w2.double())
                loss64 = (y_pred64 - y.double()).pow(2).sum().item()
                moved = w1 - learning_rate * w1.grad
                lost = ((moved == w1) & (w1.grad != 0)).double().mean().item()
                report[step] = {"loss": loss.item(), "loss64": loss64, "lost": lost}
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return report


watch = (200, 300, 350, 499)
cpu_inputs, cpu_targets = inputs.cpu(), targets.cpu()
for dtype in (torch.float32, torch.float64):
    report = fit_and_watch(
        cpu_inputs.to(dtype), cpu_targets.to(dtype),
        random_weights(D_in, H, seed=1).to(dtype).requires_grad_(),
        random_weights(H, D_out, seed=2).to(dtype).requires_grad_(),
        watch,
    )
    print(f"trained in {str(dtype).removeprefix('torch.')}:")
    for step, seen in report.items():
        recomputed = (f", same weights in float64 {seen['loss64']:.1g} "
                      f"(ratio {seen['loss64'] / seen['loss']:.1f})") if dtype == torch.float32 else ""
        print(f"  step {step}: loss {seen['loss']:.1g}{recomputed}; "
              f"W1 updates lost to rounding {seen['lost']:.0%}")
    if dtype == torch.float32:
        report32 = report

# %% [markdown]
# The verdict:
#
# - **Not noise.** Recomputed in float64, the float32-trained weights have the
#   same loss (ratio 1.0): those weights really are that far from the targets.
# - **Lost updates.** The float32 run loses a growing share of W1's updates:
#   hardly any at step 200, 43 % at step 300, 73 % at step 350, 94 % at the
#   last step. Each lost update is a weight that should have moved and did
#   not. Float64 loses none.
#
# So float32 does not stop: the updates that still get through keep the loss
# falling, only more slowly. Between step 350 and the last step it still drops:

# %%
drop = report32[350]["loss"] / report32[499]["loss"]
print(f"float32 loss, step 350 -> 499: {drop:.0f}× smaller")

# %% [markdown]
# Lesson 03 meets the same effect with a single weight. It is also why this
# lesson prints the late float32 losses only as an order of magnitude:
# their last digits differ between machines.

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
