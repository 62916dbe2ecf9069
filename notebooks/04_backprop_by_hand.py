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
# Each epoch does three things: the forward pass, the gradient (by hand) and
# the update. We count epochs the way the explorer later in this lesson does:
# **"epoch k" is the loss after k updates**, and epoch 0 is the loss at the
# start, before any update.

# %%
def train(x, y, lr, epochs, every=1):
    """Gradient descent from w = 1, b = 0.

    Returns the epochs + 1 losses: index 0 at the start, index k after k updates.
    Prints epoch 0 and every `every`-th epoch.
    """
    w = torch.tensor(1.0, device=x.device)
    b = torch.tensor(0.0, device=x.device)
    losses = [mse(model(x, w, b), y).item()]
    print(f"epoch {0:4d}   loss {losses[0]:.4g}")
    for epoch in range(1, epochs + 1):
        grad_w, grad_b = gradients(x, y, w, b)  # forward and backward pass, by hand
        w = w - lr * grad_w  # update
        b = b - lr * grad_b
        losses.append(mse(model(x, w, b), y).item())  # the loss after this update
        if epoch % every == 0:
            print(f"epoch {epoch:4d}   loss {losses[-1]:.4g}")
    print(f"after {epochs} epochs: w = {w.item():.3g}, b = {b.item():.3g}")
    return losses

# %% [markdown]
# ### What goes wrong, 1: the loss explodes
#
# A learning rate of 0.01 sounds small. Watch:

# %%
losses_fast = train(x, y, lr=1e-2, epochs=10)

# %% [markdown]
# Every epoch multiplies the loss, and w and b run off to huge values. By how
# much each time?

# %%
growth = [losses_fast[k] / losses_fast[k - 1] for k in range(1, len(losses_fast))]
print("loss(epoch k) / loss(epoch k-1):", ", ".join(f"{g:.1f}" for g in growth))

# %% [markdown]
# 5.9-fold in the first epoch, then steadily about 7.6-fold (we will see
# where both numbers come from). At that pace the loss soon passes the largest
# number a float32 can hold (about 3.4e38) and becomes `inf`:

# %%
print(f"largest float32: {torch.finfo(torch.float32).max:.2g}")
losses_overflow = train(x, y, lr=1e-2, epochs=50, every=10)

# %% [markdown]
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
# A word on counting epochs, because you will meet the other way too. Most
# PyTorch training loops print the loss they compute *inside* each epoch, on
# the weights as they were before that epoch's update. Counted that way, epoch
# 1 reports the starting loss and "epoch 10" reports what we call epoch 9:

# %%
for name, run in [("lr 0.01", losses_fast), ("lr 0.0001", losses_slow),
                  ("lr 0.01, input × 0.1", losses_scaled)]:
    print(f"{name:>21}: loss computed inside epoch 10 = {run[9]:.4g}, "
          f"after 10 epochs = {run[10]:.4g}")

# %% [markdown]
# Both counts describe the same run; only the labels shift by one. This course
# uses one of them everywhere, the loop above and the explorer below alike:
# epoch k is the loss after k updates.

# %% [markdown]
# Why does shrinking the input rescue a learning rate that exploded? And
# where exactly is the edge between "too big" and "fine"? The answer is in
# how *curved* the loss is. A few ideas about curvature first.
#
# ### Curvature: how fast the slope changes
#
# The derivative of the loss is its slope. The derivative of the slope, the
# **second derivative**, is the **curvature**: how quickly the slope changes
# as you move. Take the simplest bowl, a parabola L(t) = ½·λ·t² with its
# minimum at t = 0. Its slope is λ·t and its curvature is λ, the same
# everywhere.
#
# A gradient-descent step moves t to t − lr·λ·t = (1 − lr·λ)·t: every step
# multiplies the distance to the minimum by the same factor, 1 − lr·λ. Here
# are three learning rates on a parabola with curvature λ = 2, starting at
# t = 1:

# %%
curvature = 2.0
for lr in (0.3, 0.8, 1.1):
    t, path = 1.0, []
    for _ in range(5):
        t = t - lr * curvature * t  # a gradient step; the slope at t is curvature·t
        path.append(f"{t:+.3f}")
    print(f"lr {lr}: factor 1 − lr·λ = {1 - lr * curvature:+.1f};  t after 1..5 steps: "
          + ", ".join(path))

# %% [markdown]
# - lr·λ < 1 (factor between 0 and 1): t creeps towards 0 from one side.
# - 1 < lr·λ < 2 (factor between −1 and 0): t jumps over the minimum every
#   step, but lands closer each time.
# - lr·λ > 2 (factor below −1): every jump lands further out. It **diverges**.
#
# So on a parabola the learning rate must stay below **2/λ**: the more curved
# the bowl, the smaller the safe learning rate.
#
# ### Curvature in two dimensions: the Hessian
#
# Our loss depends on two numbers, w and b: it is a bowl over the (w, b)
# plane, and how curved it is depends on the direction you walk in.
# Differentiating the gradients dL/dw = mean(2(ŷ − y)·x) and
# dL/db = mean(2(ŷ − y)) once more gives three second derivatives:
#
# - d²L/dw² = mean(2·x²), the curvature along w;
# - d²L/db² = 2, the curvature along b;
# - d²L/dw db = mean(2·x), how the slope in w changes when b moves (and the
#   other way round).
#
# Arranged as a 2 × 2 table, they form the **Hessian** H. For a straight line
# H does not depend on w or b: the bowl is curved the same way everywhere.
# (These are tiny computations, so we do them on the CPU in float64: every
# machine prints the same digits.)

# %%
xd, yd = x.cpu().double(), y.cpu().double()
H = torch.tensor([[(2 * xd**2).mean().item(), (2 * xd).mean().item()],
                  [(2 * xd).mean().item(), 2.0]], dtype=torch.float64)
print(f"H = [[{H[0, 0]:7.2f}, {H[0, 1]:5.2f}],\n     [{H[1, 0]:7.2f}, {H[1, 1]:5.2f}]]")

# %% [markdown]
# The curvature along any direction u (an arrow of length 1 in the (w, b)
# plane) is uᵀHu = Σᵢⱼ uᵢ·Hᵢⱼ·uⱼ, in code `u @ H @ u`. You can check that on the loss itself with a finite
# difference for the second derivative, (L(θ + h·u) − 2·L(θ) + L(θ − h·u)) / h²,
# where θ = (w, b) is a point of the plane:

# %%
def loss_at(theta):
    return mse(model(xd, theta[0], theta[1]), yd)


theta = torch.tensor([1.0, 0.0], dtype=torch.float64)
h = 1e-3
for name, u in [("along w", [1.0, 0.0]), ("along b", [0.0, 1.0]),
                ("diagonal", [0.5**0.5, 0.5**0.5])]:
    u = torch.tensor(u, dtype=torch.float64)
    measured = (loss_at(theta + h * u) - 2 * loss_at(theta) + loss_at(theta - h * u)) / h**2
    print(f"{name:9} finite difference {measured.item():7.2f}   uᵀHu {(u @ H @ u).item():7.2f}")

# %% [markdown]
# Turn the direction all the way round and watch the curvature. Each row of
# `directions` is one arrow u = (cos α, sin α); `torch.stack(..., dim=1)` puts
# the two columns side by side. `.argmax()` gives the position of a tensor's
# largest entry, `.argmin()` that of the smallest:

# %%
print("argmax of [3, 7, 5]:", torch.tensor([3.0, 7.0, 5.0]).argmax().item(),
      " argmin:", torch.tensor([3.0, 7.0, 5.0]).argmin().item())

# %%
angles = torch.arange(0, 180, 0.1, dtype=torch.float64)  # α = 0, 0.1, …, 179.9 degrees
radians = torch.deg2rad(angles)
directions = torch.stack([torch.cos(radians), torch.sin(radians)], dim=1)
curvatures = ((directions @ H) * directions).sum(dim=1)  # uᵀHu for every u at once
for pick, word in [(curvatures.argmax(), "largest"), (curvatures.argmin(), "smallest")]:
    print(f"{word:8} curvature {curvatures[pick].item():7.2f} at α = {angles[pick].item():5.1f}°")

# %% [markdown]
# The curvature is largest in one direction and smallest in the direction at
# right angles to it. Those two directions are the bowl's **axes**. In linear
# algebra they are the **eigenvectors** of H: the arrows u that H only
# stretches, H·u = λ·u, without turning them. The stretch factors λ are the
# **eigenvalues**, and they are exactly the curvatures along the axes.
# `torch.linalg.eigh` computes both for a symmetric matrix such as H
# (eigenvalues from smallest to largest, eigenvectors as the columns):

# %%
eigenvalues, eigenvectors = torch.linalg.eigh(H)
for k, name in [(1, "steep axis"), (0, "flat axis ")]:
    u = eigenvectors[:, k]
    # atan2(u_b, u_w) is the angle of the arrow u; u and −u are the same axis, hence % 180
    angle = torch.rad2deg(torch.atan2(u[1], u[0])).item() % 180
    print(f"{name}: λ = {eigenvalues[k].item():6.2f} at α = {angle:5.1f}°;  "
          f"H·u = λ·u: {torch.allclose(H @ u, eigenvalues[k] * u)}")
print(f"the steep axis is {(eigenvalues[1] / eigenvalues[0]).item():.0f} times more curved")

# %% [markdown]
# To draw the bowl we need its bottom, the best line (w*, b*). For a bowl
# like this one the gradient at θ is H·(θ − θ*), so θ* = θ − H⁻¹·gradient;
# `torch.linalg.solve(H, g)` computes H⁻¹·g.

# %%
gradient_at_start = torch.stack(gradients(xd, yd, theta[0], theta[1]))
best = theta - torch.linalg.solve(H, gradient_at_start)
best_loss = loss_at(best).item()
print(f"best line: w* = {best[0].item():.3f}, b* = {best[1].item():.3f}, "
      f"best possible loss {best_loss:.3f}")

# %% [markdown]
# The picture: contour lines of the loss (each ring is one loss level, the
# inner ones closest to the best loss) with the two axes drawn through the
# bottom. Along the steep axis the rings are packed tight; along the flat axis
# they stretch far out: a long, narrow valley. (w and b have very different
# ranges on this plot, so the axes, at right angles in (w, b), do not look
# perpendicular on screen.) `torch.meshgrid` makes a grid of (w, b) pairs,
# and `plt.contour` draws the lines of equal loss over it.

# %%
w_grid, b_grid = torch.meshgrid(torch.linspace(-1, 4.5, 200, dtype=torch.float64),
                                torch.linspace(-10, 75, 200, dtype=torch.float64),
                                indexing="xy")
loss_grid = ((w_grid.unsqueeze(-1) * xd + b_grid.unsqueeze(-1) - yd) ** 2).mean(dim=-1)
levels = (best_loss + torch.logspace(0, 3.3, 9, dtype=torch.float64)).tolist()
plt.figure(figsize=(6.4, 4.4))
plt.contour(w_grid.numpy(), b_grid.numpy(), loss_grid.numpy(), levels=levels,
            cmap="viridis", linewidths=0.8)
for k, name, reach in [(1, "steep axis", 2.5), (0, "flat axis", 40.0)]:
    ends = best + torch.tensor([[-reach], [reach]], dtype=torch.float64) * eigenvectors[:, k]
    plt.plot(ends[:, 0].numpy(), ends[:, 1].numpy(), lw=2,
             label=f"{name}: curvature λ = {eigenvalues[k].item():.3g}")
plt.plot(best[0].item(), best[1].item(), "g*", ms=12, label="minimum (w*, b*)")
plt.plot(1, 0, "ko", label="start (1, 0)")
plt.xlim(-1, 4.5)
plt.ylim(-10, 75)
plt.xlabel("w")
plt.ylabel("b")
plt.title("Loss contours and the bowl's two axes (the eigenvectors of H)")
plt.legend(loc="lower left", fontsize=8)
plt.show()

# %% [markdown]
# ### Why the steepest axis limits the learning rate
#
# Along each axis the bowl is a parabola with curvature λ, and one gradient
# step on the bowl is one step on each of those parabolas at the same time:
# the distance to the minimum along an axis is multiplied by 1 − lr·λ per
# epoch. (The algebra: the gradient is H·(θ − θ*), so a step maps θ − θ* to
# (I − lr·H)(θ − θ*), where I is the identity matrix, and H only stretches
# its eigenvectors.) There is one
# learning rate for both axes, so:
#
# - the steep axis sets the limit: lr must stay below **2/λ_max**, or that
#   axis diverges;
# - the flat axis sets the pace: it shrinks by 1 − lr·λ_min per epoch, close
#   to 1 when λ_min is small, so a safe learning rate crawls.
#
# For our eleven points and lr = 0.01:

# %%
lam_min, lam_max = eigenvalues.tolist()
lr = 1e-2
print(f"steep axis: factor 1 − lr·λ_max = {1 - lr * lam_max:+.2f} per epoch")
print(f"flat axis:  factor 1 − lr·λ_min = {1 - lr * lam_min:+.4f} per epoch")
print(f"threshold 2/λ_max = {2 / lam_max:.4f}: lr = {lr:g} is {lr * lam_max / 2:.1f} times too big")

# %% [markdown]
# The steep axis overshoots: its distance is multiplied by −2.76 each epoch,
# and the loss, which goes with the *square* of that distance, by about 7.6.
# The first epoch grew less (5.9-fold) because part of the starting loss lies
# along the flat axis, which shrinks. Split the starting loss along the two
# axes, ½·λ·(distance along the axis)², and compare the predicted growth with
# the run above:

# %%
along_axes = eigenvectors.T @ (theta - best)  # the start's distance along each axis
parts = 0.5 * eigenvalues * along_axes**2
print(f"starting loss {loss_at(theta).item():.1f} = best {best_loss:.1f} "
      f"+ steep axis {parts[1].item():.1f} + flat axis {parts[0].item():.1f}")
after_one = best_loss + parts[1].item() * (1 - lr * lam_max) ** 2 + parts[0].item() * (
    1 - lr * lam_min) ** 2
print(f"predicted growth in epoch 1: {after_one / loss_at(theta).item():.2f}, "
      f"measured: {losses_fast[1] / losses_fast[0]:.2f}")
print(f"predicted growth later, (1 − lr·λ_max)²: {(1 - lr * lam_max) ** 2:.2f}, "
      f"measured epoch 10 / epoch 9: {losses_fast[10] / losses_fast[9]:.2f}")

# %% [markdown]
# ### Scaling the input changes the curvature
#
# With the input scaled by s the model is ŷ = w·(s·x) + b. Write X for the
# matrix with one row [s·x, 1] per point; then the three second derivatives
# above are the entries of
#
# H = (2/N)·XᵀX,
#
# and the curvature along w, mean(2·s²·x²), is s² times what it was. Here is
# H from this formula (at s = 1 it is the H we built above), its eigenvalues
# from `torch.linalg.eigvalsh` (the eigenvalues only), and the threshold:

# %%
def hessian(x, scale):
    X = torch.stack([x * scale, torch.ones_like(x)], dim=1).double()
    return 2 / len(x) * X.T @ X


print("formula gives the same H as above:", torch.allclose(hessian(x, 1.0).cpu(), H.cpu()))
for scale in (1.0, 0.1):
    lam_min, lam_max = torch.linalg.eigvalsh(hessian(x, scale)).tolist()
    print(f"input scale {scale:g}: λ_min = {lam_min:.4g}, λ_max = {lam_max:.4g}, "
          f"threshold 2/λ_max = {2 / lam_max:.4g}")

# %% [markdown]
# **Why scaling works:** at s = 0.1 the largest curvature drops from 376 to
# about 5, so the threshold rises from 0.0053 to about 0.39, and lr = 0.01 is
# far below it.
#
# **Why it is still slow:** λ_min barely moves (0.82 → 0.60). With lr = 0.01
# the flat axis shrinks by only 1 − 0.01·0.6 ≈ 0.994 per epoch, so it takes
# hundreds of epochs to get close to the best line.

# %%
lam_min = torch.linalg.eigvalsh(hessian(x, 0.1))[0].item()
shrink = 1 - 1e-2 * lam_min
print(f"flat axis shrinks by {shrink:.4f} per epoch")
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
    closed = gradient_descent(fit, lr, len(ours) - 1).losses  # epochs 0 .. len(ours) - 1
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
# 2. Put the learning rate just above the threshold, then just below it, with
#    100 epochs. Close to the edge everything is gentle: the steep axis's
#    factor 1 − lr·λ_max is close to −1, so just above the edge the loss grows
#    only slowly (at input scale 1 and 1.01 × the threshold it first doubles
#    at epoch 23), and as close as 1.0005 × it even falls for a while before
#    the steep axis takes over. Just below the edge the loss falls slowly. The
#    cell below prints the numbers.
# 3. Keep lr = 0.01 and lower the input scale from 1. Where does the verdict
#    stop saying "diverges"? Keep going down to 0.01: why does it get slow
#    again? (Think of λ_min.)
# 4. Push everything to the extremes: lr = 1, scale = 10, 1000 epochs. Where
#    does the loss become `inf`?
#
# The path panel shows why it diverges: the bowl is a long narrow valley, and
# too large a step bounces from wall to wall, further out each time.

# %% [markdown]
# Near the edge, at input scale 1: the loss after one epoch (as a fraction of
# the start), the epoch of the lowest loss, the epoch at which it first
# doubles (within 1000 epochs), and the loss after 100 epochs. From 1.01 × the
# threshold the loss rises from the very first epoch, but only slowly; at
# 1.0005 × it falls until epoch 37 and takes about 500 epochs to double; below
# the threshold it falls, also slowly.

# %%
fit = LinearFit(x, y, 1.0)
for ratio in (0.99, 1.0005, 1.01, 1.2):
    losses = gradient_descent(fit, ratio * fit.threshold, 1000).losses
    doubled = [k for k, loss in enumerate(losses) if loss > 2 * losses[0]]
    lowest = losses.argmin()  # a NumPy array has argmin too
    print(f"lr = {ratio:.4f} × threshold: epoch 1 / epoch 0 = {losses[1] / losses[0]:.4f}, "
          f"lowest at epoch {lowest}, {f'doubles at epoch {doubled[0]}' if doubled else 'never doubles'}, "
          f"epoch 100: {losses[100]:.3g}")

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
    loss = ((y_hat - ys) ** 2).sum()  # the loss after `step` updates
    if step % 100 == 0:
        print(f"step {step:4d}   loss {loss.item():.4g}")

    grad_y_hat = 2 * (y_hat - ys)  # backward pass, by hand
    grad_a = grad_y_hat.sum()
    grad_b = (grad_y_hat * xs).sum()
    grad_c = (grad_y_hat * xs**2).sum()
    grad_d = (grad_y_hat * xs**3).sum()

    a = a - learning_rate * grad_a  # update
    b = b - learning_rate * grad_b
    c = c - learning_rate * grad_c
    d = d - learning_rate * grad_d

final_loss = ((a + b * xs + c * xs**2 + d * xs**3 - ys) ** 2).sum()
print(f"step 2000   loss {final_loss.item():.4g}")

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
# driver="gels" (QR) gives the same digits every run (the default does not) and works on CUDA
exact = torch.linalg.lstsq(features, ys.unsqueeze(1), driver="gels").solution.squeeze(1).tolist()
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
# Fill in each template (replace its `raise TODO` or `...` with your answer),
# run it, then run the `check` cell below it. Stuck? `hint(n)` prints a hint
# for exercise n. The solutions are in
# `solutions/04_backprop_by_hand_solutions.ipynb`.

# %%
from coursekit.exercises import TODO
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
    raise TODO  # replace with your code

# %%
check(1, line_gradients)

# %% [markdown]
# ### Exercise 2: gradients of the cubic
#
# Write `cubic_gradients(x, y, a, b, c, d)` returning the four gradients of
# the **summed** squared error of ŷ = a + b·x + c·x² + d·x³.

# %%
def cubic_gradients(x, y, a, b, c, d):
    raise TODO  # replace with your code

# %%
check(2, cubic_gradients)

# %% [markdown]
# ### Exercise 3: the largest safe learning rate
#
# Write `largest_safe_lr(x, scale)`: the threshold 2/λ_max of the Hessian
# H = (2/N)·XᵀX with X = [x·scale, 1], as a Python float.

# %%
def largest_safe_lr(x, scale):
    raise TODO  # replace with your code

# %%
check(3, largest_safe_lr)

# %% [markdown]
# ### Exercise 4: converge or diverge?
#
# For each (learning rate, input scale) below, on this lesson's eleven
# points, predict whether gradient descent converges (settles at the best
# loss) or diverges. Answer with a list of words, `"converges"` or
# `"diverges"`, in the same order. Predict first, from the threshold of
# exercise 3; then check each setting with the explorer over its longest run,
# 1000 epochs: `explorer.set(lr=..., scale=..., epochs=1000)`.

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
# This time the learning rate is large: **lr = 0.5**. Find an input scale at
# which gradient descent from w = 1, b = 0 gets the loss **within 1 % of the
# best possible loss** (about 9.775, see above) in **100 epochs**. Too large a
# scale and it diverges; too small and the flat axis crawls. Work it out with
# the threshold (exercise 3) and λ_min, then check with the explorer or with
# `gradient_descent(LinearFit(x, y, scale), 0.5, 100).losses[-1]`.

# %%
scale = ...

# %%
check(5, scale)
