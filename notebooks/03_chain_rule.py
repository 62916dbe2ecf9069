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
# # 03 · The chain rule and the computation graph
#
# In lesson 02, `loss.backward()` filled in `.grad` as if by magic. This lesson
# opens the box. You will:
#
# 1. check the chain rule with numbers, for one path and for several paths;
# 2. see what the forward pass already knows and what only the backward pass can supply;
# 3. draw the graph that PyTorch records, with a value and a gradient on every node;
# 4. read (and use) a complete autograd engine of about a hundred lines;
# 5. train a one-weight model, ŷ = w·x, with autograd;
# 6. build a small neural network out of the engine's values, train it, and
#    check its gradients against PyTorch.
#
# Then five exercises, checked by the notebook.

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
# ## 1. The chain rule, one variable
#
# If y = g(x) and z = h(y), a small nudge of x moves y by about dy/dx times the
# nudge, and that moves z by dz/dy times *that*. So
#
# $$\frac{dz}{dx} = \frac{dz}{dy}\cdot\frac{dy}{dx}.$$
#
# Take y = x² and z = sin(y). By hand: dy/dx = 2x and dz/dy = cos(y), so
# dz/dx = cos(x²)·2x. Let us compare that with autograd at x = 1.5.
#
# Throughout this section we use `float64` on the CPU: we are checking
# mathematics, so we want as many exact digits as possible.

# %%
import math

import torch

x = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
y = x**2
z = torch.sin(y)
z.backward()

by_hand = math.cos(1.5**2) * 2 * 1.5
print(f"by hand   dz/dx = {by_hand:.6f}")
print(f"autograd  dz/dx = {x.grad.item():.6f}")
print(f"agree: {math.isclose(by_hand, x.grad.item(), rel_tol=1e-12)}")

# %% [markdown]
# ## 2. Several paths: add them up
#
# Now let one input s reach z along two roads: x = g(s), y = h(s), z = f(x, y).
# Nudging s moves *both* x and y, and each of them moves z. The effects add:
#
# $$\frac{\partial z}{\partial s} = \frac{\partial z}{\partial x}\frac{\partial x}{\partial s}
#   + \frac{\partial z}{\partial y}\frac{\partial y}{\partial s}.$$
#
# Example: x = s², y = sin(s), z = x·y. Then ∂z/∂x = y, ∂z/∂y = x,
# ∂x/∂s = 2s and ∂y/∂s = cos(s).

# %%
s = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
x = s**2
y = torch.sin(s)
z = x * y
z.backward()

s0 = 0.5
x0, y0 = s0**2, math.sin(s0)
path_through_x = y0 * (2 * s0)  # ∂z/∂x · ∂x/∂s
path_through_y = x0 * math.cos(s0)  # ∂z/∂y · ∂y/∂s
by_hand = path_through_x + path_through_y
print(f"path through x {path_through_x:.6f} + path through y {path_through_y:.6f}")
print(f"by hand   dz/ds = {by_hand:.6f}")
print(f"autograd  dz/ds = {s.grad.item():.6f}")
print(f"agree: {math.isclose(by_hand, s.grad.item(), rel_tol=1e-12)}")

# %% [markdown]
# Forget one path and the answer is simply wrong: either path alone
# (0.479 or 0.219) misses the total, 0.699. Autograd never forgets a path,
# because it follows every edge of the graph it recorded.

# %% [markdown]
# ## 3. One neuron, forwards and backwards
#
# A neuron computes z = w₁x₁ + w₂x₂ + b, and some cost C depends on z. Here
# C = (z − t)² for a target t. We want ∂C/∂w₁, ∂C/∂w₂ and ∂C/∂b, and the chain
# rule splits each into two factors:
#
# $$\frac{\partial C}{\partial w_i} = \frac{\partial z}{\partial w_i}\cdot\frac{\partial C}{\partial z}
#   = x_i \cdot \frac{\partial C}{\partial z}.$$
#
# - **∂z/∂wᵢ = xᵢ** is the input of the neuron. It is known the moment the
#   forward pass has run: nothing about C is needed.
# - **∂C/∂z** depends on everything *after* the neuron (here just the cost, in a
#   network all the layers above). That is what the backward pass brings.

# %%
x1, x2, t = 1.5, -2.0, 1.0  # inputs and target: plain numbers, no gradient needed
w1 = torch.tensor(0.5, requires_grad=True)
w2 = torch.tensor(0.25, requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)

z = w1 * x1 + w2 * x2 + b  # forward pass
C = (z - t) ** 2
z.retain_grad()  # keep ∂C/∂z: PyTorch keeps gradients of leaves only, by default
C.backward()  # backward pass

print(f"forward:  z = {z.item():.4f}, C = {C.item():.4f}")
print(f"          ∂z/∂w1 = x1 = {x1}, ∂z/∂w2 = x2 = {x2}, ∂z/∂b = 1")
print(f"backward: ∂C/∂z = 2(z - t) = {z.grad.item():.4f}")

# %% [markdown]
# Multiply the two halves and compare with what autograd stored in `.grad`:

# %%
dC_dz = z.grad.item()
for name, local, param in [("w1", x1, w1), ("w2", x2, w2), ("b", 1.0, b)]:
    product = local * dC_dz
    print(f"∂C/∂{name:<2} = {local:5.2f} × {dC_dz:.2f} = {product:7.4f}   "
          f"autograd {param.grad.item():7.4f}   agree: {math.isclose(product, param.grad.item(), rel_tol=1e-6)}")

# %% [markdown]
# ### Why go backwards?
#
# In a network with many layers, the same argument repeats: the gradient of a
# layer's output, ∂C/∂hₖ, is all that layer needs (times its own local
# derivatives) to get the gradients of its weights, *and* to pass ∂C/∂hₖ₋₁ on
# to the layer below. Each layer does its bit once and reuses the number the
# layer above computed.
#
# Going forwards instead, you would have to carry "how does this layer depend
# on every input?" along, a whole matrix per layer, because you do not yet know
# which combination the cost will care about. Let us count, for a chain of
# L = 10 linear layers of n = 100 units, h_k = J_k h_{k−1}, and a cost
# C = g·h_L:
#
# - **backwards:** start from the vector g and multiply by one matrix per layer:
#   vector × matrix, n² multiplications each;
# - **forwards:** multiply the matrices together from the input side,
#   matrix × matrix, n³ multiplications each, and only at the end by g.

# %%
n, L = 100, 10
generator = torch.Generator().manual_seed(0)
J = [torch.randn(n, n, generator=generator, dtype=torch.float64) / n**0.5 for _ in range(L)]
g = torch.randn(n, generator=generator, dtype=torch.float64)

# Backwards: a vector flows from the cost down to the input.
v = g
for Jk in reversed(J):
    v = Jk.T @ v  # ∂C/∂h_(k-1) from ∂C/∂h_k: n² multiplications
backward_mults = L * n * n

# Forwards: the full Jacobian dh_k/dx flows up from the input.
M = J[0]
for Jk in J[1:]:
    M = Jk @ M  # n³ multiplications
forward_grad = M.T @ g
forward_mults = (L - 1) * n**3 + n * n

print(f"same gradient both ways: {torch.allclose(v, forward_grad, rtol=1e-10, atol=1e-12)}")
print(f"backwards: {backward_mults:>10,} multiplications")
print(f"forwards:  {forward_mults:>10,} multiplications ({forward_mults / backward_mults:.0f}× more)")

# %% [markdown]
# The ratio grows with the width n. With one scalar output (a loss) and
# millions of weights, going backwards is the only affordable order. That is
# why it is called *backpropagation*.

# %% [markdown]
# ## 4. The graph PyTorch records
#
# Every result of an operation on tensors that require gradients carries a
# `grad_fn`: the function that will compute its backward. Each `grad_fn` lists
# the functions of its inputs in `next_functions`. The inputs you created
# yourself (the leaves) end in an `AccumulateGrad` node, whose `.variable` is
# your tensor: that is where `.grad` gets written.
#
# Let us follow the chain from C back to the weights by hand, first step only:

# %%
print(f"C.grad_fn: {C.grad_fn.name()}")
for function, _ in C.grad_fn.next_functions:
    print(f"  its input comes from: {function.name()}")
product = w1 * x1
accumulate = product.grad_fn.next_functions[0][0]  # the mul's first input: where w1.grad goes
print(f"w1 * x1 comes from {product.grad_fn.name()}; its first input from {type(accumulate).__name__}")
print(f"that node's .variable is w1: {accumulate.variable is w1}")

# %% [markdown]
# `coursekit.graph.walk_graph` follows these links all the way and returns the
# graph as plain data (nodes and edges). Give it names for the tensors you want
# labelled. We rebuild the neuron with a name for every step, and call
# `retain_grad()` on the intermediate ones so their gradients are kept too.

# %%
from coursekit.graph import draw_graph, walk_graph

p1 = w1 * x1
p2 = w2 * x2
s = p1 + p2
z = s + b
r = z - t
C = r**2
for tensor in (p1, p2, s, z, r, C):
    tensor.retain_grad()
for leaf in (w1, w2, b):
    leaf.grad = None  # forget the gradients of the first run (they would add up)
C.backward()

graph = walk_graph(C, dict(w1=w1, w2=w2, b=b, p1=p1, p2=p2, s=s, z=z, r=r, C=C))
for node in graph.nodes:
    inputs = ", ".join(i.name for i in graph.inputs_of(node)) or "-"
    print(f"{node.name:>2}: {node.kind:<15} value {node.value:7.4f}  grad {node.grad:7.4f}  "
          f"inputs: {inputs}")

# %% [markdown]
# Notice what is *not* there: x₁, x₂ and t are plain numbers, so PyTorch records
# no node for them; they only appear as saved constants inside the `mul` and
# `sub` functions. Now the picture. Arrows point the way the forward pass went;
# the backward pass walks them in reverse, from C (right) to the weights (left).

# %%
import matplotlib.pyplot as plt

draw_graph(graph, title="C = (w1·x1 + w2·x2 + b − t)², as PyTorch recorded it")
plt.show()

# %% [markdown]
# Read it from right to left: ∂C/∂C = 1; the `pow` turns it into
# 2r = −1.3; `sub`, the two `add`s pass −1.3 on unchanged (their local
# derivative is 1); each `mul` multiplies it by its input x: −1.3 × 1.5 = −1.95
# for w1, −1.3 × −2 = 2.6 for w2.
#
# ### A node used twice
#
# When a value feeds several operations, its gradient is the **sum** of what
# comes back along each edge (section 2). In y = x·x + x, three edges leave x:
# two into the `mul`, one into the `add`.

# %%
x = torch.tensor(3.0, requires_grad=True)
sq = x * x
y = sq + x
sq.retain_grad()
y.retain_grad()
y.backward()
print(f"dy/dx = x + x + 1 = {x.grad.item():.1f}")
draw_graph(walk_graph(y, dict(x=x, sq=sq, y=y)), title="y = x·x + x: x appears once, with three edges out")
plt.show()

# %% [markdown]
# ## 5. A tiny autograd engine
#
# Everything above fits in one small class. A `Value` holds a number, its
# gradient, the Values it was computed from, and a function `_backward` that
# applies the chain rule for *one* operation: it adds
# (local derivative × `out.grad`) to each input's `.grad`. Adding, not
# assigning, is what makes several paths sum up.
#
# `backward()` first lists the nodes so that every node comes after the nodes
# it was computed from (a *topological order*), then calls `_backward` in the
# reverse of that order: by the time a node passes its gradient on, every user
# of that node has already added its share. Operations also accept plain
# numbers (as in `x * 3`): the small function `as_value` at the end wraps them
# in a `Value` first. Here is the whole engine, the file
# `coursekit/tiny_autograd.py`, comments included:

# %%
import inspect

from IPython.display import Code

from coursekit import tiny_autograd
from coursekit.tiny_autograd import Value

source = inspect.getsource(tiny_autograd)
print(f"{len(source.splitlines())} lines")
Code(source, language="python")

# %% [markdown]
# The same y = x·x + x as above, with the tiny engine:

# %%
x = Value(3.0)
y = x * x + x
y.backward()
print(f"y = {y.data}, dy/dx = {x.grad}")

# %% [markdown]
# Now a bigger expression with every operation in it (a neuron with a `tanh`,
# the hyperbolic tangent, which squashes any number into (−1, 1); a cost; a
# division), computed by both engines from the same inputs. PyTorch
# runs in `float64`, like Python's floats, so the two should agree to about
# 12 digits or better.

# %%
def expression(w1, w2, b):
    """Works on Values and on torch tensors alike."""
    h = (w1 * 1.5 + w2 * -2.0 + b).tanh()
    return (h - 0.5) ** 2 / 2 + (w1 * w2).relu() - b / 4


inputs = {"w1": 0.5, "w2": 0.25, "b": 0.1}
ours = {name: Value(v) for name, v in inputs.items()}
theirs = {name: torch.tensor(v, dtype=torch.float64, requires_grad=True) for name, v in inputs.items()}
out_ours = expression(**ours)
out_theirs = expression(**theirs)
out_ours.backward()
out_theirs.backward()

for name in inputs:
    print(f"∂out/∂{name:<2}  tiny {ours[name].grad:+.10f}   torch {theirs[name].grad.item():+.10f}")
worst = max(abs(ours[n].grad - theirs[n].grad.item()) for n in inputs)
print(f"output agrees to 1e-12: {abs(out_ours.data - out_theirs.item()) < 1e-12}")
print(f"gradients agree to 1e-12: {worst < 1e-12}")

# %% [markdown]
# PyTorch does the same thing, with tensors instead of numbers, hundreds of
# operations, and the backward functions written in C++ and CUDA. The idea is
# this one.

# %% [markdown]
# ## 6. Worked example: fitting ŷ = w·x
#
# Three points that lie on y = 2x: x = [1, 2, 3], y = [2, 4, 6]. The model has
# one weight, ŷ = w·x, and starts at w = 3, so it predicts 12 for x = 4 instead
# of 8. We go through the samples one at a time (per-sample updates): squared
# error, `backward()`, step `w.data -= lr · w.grad`, then `w.grad.zero_()` so
# the next sample starts from a clean gradient. Learning rate 0.01, 100 epochs:
# each epoch is one pass over the three samples, so three steps.
#
# ### A word on `w.data`
#
# The loop below updates `w.data`: the tensor's numbers with autograd switched
# off, so changing them records nothing. It is a **legacy** interface that you
# will meet in older code, and it bypasses autograd's safety checks. If the old value of `w` is still needed by a backward pass,
# `.data` changes it silently and the gradient comes out wrong, where the
# recommended `with torch.no_grad(): w -= …` of lesson 02 stops with an error.
# Here d(a·a)/da at a = 2 should be 4:

# %%
a = torch.tensor(2.0, requires_grad=True)
product = a * a  # its backward needs the value of a
a.data -= 1.0  # legacy update: not noticed
product.backward()
print(f"after a.data -= 1:  gradient {a.grad.item():g} (wrong: computed with the new a = 1)")

a = torch.tensor(2.0, requires_grad=True)
product = a * a
with torch.no_grad():
    a -= 1.0  # recommended update: autograd notices the change
try:
    product.backward()
except RuntimeError as error:
    print("with torch.no_grad(): RuntimeError:", str(error).split(":")[0])

# %% [markdown]
# In the training loop below nothing needs the old `w` once `backward()` has
# run, so both ways give exactly the same numbers (the next cell checks it).
# Prefer `no_grad` in your own code.

# %%
xs = torch.tensor([1.0, 2.0, 3.0]).to(device)
ys = torch.tensor([2.0, 4.0, 6.0]).to(device)


def train(w0, lr=0.01, epochs=100, legacy=True):
    """Per-sample gradient descent; returns the weight and the summed loss of each epoch."""
    w = torch.tensor(w0, device=device, requires_grad=True)
    losses = []
    for _ in range(epochs):
        epoch_loss = 0.0
        for x, y in zip(xs, ys, strict=True):
            loss = (w * x - y) ** 2
            loss.backward()
            if legacy:
                w.data -= lr * w.grad  # the old way
            else:
                with torch.no_grad():  # the recommended way
                    w -= lr * w.grad
            w.grad.zero_()
            epoch_loss += loss.item()
        losses.append(epoch_loss)
    return w, losses


w_legacy, _ = train(3.0)
w_no_grad, _ = train(3.0, legacy=False)
print(f"w.data and no_grad end at the same w: {w_legacy.item() == w_no_grad.item()}")


for w0 in (3.0, 1.0):
    w, losses = train(w0)
    print(f"w0 = {w0}: prediction for x = 4 goes from {4 * w0:.3f} to {4 * w.item():.3f}; "
          f"loss {losses[0]:.4f} in epoch 1, {losses[9]:.3g} in epoch 10")

# %% [markdown]
# Both starts end at w = 2, the slope of the data. The loss falls by a
# constant factor every epoch, which is a straight line on a log scale:

# %%
fig, ax = plt.subplots()
for w0 in (3.0, 1.0):
    _, losses = train(w0)
    ax.plot(range(1, len(losses) + 1), losses, label=f"w starts at {w0}")
ax.set_yscale("log")
ax.set(xlabel="epoch", ylabel="summed squared error (log scale)",
       title="ŷ = w·x, per-sample updates, learning rate 0.01")
ax.legend()
plt.show()

# %% [markdown]
# The two curves almost coincide: both starts are 1 away from w = 2, and the
# squared error does not care about the side. Then, around epoch 50, they stop falling and go flat. w has stopped moving a few float32 steps short
# of 2: each update lr·grad has become smaller than half the gap between
# neighbouring float32 numbers near 2, so it rounds away (lesson 02 measured
# the same effect in a bigger network). That is as close as this precision
# gets:

# %%
for w0 in (3.0, 1.0):
    w, losses = train(w0)
    w_cpu = w.detach().cpu()
    # the gap from w to the next float32 number towards 2
    gap = (torch.nextafter(w_cpu, torch.tensor(2.0)) - w_cpu).abs().item()
    last_change = max(e for e in range(1, len(losses)) if losses[e] != losses[e - 1])
    print(f"w0 = {w0}: loss flat from epoch {last_change + 1} at {losses[-1]:.0e}; "
          f"w − 2 = {w.item() - 2:+.1e}, about {abs(w.item() - 2) / gap:.0f} float32 gaps")
    updates = []  # each sample's update lr·grad at the final w, computed as the loop does
    for x, y in zip(xs, ys, strict=True):
        w.grad = None
        ((w * x - y) ** 2).backward()
        updates.append((0.01 * w.grad).abs().item())
    print(f"          largest update {max(updates):.2e} < half the gap {gap / 2:.2e}: "
          f"{max(updates) < gap / 2}")

# %% [markdown]
# ## 7. A small neural network on the tiny engine
#
# The engine of section 5 differentiates any expression built from its
# operations, so it can train a real (if small) neural network. Three building
# blocks, each a few lines:
#
# - a **neuron** has one weight per input and a bias b, and outputs
#   tanh(w₁x₁ + w₂x₂ + … + b): the neuron of section 3 with a `tanh` on top, which
#   squashes any number into (−1, 1) and makes the network more than a straight
#   line;
# - a **layer** is several neurons that all read the same inputs;
# - an **MLP** (multi-layer perceptron) is layers in a row, each reading the
#   outputs of the one before.
#
# Every weight is a `Value`, and so is every number computed from them.

# %%
import random


class Neuron:
    """tanh(w · x + b) for a list x of inputs, with every weight a Value."""

    def __init__(self, n_inputs, rng):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(n_inputs)]
        self.b = Value(0.0)

    def __call__(self, x):
        z = self.b
        for w_i, x_i in zip(self.w, x, strict=True):
            z = z + w_i * x_i
        return z.tanh()

    def parameters(self):
        return self.w + [self.b]


class Layer:
    """n_outputs neurons reading the same inputs; returns the list of their outputs."""

    def __init__(self, n_inputs, n_outputs, rng):
        self.neurons = [Neuron(n_inputs, rng) for _ in range(n_outputs)]

    def __call__(self, x):
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP:
    """Two layers: n_inputs -> n_hidden neurons -> one output neuron."""

    def __init__(self, n_inputs, n_hidden, rng):
        self.layers = [Layer(n_inputs, n_hidden, rng), Layer(n_hidden, 1, rng)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x[0]  # the output layer has one neuron

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

# %% [markdown]
# Our network: 2 inputs, a hidden layer of 5 neurons, 1 output. The weights
# start at random between −1 and 1 (the biases at 0), drawn from Python's own random generator
# with a fixed seed, so they are the same on every machine.

# %%
model = MLP(2, 5, random.Random(0))
print(f"{len(model.parameters())} weights and biases: 5 × (2 + 1) in the hidden layer, "
      f"1 × (5 + 1) in the output layer")

# %% [markdown]
# ### The data: two rings
#
# A classification task in 2-D, made here (nothing to download): 10 points of
# class −1 on a small ring around the origin, 10 of class +1 on a larger ring
# around those. No straight line separates the two classes, so the network
# needs its hidden layer.

# %%
def two_rings(n_per_class=10, seed=0):
    """Points on two noisy rings (radius 0.5: class −1, radius 1.5: class +1)."""
    rng = random.Random(seed)
    points, labels = [], []
    for label, radius in ((-1.0, 0.5), (1.0, 1.5)):
        for _ in range(n_per_class):
            angle = rng.uniform(0, 2 * math.pi)
            r = radius + rng.gauss(0, 0.2)
            points.append([r * math.cos(angle), r * math.sin(angle)])
            labels.append(label)
    return points, labels


points, labels = two_rings()
print(f"{len(points)} points, {labels.count(-1.0)} of class −1 and "
      f"{labels.count(1.0)} of class +1; the first: {[round(c, 3) for c in points[0]]}")

# %%
def plot_points(ax):
    for label, color in ((-1.0, "C0"), (1.0, "C1")):
        chosen = [p for p, lab in zip(points, labels, strict=True) if lab == label]
        ax.scatter([p[0] for p in chosen], [p[1] for p in chosen], color=color,
                   edgecolor="k", label=f"class {label:+.0f}")
    ax.set(xlabel="x₁", ylabel="x₂", aspect="equal")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))  # outside, right of the plot


fig, ax = plt.subplots(figsize=(6.4, 4.4))
plot_points(ax)
ax.set_title("Two rings: no straight line separates the classes")
plt.show()

# %% [markdown]
# The network's output is a number between −1 and 1 (the last `tanh`). We ask
# it to output the label, −1 or +1, and measure how far it is with the mean
# squared error over all 20 points. The predicted class is the sign of the
# output.

# %%
def loss_and_accuracy(model):
    outputs = [model(p) for p in points]
    errors = [(out - label) ** 2 for out, label in zip(outputs, labels, strict=True)]
    loss = sum(errors, Value(0.0)) / len(points)  # sum starting from the Value 0
    correct = sum((out.data > 0) == (label > 0) for out, label in zip(outputs, labels, strict=True))
    return loss, correct / len(points)


loss, accuracy = loss_and_accuracy(model)
print(f"before training: loss {loss.data:.4f}, accuracy {accuracy:.0%}")

# %% [markdown]
# ### Check the whole network against PyTorch
#
# Before trusting the engine with training, compare its gradients for every
# weight with PyTorch's, on the same weights and data. In PyTorch the same
# network is two lines of matrix algebra: the hidden layer's weights are a 5×2
# matrix W₁ (one row per neuron) and a bias vector b₁, so all five neurons at
# once are tanh(X·W₁ᵀ + b₁) (`.T` is the transpose). Everything in `float64`,
# like Python's floats.

# %%
def as_tensors(model):
    """The model's weights as float64 leaf tensors: W1 (5×2), b1 (5), W2 (1×5), b2 (1)."""
    tensors = []
    for layer in model.layers:
        weights = [[w.data for w in neuron.w] for neuron in layer.neurons]
        biases = [neuron.b.data for neuron in layer.neurons]
        tensors.append(torch.tensor(weights, dtype=torch.float64, requires_grad=True))
        tensors.append(torch.tensor(biases, dtype=torch.float64, requires_grad=True))
    return tensors


def torch_mlp(X, W1, b1, W2, b2):
    """The same two-layer network on a whole batch X (one point per row)."""
    hidden = torch.tanh(X @ W1.T + b1)
    return torch.tanh(hidden @ W2.T + b2)[:, 0]


X = torch.tensor(points, dtype=torch.float64)
targets = torch.tensor(labels, dtype=torch.float64)
W1, b1, W2, b2 = as_tensors(model)
torch_loss = ((torch_mlp(X, W1, b1, W2, b2) - targets) ** 2).mean()
torch_loss.backward()

loss.backward()  # the tiny engine, on the loss computed above
pairs = []  # (tiny engine, PyTorch) for every weight and bias
for layer, (W, b) in zip(model.layers, [(W1, b1), (W2, b2)], strict=True):
    for i, neuron in enumerate(layer.neurons):  # neuron i is row i of W
        pairs += [(w.grad, W.grad[i, j].item()) for j, w in enumerate(neuron.w)]
        pairs.append((neuron.b.grad, b.grad[i].item()))
worst = max(abs(ours - theirs) for ours, theirs in pairs)
print(f"loss: tiny {loss.data:.10f}, torch {torch_loss.item():.10f}")
print(f"largest difference over all {len(pairs)} gradients, rounded to 12 decimals: "
      f"{round(worst, 12):.12f}")

# %% [markdown]
# ### Training
#
# Gradient descent as in lesson 02, every step on all 20 points (so one step is
# one epoch): forward, loss, set every weight's `.grad` to zero (the engine,
# like PyTorch, *adds* into the gradients of the weights), backward, update.
# Learning rate 0.5, 50 steps.

# %%
def count_values(out):
    """How many Values the graph behind `out` holds."""
    seen, stack = set(), [out]
    while stack:
        value = stack.pop()
        if value not in seen:
            seen.add(value)
            stack.extend(value._parents)
    return len(seen)


history = []
for step in range(50):
    loss, accuracy = loss_and_accuracy(model)
    history.append(loss.data)
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= 0.5 * p.grad
    if step % 10 == 0:
        print(f"step {step:2d}: loss {loss.data:.4f}, accuracy {accuracy:.0%}")

loss, accuracy = loss_and_accuracy(model)
print(f"after 50 steps: loss {loss.data:.4f}, accuracy {accuracy:.0%}")
print(f"each step builds and walks a graph of {count_values(loss):,} Values")

# %% [markdown]
# That graph size is why the data set and the network are this small. Every
# `Value` is a Python object, created, sorted and visited one at a time: the
# engine is slow on purpose, to be readable. Sized like this, the whole lesson
# still runs in well under half a minute. PyTorch does the same work with a
# handful of operations on whole tensors, each running compiled code.
#
# What has the network learned? Colour every point of the plane by the sign of
# the network's output there (computed with `torch_mlp` on the trained weights,
# which is much faster than the engine on a 100 × 100 grid of points): the line where the
# output is 0 is the **decision boundary**.

# %%
ticks = torch.linspace(-2.5, 2.5, 100, dtype=torch.float64).tolist()
grid_points = torch.tensor([[x1, x2] for x2 in ticks for x1 in ticks], dtype=torch.float64)
with torch.no_grad():
    outputs = torch_mlp(grid_points, *as_tensors(model))
surface = outputs.reshape(100, 100)  # row: one x₂ of the grid, column: one x₁

fig, ax = plt.subplots(figsize=(6.4, 4.4))
ax.contourf(ticks, ticks, surface, levels=[-1, 0, 1], colors=["C0", "C1"], alpha=0.25)
ax.contour(ticks, ticks, surface, levels=[0], colors="k", linewidths=1.5)
plot_points(ax)
ax.plot([], [], "k-", label="decision boundary\n(output 0)")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
ax.set_title("The trained MLP: shaded by predicted class")
plt.show()

# %% [markdown]
# The hidden layer let the network draw a closed curve between the rings,
# which no single neuron (its boundary is a straight line) could. Far from the
# data, where it has seen no points, the network's choice is arbitrary: see
# the top right corner. Lesson 05 builds the same kind of network from
# PyTorch's ready-made layers.

# %% [markdown]
# ## 8. Exercises
#
# Fill in each template (replace its `raise TODO` or `...` with your answer),
# run it, then run the check below it. `hint(n)` prints a hint for exercise n.
# The solutions are in `solutions/03_chain_rule_solutions.ipynb`.

# %%
from coursekit.exercises import TODO
from coursekit.exercises.chain_rule import exercises

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ### Exercise 1: chain rule, one variable
#
# y = 3x − 1 and z = tanh(y). Using the chain rule (by hand, with `math`), give
# dz/dx at x = 0.5 as a number.

# %%
answer = ...  # dz/dx at x = 0.5

# %%
check(1, answer)

# %% [markdown]
# ### Exercise 2: one neuron, given the upstream gradient
#
# A neuron z = w·x + b (x and w are vectors) feeds a cost C. The backward pass
# has just handed you ∂C/∂z (a number). Write the function that returns
# ∂C/∂w (a tensor shaped like x) and ∂C/∂b (a number).

# %%
def neuron_gradients(x, dC_dz):
    """Return (dC_dw, dC_db) for z = w·x + b."""
    raise TODO  # replace with your code


# %%
check(2, neuron_gradients)

# %% [markdown]
# ### Exercise 3: fill in the gradients of a graph
#
# With x = 2 and y = −3:
#
# u = x·y, v = u + y, w = v·x, f = w·u.
#
# Give ∂f/∂(node) for every node, by hand, going backwards from f. Careful:
# some nodes are used twice. (You may draw the graph with `walk_graph` and
# `draw_graph` to see which, but compute the numbers yourself.)

# %%
grads = {"f": ..., "w": ..., "v": ..., "u": ..., "x": ..., "y": ...}

# %%
check(3, grads)

# %% [markdown]
# ### Exercise 4: write the backward of `exp`
#
# Add the exponential to the tiny engine. The forward part is done; fill in
# `_backward`, which must pass the gradient of `out` back to `a`.

# %%
def exp(a):
    out = Value(math.exp(a.data), (a,), "exp")

    def _backward():
        raise TODO  # add (d exp(a)/da) × out.grad to a.grad

    out._backward = _backward
    return out


# %%
check(4, exp)

# %% [markdown]
# ### Exercise 5: train ŷ = w·x with the tiny engine
#
# Redo the worked example with `Value` instead of a tensor: per-sample updates
# on x = [1, 2, 3], y = [2, 4, 6]. Return the final weight as a float. The
# check runs it with a start, learning rate and number of epochs of its own,
# and compares with PyTorch.

# %%
def fit(w0, lr, epochs):
    """Train ŷ = w·x from w = w0; return the final w."""
    raise TODO  # replace with your code


# %%
check(5, fit)

# %% [markdown]
# ## Summary
#
# - The chain rule multiplies derivatives along a path and **adds** over paths.
# - For a weight, ∂C/∂w = (input, known from the forward pass) × (∂C/∂z, brought
#   by the backward pass).
# - Going backwards, each layer reuses the gradient of the layer above: a
#   vector per layer instead of a matrix.
# - PyTorch records a graph of `grad_fn` nodes; leaves end in `AccumulateGrad`.
#   Intermediate gradients are thrown away unless you call `retain_grad()`.
# - `backward()` = topological order, reversed, one local chain rule per node.
#
# Next, lesson 04: no autograd at all. You write every gradient by hand, and
# see what the learning rate does.
