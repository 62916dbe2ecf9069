"""Exercises of lesson 03: the chain rule and the computation graph.

Every reference is computed at check time with PyTorch's autograd (float64).
"""

from __future__ import annotations

import math

import torch

from ..graph import walk_graph
from ..i18n import _
from ..tiny_autograd import Value
from .core import (
    ExerciseSet,
    NotAttempted,
    as_number,
    call,
    expect_number,
    expect_tensor,
    fail,
    running_answer,
)

exercises = ExerciseSet("03_chain_rule")

# Exercise 1: z = tanh(y), y = 3x - 1, at this x. Worked by hand, the answer is usually
# written with four decimals (2.3593): that is accepted, two or three decimals are not.
EX1_X = 0.5
EX1_DECIMALS = 4


@exercises.exercise(
    1, "chain rule, one variable",
    hint="dz/dx = dz/dy · dy/dx. Here dy/dx = 3 and d tanh(y)/dy = 1 - tanh(y)²; "
         "evaluate both at x = 0.5 (so y = 0.5) with math.tanh.",
)
def _check_chain_rule(answer):
    x = torch.tensor(EX1_X, dtype=torch.float64, requires_grad=True)
    torch.tanh(3 * x - 1).backward()
    value, expected = as_number(answer, "dz/dx"), x.grad.item()
    if math.isclose(value, 3.0, rel_tol=1e-6):
        fail(_("3 is only dy/dx: multiply it by dz/dy = 1 - tanh(y)²"))
    half_step = 0.5 * 10.0**-EX1_DECIMALS  # rounding to four decimals moves it at most this
    if abs(value - expected) <= half_step * (1 + 1e-9):
        return
    if round(value, 2) == round(expected, 2):
        fail(_("dz/dx is {got}: close, but give at least {decimals} decimals").format(
            got=f"{value:g}", decimals=EX1_DECIMALS))
    fail(_("dz/dx is {got}, expected {want} (off by {off})").format(
        got=f"{value:.6g}", want=f"{expected:.6g}",
        off=f"{abs(value - expected):.3g}"))


@exercises.exercise(
    2, "one neuron, given the upstream gradient",
    hint="z = w·x + b, so ∂z/∂w = x (known from the forward pass) and ∂z/∂b = 1. "
         "Multiply each by the upstream gradient ∂C/∂z: return (x * dC_dz, dC_dz).",
)
def _check_neuron(neuron_gradients):
    generator = torch.Generator().manual_seed(3)
    n = 5  # one call: a slow answer costs its time once
    x = torch.randn(n, generator=generator, dtype=torch.float64)
    w = torch.randn(n, generator=generator, dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    dC_dz = 1.7
    z = w @ x + b
    (dC_dz * z).backward()  # any C with this ∂C/∂z gives the same gradients
    got = call(neuron_gradients, x, dC_dz, what="neuron_gradients(x, dC_dz)")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(_("return two things: (dC_dw, dC_db)"))
    dC_dw, dC_db = got
    if isinstance(dC_dw, torch.Tensor) and dC_dw.shape == x.shape and torch.allclose(
        dC_dw.detach().double(), x
    ):
        fail(_("dC_dw equals x, which is only ∂z/∂w: multiply by the upstream ∂C/∂z"))
    expect_tensor(dC_dw, w.grad, _("dC_dw (for {n} inputs)").format(n=n), rtol=1e-6, atol=1e-9)
    expect_number(dC_db, b.grad.item(), "dC_db", rtol=1e-6)


# Exercise 3: fill in the gradient of every node of this graph.
EX3_INPUTS = {"x": 2.0, "y": -3.0}


def ex3_graph():
    """u = x·y, v = u + y, w = v·x, f = w·u (float64); returns the named tensors."""
    x = torch.tensor(EX3_INPUTS["x"], dtype=torch.float64, requires_grad=True)
    y = torch.tensor(EX3_INPUTS["y"], dtype=torch.float64, requires_grad=True)
    u = x * y
    v = u + y
    w = v * x
    f = w * u
    return {"x": x, "y": y, "u": u, "v": v, "w": w, "f": f}


@exercises.exercise(
    3, "fill in the gradients of a graph",
    hint="Start at f (∂f/∂f = 1) and go backwards: w, v, u, then x and y. A node used "
         "by two operations (u, x and y here) gets the SUM of what comes back along each, "
         "for example ∂f/∂u = w · 1 (from f = w·u) + ∂f/∂v · 1 (from v = u + y).",
)
def _check_graph_gradients(grads):
    if not isinstance(grads, dict):
        fail(_("answer should be a dict like {{'f': 1.0, ...}}, got {type}").format(
            type=type(grads).__name__))
    tensors = ex3_graph()
    for t in tensors.values():
        if not t.is_leaf:
            t.retain_grad()
    tensors["f"].backward()
    graph = walk_graph(tensors["f"], tensors)
    missing = [name for name in tensors if name not in grads]
    if missing:
        fail(_("missing the gradient of {names}").format(names=", ".join(missing)))
    if any(is_template(grads[name]) for name in tensors):
        raise NotAttempted(_("some entries are still `...`: fill in every node"))
    for name in ["f", "w", "v", "u", "x", "y"]:  # from the output back, like backward()
        got, expected = as_number(grads[name], f"∂f/∂{name}"), tensors[name].grad.item()
        if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            users = graph.users_of(graph.node(name))
            paths = (
                _("{name} is used by {count} operations ({users}): add the gradient that comes "
                  "back along each").format(name=name, count=len(users),
                                            users=", ".join(u.name for u in users))
                if len(users) > 1 else
                _("multiply the gradient of its user by the local derivative"))
            fail(_("∂f/∂{name} = {got} is not right; {paths}").format(name=name, got=f"{got:g}",
                                                                       paths=paths))


def is_template(value) -> bool:
    return value is None or value is Ellipsis


@exercises.exercise(
    4, "write the backward of exp",
    hint="d exp(a)/da = exp(a), which is out.data. Like the other operations, ADD to "
         "a.grad (a may be used elsewhere too): a.grad += out.data * out.grad",
)
def _check_exp(exp):
    a = Value(0.7)
    out = call(exp, a, what="exp(a)")
    if not isinstance(out, Value):
        fail(_("exp should return a Value, got {type}").format(type=type(out).__name__))
    expect_number(out.data, math.exp(0.7), "exp(Value(0.7)).data", rtol=1e-12)
    if out._parents != (a,):
        fail(_("the result should remember its input: Value(..., (a,), 'exp')"))
    with running_answer():
        out.backward()
    if a.grad == 0.0:
        fail(_("after out.backward(), a.grad is still 0: _backward must add "
               "(d exp(a)/da) × out.grad to a.grad"))
    expect_number(a.grad, math.exp(0.7), _("the gradient of exp(a) at a = 0.7"), rtol=1e-9)

    # A node used twice: s feeds exp(s) and s·s, both gradients must reach s
    # (in either order: an `=` instead of `+=` loses whichever came first).
    for exp_first in (True, False):
        x = Value(0.3)
        s = x * 2
        with running_answer():
            y = exp(s) + s * s if exp_first else s * s + exp(s)
            y.backward()
        xt = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
        st = xt * 2
        (st.exp() + st * st).backward()
        if not math.isclose(x.grad, xt.grad.item(), rel_tol=1e-9):
            fail(_("in y = exp(s) + s·s with s = 2x, dy/dx is {got}, expected {want}: does your "
                   "backward ADD to a.grad (+=), not overwrite it?").format(
                got=f"{x.grad:.6g}", want=f"{xt.grad.item():.6g}"))


# Exercise 5: the worked example, trained with the tiny engine.
EX5_DATA = ([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])
# One call, with a start, rate and epoch count unlike the worked example's, so none can be
# hard-coded.
EX5_CASES = [(1.0, 0.05, 3)]


def fit_reference(w0: float, lr: float, epochs: int, zero_grad: bool = True) -> float:
    """Per-sample gradient descent on (w·x - y)² with PyTorch autograd, float64."""
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    for _epoch in range(epochs):
        for x, y in zip(*EX5_DATA, strict=True):
            ((w * x - y) ** 2).backward()
            with torch.no_grad():
                w -= lr * w.grad
            if zero_grad:
                w.grad.zero_()
    return w.item()


def fit_full_batch(w0: float, lr: float, epochs: int, reduce: str) -> float:
    """The usual slip: one update per epoch from the summed (or mean) gradient of all samples."""
    xs, ys = (torch.tensor(v, dtype=torch.float64) for v in EX5_DATA)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    for _epoch in range(epochs):
        losses = (w * xs - ys) ** 2
        (losses.sum() if reduce == "sum" else losses.mean()).backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return w.item()


@exercises.exercise(
    5, "train ŷ = w·x with the tiny engine",
    hint="w = Value(w0); for each epoch, for each (x, y): loss = (w * x - y) ** 2, "
         "w.grad = 0.0, loss.backward(), w.data -= lr * w.grad. Return w.data.",
)
def _check_fit(fit):
    for w0, lr, epochs in EX5_CASES:
        what = f"fit({w0}, {lr}, {epochs})"
        got = call(fit, w0, lr, epochs, what=what)
        got = as_number(got.data if isinstance(got, Value) else got, what)
        expected = fit_reference(w0, lr, epochs)
        if math.isclose(got, expected, rel_tol=1e-9):
            continue
        if math.isclose(got, fit_reference(w0, lr, epochs, zero_grad=False), rel_tol=1e-9):
            fail(_("{what} lets gradients pile up: set w.grad = 0.0 before each backward()")
                 .format(what=what))
        if any(math.isclose(got, fit_full_batch(w0, lr, epochs, reduce), rel_tol=1e-9)
               for reduce in ("sum", "mean")):
            fail(_("{what} makes one update per epoch from all three samples together: update "
                   "w after EACH sample (per-sample updates, inside the loop over (x, y))")
                 .format(what=what))
        expect_number(got, expected, what, rtol=1e-9)
