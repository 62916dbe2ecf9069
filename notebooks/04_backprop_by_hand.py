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
# # 04 · Backpropagation by hand
#
# In lesson 02 autograd computed gradients for us. Here we write them
# ourselves, train with them, and watch what can go wrong.
#
# - **Part A:** a straight line fitted to eleven points. We derive the
#   gradients on paper, check them against autograd, and train. One learning
#   rate makes the loss explode, another makes it crawl. Then we find out
#   *exactly* where the edge is, and play with it in an interactive explorer.
# - **Part B:** a cubic fitted to sin(x), with hand-written gradients and
#   nothing but tensors.

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

# %%
import matplotlib.pyplot as plt
import torch

from coursekit.data import regression_points, sine_points

# %% [markdown]
# ## Part A · A straight line, gradients by hand
#
# ### The data
#
# Eleven points `(x, y)`. They lie roughly on a line, and we want the line
# ŷ = w·x + b that fits them best.

# %%
x, y = regression_points(device)
print(f"{len(x)} points, x from {x.min().item():g} to {x.max().item():g}")

# %%
plt.scatter(x.cpu().numpy(), y.cpu().numpy())
plt.xlabel("x")
plt.ylabel("y")
plt.title("Eleven points to fit with a straight line")
plt.show()

# %% [markdown]
# ### Model and loss
#
# The model is one multiplication and one addition. The loss is the **mean
# squared error**: the average of (ŷ − y)² over the eleven points. We start
# from w = 1, b = 0.

# %%
def model(x, w, b):
    return w * x + b


def mse(y_hat, y):
    return ((y_hat - y) ** 2).mean()


w0 = torch.tensor(1.0, device=device)
b0 = torch.tensor(0.0, device=device)
print(f"initial loss: {mse(model(x, w0, b0), y).item():.2f}")

# %% [markdown]
# ### The derivatives, on paper
#
# For one point, the loss is (ŷ − y)² with ŷ = w·x + b. The chain rule
# (lesson 03) splits its derivative into two easy pieces:
#
# - dL/dŷ = 2(ŷ − y), the derivative of a square;
# - dŷ/dw = x and dŷ/db = 1, because ŷ is linear in w and b.
#
# So dL/dw = 2(ŷ − y)·x and dL/db = 2(ŷ − y)·1. The loss is the *mean* over
# the points, so the gradient is the mean of these per-point gradients.

# %%
def gradients(x, y, w, b):
    """dL/dw and dL/db of the mean squared error, written by hand."""
    y_hat = model(x, w, b)
    grad_y_hat = 2 * (y_hat - y)  # dL/dŷ, one number per point
    grad_w = (grad_y_hat * x).mean()  # dŷ/dw = x
    grad_b = grad_y_hat.mean()  # dŷ/db = 1
    return grad_w, grad_b


grad_w, grad_b = gradients(x, y, w0, b0)
print(f"by hand:  dL/dw = {grad_w.item():.2f}, dL/db = {grad_b.item():.3f}")

# %% [markdown]
# ### Gradient check: ask autograd
#
# A hand-written gradient is easy to get subtly wrong (a missing 2, a sum
# instead of a mean). Autograd computes the same derivatives on the same
# data, so we compare.

# %%
w = w0.clone().requires_grad_()
b = b0.clone().requires_grad_()
mse(model(x, w, b), y).backward()
print(f"autograd: dL/dw = {w.grad.item():.2f}, dL/db = {b.grad.item():.3f}")
print("hand-written and autograd agree:",
      torch.allclose(grad_w, w.grad) and torch.allclose(grad_b, b.grad))

# %% [markdown]
# ### A training loop
#
# Each epoch does four things: forward pass, loss, gradient (by hand),
# update. The loss printed for an epoch is the one computed in that epoch,
# *before* its update.

# %%
def train(x, y, lr, epochs, every=1):
    """Gradient descent from w = 1, b = 0; prints and returns the loss of each epoch."""
    w = torch.tensor(1.0, device=x.device)
    b = torch.tensor(0.0, device=x.device)
    losses = []
    for epoch in range(1, epochs + 1):
        loss = mse(model(x, w, b), y)  # forward pass and loss
        grad_w, grad_b = gradients(x, y, w, b)  # backward pass, by hand
        w = w - lr * grad_w  # update
        b = b - lr * grad_b
        losses.append(loss.item())
        if epoch % every == 0:
            print(f"epoch {epoch:4d}   loss {loss.item():.4g}")
    print(f"after {epochs} epochs: w = {w.item():.3g}, b = {b.item():.3g}")
    return losses

# %% [markdown]
# ### What goes wrong, 1: the loss explodes
#
# A learning rate of 0.01 sounds small. Watch:

# %%
losses_fast = train(x, y, lr=1e-2, epochs=10)

# %% [markdown]
# The loss grows more than seven-fold every epoch, and w and b run off to huge
# values. A few dozen more epochs and the numbers overflow to `inf`, then
# `nan`.
#
# ### What goes wrong, 2: the loss crawls
#
# A hundred times smaller learning rate is safe, but slow:

# %%
losses_slow = train(x, y, lr=1e-4, epochs=10)

# %% [markdown]
# ### A fix: scale the input
#
# Now keep lr = 0.01 but multiply the input by 0.1 (the model becomes
# ŷ = w·(0.1·x) + b, the same set of lines with w in other units):

# %%
losses_scaled = train(x * 0.1, y, lr=1e-2, epochs=10)

# %% [markdown]
# It falls, and it keeps falling with more epochs:

# %%
losses_scaled_100 = train(x * 0.1, y, lr=1e-2, epochs=100, every=10)

# %% [markdown]
# Why does shrinking the input rescue a learning rate that exploded? And
# where exactly is the edge between "too big" and "fine"?
#
# ### Why: the loss is a bowl with a curvature
#
# For a linear model the mean squared error is a **quadratic** in (w, b).
# Write X for the matrix with one row [s·x, 1] per point (s is the input
# scale). The loss is a bowl whose curvature is the **Hessian**, the matrix of
# second derivatives:
#
# H = (2/N)·XᵀX.
#
# Near a quadratic's minimum θ* = (w*, b*), one gradient-descent step maps the
# distance to the minimum like this: θ − θ* ← (I − lr·H)(θ − θ*). Along each
# eigenvector of H (eigenvalue λ) the distance is multiplied by (1 − lr·λ)
# every epoch:
#
# - if |1 − lr·λ| < 1 for every λ, every direction shrinks: it **converges**;
# - if lr > 2/λ_max, the steepest direction overshoots more each epoch: it
#   **diverges**. The threshold is **2/λ_max**;
# - the slowest direction shrinks like (1 − lr·λ_min) per epoch, which is why
#   a small learning rate crawls.
#
# Let us compute H, its eigenvalues and the threshold from the data (in
# float64, so that every machine prints the same digits).

# %%
def hessian(x, scale):
    X = torch.stack([x * scale, torch.ones_like(x)], dim=1).double()
    return 2 / len(x) * X.T @ X


for scale in (1.0, 0.1):
    lam_min, lam_max = torch.linalg.eigvalsh(hessian(x, scale)).tolist()
    print(f"input scale {scale:g}: λ_min = {lam_min:.4g}, λ_max = {lam_max:.4g}, "
          f"threshold 2/λ_max = {2 / lam_max:.4g}")

# %% [markdown]
# At input scale 1 the threshold is about 0.0053: lr = 0.01 is almost twice
# too big. The steep direction is multiplied by 1 − 0.01·376 ≈ −2.76 each
# epoch, so the loss, which goes with its square, grows about 7.6-fold per
# epoch. The last two epochs of the exploding run agree:

# %%
lam_max = torch.linalg.eigvalsh(hessian(x, 1.0))[-1].item()
print(f"predicted growth per epoch: (1 − lr·λ_max)² = {(1 - 1e-2 * lam_max) ** 2:.3g}")
print(f"measured, epoch 10 / epoch 9: {losses_fast[9] / losses_fast[8]:.3g}")

# %% [markdown]
# **Why scaling works:** multiplying x by s multiplies the w-curvature (the
# top-left entry of H, the mean of 2·s²·x²) by s². At s = 0.1 the largest
# curvature drops from 376 to about 5, so the threshold rises to about 0.39,
# and lr = 0.01 is far below it.
#
# **Why it is still slow:** λ_min barely moves (0.82 → 0.60). With lr = 0.01
# the slowest direction shrinks by only 1 − 0.01·0.6 ≈ 0.994 per epoch, so
# it takes hundreds of epochs to get close to the best line.

# %%
lam_min = torch.linalg.eigvalsh(hessian(x, 0.1))[0].item()
shrink = 1 - 1e-2 * lam_min
print(f"slowest direction shrinks by {shrink:.4f} per epoch")
print(f"after 100 epochs {shrink ** 100:.2f} of the distance is left; after 500, "
      f"{shrink ** 500:.2f}")

# %% [markdown]
# ### The explorer computes the same runs, instantly
#
# Because the loss is a quadratic, gradient descent has a closed form: after
# k epochs θ_k = θ* + (I − lr·H)^k (θ0 − θ*). `coursekit.linear_gd` computes a
# whole run this way, for any number of epochs, without a loop. First a check
# that it gives exactly the losses of our hand-written loop:

# %%
from coursekit.linear_gd import LinearFit, gradient_descent

for lr, scale, ours in [(1e-2, 1.0, losses_fast), (1e-4, 1.0, losses_slow),
                        (1e-2, 0.1, losses_scaled_100)]:
    fit = LinearFit(x, y, scale)
    closed = gradient_descent(fit, lr, len(ours)).losses[: len(ours)]
    worst = max(abs(c - o) / o for c, o in zip(closed, ours, strict=True))
    print(f"lr {lr:g}, input scale {scale:g}: same losses as our loop: {worst < 1e-4}")

# %% [markdown]
# ## The learning-rate explorer
#
# Three sliders: the **learning rate** and the **input scale** (both on a
# log scale) and the number of **epochs**. For every position you see:
#
# - the loss per epoch on a log scale (the dashed line is the best loss any
#   line can reach);
# - the path of (w, b) over the contours of the loss, from the black start to
#   the green minimum;
# - a verdict in plain words and where the learning rate stands against the
#   threshold 2/λ_max for the current input scale. *Converges* means the loss
#   ends within 5 % of the best possible; *too slow*, that it is still
#   further away; *diverges at epoch k*, that the run ends above its starting
#   loss, first passing it at epoch k. Exactly at the threshold it does
#   neither: the steep direction flips sign every epoch at the same size.
#
# "Epoch k" is always the loss after k updates: epoch 0 is the start. The
# explorer opens on the run that exploded above. When a loss overflows
# float32, the curve stops and the verdict says so: an `inf` is a result, not
# a crash.
#
# Your browser redraws the picture while you drag a slider; you can also
# type a value into a slider's box. (On GitHub you see a still picture of
# this opening state; run the notebook to move the sliders.)

# %%
from coursekit.lr_explorer import LearningRateExplorer

explorer = LearningRateExplorer()
explorer

# %% [markdown]
# **Things to try:**
#
# 1. Slide the learning rate down until the verdict flips. Does it flip where
#    the ratio to the threshold passes 1×?
# 2. Just above the threshold, with few epochs, the loss can still fall at
#    first. Add epochs.
# 3. Keep lr = 0.01 and lower the input scale. At 0.1 it converges, but
#    slowly; find the scale where 500 epochs are enough (exercise 5).
# 4. Push everything to the extremes: lr = 1, scale = 10, 1000 epochs. Where
#    does the loss become `inf`?
#
# The path panel shows why it diverges: the bowl is a long narrow valley, and
# too large a step bounces from wall to wall, further out each time.

# %% [markdown]
# ## Part B · A cubic fitted to sin(x), by hand
#
# Same recipe, more parameters: ŷ = a + b·x + c·x² + d·x³ on 2000 points of
# sin(x) between −π and π. The loss is the **sum** of squared errors this
# time, so the gradients are sums too:
#
# grad_ŷ = 2(ŷ − y); grad_a = Σ grad_ŷ, grad_b = Σ grad_ŷ·x,
# grad_c = Σ grad_ŷ·x², grad_d = Σ grad_ŷ·x³.

# %%
xs, ys = sine_points(2000, device=device)

generator = torch.Generator().manual_seed(0)  # drawn on the CPU: same start everywhere
a, b, c, d = torch.randn(4, generator=generator).to(device)
print(f"start: a = {a.item():.4f}, b = {b.item():.4f}, c = {c.item():.4f}, d = {d.item():.4f}")

# %%
learning_rate = 1e-6
for step in range(2000):
    y_hat = a + b * xs + c * xs**2 + d * xs**3  # forward pass
    loss = ((y_hat - ys) ** 2).sum()
    if step % 100 == 99:
        print(f"step {step + 1:4d}   loss {loss.item():.4g}")

    grad_y_hat = 2 * (y_hat - ys)  # backward pass, by hand
    grad_a = grad_y_hat.sum()
    grad_b = (grad_y_hat * xs).sum()
    grad_c = (grad_y_hat * xs**2).sum()
    grad_d = (grad_y_hat * xs**3).sum()

    a = a - learning_rate * grad_a  # update
    b = b - learning_rate * grad_b
    c = c - learning_rate * grad_c
    d = d - learning_rate * grad_d

# %%
def polynomial(coefficients):
    """'y = 0.059 + 0.837 x − 0.010 x² − 0.091 x³', rounded to 3 decimals."""
    text = f"y = {round(coefficients[0], 3) + 0.0:.3f}"  # + 0.0 turns -0.000 into 0.000
    for coefficient, power in zip(coefficients[1:], [" x", " x²", " x³"], strict=True):
        value = round(coefficient, 3) + 0.0
        text += f" {'−' if value < 0 else '+'} {abs(value):.3f}{power}"
    return text


fitted = [t.item() for t in (a, b, c, d)]
print("fitted: ", polynomial(fitted))

# %% [markdown]
# ### Compare with the exact answer
#
# Fitting a polynomial by least squares is a linear problem, so it has an
# exact solution: one call to `torch.linalg.lstsq` on the columns (1, x, x²,
# x³).

# %%
features = torch.stack([torch.ones_like(xs), xs, xs**2, xs**3], dim=1)
exact = torch.linalg.lstsq(features, ys.unsqueeze(1)).solution.squeeze(1).tolist()
print("exact:  ", polynomial(exact))

# %% [markdown]
# Gradient descent is close to the exact cubic in b and d, the coefficients
# that matter for the odd function sin(x) (b ≈ 0.857, d ≈ −0.093); a and c
# are still on their way to 0. The curves are hard to tell apart:

# %%
xs_cpu = xs.cpu().numpy()
fit_curve = sum(coef * xs_cpu**k for k, coef in enumerate(fitted))
exact_curve = sum(coef * xs_cpu**k for k, coef in enumerate(exact))
plt.plot(xs_cpu, ys.cpu().numpy(), lw=4, alpha=0.35, label="sin(x)")
plt.plot(xs_cpu, fit_curve, label="gradient descent, 2000 steps")
plt.plot(xs_cpu, exact_curve, "--", label="exact least squares")
plt.xlabel("x")
plt.ylabel("y")
plt.title("A cubic fitted to sin(x) with hand-written gradients")
plt.legend()
plt.show()

# %% [markdown]
# ## Exercises
#
# Fill in each template, run it, then run the `check` cell below it. Stuck?
# `hint(n)` prints a hint for exercise n. The solutions are in
# `solutions/04_backprop_by_hand_solutions.ipynb`.

# %%
from coursekit.exercises.backprop import PREDICT_SETTINGS, exercises

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ### Exercise 1: gradients of the straight line
#
# Write `line_gradients(x, y, w, b)` returning `(grad_w, grad_b)`, the
# gradients of the mean squared error of ŷ = w·x + b, without autograd. The
# check compares them with autograd on random data.

# %%
def line_gradients(x, y, w, b):
    ...

# %%
check(1, line_gradients)

# %% [markdown]
# ### Exercise 2: gradients of the cubic
#
# Write `cubic_gradients(x, y, a, b, c, d)` returning the four gradients of
# the **summed** squared error of ŷ = a + b·x + c·x² + d·x³.

# %%
def cubic_gradients(x, y, a, b, c, d):
    ...

# %%
check(2, cubic_gradients)

# %% [markdown]
# ### Exercise 3: the largest safe learning rate
#
# Write `largest_safe_lr(x, scale)`: the threshold 2/λ_max of the Hessian
# H = (2/N)·XᵀX with X = [x·scale, 1], as a Python float.

# %%
def largest_safe_lr(x, scale):
    ...

# %%
check(3, largest_safe_lr)

# %% [markdown]
# ### Exercise 4: converge or diverge?
#
# For each (learning rate, input scale) below, on this lesson's eleven
# points, predict whether a long run converges or diverges. Answer with a
# list of words, `"converges"` or `"diverges"`, in the same order. Predict
# first, then check with the explorer.

# %%
for lr, scale in PREDICT_SETTINGS:
    print(f"lr = {lr:g}, input scale = {scale:g}")

# %%
predictions = [..., ..., ..., ..., ..., ..., ...]

# %%
check(4, predictions)

# %% [markdown]
# ### Exercise 5: rescale the input
#
# Find an input scale at which lr = 0.01 **converges within 500 epochs**
# (the explorer's verdict says "converges"). Too large and it diverges; too
# small and it crawls.

# %%
scale = ...

# %%
check(5, scale)
