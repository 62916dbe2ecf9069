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
# # 05 · torch.nn and torch.optim
#
# In lessons 02 to 04 you wrote every piece of training yourself: the weights,
# the forward pass, the loss, the update. This lesson hands those pieces, one
# at a time, to PyTorch:
#
# 1. `torch.nn` builds the model and the loss for you;
# 2. `torch.optim` does the update for you;
# 3. the cubic of lesson 04 becomes a model, first from ready-made layers, then
#    as your own `nn.Module`;
# 4. an explorer puts four optimizers side by side, so you can see why Adam
#    survives learning rates that make plain gradient descent blow up, and
#    longer runs show what it does not fix.

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

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from coursekit.data import random_batch, sine_points

# %% [markdown]
# ## 1. A network from `torch.nn`
#
# The data is lesson 02's: a batch of 64 random inputs with 1000 numbers each,
# and 64 random targets with 10 numbers each.

# %%
x, y = random_batch(batch=64, d_in=1000, d_out=10, device=device)
print(f"inputs {tuple(x.shape)}, targets {tuple(y.shape)}")

# %% [markdown]
# In lesson 02 the network was two weight matrices and a `clamp(min=0)`.
# `nn.Sequential` chains ready-made layers instead: `nn.Linear(1000, 100)`
# holds a weight matrix of shape 100 × 1000 (one row per output: PyTorch
# computes x·Wᵀ) and a bias of 100, `nn.ReLU()` is the
# clamp, and a second `nn.Linear` maps the 100 hidden numbers to 10 outputs.
#
# We seed the generator and build the model on the CPU, then move it with
# `.to(device)`, so its starting weights are the same on every machine.

# %%
def make_network():
    torch.manual_seed(0)
    network = nn.Sequential(nn.Linear(1000, 100), nn.ReLU(), nn.Linear(100, 10))
    return network.to(device)


model = make_network()
print(model)

# %% [markdown]
# The layers created their own weights (and biases, which lesson 02 left
# out). `model.parameters()` lists them all:

# %%
for name, param in model.named_parameters():
    print(f"{name:9} shape {str(tuple(param.shape)):12} requires_grad={param.requires_grad}")
total = sum(param.numel() for param in model.parameters())
print(f"{total:,} numbers to learn")

# %% [markdown]
# The loss is a module too. `nn.MSELoss(reduction="sum")` is the summed squared
# error of lesson 02, `((y_pred - y) ** 2).sum()`:

# %%
loss_fn = nn.MSELoss(reduction="sum")
loss = loss_fn(model(x), y)
by_hand = ((model(x) - y) ** 2).sum()
print(f"nn.MSELoss: {loss.item():.4g}   by hand: {by_hand.item():.4g}")

# %% [markdown]
# ## 2. Training by hand, with `model.parameters()`
#
# The loop is lesson 02's, with the model and the loss from `torch.nn`. The
# update still happens by hand, under `torch.no_grad()` so that it is not
# recorded in the graph. One new line: `model.zero_grad()` before each
# `backward()`.

# %%
def train_by_hand(model, lr=1e-4, steps=500, zero_grad=True):
    """Plain gradient descent; returns the loss before each update."""
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        if zero_grad:
            model.zero_grad()  # forget the gradients of the previous step
        loss.backward()  # adds this step's gradients into param.grad
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
    return losses


losses_sgd = train_by_hand(make_network())
for step in (0, 100, 200, 300, 400, 499):
    print(f"step {step:3}: loss {losses_sgd[step]:.3g}")

# %% [markdown]
# The loss falls from about 600 to a few millionths. (Float32 sums come out in
# a slightly different order on a GPU, so we print three significant digits:
# both agree on those.)
#
# ### Why the gradients must be zeroed
#
# `backward()` does not *replace* `param.grad`, it *adds* to it (lesson 02).
# Two backward passes through the same loss give twice the gradient:

# %%
model = make_network()
loss = loss_fn(model(x), y)
model.zero_grad()
loss.backward(retain_graph=True)  # keep the graph for a second backward
once = model[0].weight.grad.clone()
loss.backward()
ratio = (model[0].weight.grad.norm() / once.norm()).item()
print(f"gradient after two backward passes / after one: {ratio:.1f}")

# %% [markdown]
# In a training loop that forgets `zero_grad()`, step k updates with the sum of
# all k gradients so far: old gradients, computed for weights that no longer
# exist, keep pushing. Watch what that does:

# %%
losses_piled_up = train_by_hand(make_network(), zero_grad=False)
print(f"with zero_grad():    loss at step 499 {losses_sgd[-1]:.2g}")
print(f"without zero_grad(): loss at step 499 {losses_piled_up[-1]:.2g}")
print(f"about 10^{round(math.log10(losses_piled_up[-1] / losses_sgd[-1]))} times higher")
bumps = int((np.diff(losses_piled_up) > 0).sum())
# The exact count shifts by a step or two between machines: the run is chaotic.
print(f"without zero_grad(), the loss went up at about {round(bumps / 499, 1):.0%} of the steps")

# %%
plt.semilogy(losses_sgd, label="with model.zero_grad()")
plt.semilogy(losses_piled_up, label="without: gradients pile up")
plt.xlabel("step")
plt.ylabel("loss (log scale)")
plt.title("Same network, same learning rate 1e-4")
plt.legend()
plt.show()

# %% [markdown]
# Without `zero_grad()` the loss overshoots, bounces and stalls about ten
# million (10⁷) times higher. The piled-up gradient acts like a heavy ball with no
# friction: it keeps rolling past the valley floor.

# %% [markdown]
# ## 3. `torch.optim` does the update
#
# An optimizer holds the list of parameters and knows one update rule. The
# whole training step becomes three lines that never change, whatever the
# rule:
#
# ```python
# optimizer.zero_grad()   # forget the previous gradients
# loss.backward()         # compute new ones
# optimizer.step()        # update every parameter
# ```
#
# Here is the same network trained with Adam, learning rate 1e-4:

# %%
def train_with(optimizer_class, model, steps=500, **settings):
    optimizer = optimizer_class(model.parameters(), **settings)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def show(loss):
    """Three significant digits, or only the order of magnitude for tiny losses."""
    return f"{loss:.3g}" if loss > 1e-7 else f"about 1e{round(math.log10(loss))}"


losses_adam = train_with(torch.optim.Adam, make_network(), lr=1e-4)
for step in (0, 100, 200, 300, 400, 499):
    print(f"step {step:3}: by hand {show(losses_sgd[step]):>9}   Adam {show(losses_adam[step]):>9}")

# %%
plt.semilogy(losses_sgd, label="gradient descent by hand, lr 1e-4")
plt.semilogy(losses_adam, label="torch.optim.Adam, lr 1e-4")
plt.xlabel("step")
plt.ylabel("loss (log scale)")
plt.title("The two-layer network, two ways")
plt.legend()
plt.show()

# %% [markdown]
# Adam starts slower and ends lower. Its learning rate means something
# different: plain gradient descent moves each weight by lr × gradient, Adam
# moves each weight by lr × (a running average of its gradient ÷ the typical
# size of its gradient), a ratio that is usually at most about 1. So lr is
# roughly the largest step a weight takes, whatever the size of its gradient.
# It is not a strict cap: when a gradient grows or changes, the ratio can
# pass 1. And most steps are far smaller than lr. Here is the same Adam run
# again, measuring every step (in units of lr, over all the weights).
# Section 5 shows why this matters.

# %%
def adam_step_sizes(model, lr=1e-4, steps=500):
    """Each step's largest and median change of a weight, in units of lr."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    largest, median = [], []
    for _ in range(steps):
        before = [param.detach().clone() for param in model.parameters()]
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        moves = torch.cat([(param.detach() - old).abs().flatten()
                           for param, old in zip(model.parameters(), before, strict=True)]) / lr
        largest.append(moves.max().item())
        # The middle value (what moves.median() returns), found by NumPy's partial
        # sort: about 10 times faster than torch's median for 100,000 numbers.
        middle = (len(moves) - 1) // 2
        median.append(np.partition(moves.cpu().numpy(), middle)[middle].item())
    return largest, median


largest, median = adam_step_sizes(make_network())
print(f"largest single step of any weight: {max(largest):.1f}·lr")
print(f"median step, over the 500 steps:   {np.median(median):.2f}·lr")

# %% [markdown]
# ## 4. The cubic as a model
#
# Lesson 04 fitted ŷ = a + b·x + c·x² + d·x³ to sin(x) with gradients written
# by hand. That is a *linear* model of the three features (x, x², x³), so one
# `nn.Linear(3, 1)` holds it: its weight is (b, c, d), its bias is a.
#
# The features come from broadcasting: a column of 2000 x values raised to the
# row of powers (1, 2, 3) gives a 2000 × 3 matrix.

# %%
x_sin, y_sin = sine_points(2000, device=device)
powers = torch.tensor([1, 2, 3], device=device)
features = x_sin.unsqueeze(-1).pow(powers)
print(f"x {tuple(x_sin.shape)} -> features {tuple(features.shape)}")
print(f"row 0: {[round(v, 3) for v in features[0].tolist()]}  (-π, π², -π³)")

# %% [markdown]
# `nn.Linear(3, 1)` returns one column (2000 × 1); `nn.Flatten(0, 1)` turns it
# into 2000 numbers, the shape of `y`. We train with `torch.optim.RMSprop`,
# another adaptive optimizer like Adam (section 5 gives its update rule),
# learning rate 1e-3, 2000 steps.
# (Near the end RMSprop hovers around the minimum, and the last digits of the
# loss jitter from machine to machine, so we print only the first 1000 steps.)

# %%
torch.manual_seed(0)
cubic = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1)).to(device)
optimizer = torch.optim.RMSprop(cubic.parameters(), lr=1e-3)
for step in range(2000):
    loss = loss_fn(cubic(features), y_sin)
    if step in (0, 250, 500, 1000):
        print(f"step {step:4}: loss {loss.item():.3g}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

# %% [markdown]
# The coefficients sit inside the layer: a is its bias, b, c, d its weight.

# %%
def rounded(value, digits):
    """Round for printing; adding 0.0 turns -0.0 into 0.0."""
    return f"{round(value, digits) + 0.0:.{digits}f}"


layer = cubic[0]
fitted = [layer.bias.item(), *layer.weight[0].tolist()]
print("RMSprop:  " + ", ".join(f"{n} = {rounded(v, 2)}" for n, v in zip("abcd", fitted, strict=True)))

# %% [markdown]
# How good is that? This problem has an exact answer: least squares on the
# columns (1, x, x², x³), one call to `torch.linalg.lstsq`.

# %%
columns = torch.cat([torch.ones_like(x_sin).unsqueeze(-1), features], dim=1)
# driver="gels" (QR) gives the same digits every run (the default does not) and works on CUDA
exact = torch.linalg.lstsq(columns, y_sin.unsqueeze(-1), driver="gels").solution.squeeze(-1).tolist()
print("exact:    " + ", ".join(f"{n} = {rounded(v, 3)}" for n, v in zip("abcd", exact, strict=True)))
gap = max(abs(f - e) for f, e in zip(fitted, exact, strict=True))
print(f"largest gap between RMSprop and exact: {'below' if gap < 0.01 else 'above'} 0.01")

# %%
with torch.no_grad():
    prediction = cubic(features)
x_plot = x_sin.cpu()
exact_curve = sum(c * x_plot**k for k, c in enumerate(exact))
plt.plot(x_plot, y_sin.cpu(), label="sin(x)", linewidth=3, alpha=0.4)
plt.plot(x_plot, prediction.cpu(), label="nn.Linear(3, 1) trained with RMSprop")
plt.plot(x_plot, exact_curve, "--", label="exact least-squares cubic")
plt.xlabel("x")
plt.ylabel("y")
plt.title("The cubic, fitted by torch.nn and torch.optim")
plt.legend(loc="lower right")
plt.show()

# %% [markdown]
# ### Your own `nn.Module`
#
# `nn.Sequential` covers chains of layers. For anything else you write a class:
# create the parameters in `__init__` (wrapped in `nn.Parameter`, so that the
# module finds them), and compute the output in `forward`. Calling
# `model(x)` runs `forward(x)`.

# %%
class Cubic(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.randn(()))
        self.b = nn.Parameter(torch.randn(()))
        self.c = nn.Parameter(torch.randn(()))
        self.d = nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**3

    def describe(self):
        a, b, c, d = (round(p.item(), 2) + 0.0 for p in (self.a, self.b, self.c, self.d))

        def term(value, power):
            return f" {'-' if value < 0 else '+'} {abs(value):.2f} {power}"

        return f"y = {a:.2f}" + term(b, "x") + term(c, "x²") + term(d, "x³")


torch.manual_seed(0)
custom = Cubic().to(device)
print("parameters:", [name for name, _ in custom.named_parameters()])
print("start:", custom.describe())

# %% [markdown]
# No feature matrix needed: `forward` takes x itself. The training loop is the
# same three lines. The random start is further from the answer than the
# `nn.Linear` one was, so we give it a larger learning rate, 3e-3 (2000 steps).
# Again we print only the first 1000 steps: later the loss jitters from machine
# to machine.

# %%
optimizer = torch.optim.RMSprop(custom.parameters(), lr=3e-3)
for step in range(2000):
    loss = loss_fn(custom(x_sin), y_sin)
    if step in (0, 250, 500, 1000):
        print(f"step {step:4}: loss {loss.item():.3g}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print("end:", custom.describe())

# %% [markdown]
# ## 5. Four optimizers side by side
#
# Back to lesson 04's eleven points and the line ŷ = w·x + b, with x left
# unscaled, starting at (w, b) = (1, 0). Lesson 04 found that plain gradient
# descent blows up unless the learning rate stays below 2/λ_max, where λ_max is
# the largest curvature of the loss. Here are the numbers:

# %%
from coursekit.optim_explorer import (
    OPTIMIZERS,
    PROBLEM,
    OptimizerExplorer,
    run_optimizers,
    short_verdict,
)

curvature_w, curvature_b = np.diag(PROBLEM.hessian)
slope_w, slope_b = PROBLEM.gradient(PROBLEM.start)
print(f"curvature along w: {curvature_w:.0f}, along b: {curvature_b:.0f} "
      f"(ratio {curvature_w / curvature_b:.0f})")
print(f"slope at the start along w: {slope_w:.1f}, along b: {slope_b:.1f} "
      f"(ratio {slope_w / slope_b:.0f})")
print(f"plain gradient descent is stable only for lr < 2/λ_max = {PROBLEM.sgd_threshold:.4f}")
# A known result for heavy-ball momentum (not derived here): the limit becomes 2·(1 + 0.9)/λ_max.
print(f"with momentum 0.9 the limit is 2·(1 + 0.9)/λ_max = {2 * 1.9 / PROBLEM.lambda_max:.4f}")
print(f"best possible loss: {PROBLEM.best_loss:.2f} at w = {PROBLEM.solution[0]:.2f}, "
      f"b = {PROBLEM.solution[1]:.2f}")

# %% [markdown]
# The loss *curves* 187 times more strongly along w than along b (the
# ratio of the curvatures), and at the start it is 12 times *steeper* along w
# (the ratio of the slopes). Plain gradient descent has one learning rate for
# both: small enough for w means painfully slow for b.
#
# Four update rules, all full-batch, with torch.optim's defaults (g is the
# gradient, p the parameters, each rule applied to every coordinate):
#
# | optimizer | update |
# | --- | --- |
# | SGD | p ← p − lr·g |
# | SGD + momentum | m ← 0.9·m + g;  p ← p − lr·m |
# | RMSprop | v ← 0.99·v + 0.01·g²;  p ← p − lr·g / √v |
# | Adam | m ← 0.9·m + 0.1·g;  v ← 0.999·v + 0.001·g²;  p ← p − lr·m̂ / √v̂ |
#
# (m̂ and v̂ are m and v corrected for starting at zero.) RMSprop and Adam
# divide each coordinate's step by the typical size of *its own* gradient. A
# steep coordinate gets a large gradient and a large divisor; a flat one gets
# small ones. Either way the step is about lr (for RMSprop only once its
# running average has filled up, as we will see). Look at the very first step:

# %%
gradient = PROBLEM.gradient(PROBLEM.start)
paths, _ = run_optimizers(0.01, steps=1)
print(f"gradient at the start: dL/dw = {gradient[0]:.1f}, dL/db = {gradient[1]:.1f}")
for name, path in zip(OPTIMIZERS, paths, strict=True):
    step_w, step_b = path[1] - path[0]
    print(f"first step at lr 0.01, {name:15}: Δw = {step_w:+8.3f}, Δb = {step_b:+7.3f}")

# %% [markdown]
# Plain SGD (and momentum, whose first step is the same) moves w by almost 10
# and b by less than 1. The best w is about 1.8: that first step already
# overshoots the valley by far, and each next one overshoots more. RMSprop
# steps 0.1 in both (its running average starts at zero, so its first step is
# 10 × lr), Adam exactly 0.01 in both.
#
# Now try it yourself. Pick an optimizer and a learning rate: the left panel
# shows all four loss curves (the chosen one thick), the right one their paths
# over the contours of the loss. An ✗ on the top edge marks a run that left
# the chart. The verdicts use lesson 04's words: *converges* means the loss
# ends within 5 % of the best possible. They also count in lesson 04's
# epochs: every step here uses all eleven points, so one step is one epoch,
# "after 200 epochs" means after 200 steps, and epoch k is the loss after k
# steps.

# %%
OptimizerExplorer()

# %% [markdown]
# Things to try:
#
# - **lr 0.003**: which of the four reach the minimum within 200 steps? Adam
#   moves at most about 0.003 per step, and b has to travel 33.
# - **lr 0.01**: above plain SGD's limit (0.0053), but below momentum's
#   (0.0101, printed above).
# - **lr 0.5 to 10**: both plain methods explode in one step, while RMSprop and
#   Adam head for the minimum. Look closely at RMSprop's curve at lr 0.5: it
#   climbs back up near step 170. The longer runs below explain why.
#
# The verdicts after 200 steps, printed for the lesson's static readers:

# %%
print(f"{'lr':6}" + "".join(f"| {name:20}" for name in OPTIMIZERS))
for lr in (0.001, 0.003, 0.01, 0.1, 0.5, 5.0):
    _, losses = run_optimizers(lr)
    print(f"{lr:<6g}" + "".join(f"| {short_verdict(row, PROBLEM.best_loss):20}" for row in losses))

# %% [markdown]
# The explorer computes the four runs with numpy (a few milliseconds for all
# four) instead of calling `torch.optim`. It uses the same rules; here is the
# check, ten steps of each in double precision:

# %%
x_line = torch.tensor(PROBLEM.x)
y_line = torch.tensor(PROBLEM.y)
makers = {"SGD": lambda p: torch.optim.SGD([p], lr=0.003),
          "SGD + momentum": lambda p: torch.optim.SGD([p], lr=0.003, momentum=0.9),
          "RMSprop": lambda p: torch.optim.RMSprop([p], lr=0.003),
          "Adam": lambda p: torch.optim.Adam([p], lr=0.003)}
paths, _ = run_optimizers(0.003, steps=10)
for name, path in zip(OPTIMIZERS, paths, strict=True):
    p = torch.tensor(PROBLEM.start, requires_grad=True)
    optimizer = makers[name](p)
    for _ in range(10):
        optimizer.zero_grad()
        ((p[0] * x_line + p[1] - y_line) ** 2).mean().backward()
        optimizer.step()
    difference = np.abs(p.detach().numpy() - path[-1]).max()
    print(f"{name:15} numpy vs torch.optim after 10 steps: "
          f"{'same to 1e-12' if difference < 1e-12 else f'differ by {difference:.2g}'}")

# %% [markdown]
# ### Longer runs: what adaptive methods buy, and what they do not
#
# The explorer stops after 200 steps. What happens if we keep going? Here are
# `torch.optim.RMSprop` and `torch.optim.Adam` for 2000 steps at three
# learning rates. The problem has two parameters, so we run it on the CPU in
# float64: a GPU would not help, and every machine computes the same numbers.

# %%
def side_by_side(optimizers, lrs, steps=2000):
    """Full-batch steps on this section's problem from (w, b) = (1, 0), one run per
    optimizer and learning rate, all side by side (one step of every run per pass,
    which is faster).

    Returns {(name, lr): (losses, path)}: the losses (index k = after k steps) and the path of (w, b).
    """
    runs = [(name, lr) for name in optimizers for lr in lrs]
    ps = {run: torch.tensor(PROBLEM.start, requires_grad=True) for run in runs}  # float64, on the CPU
    # One optimizer per rule, holding its runs' p, each in a parameter group with its own lr.
    rules = [optimizer_class([{"params": [ps[name, lr]], "lr": lr} for lr in lrs])
             for name, optimizer_class in optimizers.items()]
    losses, path = [], []
    for step in range(steps + 1):  # the last pass only records where the runs ended
        wb = torch.stack(list(ps.values()))  # one row (w, b) per run
        loss = ((wb[:, :1] * x_line + wb[:, 1:] - y_line) ** 2).mean(dim=1)  # one loss per run
        losses.append(loss.tolist())
        path.append(wb.tolist())
        if step < steps:
            for optimizer in rules:
                optimizer.zero_grad()
            loss.sum().backward()  # each run's loss depends on its own p: its own gradient
            for optimizer in rules:
                optimizer.step()
    losses, path = np.array(losses), np.array(path)
    return {run: (losses[:, i], path[:, i]) for i, run in enumerate(runs)}


LONG_LRS = (0.1, 0.5, 10.0)
adaptive = {"RMSprop": torch.optim.RMSprop, "Adam": torch.optim.Adam}
long_runs = side_by_side(adaptive, LONG_LRS)

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, name in zip(axes, adaptive, strict=True):
    for lr in LONG_LRS:
        ax.semilogy(long_runs[name, lr][0], lw=1, label=f"lr {lr:g}")
    ax.axhline(PROBLEM.best_loss, color="black", ls="--", lw=1, label="best possible loss")
    ax.set_xlabel("step")
    ax.set_title(f"{name}, 2000 steps")
axes[0].set_ylabel("loss (log scale)")
axes[1].legend(loc="upper right")
plt.show()

# %% [markdown]
# The final losses, the median over the last 1000 steps, and how many of those
# 1000 steps are more than twice the best possible loss:

# %%
print(f"{'':8}{'lr':>5}   {'final loss':>10}   {'median, last 1000':>17}   above 2 × best")
for (name, lr), (losses, _) in long_runs.items():
    last = losses[-1000:]
    share = np.mean(last > 2 * PROBLEM.best_loss)
    above = "none" if share == 0 else "all" if share == 1 else "some"
    print(f"{name:8}{lr:5g}   {losses[-1]:10.2g}   {np.median(last):17.2g}   {above}")

# %% [markdown]
# **What they buy.** Every one of these learning rates makes plain gradient
# descent explode in its first step (its limit is 0.0053). RMSprop and Adam
# scale each coordinate's step by the size of its own gradient, so the steep w
# and the flat b move at the same pace. At lr 0.5 both reach the bottom of
# the valley within 200 steps (the table above). That is, per parameter and on
# the fly, the rescaling that lesson 04 did by hand with x·0.1.
#
# **What they do not.** At a fixed large learning rate there is no guarantee
# that they settle. RMSprop at lr 0.5 ends at more than twice the best loss,
# and at lr 10 hundreds of times above it. Adam settles, but at lr 10 it jumps
# away now and then.
#
# Why RMSprop hovers: its divisor √v follows the size of the recent gradients.
# When the gradient shrinks, so does the divisor, and the step stays about lr.
# Look at the typical step size, divided by lr, over the last 1000 steps:

# %%
for (name, lr), (_, path) in long_runs.items():
    steps = np.abs(np.diff(path[-1001:], axis=0)) / lr  # |Δw|, |Δb| per step, in units of lr
    median_w, median_b = np.median(steps, axis=0)
    print(f"{name:8} lr {lr:<4g}: typical |Δw| = {median_w:.2f}·lr, |Δb| = {median_b:.2f}·lr")

# %% [markdown]
# RMSprop keeps stepping exactly lr in each coordinate, so it cannot land on
# the minimum: it ends up jumping across it and back, between two points that
# lie lr/2 to either side of (w*, b*) in both coordinates. On lesson 04's bowl
# the loss at an offset Δ from the minimum is the best loss plus ½·ΔᵀHΔ; with
# Δ = (lr/2, lr/2) that is ½·(lr/2)²·(H_ww + 2·H_wb + H_bb), which grows like
# lr²:

# %%
(h_ww, h_wb), (_, h_bb) = PROBLEM.hessian
_, path = long_runs["RMSprop", 0.5]
print(f"RMSprop, lr 0.5, last steps: w jumps between {path[-2:, 0].min():.2f} and "
      f"{path[-2:, 0].max():.2f}, b between {path[-2:, 1].min():.2f} and {path[-2:, 1].max():.2f}")
for lr in LONG_LRS:
    predicted = PROBLEM.best_loss + 0.5 * (lr / 2) ** 2 * (h_ww + 2 * h_wb + h_bb)
    print(f"lr {lr:<4g}: predicted hover loss {predicted:8.4g}, "
          f"RMSprop's final loss {long_runs['RMSprop', lr][0][-1]:8.4g}")

# %% [markdown]
# Adam's numerator is a running *average* of the gradient, m. Jumping back and
# forth across the minimum gives gradients of alternating sign, which average
# out, so Adam's steps shrink and it settles (the 0.00·lr above).
#
# Why Adam spikes: its divisor √v̂ is an average over a long memory,
# about 1/(1 − 0.999) = 1000 steps. While Adam sits at the bottom, the
# gradients are tiny and v̂ slowly forgets the large early ones, so the
# *effective* learning rate along w, lr/√v̂, creeps up. Plain gradient
# descent's limit 2/λ_max = 0.0053 is not the one that matters here: the
# effective rate passes it long before the spike and the run stays stable,
# because Adam's numerator m is a running average of the gradient. Adam at
# the bottom of the valley behaves like gradient descent with momentum, and
# for momentum written as m ← β₁·m + (1 − β₁)·g the limit is
# 2(1 + β₁)/((1 − β₁)·λ_max), about 0.101 with β₁ = 0.9. Once the effective
# rate passes that, the steep direction is unstable again, as for plain
# gradient descent past 2/λ_max. The loss spikes, the large gradients refill
# v̂, and Adam settles once more.
# An optimizer keeps these running averages in `optimizer.state[p]`
# (`"exp_avg_sq"` is Adam's v before the correction for starting at zero), so
# we can watch it at lr 10:

# %%
p = torch.tensor(PROBLEM.start, requires_grad=True)
adam = torch.optim.Adam([p], lr=10.0)
beta1, beta2 = adam.defaults["betas"]  # the optimizer's settings: β1 = 0.9, β2 = 0.999
momentum_limit = 2 * (1 + beta1) / ((1 - beta1) * PROBLEM.lambda_max)
print(f"plain gradient descent's limit 2/λ_max = {PROBLEM.sgd_threshold:.4f}; "
      f"with Adam's momentum 2(1 + β₁)/((1 − β₁)·λ_max) = {momentum_limit:.3f}")
spike_start = None
for step in range(1701):
    loss = ((p[0] * x_line + p[1] - y_line) ** 2).mean()  # the loss after `step` steps
    if step > 0:
        v_hat = adam.state[p]["exp_avg_sq"] / (1 - beta2**step)
        effective = 10 / v_hat[0].sqrt().item()
    if step in (200, 600, 1000, 1400, 1700):
        print(f"after {step:4} steps: loss {loss.item():5.3g}, effective lr along w, "
              f"10/√v̂ = {effective:.3f}")
    if spike_start is None and step > 400 and loss.item() > 1.01 * PROBLEM.best_loss:
        spike_start = (step, effective)
    adam.zero_grad()
    loss.backward()
    adam.step()
print(f"the loss first leaves the bottom (1 % above the best) after {spike_start[0]} steps, "
      f"at an effective lr of {spike_start[1]:.3f}")
losses_adam_10 = long_runs["Adam", 10.0][0]
spike = 300 + int(np.argmax(losses_adam_10[300:]))
print(f"the highest loss after step 300: {losses_adam_10[spike]:.0e}, "
      f"near step {round(spike, -2)}")

# %% [markdown]
# The same mechanism with a shorter memory (RMSprop averages over about
# 1/(1 − 0.99) = 100 steps) explains RMSprop's early spikes, which shrink
# until it settles into its steady hop. The first one at lr 0.5 is also in
# the explorer's opening picture:

# %%
losses_rms = long_runs["RMSprop", 0.5][0]
spike = 100 + int(np.argmax(losses_rms[100:300]))
print(f"RMSprop, lr 0.5: loss {losses_rms[150]:.3g} after 150 steps, "
      f"then up to {losses_rms[spike]:.1g} near step {round(spike, -1)}")

# %% [markdown]
# The lesson: adaptive methods tolerate learning rates that make plain gradient
# descent blow up, because they fix bad scaling per parameter. They do not make
# any learning rate safe: at a fixed large lr they hover (RMSprop) or spike
# (Adam) around the minimum. To finish a run, lower the learning rate. And
# with a tiny learning rate they are slow in *every* direction (try lr 0.003
# in the explorer).

# %% [markdown]
# ## Exercises
#
# Fill in each template (replace its `raise TODO` or `...` with your answer),
# run it, then run the check below it. Stuck? `hint(n)` prints a hint for
# exercise n. Solutions are in
# `solutions/05_nn_and_optim_solutions.ipynb`.

# %%
from coursekit.exercises import TODO
from coursekit.exercises.nn_optim import exercises

check, hint = exercises.check, exercises.hint

# %% [markdown]
# **Exercise 1: fix the loop.** This loop forgets something. Copy it into
# `fixed_train`, fix it, and return the list of losses (one per step, before
# the update).

# %%
def broken_train(model, x, y, lr, steps):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
    return losses


def fixed_train(model, x, y, lr, steps):
    raise TODO  # replace with your code


# %%
check(1, fixed_train)

# %% [markdown]
# **Exercise 2: a training loop with an optimizer.** Train `model` with the
# `optimizer` it is given for `steps` steps on the summed squared error, and
# return the losses (before each update). The checker tries Adam and SGD with
# momentum.

# %%
def train(model, optimizer, x, y, steps):
    raise TODO  # replace with your code


# %%
check(2, train)

# %% [markdown]
# **Exercise 3: the cubic module.** Write an `nn.Module` class with four
# parameters named `a`, `b`, `c`, `d` (one number each) whose `forward(x)`
# returns a + b·x + c·x² + d·x³. Do not peek at section 4.

# %%
class MyCubic(nn.Module):
    def __init__(self):
        super().__init__()
        raise TODO  # create a, b, c, d

    def forward(self, x):
        raise TODO  # return the cubic


# %%
check(3, MyCubic)

# %% [markdown]
# **Exercise 4: where only the adaptive methods survive.** Find a learning
# rate at which, on section 5's problem (200 steps), plain SGD diverges but Adam
# converges. Use the explorer.

# %%
lr_answer = ...

# %%
check(4, lr_answer)

# %% [markdown]
# **Exercise 5: Adam by hand.** Write one Adam step for a tensor of
# parameters `p` with gradient `grad`, running averages `m` and `v`, step number
# `t` (1 for the first step) and learning rate `lr`. Return
# `(new_p, new_m, new_v)`. The checker compares six steps with
# `torch.optim.Adam`.

# %%
def adam_step(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    raise TODO  # replace with your code


# %%
check(5, adam_step)

# %% [markdown]
# ## What you learned
#
# - `nn.Sequential`, `nn.Linear`, `nn.ReLU` build a network and create its
#   weights; `model.parameters()` lists them; `nn.MSELoss` is the loss.
# - `backward()` adds to `.grad`: zero the gradients before each backward, or
#   old gradients keep pushing.
# - `torch.optim` turns the update into `zero_grad()`, `backward()`, `step()`,
#   whatever the rule.
# - A custom `nn.Module` is `__init__` (parameters) plus `forward` (the
#   computation).
# - Plain gradient descent needs lr < 2/λ_max and then crawls along flat
#   directions; RMSprop and Adam scale each coordinate's step by its own
#   gradient size, so they tolerate badly scaled problems and large learning
#   rates at first.
# - They do not settle at any fixed large learning rate: RMSprop hops across
#   the minimum by lr, Adam spikes when its memory of large gradients fades.
#   Lower the learning rate to finish.
