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
# # 07 · Training for real: solutions
#
# One way to solve each exercise of lesson 07, with a line on why it works.
# Other answers can be right too: the checks compare results, not code.

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
import torch

from coursekit.digits_explorer import compute_runs, verdict_word
from coursekit.exercises.training import exercises

check, hint = exercises.check, exercises.hint

# %% [markdown]
# ## Exercise 1: one epoch with a DataLoader
#
# `model.train()` first, so that layers such as dropout behave as in training.
# Then one step per minibatch: loss, record it, zero the old gradients,
# backward, step.

# %%
def run_epoch(model, loader, optimizer, loss_fn):
    model.train()
    losses = []
    for x, y in loader:
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


# %%
check(1, run_epoch)

# %% [markdown]
# ## Exercise 2: the evaluation loop
#
# `model.eval()` switches dropout off; `torch.no_grad()` records no graph. Each
# minibatch's mean loss is multiplied by its size, so that the sum is over
# samples, and divided by the number of samples at the end: the smaller last
# minibatch then counts exactly as much as it holds.

# %%
def measure(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            total += loss_fn(scores, y).item() * len(y)
            correct += (scores.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total / count, correct / count


# %%
check(2, measure)

# %% [markdown]
# ## Exercise 3: where a learning rate stops being safe
#
# The explorer's verdicts at learning rate 1, for every batch size:

# %%
runs = compute_runs(learning_rates=[1.0])  # the explorer's runs at lr 1 only: the same numbers
for b, batch_size in enumerate(runs.batch_sizes):
    print(f"batch {batch_size:3}: {verdict_word(runs, b, 0)}")

# %% [markdown]
# Batches of 5 and 10 fail; from 20 on, training survives (at the full batch
# it is unstable, but recovers). The noise of
# small minibatches adds to the step: at the same learning rate, a noisier
# gradient makes a larger, less predictable move.

# %%
unsafe_batch_size = 10

# %%
check(3, unsafe_batch_size)
