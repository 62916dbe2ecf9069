"""Exercises of lesson 05, torch.nn and torch.optim.

Every checker builds its own small problem on the CPU, runs a reference (the
plain loop, torch.optim itself, or the closed form) and compares.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from ..i18n import _
from ..optim_explorer import PROBLEM, run_optimizers, short_verdict
from .core import ExerciseSet, _allclose, as_float_list, as_number, call, expect_tensor, fail

exercises = ExerciseSet("05_nn_and_optim")


# -- a small problem the training-loop checkers share -----------------------------------------
def _small_problem(seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(16, 5, generator=generator)
    y = torch.randn(16, 2, generator=generator)
    torch.manual_seed(seed)  # check() puts the student's random state back afterwards
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))
    return model, x, y


def _manual_run(model, x, y, lr, steps, zero_grad=True):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _step in range(steps):
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
    for _step in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def _as_floats(losses, steps: int, what: str) -> list[float]:
    if isinstance(losses, (list, tuple)) and len(losses) != steps:
        fail(_("{what} returned {got} losses for {steps} steps: record one per step, before "
               "the update").format(what=what, got=len(losses), steps=steps))
    return as_float_list(losses, steps, _("the losses {what} returns").format(what=what))


def _close(a, b) -> bool:
    return all(math.isclose(u, v, rel_tol=1e-4, abs_tol=1e-6) for u, v in zip(a, b, strict=True))


def _first_difference(got, expected) -> str:
    for k, (u, v) in enumerate(zip(got, expected, strict=True)):
        if not math.isclose(u, v, rel_tol=1e-4, abs_tol=1e-6):
            return _("step {k}: your loss {got}, expected {want}").format(
                k=k, got=f"{u:.6g}", want=f"{v:.6g}")
    return _("no difference")


# -- 1. zero the gradients ----------------------------------------------------------------------
@exercises.exercise(
    1, "fix the loop that forgets zero_grad",
    hint="Copy the broken loop and add one line, `model.zero_grad()`, before "
         "`loss.backward()`. Without it each backward adds its gradient to the ones "
         "already stored in `.grad`.",
)
def _check_fixed_train(fixed_train):
    lr, steps = 1e-3, 25
    model, x, y = _small_problem(1)
    expected = _manual_run(copy.deepcopy(model), x, y, lr, steps)
    piled_up = _manual_run(copy.deepcopy(model), x, y, lr, steps, zero_grad=False)
    student_model = copy.deepcopy(model)
    got = _as_floats(call(fixed_train, student_model, x, y, lr, steps, what="fixed_train"),
                     steps, "fixed_train")
    if _close(got, piled_up) and not _close(got, expected):
        fail(_("your losses are those of a loop whose gradients pile up: zero them before "
               "each backward()"))
    if not _close(got, expected):
        fail(_("your losses differ from the fixed loop at {where}").format(
            where=_first_difference(got, expected)))
    reference_model = copy.deepcopy(model)
    _manual_run(reference_model, x, y, lr, steps)
    for mine, ref in zip(student_model.parameters(), reference_model.parameters(), strict=True):
        expect_tensor(mine, ref, _("the trained weights"))


# -- 2. a training loop with an optimizer --------------------------------------------------------
@exercises.exercise(
    2, "a training loop with torch.optim",
    hint="Each step: `loss = loss_fn(model(x), y)`, record `loss.item()`, then "
         "`optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()`. Use "
         "`nn.MSELoss(reduction=\"sum\")`.",
)
def _check_train(train):
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
            fail(_("the loss never changes: does your loop call optimizer.step()?"))
        if _close(got, piled_up) and not _close(got, expected):
            fail(_("your gradients pile up from step to step: call optimizer.zero_grad() "
                   "before loss.backward()"))
        if not _close(got, expected):
            fail(_("with {name}, your losses differ from the reference at {where}").format(
                name=name, where=_first_difference(got, expected)))
        for mine, ref in zip(student_model.parameters(), reference_model.parameters(),
                             strict=True):
            expect_tensor(mine, ref, _("the weights after training with {name}").format(
                name=name))


# -- 3. the cubic as an nn.Module ------------------------------------------------------------------
CUBIC_VALUES = {"a": 0.5, "b": -1.0, "c": 2.0, "d": 0.25}


@exercises.exercise(
    3, "the cubic as an nn.Module",
    hint="In `__init__`, after `super().__init__()`, write "
         "`self.a = nn.Parameter(torch.randn(()))` and the same for b, c, d. In "
         "`forward`, return `self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3`.",
)
def _check_cubic(Cubic):
    if not (isinstance(Cubic, type) and issubclass(Cubic, nn.Module)):
        fail(_("expected a class derived from nn.Module, got {answer}").format(
            answer=repr(Cubic)))
    model = call(Cubic, what=f"{Cubic.__name__}()")
    x = torch.linspace(-2, 2, 9)
    call(model, x, what="forward")
    params = dict(model.named_parameters())
    if sorted(params) != ["a", "b", "c", "d"]:
        fail(_parameter_problem(model, params))
    sizes = {name: p.numel() for name, p in params.items()}
    if any(size != 1 for size in sizes.values()):
        fail(_("each parameter should hold one number; sizes: {sizes}").format(sizes=sizes))
    with torch.no_grad():
        for name, value in CUBIC_VALUES.items():
            params[name].fill_(value)
    a, b, c, d = CUBIC_VALUES.values()
    out = call(model, x, what="forward")
    expect_tensor(out, a + b * x + c * x**2 + d * x**3,
                  _("forward(x) for a=0.5, b=-1, c=2, d=0.25"))
    out.sum().backward()
    missing = [name for name, p in params.items() if p.grad is None]
    if missing:
        fail(_("forward does not use {names}: their gradients are missing").format(
            names=missing))


def _parameter_problem(model: nn.Module, params: dict) -> str:
    """Why the model does not have the four one-number parameters a, b, c, d."""
    plain = [name for name in "abcd" if isinstance(getattr(model, name, None), torch.Tensor)
             and name not in params]
    if plain:
        template = (_("{names} is a plain tensor, not a parameter: wrap them in nn.Parameter "
                      "so the model (and an optimizer) can see them") if len(plain) == 1 else
                    _("{names} are plain tensors, not parameters: wrap them in nn.Parameter "
                      "so the model (and an optimizer) can see them"))
        return template.format(names=", ".join(plain))
    if len(params) == 1:
        (name, param), = params.items()
        return _("your model has a single parameter `{name}` holding {count} numbers; the "
                 "exercise asks for four parameters named a, b, c, d, one number each "
                 "(self.a = nn.Parameter(...), and so on)").format(name=name,
                                                                   count=param.numel())
    if not params:
        return _("your model has no parameters; it needs four parameters named a, b, c, d, "
                 "one number each, created with nn.Parameter")
    return _("expected four parameters named a, b, c, d, one number each; your model has "
             "{names}").format(names=sorted(params))


# -- 4. a learning rate that only the adaptive methods survive -------------------------------------
@exercises.exercise(
    4, "a learning rate where Adam converges and SGD diverges",
    hint="Plain SGD on this problem diverges above 2/λ_max ≈ 0.0053. Adam moves each "
         "coordinate about lr per step, and b has to travel about 33 in 200 steps. Try the "
         "explorer's slider.",
)
def _check_lr(lr):
    lr = as_number(lr, _("the learning rate"))
    if not lr > 0:
        fail(_("a learning rate must be a positive number, got {lr}").format(lr=lr))
    _result, losses = run_optimizers(float(lr))
    sgd = short_verdict(losses[0], PROBLEM.best_loss)
    adam = short_verdict(losses[3], PROBLEM.best_loss)
    if not sgd.startswith("diverges"):
        fail(_("at learning rate {lr} plain SGD does not diverge (it is '{verdict}'): go above "
               "2/λ_max ≈ {threshold}").format(lr=f"{lr:g}", verdict=sgd,
                                               threshold=f"{PROBLEM.sgd_threshold:.2g}"))
    if adam != "converges":
        fail(_("at learning rate {lr} Adam {verdict}: it needs steps long enough to cover the "
               "distance in 200 steps").format(lr=f"{lr:g}", verdict=adam))


# -- 5. Adam's update by hand ----------------------------------------------------------------
BETAS, EPS = (0.9, 0.999), 1e-8


def _adam_by_hand(start, loss_of, lr, steps, form):
    """The p after each of `steps` Adam steps, in one of the forms a student may write:
    'efficient' (the Adam paper's: α_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ), then p − α_t·m/(√v + eps),
    right up to where eps sits), 'uncorrected' (no bias correction) or 'eps inside' (√(v̂ + eps),
    a slip)."""
    (beta1, beta2), p = BETAS, start.clone()
    m, v, trajectory = torch.zeros_like(p), torch.zeros_like(p), []
    for t in range(1, steps + 1):
        g = torch.func.grad(loss_of)(p)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        if form == "efficient":
            step = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (v.sqrt() + EPS)
        elif form == "uncorrected":
            step = lr * m / (v.sqrt() + EPS)
        else:  # "eps inside"
            step = lr * (m / (1 - beta1**t)) / (v / (1 - beta2**t) + EPS).sqrt()
        p = p - step
        trajectory.append(p)
    return trajectory


@exercises.exercise(
    5, "Adam's update rule by hand",
    hint="m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; m̂ = m / (1 − β1ᵗ); "
         "v̂ = v / (1 − β2ᵗ); p = p − lr·m̂ / (√v̂ + eps). Return (p, m, v), with m and v "
         "before the bias correction.",
)
def _check_adam_step(adam_step):
    lr, steps = 0.05, 6
    generator = torch.Generator().manual_seed(5)
    start = torch.randn(4, generator=generator, dtype=torch.float64)
    scales = torch.tensor([0.01, 1.0, 10.0, 100.0], dtype=torch.float64)

    def loss_of(p):
        return (scales * (p - 1) ** 2).sum()

    reference = start.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([reference], lr=lr, betas=BETAS, eps=EPS)
    forms = {form: _adam_by_hand(start, loss_of, lr, steps, form)
             for form in ("efficient", "uncorrected", "eps inside")}
    p, m, v = start.clone(), torch.zeros_like(start), torch.zeros_like(start)
    for t in range(1, steps + 1):
        optimizer.zero_grad()
        loss_of(reference).backward()
        optimizer.step()
        g = torch.func.grad(loss_of)(p)
        result = call(adam_step, p, g, m, v, t, lr, what="adam_step", inputs_may_change=True)
        p, m, v = _adam_result(result, start.shape)
        state = optimizer.state[reference]
        for name, got, right, beta, letter in (("new_m", m, state["exp_avg"], BETAS[0], "m"),
                                               ("new_v", v, state["exp_avg_sq"], BETAS[1], "v")):
            corrected = right / (1 - beta**t)
            if not _close_tensors(got, right) and _close_tensors(got, corrected):
                fail(_("{name} at step {t} is bias-corrected ({letter}̂ = {letter} / (1 − "
                       "β{k}ᵗ)): return {letter} itself, uncorrected; the correction is used "
                       "only inside the update of p").format(
                    name=name, t=t, letter=letter, k="1" if letter == "m" else "2"))
        # torch.optim.Adam's form, or the paper's efficient one (eps placed differently).
        if not (_close_tensors(p, reference.detach())
                or _close_tensors(p, forms["efficient"][t - 1])):
            if _close_tensors(p, forms["uncorrected"][t - 1]):
                fail(_("step {t} matches Adam without bias correction: divide m by (1 − β1ᵗ) "
                       "and v by (1 − β2ᵗ) before the update").format(t=t))
            if _close_tensors(p, forms["eps inside"][t - 1]):
                fail(_("step {t} puts eps inside the square root, √(v̂ + eps): Adam adds it "
                       "outside, √v̂ + eps").format(t=t))
            expect_tensor(p, reference.detach(),
                          _("p after step {t} (compared with torch.optim.Adam)").format(t=t),
                          rtol=1e-6, atol=1e-9)
        expect_tensor(m, state["exp_avg"], _("new_m after step {t}").format(t=t),
                      rtol=1e-6, atol=1e-9)
        expect_tensor(v, state["exp_avg_sq"], _("new_v after step {t}").format(t=t),
                      rtol=1e-6, atol=1e-9)


def _adam_result(result, shape) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The (new_p, new_m, new_v) of adam_step, checked to be real tensors of the right shape."""
    if not (isinstance(result, (tuple, list)) and len(result) == 3):
        fail(_("adam_step should return a tuple (new_p, new_m, new_v)"))
    for name, value in zip(("new_p", "new_m", "new_v"), result, strict=True):
        if not isinstance(value, torch.Tensor):
            fail(_("{name} should be a tensor, got {type}").format(name=name,
                                                                   type=type(value).__name__))
        if value.is_complex():
            fail(_("{name} is complex ({dtype}): Adam's values are real numbers").format(
                name=name, dtype=value.dtype))
        if not value.is_floating_point():
            fail(_("{name} has dtype {dtype}: a floating-point tensor is expected").format(
                name=name, dtype=value.dtype))
        if tuple(value.shape) != tuple(shape):
            fail(_("{name} has shape {got}, expected {want} (like p)").format(
                name=name, got=tuple(value.shape), want=tuple(shape)))
        if value.device.type == "meta":
            fail(_("{name} is on the meta device, which holds no values").format(name=name))
        if not torch.isfinite(value.detach()).all():
            fail(_("{name} contains NaN or inf: check for a division by zero (eps goes "
                   "outside the square root)").format(name=name))
    return tuple(value.detach().to("cpu", torch.float64) for value in result)


def _close_tensors(got: torch.Tensor, right: torch.Tensor) -> bool:
    return _allclose(got, right.detach().to(got.dtype), rtol=1e-6, atol=1e-9)
