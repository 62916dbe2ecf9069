"""Exercises of lesson 05, torch.nn and torch.optim.

Every checker builds its own small problem on the CPU, runs a reference (the
plain loop, torch.optim itself, or the closed form) and compares.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from ..optim_explorer import PROBLEM, run_optimizers, short_verdict
from .core import ExerciseSet, call, expect_tensor, fail

exercises = ExerciseSet("05_nn_and_optim")


# -- a small problem the training-loop checkers share -----------------------------------------
def _small_problem(seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(16, 5, generator=generator)
    y = torch.randn(16, 2, generator=generator)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))
    return model, x, y


def _manual_run(model, x, y, lr, steps, zero_grad=True):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        if zero_grad:
            model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
    return losses


def _optimizer_run(model, optimizer, x, y, steps, zero_grad=True):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def _as_floats(losses, steps: int, what: str) -> list[float]:
    if isinstance(losses, torch.Tensor):
        losses = losses.detach().reshape(-1).tolist()
    try:
        values = [float(v) for v in losses]
    except (TypeError, ValueError):
        fail(f"{what} should return a list of {steps} losses (numbers), "
             f"got {type(losses).__name__}")
    if len(values) != steps:
        fail(f"{what} returned {len(values)} losses for {steps} steps: record one per step, "
             "before the update")
    return values


def _close(a, b) -> bool:
    return all(math.isclose(u, v, rel_tol=1e-4, abs_tol=1e-6) for u, v in zip(a, b, strict=True))


def _first_difference(got, expected) -> str:
    for k, (u, v) in enumerate(zip(got, expected, strict=True)):
        if not math.isclose(u, v, rel_tol=1e-4, abs_tol=1e-6):
            return f"step {k}: your loss {u:.6g}, expected {v:.6g}"
    return "no difference"


# -- 1. zero the gradients ----------------------------------------------------------------------
@exercises.exercise(
    1, "fix the loop that forgets zero_grad",
    hint="Copy the broken loop and add one line, `model.zero_grad()`, before "
         "`loss.backward()`. Without it each backward adds its gradient to the ones "
         "already stored in `.grad`.",
)
def _(fixed_train):
    lr, steps = 1e-3, 25
    model, x, y = _small_problem(1)
    expected = _manual_run(copy.deepcopy(model), x, y, lr, steps)
    piled_up = _manual_run(copy.deepcopy(model), x, y, lr, steps, zero_grad=False)
    student_model = copy.deepcopy(model)
    got = _as_floats(call(fixed_train, student_model, x, y, lr, steps, what="fixed_train"),
                     steps, "fixed_train")
    if _close(got, piled_up) and not _close(got, expected):
        fail("your losses are those of a loop whose gradients pile up: zero them "
             "before each backward()")
    if not _close(got, expected):
        fail(f"your losses differ from the fixed loop at {_first_difference(got, expected)}")
    reference_model = copy.deepcopy(model)
    _manual_run(reference_model, x, y, lr, steps)
    for mine, ref in zip(student_model.parameters(), reference_model.parameters(), strict=True):
        expect_tensor(mine, ref, "the trained weights")


# -- 2. a training loop with an optimizer --------------------------------------------------------
@exercises.exercise(
    2, "a training loop with torch.optim",
    hint="Each step: `loss = loss_fn(model(x), y)`, record `loss.item()`, then "
         "`optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()`. Use "
         "`nn.MSELoss(reduction=\"sum\")`.",
)
def _(train):
    steps = 20
    model, x, y = _small_problem(2)
    for make in (lambda params: torch.optim.Adam(params, lr=1e-2),
                 lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9)):
        reference_model = copy.deepcopy(model)
        expected = _optimizer_run(reference_model, make(reference_model.parameters()), x, y,
                                  steps)
        piled = copy.deepcopy(model)
        piled_up = _optimizer_run(piled, make(piled.parameters()), x, y, steps, zero_grad=False)
        student_model = copy.deepcopy(model)
        optimizer = make(student_model.parameters())
        name = type(optimizer).__name__
        got = _as_floats(call(train, student_model, optimizer, x, y, steps, what="train"),
                         steps, "train")
        if len(set(got)) == 1:
            fail("the loss never changes: does your loop call optimizer.step()?")
        if _close(got, piled_up) and not _close(got, expected):
            fail("your gradients pile up from step to step: call optimizer.zero_grad() "
                 "before loss.backward()")
        if not _close(got, expected):
            fail(f"with {name}, your losses differ from the reference at "
                 f"{_first_difference(got, expected)}")
        for mine, ref in zip(student_model.parameters(), reference_model.parameters(),
                             strict=True):
            expect_tensor(mine, ref, f"the weights after training with {name}")


# -- 3. the cubic as an nn.Module ------------------------------------------------------------------
CUBIC_VALUES = {"a": 0.5, "b": -1.0, "c": 2.0, "d": 0.25}


@exercises.exercise(
    3, "the cubic as an nn.Module",
    hint="In `__init__`, after `super().__init__()`, write "
         "`self.a = nn.Parameter(torch.randn(()))` and the same for b, c, d. In "
         "`forward`, return `self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3`.",
)
def _(Cubic):
    if not (isinstance(Cubic, type) and issubclass(Cubic, nn.Module)):
        fail(f"expected a class derived from nn.Module, got {Cubic!r}")
    model = Cubic()
    x = torch.linspace(-2, 2, 9)
    call(model, x, what="forward")
    params = dict(model.named_parameters())
    if sorted(params) != ["a", "b", "c", "d"]:
        fail(f"expected four parameters named a, b, c, d; your model has {sorted(params)} "
             "(plain tensors are not parameters: wrap them in nn.Parameter)")
    sizes = {name: p.numel() for name, p in params.items()}
    if any(size != 1 for size in sizes.values()):
        fail(f"each parameter should hold one number; sizes: {sizes}")
    with torch.no_grad():
        for name, value in CUBIC_VALUES.items():
            params[name].fill_(value)
    a, b, c, d = CUBIC_VALUES.values()
    out = call(model, x, what="forward")
    expect_tensor(out, a + b * x + c * x**2 + d * x**3, "forward(x) for a=0.5, b=-1, c=2, d=0.25")
    out.sum().backward()
    missing = [name for name, p in params.items() if p.grad is None]
    if missing:
        fail(f"forward does not use {missing}: their gradients are missing")


# -- 4. a learning rate that only the adaptive methods survive -------------------------------------
@exercises.exercise(
    4, "a learning rate where Adam converges and SGD diverges",
    hint="Plain SGD on this problem diverges above 2/λ_max ≈ 0.0053. Adam moves each "
         "coordinate about lr per step, and b has to travel about 33 in 200 steps. Try the "
         "explorer's slider.",
)
def _(lr):
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        fail(f"the answer should be a number (a learning rate), got {type(lr).__name__}")
    if not (math.isfinite(lr) and lr > 0):
        fail(f"a learning rate must be a positive number, got {lr}")
    _, losses = run_optimizers(float(lr))
    sgd = short_verdict(losses[0], PROBLEM.best_loss)
    adam = short_verdict(losses[3], PROBLEM.best_loss)
    if not sgd.startswith("diverges"):
        fail(f"at learning rate {lr:g} plain SGD does not diverge (it is '{sgd}'): "
             f"go above 2/λ_max ≈ {PROBLEM.sgd_threshold:.2g}")
    if adam != "converges":
        fail(f"at learning rate {lr:g} Adam {adam}: it needs steps long enough to cover "
             "the distance in 200 steps")


# -- 5. Adam's update by hand ----------------------------------------------------------------
@exercises.exercise(
    5, "Adam's update rule by hand",
    hint="m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; m̂ = m / (1 − β1ᵗ); "
         "v̂ = v / (1 − β2ᵗ); p = p − lr·m̂ / (√v̂ + eps). Return (p, m, v), with m and v "
         "before the bias correction.",
)
def _(adam_step):
    lr, steps = 0.05, 6
    generator = torch.Generator().manual_seed(5)
    start = torch.randn(4, generator=generator, dtype=torch.float64)
    scales = torch.tensor([0.01, 1.0, 10.0, 100.0], dtype=torch.float64)

    def loss_of(p):
        return (scales * (p - 1) ** 2).sum()

    reference = start.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([reference], lr=lr)
    p, m, v = start.clone(), torch.zeros_like(start), torch.zeros_like(start)
    plain_p = start.clone()  # what Adam without bias correction would give
    plain_m, plain_v = torch.zeros_like(start), torch.zeros_like(start)
    for t in range(1, steps + 1):
        optimizer.zero_grad()
        loss_of(reference).backward()
        optimizer.step()
        g = torch.func.grad(loss_of)(p)
        result = call(adam_step, p.clone(), g.clone(), m.clone(), v.clone(), t, lr,
                      what="adam_step")
        if not (isinstance(result, tuple) and len(result) == 3):
            fail("adam_step should return a tuple (new_p, new_m, new_v)")
        p, m, v = result
        for name, value in (("new_p", p), ("new_m", m), ("new_v", v)):
            if not isinstance(value, torch.Tensor):
                fail(f"{name} should be a tensor, got {type(value).__name__}")
        plain_g = torch.func.grad(loss_of)(plain_p)
        plain_m = 0.9 * plain_m + 0.1 * plain_g
        plain_v = 0.999 * plain_v + 0.001 * plain_g**2
        plain_p = plain_p - lr * plain_m / (plain_v.sqrt() + 1e-8)
        if not torch.allclose(p.to(torch.float64), reference.detach(), rtol=1e-6, atol=1e-9):
            if torch.allclose(p.to(torch.float64), plain_p, rtol=1e-6, atol=1e-9):
                fail(f"step {t} matches Adam without bias correction: divide m by (1 − β1ᵗ) "
                     "and v by (1 − β2ᵗ) before the update")
            expect_tensor(p, reference.detach(),
                          f"p after step {t} (compared with torch.optim.Adam)",
                          rtol=1e-6, atol=1e-9)
    # m and v after the last step, from torch.optim's own state
    expect_tensor(m, optimizer.state[reference]["exp_avg"], "new_m after the last step",
                  rtol=1e-6, atol=1e-9)
    expect_tensor(v, optimizer.state[reference]["exp_avg_sq"], "new_v after the last step",
                  rtol=1e-6, atol=1e-9)

