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
# # 05 · torch.nn and torch.optim: solutions
#
# One way to solve each exercise of lesson 05, with a line on why it works.
# Other answers can be right too: the checks compare results, not code.

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
import torch
from torch import nn

from coursekit.exercises.nn_optim import exercises
from coursekit.optim_explorer import PROBLEM, run_optimizers, short_verdict

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ## Exercise 1: fix the loop
#
# One line: `model.zero_grad()` before `loss.backward()`. Without it every
# backward adds its gradient to the ones already stored, and old gradients keep
# pushing the weights.

# %%
def fixed_train(model, x, y, lr, steps):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
    return losses


# %%
check(1, fixed_train)

# %% [markdown]
# ## Exercise 2: a training loop with an optimizer
#
# The optimizer already knows the parameters and the rule; the loop only
# records the loss and calls the three methods in order.

# %%
def train(model, optimizer, x, y, steps):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


# %%
check(2, train)

# %% [markdown]
# ## Exercise 3: the cubic module
#
# `nn.Parameter` registers each number with the module, so that
# `parameters()` (and therefore every optimizer) finds it. `torch.randn(())`
# is one random number with shape `()`.

# %%
class MyCubic(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.randn(()))
        self.b = nn.Parameter(torch.randn(()))
        self.c = nn.Parameter(torch.randn(()))
        self.d = nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**3


# %%
check(3, MyCubic)

# %% [markdown]
# ## Exercise 4: where only the adaptive methods survive
#
# Plain SGD diverges above 2/λ_max ≈ 0.0053. Adam moves each coordinate by
# at most about lr per step, and b has to travel about 33 in 200 steps, so
# Adam needs lr well above 33/200 ≈ 0.17. The explorer's verdicts at a few
# learning rates: Adam reaches the minimum from 0.4 on, and anything from 0.5
# to 10 works:

# %%
for lr in (0.2, 0.3, 0.4, 0.5, 10.0):
    _, losses = run_optimizers(lr)
    print(f"lr {lr:<4g}: SGD {short_verdict(losses[0], PROBLEM.best_loss)}, "
          f"Adam {short_verdict(losses[3], PROBLEM.best_loss)}")

# %%
lr_answer = 0.5

_, losses = run_optimizers(lr_answer)
print(f"SGD: {short_verdict(losses[0], PROBLEM.best_loss)}, "
      f"Adam: {short_verdict(losses[3], PROBLEM.best_loss)}")

# %%
check(4, lr_answer)

# %% [markdown]
# ## Exercise 5: Adam by hand
#
# The running averages m and v start at zero, so early on they are too small;
# dividing by (1 − βᵗ) corrects that. The returned m and v are the uncorrected
# ones: they are what the next step continues from.

# %%
def adam_step(p, grad, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return p - lr * m_hat / (v_hat.sqrt() + eps), m, v


# %%
check(5, adam_step)
