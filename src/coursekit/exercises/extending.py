"""Exercises of lesson 06, extending autograd.

The checkers run the student's `torch.autograd.Function`s on their own float64
inputs and compare forward and backward with closed forms, so a wrong backward
fails with the reason (ignored grad_output, swapped gradients, a wrong slope).
"""

from __future__ import annotations

import inspect
import warnings

import torch
from torch import nn
from torch.autograd.gradcheck import GradcheckError

from ..i18n import _
from .core import (
    AnswerRaised,
    ExerciseSet,
    NotAttempted,
    _allclose,
    as_bool,
    as_whole_number,
    copies,
    expect_tensor,
    fail,
    running_answer,
)

exercises = ExerciseSet("06_extending_autograd")


def _inputs(seed: int, n: int = 7) -> torch.Tensor:
    """n float64 numbers from −2 to 2 (0 included), shuffled by a seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    values = torch.linspace(-2, 2, n, dtype=torch.float64)
    return values[torch.randperm(n, generator=generator)]


def _function_class(answer, what: str):
    if not (isinstance(answer, type) and issubclass(answer, torch.autograd.Function)):
        fail(_("expected {what}: a class derived from torch.autograd.Function, got {answer}")
             .format(what=what, answer=repr(answer)))
    return answer


def _forward_names(function, count: int) -> list[str]:
    """The names of forward's inputs (after ctx), for the messages."""
    try:
        names = list(inspect.signature(function.forward).parameters)[1:]
    except (TypeError, ValueError):
        names = []
    return [names[k] if k < len(names) else _("input {n}").format(n=k + 1)
            for k in range(count)]


def _apply(function, *inputs, what: str):
    """function.apply on COPIES of the checker's inputs (the copy rule): returns the output
    and the copies (for the gradients). A forward that changes its input fails, named."""
    copied = copies(*inputs)
    try:
        with running_answer():
            out = function.apply(*copied)
    except AnswerRaised as raised:
        if isinstance(raised.error, RuntimeError):
            fail(_("{what}.apply raised RuntimeError: {message}").format(
                what=what, message=str(raised.error).splitlines()[0]))
        raise
    for name, original, copy in zip(_forward_names(function, len(inputs)), inputs, copied,
                                    strict=True):
        if not (original.shape == copy.shape and torch.equal(original, copy.detach())):
            fail(_("{what}.forward changed its input `{name}` in place (an in-place operation "
                   "such as `{name}.pow_(2)`, `{name} **= 2` or `{name}.zero_()`): compute a "
                   "new tensor and leave `{name}` as it was").format(what=what, name=name))
    if out is None:
        fail(_("{what}.forward returns None: end it with `return` and the output tensor")
             .format(what=what))
    if not isinstance(out, torch.Tensor):
        fail(_("{what}.forward should return a tensor, got {type}").format(
            what=what, type=type(out).__name__))
    return out, copied


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
            fail(_("{what}.backward must return one gradient per input of forward "
                   "({count} here): {message}").format(what=what, count=len(inputs),
                                                       message=message))
        fail(_("{what}.backward raised RuntimeError: {message}").format(what=what,
                                                                       message=message))
    if all(g is None for g in grads):
        fail(_("{what}.backward returns None: end it with `return` and the gradient").format(
            what=what))
    for k, grad in enumerate(grads):
        if grad is None:
            fail(_("{what}.backward returns None for input {n}: return a gradient for each "
                   "input of forward").format(what=what, n=k + 1))
    return grads


def _same(a, b) -> bool:
    return a.shape == b.shape and _allclose(a.double(), b.double(), rtol=1e-6, atol=1e-9)


# -- 1. a backward for √(x² + 1) ---------------------------------------------------------------
@exercises.exercise(
    1, "a backward for the smooth absolute value",
    hint="f(x) = √(x² + 1), so f′(x) = x / √(x² + 1) (chain rule: ½·(x² + 1)^(−½) · 2x). "
         "In backward: `(x,) = ctx.saved_tensors`, then return "
         "`grad_output * x / torch.sqrt(x**2 + 1)`.",
)
def _check_smooth_abs(SmoothAbs):
    function = _function_class(SmoothAbs, "SmoothAbs")
    x = _inputs(1).requires_grad_()
    out, (x_copy,) = _apply(function, x, what="SmoothAbs")
    expect_tensor(out, torch.sqrt(x.detach() ** 2 + 1), "forward(x)", rtol=1e-9, atol=1e-12)
    slope = x.detach() / torch.sqrt(x.detach() ** 2 + 1)
    upstream = torch.linspace(0.5, 3.0, len(x), dtype=torch.float64)  # a gradient from above
    (grad,) = _gradients(out, (x_copy,), upstream, "SmoothAbs")
    if _same(grad, slope) and not _same(grad, upstream * slope):
        fail(_("your backward returns f′(x) but ignores grad_output: the chain rule "
               "multiplies the local derivative by the gradient arriving from above"))
    if not _same(grad, upstream * slope):
        k = int((grad.double() / upstream - slope).abs().argmax())
        fail(_("your backward is wrong: at x = {x} it gives a slope of {got}, but the slope of "
               "√(x² + 1) there is {want}").format(x=f"{x[k].item():g}",
                                                   got=f"{(grad[k] / upstream[k]).item():.4g}",
                                                   want=f"{slope[k].item():.4g}"))


# -- 2. two inputs, two gradients ----------------------------------------------------------------
@exercises.exercise(
    2, "a Function with two inputs",
    hint="forward: `ctx.save_for_backward(a, b)` and return `torch.sqrt(a**2 + b**2)`. "
         "backward: recompute h = √(a² + b²) from the saved tensors and return two gradients, "
         "`grad_output * a / h, grad_output * b / h`, in the order of forward's inputs.",
)
def _check_hypot(Hypot):
    function = _function_class(Hypot, "Hypot")
    a = _inputs(2).add(0.25).requires_grad_()  # shifted: never (0, 0), where h has no slope
    b = _inputs(3).requires_grad_()
    out, (a_copy, b_copy) = _apply(function, a, b, what="Hypot")
    h = torch.sqrt(a.detach() ** 2 + b.detach() ** 2)
    expect_tensor(out, h, "forward(a, b)", rtol=1e-9, atol=1e-12)
    upstream = torch.linspace(0.5, 3.0, len(a), dtype=torch.float64)
    grad_a, grad_b = _gradients(out, (a_copy, b_copy), upstream, "Hypot")
    right_a, right_b = upstream * a.detach() / h, upstream * b.detach() / h
    if _same(grad_a, right_b) and _same(grad_b, right_a):
        fail(_("your two gradients are swapped: return them in the order of forward's "
               "inputs, (gradient for a, gradient for b)"))
    if _same(grad_a, right_a / upstream) and _same(grad_b, right_b / upstream):
        fail(_("your backward ignores grad_output: multiply each local derivative by it"))
    expect_tensor(grad_a, right_a, _("the gradient for a"), rtol=1e-6, atol=1e-9)
    expect_tensor(grad_b, right_b, _("the gradient for b"), rtol=1e-6, atol=1e-9)


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


# (name, forward, derivative, is the backward right?). TanhForgotSquare's slope, 1 − tanh(x)
# instead of 1 − tanh(x)², is right at x = 0 only: a check at that single point misses it.
CANDIDATES = [
    ("LegendreP3", _p3, lambda x: 1.5 * (5 * x**2 - 1), True),
    ("ForgotMinusOne", _p3, lambda x: 1.5 * 5 * x**2, False),
    ("Sine", torch.sin, torch.cos, True),
    ("SineWrongSign", torch.sin, lambda x: -torch.cos(x), False),
    ("Softplus", lambda x: torch.log1p(torch.exp(x)), torch.sigmoid, True),
    ("OnePercentOff", torch.exp, lambda x: 1.01 * torch.exp(x), False),
    ("TanhForgotSquare", torch.tanh, lambda x: 1 - torch.tanh(x), False),
]
RIGHT_ONLY_AT_ZERO = {"TanhForgotSquare"}


def candidates() -> list[tuple[type, bool]]:
    """(Function, is its backward right?), built afresh for every check: an answer that
    changes one (say, assigns its backward) changes only its own copy."""
    return [(make_function(name, forward, derivative), right)
            for name, forward, derivative, right in CANDIDATES]


@exercises.exercise(
    3, "a backward checker built on gradcheck",
    hint="Make a few random float64 inputs that require gradients, e.g. "
         "`x = torch.randn(5, dtype=torch.float64, requires_grad=True)`, and return "
         "`torch.autograd.gradcheck(function.apply, (x,), raise_exception=False)`. "
         "Use several different inputs: a backward can be right at one point and wrong "
         "elsewhere. Use float64: with float32, gradcheck's default eps and tolerances are "
         "too tight, and a right backward fails.",
)
def _check_backward_is_right(backward_is_right):
    if not callable(backward_is_right):
        fail(_("expected a function, got {type}").format(type=type(backward_is_right).__name__))
    for function, right in candidates():
        name = function.__name__
        try:
            with warnings.catch_warnings(), running_answer():
                warnings.simplefilter("ignore")  # float32 answers warn; the verdict is enough
                answer = backward_is_right(function)
        except AnswerRaised as raised:
            if not isinstance(raised.error, GradcheckError):
                raise
            fail(_("for {name} (a wrong backward) your function let gradcheck's error escape: "
                   "pass raise_exception=False, or catch the error, and return False").format(
                name=name))
        if answer is None:
            fail(_("backward_is_right returns None: end it with `return True` or "
                   "`return False`"))
        answer = as_bool(answer, "backward_is_right")
        if right and not answer:
            fail(_("you say {name}'s backward is wrong, but it is right: are your inputs "
                   "float64? (in float32, gradcheck's default eps and tolerances are too tight "
                   "for float32's rounding, and right backwards fail)").format(name=name))
        if not right and answer and name in RIGHT_ONLY_AT_ZERO:
            fail(_("you say {name}'s backward is right, but it is wrong: its slope is right "
                   "at x = 0 and nowhere else. Test at several different inputs (random "
                   "ones), not at a single point").format(name=name))
        if not right and answer:
            fail(_("you say {name}'s backward is right, but it is wrong: compare it with "
                   "finite differences (gradcheck) on a few inputs").format(name=name))


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
        for _turn in range(depth):
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
def _check_graph(answer):
    if isinstance(answer, (str, bytes)) or not (isinstance(answer, (tuple, list))
                                                and len(answer) == 2):
        fail(_("answer with two whole numbers: (nodes, leaves)"))
    if any(v is Ellipsis or v is None for v in answer):
        raise NotAttempted(_("Replace both `...` with whole numbers."))
    got_nodes = as_whole_number(answer[0], _("the number of nodes"))
    got_leaves = as_whole_number(answer[1], _("the number of leaves"))
    nodes, leaves = graph_counts(PREDICT_DEPTH)
    if got_leaves != leaves:
        if got_leaves > leaves:
            fail(_("{count} leaves is too many: a shared layer's weight and bias are one "
                   "leaf each, however often the loop uses them").format(count=got_leaves))
        fail(_("{count} leaves is too few: every parameter tensor of the network is a leaf")
             .format(count=got_leaves))
    if got_nodes != nodes:
        template = (_("{count} nodes is too many: extend the pattern of depths 1 to 4 (three "
                      "more nodes per turn of the loop)") if got_nodes > nodes else
                    _("{count} nodes is too few: extend the pattern of depths 1 to 4 (three "
                      "more nodes per turn of the loop)"))
        fail(template.format(count=got_nodes))
