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
# # 06 · Extending autograd
#
# Autograd knows the derivative of every operation PyTorch ships. This lesson
# opens it up:
#
# 1. you teach autograd a new operation by writing its `forward` and its
#    `backward` yourself, with `torch.autograd.Function`, and train a model
#    with it;
# 2. `torch.autograd.gradcheck` tells you whether your backward is right, and
#    you see why it needs float64;
# 3. the graph is recorded anew at every forward pass, so a model may use
#    Python loops and `if`s, and a layer may be used several times: you count
#    what autograd records, and see gradients add up.

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
import copy
import random
import warnings
from collections import Counter

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.autograd.gradcheck import GradcheckError

from coursekit.data import sine_points

# %% [markdown]
# ## 1. A new operation: forward and backward by hand
#
# Our example is the Legendre polynomial of degree 3,
#
# P₃(x) = ½·(5x³ − 3x),
#
# a cubic like the ones of lessons 04 and 05. Its derivative, on paper:
#
# P₃′(x) = ½·(15x² − 3) = 1.5·(5x² − 1).
#
# A `torch.autograd.Function` holds both halves as two static methods (methods
# called on the class, with no `self`):
#
# - `forward(ctx, x)` computes the result. `ctx` is a notebook for the
#   backward pass: `ctx.save_for_backward(x)` keeps x until then.
# - `backward(ctx, grad_output)` receives ∂loss/∂output, the gradient that
#   arrives from the layers above, and returns ∂loss/∂x by the chain rule
#   (lesson 03): grad_output × P₃′(x).
#
# You call it with `LegendreP3.apply(x)`, never `LegendreP3()(x)`.

# %%
class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)

# %% [markdown]
# The result carries a `grad_fn` named after our class, and `backward()`
# calls our `backward`. At x = 0.5 the derivative is 1.5·(5·0.25 − 1) = 0.375:

# %%
x = torch.tensor([0.5, -1.0, 2.0], device=device, requires_grad=True)
p3 = LegendreP3.apply(x)
print(f"P3(x)       = {[round(v, 4) for v in p3.tolist()]}")
print(f"p3.grad_fn: {p3.grad_fn.name()}")
p3.sum().backward()  # ∂(sum)/∂output is 1 for each entry, so x.grad = P3'(x)
print(f"x.grad      = {[round(v, 4) for v in x.grad.tolist()]}")
print(f"1.5(5x² − 1) = {[round(1.5 * (5 * v**2 - 1), 4) for v in x.tolist()]}")

# %% [markdown]
# Inside `forward`, autograd records nothing: the five operations that compute
# ½·(5x³ − 3x) leave no trace, and the whole computation is one node whose
# backward is ours. Written with plain tensor operations instead, autograd
# records every step. Let us count the nodes of both graphs, following
# `grad_fn.next_functions` as in lesson 03 (a set remembers the nodes already
# seen, so a node reached twice counts once; `Counter`, from Python's
# `collections`, counts how often each name occurs):

# %%
def recorded_nodes(output):
    """Every node autograd recorded to compute `output` (leaves included)."""
    seen, to_visit = set(), [output.grad_fn]
    while to_visit:
        node = to_visit.pop()
        if node is None or node in seen:  # None: an input that needs no gradient
            continue
        seen.add(node)
        to_visit.extend(parent for parent, _ in node.next_functions)
    return seen


def kinds(nodes):
    """How many nodes of each kind, e.g. 'MulBackward0 ×2'."""
    names = Counter(node.name().removeprefix("torch::autograd::") for node in nodes)
    return ", ".join(f"{name} ×{count}" for name, count in sorted(names.items()))


x = torch.tensor([0.5, -1.0, 2.0], device=device, requires_grad=True)
ours = LegendreP3.apply(x)
plain = 0.5 * (5 * x**3 - 3 * x)
print(f"our Function: {len(recorded_nodes(ours))} nodes: {kinds(recorded_nodes(ours))}")
print(f"plain ops:    {len(recorded_nodes(plain))} nodes: {kinds(recorded_nodes(plain))}")

# %% [markdown]
# That is what a custom `Function` is for: an operation PyTorch does not have,
# a derivative that is cheaper or more accurate written by hand than the one
# autograd would assemble, or a step autograd cannot see into at all (a call
# into another library).
#
# ## 2. Inside a model, trained
#
# The model ŷ = a + b·P₃(c + d·x) fits sin(x) on lesson 01's 2000 points from
# −π to π, with the summed squared error and plain SGD (learning rate 5e-6,
# 2000 steps), from a = 0, b = −1, c = 0, d = 0.3.

# %%
class LegendreModel(nn.Module):
    def __init__(self, p3):
        super().__init__()
        self.p3 = p3  # a function: LegendreP3.apply, or the same polynomial in plain ops
        self.a = nn.Parameter(torch.tensor(0.0))
        self.b = nn.Parameter(torch.tensor(-1.0))
        self.c = nn.Parameter(torch.tensor(0.0))
        self.d = nn.Parameter(torch.tensor(0.3))

    def forward(self, x):
        return self.a + self.b * self.p3(self.c + self.d * x)


def fit(model, steps=2000, lr=5e-6):
    """Plain SGD on the summed squared error; returns the loss before each step."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = ((model(xs) - ys) ** 2).sum()
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


xs, ys = sine_points(2000, device=device)
model = LegendreModel(LegendreP3.apply).to(device)
losses = fit(model)
for step in (0, 500, 1000, 1500, 1999):
    print(f"step {step:4}: loss {losses[step]:.3g}")
a, b, c, d = (round(p.item(), 2) + 0.0 for p in (model.a, model.b, model.c, model.d))
print(f"fitted: y = {a:.2f} + ({b:.2f})·P3({c:.2f} + {d:.2f}·x)")

# %% [markdown]
# The same model with P₃ written in plain tensor operations, trained the same
# way, gives the same losses: our backward computes what autograd would.

# %%
plain_model = LegendreModel(lambda t: 0.5 * (5 * t**3 - 3 * t)).to(device)
plain_losses = fit(plain_model)
worst = max(abs(u - v) / v for u, v in zip(losses, plain_losses, strict=True))
print(f"largest relative difference in 2000 losses: {'below' if worst < 1e-4 else 'above'} 1e-4")

# %%
with torch.no_grad():
    fitted_curve = model(xs)
plt.plot(xs.cpu(), ys.cpu(), linewidth=4, alpha=0.35, label="sin(x)")
plt.plot(xs.cpu(), fitted_curve.cpu(), label="a + b·P3(c + d·x), our backward")
plt.xlabel("x")
plt.ylabel("y")
plt.title("A model with a hand-written backward, trained with SGD")
plt.legend()
plt.show()

# %% [markdown]
# ## 3. `gradcheck`: is the backward right?
#
# A backward written by hand can be wrong in a way nothing else notices: the
# model still trains, only worse. `torch.autograd.gradcheck` tests it against
# the finite differences of lesson 02. For each input entry it nudges the
# entry by ±eps (1e-6 by default), computes (f(x + eps) − f(x − eps)) / 2eps,
# and so builds the Jacobian numerically, one column per entry. Then it builds
# the Jacobian again from your backward, and compares the two (within
# rtol = 1e-3 and atol = 1e-5). It wants the inputs in float64.

# %%
generator = torch.Generator().manual_seed(0)  # drawn on the CPU: the same inputs everywhere
inputs = torch.randn(6, generator=generator, dtype=torch.float64).to(device).requires_grad_()
print(f"gradcheck of LegendreP3: {torch.autograd.gradcheck(LegendreP3.apply, (inputs,))}")

# %% [markdown]
# Now a backward with a classic slip: the − 1 of 1.5·(5x² − 1) is forgotten.

# %%
class WrongP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * 5 * x**2  # wrong: should be 1.5 * (5 * x**2 - 1)


try:
    torch.autograd.gradcheck(WrongP3.apply, (inputs,))
except GradcheckError as error:
    print(f"gradcheck of WrongP3 failed: {str(error).splitlines()[0]}")

# %% [markdown]
# Each output entry depends only on its own input entry, so both Jacobians are
# diagonal. To get the backward's numbers we use `torch.autograd.grad(output,
# inputs)`: it runs the backward pass like `output.backward()`, but returns
# the gradients as a tuple, one per input, instead of adding them to `.grad`:

# %%
t = torch.tensor(3.0, requires_grad=True)
(slope,) = torch.autograd.grad(t**2, t)
print(f"torch.autograd.grad of t² at t = 3: {slope.item()}; t.grad is still {t.grad}")

# %% [markdown]
# The two diagonals, side by side (`raise_exception=False` makes gradcheck
# answer `False` instead of raising):

# %%
def p3(t):
    return 0.5 * (5 * t**3 - 3 * t)


eps = 1e-6
with torch.no_grad():
    numerical = (p3(inputs + eps) - p3(inputs - eps)) / (2 * eps)  # what gradcheck computes
analytical = torch.autograd.grad(WrongP3.apply(inputs).sum(), inputs)[0]
print(f"gradcheck answer: {torch.autograd.gradcheck(WrongP3.apply, (inputs,), raise_exception=False)}")
print("finite differences:", [round(v, 3) for v in numerical.tolist()])
print("WrongP3 backward:  ", [round(v, 3) for v in analytical.tolist()])
print(f"differences:        {sorted({round(v, 3) for v in (analytical - numerical).tolist()})}")

# %% [markdown]
# Every entry is off by exactly 1.5, the forgotten 1.5 × (−1).
#
# ## 4. Why gradcheck needs float64
#
# A finite difference divides a tiny change in f by a tiny eps. A float32
# number carries about 7 significant digits: near 0.7, neighbouring float32
# numbers are about 6e-8 apart, so x + 1e-6 is rounded to the nearest of
# them, and f(x ± eps) each carry a rounding error that, divided by 2·eps,
# becomes a large error in the slope. The same finite difference at x = 0.7,
# in both precisions (`torch.nextafter(x, y)` is the next number after x, in
# x's precision, on the way to y):

# %%
exact = 1.5 * (5 * 0.7**2 - 1)
for dtype in (torch.float32, torch.float64):
    x0 = torch.tensor(0.7, dtype=dtype)
    spacing = (torch.nextafter(x0, torch.tensor(1.0, dtype=dtype)) - x0).item()
    nudge = ((x0 + eps) - x0).item()
    slope = ((p3(x0 + eps) - p3(x0 - eps)) / (2 * eps)).item()
    print(f"{str(dtype)[6:]}: numbers near 0.7 are {spacing:.1e} apart; x + 1e-6 really "
          f"adds {nudge * 1e6:.7f}e-6; slope {slope:.6f} (exact {exact:.6f}), "
          f"relative error {abs(slope - exact) / exact:.1e}")

# %% [markdown]
# In float32 the numerical slope is off by about 3 % (2.8e-02), nearly thirty
# times more than gradcheck's rtol of 1e-3 allows. A larger eps would shrink
# the rounding error but grow the error of the finite difference itself (it
# measures the average slope over a wider interval), so in float32 only a
# narrow range of eps works, and which one depends on the function and the
# inputs. At the default eps even the *correct* backward fails. Twenty random
# inputs, the right and the wrong backward, in float32 at three values of
# eps and in float64 at the default (in float32 gradcheck also warns; we
# catch the warning and print it):

# %%
def failures(function, dtype, eps, trials=20):
    failed = 0
    for seed in range(trials):
        generator = torch.Generator().manual_seed(seed)
        sample = torch.randn(6, generator=generator, dtype=dtype).requires_grad_()
        failed += not torch.autograd.gradcheck(function.apply, (sample,), eps=eps,
                                               raise_exception=False)
    return failed


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for dtype, eps in ((torch.float32, 1e-6), (torch.float32, 1e-3), (torch.float32, 1e-2),
                       (torch.float64, 1e-6)):
        print(f"{str(dtype)[6:]}, eps {eps:g}: gradcheck fails the right backward on "
              f"{failures(LegendreP3, dtype, eps):2} of 20, the wrong one on "
              f"{failures(WrongP3, dtype, eps)} of 20")
print(f"gradcheck's warning in float32: {str(caught[0].message).split('.')[0]}.")

# %% [markdown]
# So float32 can work, with a larger eps (1e-3 here), but only just. How close
# does the right backward come to failing? gradcheck allows a difference of
# atol + rtol·|numerical slope|; here is the largest share of that allowance
# the right backward uses, over the same twenty inputs:

# %%
def share_of_tolerance(dtype, eps, trials=20, rtol=1e-3, atol=1e-5):
    worst = 0.0
    for seed in range(trials):
        generator = torch.Generator().manual_seed(seed)
        sample = torch.randn(6, generator=generator, dtype=dtype)
        numerical = (p3(sample + eps) - p3(sample - eps)) / (2 * eps)
        analytical = 1.5 * (5 * sample**2 - 1)  # the right derivative
        allowed = atol + rtol * numerical.abs()
        worst = max(worst, ((analytical - numerical).abs() / allowed).max().item())
    return worst


print(f"float32, eps 1e-3: the right backward uses up to {share_of_tolerance(torch.float32, 1e-3):.0%} "
      "of the tolerance")
print(f"float64, eps 1e-6: up to {share_of_tolerance(torch.float64, 1e-6):.0e} of it")

# %% [markdown]
# In float32 the right backward uses about half of what the tolerance allows:
# it passes, but only just, and only with an eps picked with care (1e-6 and
# 1e-2 both failed it above). In float64 it uses less than a millionth. The
# rule: check your backward with float64 inputs and the
# default eps, then use the Function in float32 for training as usual (as
# section 2 did).
#
# ## 5. Dynamic graphs: a new graph at every forward pass
#
# PyTorch records the graph *while* your forward runs, and throws it away after
# `backward()`. So a forward may be ordinary Python: a loop whose length
# changes from call to call, an `if`. Here is a small network for sin(x) whose
# hidden layer is applied `depth` times in a loop, the *same* layer each time
# (its weights are shared by all repetitions):

# %%
class RepeatNet(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.first = nn.Linear(1, width)
        self.hidden = nn.Linear(width, width)
        self.last = nn.Linear(width, 1)

    def forward(self, x, depth):
        h = torch.tanh(self.first(x))
        for _ in range(depth):  # plain Python: the graph grows with each turn
            h = torch.tanh(self.hidden(h))
        return self.last(h)


torch.manual_seed(0)  # weights made on the CPU, then moved: the same start everywhere
net = RepeatNet().to(device)
x_col = xs[::10].unsqueeze(1)  # 200 points as a column: one input number per row
y_col = ys[::10].unsqueeze(1)
print(f"{sum(p.numel() for p in net.parameters())} parameters in 6 tensors; input {tuple(x_col.shape)}")

# %% [markdown]
# What does autograd record at each depth? Each `nn.Linear` call on a batch
# records an `AddmmBackward0` (matrix product plus bias) and a `TBackward0` (its
# weight, transposed); each `tanh` a `TanhBackward0`. The parameters are leaves
# (`AccumulateGrad`): 6 of them, whatever the depth.

# %%
for depth in range(1, 5):
    nodes = recorded_nodes(net(x_col, depth))
    print(f"depth {depth}: {len(nodes)} nodes: {kinds(nodes)}")

# %% [markdown]
# Three more nodes per turn of the loop, and still six leaves: the hidden
# layer's weight and bias are one leaf each, however often they are used.
#
# Now train it with a depth drawn at random at every step: 1, 2 or 3, from
# Python's `random.Random`, seeded so the sequence is the same on every
# machine. Each step builds the graph of its own depth, and `backward()`
# follows exactly that graph. Adam, learning rate 0.01, 500 steps, mean squared
# error.

# %%
depths = random.Random(0)
optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
chosen = Counter()
for step in range(500):
    depth = depths.randint(1, 3)
    chosen[depth] += 1
    loss = ((net(x_col, depth) - y_col) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 100 == 0:
        print(f"step {step:3}: depth {depth}, loss {loss.item():.2g}")
print(f"depths drawn: {dict(sorted(chosen.items()))}")

# %% [markdown]
# After training, the same weights at every depth (evaluated under
# `torch.no_grad()`: nothing is recorded):

# %%
with torch.no_grad():
    for depth in range(6):
        error = ((net(x_col, depth) - y_col) ** 2).mean().item()
        trained = "trained on" if 1 <= depth <= 3 else "never seen"
        print(f"depth {depth} ({trained}): mean squared error {error:.1g}")

# %% [markdown]
# The depths it was trained on all fit sin(x) closely. Depth 0, never built
# during training, is useless, and beyond 3 the error grows with every extra
# turn: the network is only trained for the graphs it was run with.
#
# ## 6. Weight sharing: gradients add up
#
# In lesson 03 a value used twice, y = x·x + x, got the *sum* of the
# gradients that came back along each edge. A layer used three times is the
# same story with bigger tensors. Apply one layer three times, and compare
# with three separate copies holding the same numbers:

# %%
# Tiny tensors, so on the CPU: every machine adds them up in the same way.
torch.manual_seed(1)
layer = nn.Linear(4, 4)
h0 = torch.randn(8, 4)

h = h0
for _ in range(3):
    h = torch.tanh(layer(h))  # the same layer, three times
h.sum().backward()
shared_grad = layer.weight.grad.clone()

copies = [copy.deepcopy(layer) for _ in range(3)]  # same values, separate tensors
for copy_ in copies:
    copy_.zero_grad()
h = h0
for copy_ in copies:
    h = torch.tanh(copy_(h))
h.sum().backward()
per_use = [copy_.weight.grad for copy_ in copies]

for k, grad in enumerate(per_use, 1):
    print(f"use {k}: gradient of its weight has norm {grad.norm().item():.3f}")
print(f"their sum has norm {sum(per_use).norm().item():.3f}; "
      f"the shared weight's gradient {shared_grad.norm().item():.3f}")
largest = (shared_grad - sum(per_use)).abs().max().item()
print(f"shared gradient == sum of the three, up to rounding (largest difference below 1e-5): "
      f"{largest < 1e-5}")
last_use_first = (per_use[2] + per_use[1]) + per_use[0]  # the order backward meets the uses
print(f"added last use first, it is the shared gradient bit for bit: "
      f"{torch.equal(shared_grad, last_use_first)}")

# %% [markdown]
# The shared weight's gradient is the sum of the gradients of its three uses,
# up to float32 rounding: autograd adds the same three contributions, but in
# the order the backward pass meets them (last use first), not in the order
# of `sum(per_use)`, and float32 sums depend on the order.
# Nothing special happens for weight sharing: autograd sums what
# arrives at a leaf, as it does for any node used several times.

# %% [markdown]
# ## Exercises
#
# Fill in each template, run it, then run the check below it. Stuck? `hint(n)`
# prints a hint for exercise n. Solutions are in
# `solutions/06_extending_autograd_solutions.ipynb`.

# %%
from coursekit.exercises import TODO
from coursekit.exercises.extending import exercises

check, hint = exercises.check, exercises.hint

# %% [markdown]
# **Exercise 1: a backward for a smooth absolute value.** f(x) = √(x² + 1)
# behaves like |x| far from 0 but is smooth at 0. Its forward is written;
# write its backward (derive f′ on paper first).

# %%
class SmoothAbs(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sqrt(x**2 + 1)

    @staticmethod
    def backward(ctx, grad_output):
        raise TODO  # replace with your code


# %%
check(1, SmoothAbs)

# %% [markdown]
# **Exercise 2: two inputs, two gradients.** Write a Function for
# h(a, b) = √(a² + b²) (the length of the vector (a, b), elementwise).
# `backward` must return one gradient per input of `forward`, in order.

# %%
class Hypot(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        raise TODO  # replace with your code

    @staticmethod
    def backward(ctx, grad_output):
        raise TODO  # replace with your code


# %%
check(2, Hypot)

# %% [markdown]
# **Exercise 3: a backward checker.** Write `backward_is_right(function)`: it
# receives a Function class of one input (like `LegendreP3`) and returns `True`
# if its backward agrees with its forward, `False` otherwise. Use `gradcheck`.
# The checker hands it right and wrong Functions.

# %%
def backward_is_right(function):
    raise TODO  # replace with your code


# %%
check(3, backward_is_right)

# %% [markdown]
# **Exercise 4: predict the graph.** Run section 5's `RepeatNet` at depth 7
# (in your head). How many nodes does autograd record (as `recorded_nodes`
# counts them), and how many of them are leaves (`AccumulateGrad`)? Answer
# with two whole numbers.

# %%
nodes_at_depth_7 = ...
leaves_at_depth_7 = ...

# %%
check(4, (nodes_at_depth_7, leaves_at_depth_7))

# %% [markdown]
# ## What you learned
#
# - `torch.autograd.Function`: a static `forward(ctx, …)` that saves what the
#   backward needs with `ctx.save_for_backward`, and a static
#   `backward(ctx, grad_output)` that returns one gradient per input,
#   grad_output × the local derivative. Call it with `.apply`.
# - Autograd records one node for the whole Function; the model trains exactly
#   as with plain operations.
# - `torch.autograd.gradcheck` compares your backward with finite differences.
#   Use float64 inputs: in float32 it needs a larger eps and passes a right
#   backward only by a thin margin (at the default eps, not at all).
# - The graph is built anew at every forward: loops and `if`s in `forward` are
#   fine, and a layer used several times gets the sum of the gradients of its
#   uses.
