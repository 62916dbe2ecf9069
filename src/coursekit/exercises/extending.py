"""Exercises of lesson 06, extending autograd.

The checkers run the student's `torch.autograd.Function`s on their own float64
inputs and compare forward and backward with closed forms, so a wrong backward
fails with the reason (ignored grad_output, swapped gradients, a wrong slope).
"""

from __future__ import annotations

import warnings

import torch
from torch import nn
from torch.autograd.gradcheck import GradcheckError

from .core import AnswerRaised, ExerciseSet, NotAttempted, expect_tensor, fail, running_answer

exercises = ExerciseSet("06_extending_autograd")


def _inputs(seed: int, n: int = 7) -> torch.Tensor:
    """n float64 numbers from −2 to 2 (0 included), shuffled by a seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    values = torch.linspace(-2, 2, n, dtype=torch.float64)
    return values[torch.randperm(n, generator=generator)]


def _function_class(answer, what: str):
    if not (isinstance(answer, type) and issubclass(answer, torch.autograd.Function)):
        fail(f"expected {what}: a class derived from torch.autograd.Function, got {answer!r}")
    return answer


def _apply(function, *args, what: str):
    """function.apply(*args), with a one-line reason when it is not filled in or breaks."""
    try:
        with running_answer():
            out = function.apply(*args)
    except AnswerRaised as raised:
        if isinstance(raised.error, RuntimeError):
            fail(f"{what}.apply raised RuntimeError: {str(raised.error).splitlines()[0]}")
        raise
    if out is None:
        fail(f"{what}.forward returns None: end it with `return` and the output tensor")
    if not isinstance(out, torch.Tensor):
        fail(f"{what}.forward should return a tensor, got {type(out).__name__}")
    return out


def _gradients(out, inputs, grad_output, what: str):
    """The gradients your backward gives for `grad_output`; None entries mean not filled in."""
    try:
        with running_answer():  # runs the answer's backward
            grads = torch.autograd.grad(out, inputs, grad_outputs=grad_output,
                                        allow_unused=True)
    except AnswerRaised as raised:
        if not isinstance(raised.error, RuntimeError):
            raise
        message = str(raised.error).splitlines()[0]
        if "incorrect number of gradients" in message:
            fail(f"{what}.backward must return one gradient per input of forward "
                 f"({len(inputs)} here): {message}")
        fail(f"{what}.backward raised RuntimeError: {message}")
    if all(g is None for g in grads):
        fail(f"{what}.backward returns None: end it with `return` and the gradient")
    for k, grad in enumerate(grads):
        if grad is None:
            fail(f"{what}.backward returns None for input {k + 1}: return a gradient for each "
                 "input of forward")
    return grads


def _same(a, b) -> bool:
    return a.shape == b.shape and torch.allclose(a.double(), b.double(), rtol=1e-6, atol=1e-9)


# -- 1. a backward for √(x² + 1) ---------------------------------------------------------------
@exercises.exercise(
    1, "a backward for the smooth absolute value",
    hint="f(x) = √(x² + 1), so f′(x) = x / √(x² + 1) (chain rule: ½·(x² + 1)^(−½) · 2x). "
         "In backward: `(x,) = ctx.saved_tensors`, then return "
         "`grad_output * x / torch.sqrt(x**2 + 1)`.",
)
def _(SmoothAbs):
    function = _function_class(SmoothAbs, "SmoothAbs")
    x = _inputs(1).requires_grad_()
    out = _apply(function, x, what="SmoothAbs")
    expect_tensor(out, torch.sqrt(x.detach() ** 2 + 1), "forward(x)", rtol=1e-9, atol=1e-12)
    slope = x.detach() / torch.sqrt(x.detach() ** 2 + 1)
    upstream = torch.linspace(0.5, 3.0, len(x), dtype=torch.float64)  # a gradient from above
    (grad,) = _gradients(out, (x,), upstream, "SmoothAbs")
    if _same(grad, slope) and not _same(grad, upstream * slope):
        fail("your backward returns f′(x) but ignores grad_output: the chain rule "
             "multiplies the local derivative by the gradient arriving from above")
    if not _same(grad, upstream * slope):
        k = int((grad.double() / upstream - slope).abs().argmax())
        fail(f"your backward is wrong: at x = {x[k].item():g} it gives a slope of "
             f"{(grad[k] / upstream[k]).item():.4g}, but the slope of √(x² + 1) there is "
             f"{slope[k].item():.4g}")


# -- 2. two inputs, two gradients ----------------------------------------------------------------
@exercises.exercise(
    2, "a Function with two inputs",
    hint="forward: `ctx.save_for_backward(a, b)` and return `torch.sqrt(a**2 + b**2)`. "
         "backward: recompute h = √(a² + b²) from the saved tensors and return two gradients, "
         "`grad_output * a / h, grad_output * b / h`, in the order of forward's inputs.",
)
def _(Hypot):
    function = _function_class(Hypot, "Hypot")
    a = _inputs(2).add(0.25).requires_grad_()  # shifted: never (0, 0), where h has no slope
    b = _inputs(3).requires_grad_()
    out = _apply(function, a, b, what="Hypot")
    h = torch.sqrt(a.detach() ** 2 + b.detach() ** 2)
    expect_tensor(out, h, "forward(a, b)", rtol=1e-9, atol=1e-12)
    upstream = torch.linspace(0.5, 3.0, len(a), dtype=torch.float64)
    grad_a, grad_b = _gradients(out, (a, b), upstream, "Hypot")
    right_a, right_b = upstream * a.detach() / h, upstream * b.detach() / h
    if _same(grad_a, right_b) and _same(grad_b, right_a):
        fail("your two gradients are swapped: return them in the order of forward's "
             "inputs, (gradient for a, gradient for b)")
    if _same(grad_a, right_a / upstream) and _same(grad_b, right_b / upstream):
        fail("your backward ignores grad_output: multiply each local derivative by it")
    expect_tensor(grad_a, right_a, "the gradient for a", rtol=1e-6, atol=1e-9)
    expect_tensor(grad_b, right_b, "the gradient for b", rtol=1e-6, atol=1e-9)


# -- 3. a backward checker built on gradcheck -------------------------------------------------
def make_function(name: str, forward, derivative):
    """A one-input torch.autograd.Function with the given forward and derivative."""

    def forward_(ctx, x):
        ctx.save_for_backward(x)
        return forward(x)

    def backward_(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * derivative(x)

    return type(name, (torch.autograd.Function,),
                {"forward": staticmethod(forward_), "backward": staticmethod(backward_)})


def _p3(x):
    return 0.5 * (5 * x**3 - 3 * x)


# (Function, is its backward right?)
CANDIDATES = [
    (make_function("LegendreP3", _p3, lambda x: 1.5 * (5 * x**2 - 1)), True),
    (make_function("ForgotMinusOne", _p3, lambda x: 1.5 * 5 * x**2), False),
    (make_function("Sine", torch.sin, torch.cos), True),
    (make_function("SineWrongSign", torch.sin, lambda x: -torch.cos(x)), False),
    (make_function("Softplus", lambda x: torch.log1p(torch.exp(x)), torch.sigmoid), True),
    (make_function("OnePercentOff", torch.exp, lambda x: 1.01 * torch.exp(x)), False),
]


@exercises.exercise(
    3, "a backward checker built on gradcheck",
    hint="Make a few float64 inputs that require gradients, e.g. "
         "`x = torch.randn(5, dtype=torch.float64, requires_grad=True)`, and return "
         "`torch.autograd.gradcheck(function.apply, (x,), raise_exception=False)`. "
         "In float32 even a right backward fails.",
)
def _(backward_is_right):
    if not callable(backward_is_right):
        fail(f"expected a function, got {type(backward_is_right).__name__}")
    for function, right in CANDIDATES:
        name = function.__name__
        try:
            with warnings.catch_warnings(), running_answer():
                warnings.simplefilter("ignore")  # float32 answers warn; the verdict is enough
                answer = backward_is_right(function)
        except AnswerRaised as raised:
            if not isinstance(raised.error, GradcheckError):
                raise
            fail(f"for {name} (a wrong backward) your function let gradcheck's error escape: "
                 "pass raise_exception=False, or catch the error, and return False")
        if answer is None:
            fail("backward_is_right returns None: end it with `return True` or `return False`")
        if not isinstance(answer, bool):
            fail(f"backward_is_right should return True or False, got {type(answer).__name__}")
        if right and not answer:
            fail(f"you say {name}'s backward is wrong, but it is right: are your inputs "
                 "float64? (in float32 rounding makes gradcheck fail on right backwards)")
        if not right and answer:
            fail(f"you say {name}'s backward is right, but it is wrong: compare it with "
                 "finite differences (gradcheck) on a few inputs")


# -- 4. predict the graph ------------------------------------------------------------------------
class RepeatNet(nn.Module):
    """Lesson 06's network: one hidden layer applied `depth` times in a loop."""

    def __init__(self, width=16):
        super().__init__()
        self.first = nn.Linear(1, width)
        self.hidden = nn.Linear(width, width)
        self.last = nn.Linear(width, 1)

    def forward(self, x, depth):
        h = torch.tanh(self.first(x))
        for _ in range(depth):
            h = torch.tanh(self.hidden(h))
        return self.last(h)


def recorded_nodes(output: torch.Tensor) -> set:
    """Every node autograd recorded to compute `output` (leaves included), as in lesson 06."""
    seen, to_visit = set(), [output.grad_fn]
    while to_visit:
        node = to_visit.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        to_visit.extend(parent for parent, _ in node.next_functions)
    return seen


def graph_counts(depth: int) -> tuple[int, int]:
    """(nodes, leaves) that autograd records for RepeatNet at `depth`."""
    nodes = recorded_nodes(RepeatNet()(torch.zeros(4, 1), depth))
    leaves = sum(node.name().endswith("AccumulateGrad") for node in nodes)
    return len(nodes), leaves


PREDICT_DEPTH = 7


@exercises.exercise(
    4, "predict the graph of RepeatNet at depth 7",
    hint="Section 5 printed depths 1 to 4: 14, 17, 20, 23 nodes. Each turn of the loop "
         "adds an nn.Linear call (AddmmBackward0 and TBackward0) and a tanh. The leaves are "
         "the parameter tensors, each counted once however often it is used.",
)
def _(answer):
    if not (isinstance(answer, tuple) and len(answer) == 2):
        fail("answer with two whole numbers: (nodes, leaves)")
    if any(v is Ellipsis or v is None for v in answer):
        raise NotAttempted("Replace both `...` with whole numbers.")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in answer):
        fail(f"both answers should be whole numbers, got {answer!r}")
    nodes, leaves = graph_counts(PREDICT_DEPTH)
    got_nodes, got_leaves = answer
    if got_leaves != leaves:
        if got_leaves > leaves:
            fail(f"{got_leaves} leaves is too many: a shared layer's weight and bias are one "
                 "leaf each, however often the loop uses them")
        fail(f"{got_leaves} leaves is too few: every parameter tensor of the network is a leaf")
    if got_nodes != nodes:
        direction = "many" if got_nodes > nodes else "few"
        fail(f"{got_nodes} nodes is too {direction}: extend the pattern of depths 1 to 4 "
             "(three more nodes per turn of the loop)")
