import warnings

import numpy as np
import pytest
import torch
from lesson_cells import lesson_solutions, lesson_templates
from torch import nn

from coursekit.exercises import Outcome
from coursekit.exercises.nn_optim import exercises

check = exercises.check


# -- reference solutions: the one copy, in notebooks/solutions/05_nn_and_optim_solutions.py --
SOLUTIONS = lesson_solutions("05_nn_and_optim")
fixed_train, train, Cubic, _, adam_step = (SOLUTIONS[n] for n in (1, 2, 3, 4, 5))


def buggy_train(model, x, y, lr, steps):
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


def test_five_exercises():
    assert exercises.numbers() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_reference_solutions_pass(number):
    result = check(number, SOLUTIONS[number])
    assert result.outcome is Outcome.PASSED, str(result)


@pytest.mark.parametrize("lr", [0.5, 1.0, 3.0, 10.0])
def test_several_learning_rates_pass(lr):
    assert check(4, lr).passed


# -- templates ------------------------------------------------------------------------------
@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_templates_are_not_attempted(number):
    result = check(number, lesson_templates("05_nn_and_optim")[number])
    assert result.outcome is Outcome.NOT_ATTEMPTED, str(result)


def test_a_half_filled_module_is_not_attempted():
    class HalfDone(Cubic):
        def forward(self, x):
            from coursekit.exercises import TODO

            raise TODO

    result = check(3, HalfDone)
    assert result.outcome is Outcome.NOT_ATTEMPTED, str(result)


# -- typical wrong answers ------------------------------------------------------------------
def train_without_zero_grad(model, optimizer, x, y, steps):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    return losses


def train_without_step(model, optimizer, x, y, steps):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
    return losses


def train_mean_loss(model, optimizer, x, y, steps):
    losses = []
    for _ in range(steps):
        loss = nn.functional.mse_loss(model(x), y)  # mean, not sum
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def train_loss_after_step(model, optimizer, x, y, steps):
    return train(model, optimizer, x, y, steps + 1)[1:]


class CubicPlainTensors(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c, self.d = torch.randn(4)

    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**3


class CubicWrongPower(Cubic):
    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**2


class CubicOneVector(nn.Module):
    def __init__(self):
        super().__init__()
        self.coefficients = nn.Parameter(torch.randn(4))

    def forward(self, x):
        return sum(c * x**k for k, c in enumerate(self.coefficients))


def adam_without_bias_correction(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    m = 0.9 * m + 0.1 * grad
    v = 0.999 * v + 0.001 * grad**2
    return p - lr * m / (v.sqrt() + eps), m, v


def adam_returns_corrected_m(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    new_p, m, v = adam_step(p, grad, m, v, t, lr)
    return new_p, m / (1 - 0.9**t), v


def adam_returns_corrected_v(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    new_p, m, v = adam_step(p, grad, m, v, t, lr)
    return new_p, m, v / (1 - 0.999**t)


def adam_complex(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    new_p, m, v = adam_step(p, grad, m, v, t, lr)
    return new_p.to(torch.complex128), m, v


def adam_eps_inside_sqrt_of_zero(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    new_p, m, v = adam_step(p, grad, m, v, t, lr)
    return new_p / 0 * 0, m, v


def adam_only_p(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    return adam_step(p, grad, m, v, t, lr)[0]


@pytest.mark.parametrize(
    ("number", "answer", "reason"),
    [
        (1, buggy_train, "gradients pile up"),
        (1, lambda model, x, y, lr, steps: fixed_train(model, x, y, lr / 2, steps),
         "differ from the fixed loop at step 1"),
        (1, lambda model, x, y, lr, steps: fixed_train(model, x, y, lr, steps)[:-1],
         "returned 24 losses for 25 steps"),
        (1, lambda model, x, y, lr, steps: "done", "got str"),
        (2, train_without_zero_grad, "call optimizer.zero_grad()"),
        (2, train_without_step, "never changes: does your loop call optimizer.step()"),
        (2, train_mean_loss, "your losses differ from the reference at step 0"),
        (2, train_loss_after_step, "differ from the reference at step 0"),
        (3, CubicPlainTensors, "a, b, c, d are plain tensors, not parameters: wrap them in "
                               "nn.Parameter"),
        (3, CubicWrongPower, "forward(x) for a=0.5, b=-1, c=2, d=0.25 has the right shape but"),
        (3, CubicOneVector, "a single parameter `coefficients` holding 4 numbers; the exercise "
                            "asks for four parameters named a, b, c, d"),
        (3, lambda: None, "expected a class derived from nn.Module"),
        (4, 0.003, "plain SGD does not diverge"),
        (4, 0.01, "Adam too slow"),
        (4, -1.0, "positive number"),
        (4, "big", "should be a number"),
        (5, adam_without_bias_correction, "Adam without bias correction"),
        (5, adam_returns_corrected_m, "new_m at step 1 is bias-corrected (m̂ = m / (1 − β1ᵗ)): "
                                      "return m itself, uncorrected"),
        (5, adam_returns_corrected_v, "new_v at step 1 is bias-corrected"),
        (5, adam_complex, "new_p is complex (torch.complex128)"),
        (5, adam_eps_inside_sqrt_of_zero, "new_p contains NaN or inf"),
        (5, lambda *a: (torch.ones(3),) * 3, "new_p has shape (3,), expected (4,)"),
        (4, float("inf"), "the learning rate is inf, not a finite number"),
        (4, 10**400, "too large for a float"),
        (2, lambda *a: torch.tensor(1.0), "should be a list of 20 numbers"),
        (5, adam_only_p, "should return a tuple"),
    ],
)
def test_wrong_answers_fail_with_reason(number, answer, reason):
    result = check(number, answer)
    assert result.outcome is Outcome.FAILED, str(result)
    assert reason in result.message, result.message
    if "raised" not in result.message:
        assert f"hint({number})" in result.message


def adam_in_place(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    """Updating p, m and v in place, as torch.optim does, is fine."""
    beta1, beta2 = betas
    m.mul_(beta1).add_((1 - beta1) * grad)
    v.mul_(beta2).add_((1 - beta2) * grad**2)
    p.sub_(lr * (m / (1 - beta1**t)) / ((v / (1 - beta2**t)).sqrt() + eps))
    return p, m, v


def train_tensor_losses(model, optimizer, x, y, steps):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def test_other_right_answers_pass():
    assert check(5, adam_in_place).passed
    assert check(4, np.float32(0.5)).passed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check(2, train_tensor_losses).passed


def test_changing_the_data_in_place_is_named():
    def train_scaling_x(model, optimizer, x, y, steps):
        x /= 2
        return train(model, optimizer, x * 2, y, steps)

    result = check(2, train_scaling_x)
    assert result.outcome is Outcome.FAILED
    assert "changed its input `x` in place" in result.message


def test_student_crash_is_reported_briefly():
    def crashing(model, optimizer, x, y, steps):
        raise RuntimeError("boom")

    result = check(2, crashing)
    assert result.outcome is Outcome.FAILED
    assert "your code raised RuntimeError: boom" in result.message


def test_hints_print(capsys):
    for number in exercises.numbers():
        exercises.hint(number)
    out = capsys.readouterr().out
    assert out.count("Hint for exercise") == 5
    assert "zero_grad" in out
