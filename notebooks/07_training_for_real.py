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
# # 07 · Training for real
#
# Until now every model trained on all of its data at every step, and we
# judged it by the loss on that same data. Real training differs in two ways:
#
# 1. the data come in **minibatches**, served by a `DataLoader`, in a
#    shuffled order;
# 2. a model is judged on data it never trained on, a **validation set**,
#    because doing well on the training data is not the goal.
#
# The data set is real: 1,797 handwritten digits. By the end you train a
# network that reads them, watch it overfit, stop it in time, and explore how
# batch size and learning rate interact.

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
import copy
import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split

from coursekit.data import load_digits

# %% [markdown]
# ## 1. The digits
#
# 1,797 images of handwritten digits, 8 × 8 pixels each, written by 13 people
# (the UCI "Optical Recognition of Handwritten Digits" test set by Alpaydin and
# Kaynak, which ships inside `coursekit`: no download). Each pixel counts the
# ink in a 4 × 4 block of a larger scan, from 0 (blank) to 16 (full).

# %%
images, labels = load_digits()
print(f"images {tuple(images.shape)} {images.dtype}, labels {tuple(labels.shape)} {labels.dtype}")
print(f"pixel values from {images.min().item():.0f} to {images.max().item():.0f}")
print(f"images per digit: {torch.bincount(labels).tolist()}")  # how often each of 0..9 occurs

# %% [markdown]
# Each row of 64 numbers is a picture: reshaped to 8 × 8, `plt.imshow` draws
# it, one grey square per number.

# %%
fig, axes = plt.subplots(2, 10, figsize=(8, 2.2))
for ax, image, label in zip(axes.flat, images, labels, strict=False):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(str(label.item()))
    ax.axis("off")
fig.suptitle("The first 20 digits and their labels")
plt.show()

# %% [markdown]
# ## 2. Classification: scores, probabilities, cross-entropy
#
# The model reads 64 numbers and must pick one of 10 classes. It outputs 10
# numbers, one **score** per digit (often called *logits*). The **softmax**
# turns scores into probabilities: exponentiate each one, divide by their sum.
# The prediction is the digit with the highest score (`argmax`).
#
# The loss is the **cross-entropy**: −log of the probability the model gives
# to the *correct* digit. Sure and right costs almost nothing; sure and wrong
# costs a lot; a model that spreads its bets evenly pays log 10 ≈ 2.30.
# `nn.CrossEntropyLoss` takes the raw scores and the labels and does the
# softmax itself (in a way that cannot overflow).

# %%
scores = torch.tensor([[2.0, 0.5, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
probabilities = torch.softmax(scores, dim=1)
label = torch.tensor([0])
by_hand = -torch.log(probabilities[0, label[0]])
print(f"probabilities: {[round(p, 3) for p in probabilities[0].tolist()]}")
print(f"prediction (argmax): {scores.argmax(dim=1).item()}")
print(f"cross-entropy by hand: {by_hand.item():.4f}, "
      f"nn.CrossEntropyLoss: {nn.CrossEntropyLoss()(scores, label).item():.4f}")
print(f"even bets: log 10 = {math.log(10):.4f}")

# %% [markdown]
# ## 3. `Dataset`: a list of samples
#
# PyTorch's data pipeline starts with a `Dataset`: any object with
# `__len__` (how many samples) and `__getitem__` (sample number i, as an
# (input, label) pair). Writing one takes three methods:

# %%
class Digits(Dataset):
    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.images[i] / 16, self.labels[i]  # pixels scaled to 0–1


digits = Digits(images, labels)
x0, y0 = digits[0]
print(f"{len(digits)} samples; sample 0: input {tuple(x0.shape)}, label {y0.item()}")

# %% [markdown]
# For data that is already in tensors, `TensorDataset` is that class, ready
# made: sample i is row i of every tensor you give it. We scale the pixels to
# 0–1 and move everything to the device once.

# %%
dataset = TensorDataset((images / 16).to(device), labels.to(device))
x0, y0 = dataset[0]
print(f"{len(dataset)} samples; sample 0: input {tuple(x0.shape)}, label {y0.item()}")

# %% [markdown]
# ### A validation set
#
# We keep 500 digits apart and never train on them: they tell us how the model
# does on digits it has not seen. `random_split` shuffles the sample numbers
# and cuts them in two; its own seeded generator makes the cut the same on
# every machine. Each piece keeps its sample numbers in `.indices`.

# %%
train_set, val_set = random_split(dataset, [1297, 500],
                                  generator=torch.Generator().manual_seed(0))
print(f"training: {len(train_set)} samples, validation: {len(val_set)} samples")
print(f"first validation samples: {val_set.indices[:5]}")
val_labels = labels[val_set.indices]
print(f"validation images per digit: {torch.bincount(val_labels).tolist()}")

# %% [markdown]
# ## 4. `DataLoader`: minibatches in a shuffled order
#
# A `DataLoader` walks through a dataset in **minibatches**: it takes
# `batch_size` samples and stacks them into one input tensor and one label
# tensor. With `shuffle=True` it visits the samples in a new random order in
# every **epoch** (one pass over the data). One update of the weights per
# minibatch is one **step**, so an epoch has ⌈1297 / batch_size⌉ steps; the
# last minibatch holds what is left over.

# %%
loader = DataLoader(train_set, batch_size=32, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
batch_sizes = [len(y) for _, y in loader]
x, y = next(iter(loader))
print(f"one minibatch: inputs {tuple(x.shape)}, labels {tuple(y.shape)}")
print(f"{len(loader)} steps per epoch = ⌈1297 / 32⌉ = {math.ceil(1297 / 32)}; "
      f"the last minibatch has {batch_sizes[-1]} samples (1297 − 40·32)")

# %% [markdown]
# The shuffling is drawn from the `generator` we gave it, a CPU generator
# seeded with 0. The order is therefore the same on every machine and every
# device (the samples are picked by number on the CPU, then read from wherever
# the tensors live). A new epoch, a new order:

# %%
def first_labels(loader, epochs=2):
    return [next(iter(loader))[1][:8].tolist() for _ in range(epochs)]


def new_loader():
    return DataLoader(train_set, batch_size=32, shuffle=True,
                      generator=torch.Generator().manual_seed(0))


print("epochs 1 and 2, first 8 labels:    ", first_labels(new_loader()))
print("a second loader with the same seed:", first_labels(new_loader()))

# %% [markdown]
# (`next(iter(loader))` starts an epoch and takes its first minibatch; each
# new `iter` is a new epoch, with a new order.)
#
# ## 5. Training with minibatches
#
# The network: 64 pixels in, 32 hidden ReLU units, 10 scores out. As in
# lesson 05, the weights are drawn on the CPU after seeding, then moved.

# %%
def make_model(hidden=32, seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    return model.to(device)


loss_fn = nn.CrossEntropyLoss()
model = make_model()
print(model)

# %% [markdown]
# ### `model.train()`, `model.eval()` and `torch.no_grad()`
#
# Some layers behave differently while training. `nn.Dropout(p)` is one: in
# training it zeroes each number with probability p (and scales the rest by
# 1/(1 − p)), so the network cannot rely on any single unit; in evaluation it
# does nothing. `model.train()` and `model.eval()` switch every layer of a
# model between the two behaviours:

# %%
dropout = nn.Dropout(p=0.5)
ones = torch.ones(8)
dropout.train()
print(f"train mode: {dropout(ones).tolist()}")
print(f"train mode: {dropout(ones).tolist()}  (another random pattern)")
dropout.eval()
print(f"eval mode:  {dropout(ones).tolist()}")

# %% [markdown]
# Our network has no dropout, so the switch changes nothing for it today;
# the habit matters for the networks you will meet later. The training loop
# calls `model.train()`; the evaluation calls `model.eval()` and runs under
# `torch.no_grad()` (lesson 02): it only measures, so there is no graph to
# record. The evaluation weighs each minibatch by its size, so the small last
# minibatch counts for what it holds.

# %%
def train_epoch(model, loader, optimizer):
    model.train()
    for x, y in loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def evaluate(model, loader):
    """Mean loss per sample and accuracy over everything the loader serves."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            total_loss += loss_fn(scores, y).item() * len(y)
            correct += (scores.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total_loss / count, correct / count

# %% [markdown]
# Twenty epochs of plain SGD, learning rate 0.1, minibatches of 32: 41 steps
# per epoch, 820 in all. After each epoch we evaluate on both sets (the
# evaluation loaders need no shuffling).

# %%
def fit(model, train_data, epochs, lr, batch_size=32, optimizer_class=torch.optim.SGD):
    """Train; return the per-epoch history of (training loss, validation loss, val. accuracy)."""
    loader = DataLoader(train_data, batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    optimizer = optimizer_class(model.parameters(), lr=lr)
    train_eval = DataLoader(train_data, batch_size=500)
    val_eval = DataLoader(val_set, batch_size=500)
    history = {"train": [evaluate(model, train_eval)[0]], "val": [], "accuracy": []}
    val_loss, accuracy = evaluate(model, val_eval)
    history["val"].append(val_loss)
    history["accuracy"].append(accuracy)
    for _ in range(epochs):
        train_epoch(model, loader, optimizer)
        history["train"].append(evaluate(model, train_eval)[0])
        val_loss, accuracy = evaluate(model, val_eval)
        history["val"].append(val_loss)
        history["accuracy"].append(accuracy)
    return history


history = fit(model, train_set, epochs=20, lr=0.1)
print(f"before training: validation loss {history['val'][0]:.2f}, "
      f"accuracy {history['accuracy'][0]:.0%}")
print(f"after 20 epochs: training loss {history['train'][-1]:.2f}, "
      f"validation loss {history['val'][-1]:.2f}")
accuracy = history["accuracy"][-1]
print(f"validation accuracy: {math.floor(100 * accuracy)} % (rounded down), "
      f"above 90 %: {accuracy > 0.9}")

# %% [markdown]
# Before training the network is guessing (a loss near log 10 ≈ 2.30). After
# 20 epochs it reads about 94 digits in 100 that it has never seen.
# (Accuracies are printed rounded down to a whole percent: a GPU sums in a
# different order, and one digit more or less must not change the printout.)

# %%
epochs = range(len(history["train"]))
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
ax_loss.plot(epochs, history["train"], label="training")
ax_loss.plot(epochs, history["val"], label="validation")
ax_loss.set(yscale="log", xlabel="epoch", ylabel="mean cross-entropy (log scale)",
            title="Loss per epoch, minibatches of 32, SGD lr 0.1")
ax_loss.legend()
ax_acc.plot(epochs, history["accuracy"], color="tab:orange")
ax_acc.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1),
           title="Validation accuracy")
plt.show()

# %% [markdown]
# Which digits does it get wrong? Here are all the misclassified validation
# digits, with the true label and the model's answer:

# %%
model.eval()
with torch.no_grad():
    val_x, val_y = dataset[val_set.indices]
    predicted = model(val_x).argmax(dim=1)
pairs = zip(val_y.tolist(), predicted.tolist(), strict=True)
wrong = [i for i, (true, guess) in enumerate(pairs) if true != guess]
rows = math.ceil(len(wrong) / 12)  # room for every one of them, 12 per row
fig, axes = plt.subplots(rows, 12, figsize=(10, 1.2 * rows), squeeze=False)
for ax in axes.flat:
    ax.axis("off")
for ax, i in zip(axes.flat, wrong, strict=False):
    ax.imshow(val_x[i].reshape(8, 8).cpu(), cmap="gray_r")
    ax.set_title(f"{val_y[i].item()}→{predicted[i].item()}", fontsize=9)
fig.suptitle(f"All {len(wrong)} misclassified validation digits (of 500), true→predicted")
plt.show()

# %% [markdown]
# Many of them are hard for a person too: at 8 × 8 pixels a sloppy 9 and a
# 5 share most of their ink.
#
# ## 6. Minibatch noise: what it buys, what it costs
#
# A minibatch's gradient is an *estimate* of the gradient over the whole
# training set: the mean over 32 samples instead of 1297. How far off is it?
# At the starting weights, we compare the full gradient with the gradients of
# 50 random minibatches of each size (drawn from a seeded CPU generator):

# %%
def gradient(model, x, y):
    model.zero_grad()
    loss_fn(model(x), y).backward()
    return torch.cat([p.grad.flatten() for p in model.parameters()])


start = make_model()
train_x, train_y = dataset[train_set.indices]
full = gradient(start, train_x, train_y)
picker = torch.Generator().manual_seed(0)
for size in (8, 32, 128, 512):
    errors = []
    for _ in range(50):
        pick = torch.randperm(len(train_x), generator=picker)[:size]  # 0..n−1 shuffled
        errors.append(((gradient(start, train_x[pick], train_y[pick]) - full).norm()
                       / full.norm()).item())
    print(f"minibatch of {size:3}: off by {sum(errors) / len(errors):.0%} of the full gradient, "
          "on average")

# %% [markdown]
# Four times the batch, about half the error: the noise shrinks like
# 1/√(batch size). (From 128 to 512 it shrinks faster, because 512 samples are
# a good part of the 1297, and the minibatch gets close to the full set.) At
# 32 the noise is even larger than the gradient itself. Training works anyway:
# the errors point in ever new random directions and largely cancel out over
# many steps, while the true gradient adds up step after step. So:
#
# - **It helps:** a step on 32 samples costs about a fortieth of a
#   full-batch step (32 samples instead of 1297). In one epoch, minibatches of
#   32 make 41 steps where the full batch makes one. The explorer below shows
#   what that does to the loss after the same number of epochs.
# - **It costs:** each step is noisy. The loss jitters instead of falling
#   smoothly, and a learning rate that works with larger batches can fail
#   with small ones, where a few unlucky minibatches in a row push hard in a
#   wrong direction. The explorer below shows it at learning rate 1: batches
#   of 20 and 50 learn, batches of 10 and 5 fail. Larger is not always safer,
#   though: at the full batch of 100 the same rate is unstable too.
#
# ## 7. Overfitting, seen on a plot
#
# With 1297 training digits and a small network, the validation loss follows
# the training loss down. Now give a larger network (128 hidden units) only
# 100 training digits and Adam (learning rate 0.01) for 50 epochs, minibatches
# of 10. `Subset(dataset, indices)` is a dataset made of some of another's
# samples, here the first 100:

# %%
few = Subset(train_set, range(100))
big = make_model(hidden=128)
history_small = fit(big, few, epochs=50, lr=1e-2, batch_size=10,
                    optimizer_class=torch.optim.Adam)
best_epoch = min(range(len(history_small["val"])), key=history_small["val"].__getitem__)
print(f"training loss after 50 epochs: {history_small['train'][-1]:.0e}")
print(f"validation loss: lowest at epoch {best_epoch} ({history_small['val'][best_epoch]:.2f}), "
      f"{history_small['val'][-1]:.2f} after 50 epochs")

# %%
epochs = range(len(history_small["train"]))
plt.plot(epochs, history_small["train"], label="training (100 digits)")
plt.plot(epochs, history_small["val"], label="validation (500 digits)")
plt.axvline(best_epoch, color="gray", linestyle="--", label="lowest validation loss")
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("mean cross-entropy (log scale)")
plt.title("Overfitting: 128 hidden units, 100 training digits")
plt.legend()
plt.show()

# %% [markdown]
# The training loss keeps falling towards zero: the network learns those 100
# digits by heart. The validation loss turns and rises after its lowest
# point: from there on the network gets *more confident* about the digits it
# gets wrong, and what it learns is the noise of 100 particular digits rather
# than what makes a 3 a 3. That is **overfitting**.
#
# ### Early stopping
#
# The simplest remedy: evaluate after every epoch and keep the weights of the
# epoch with the lowest validation loss. `model.state_dict()` is a dictionary
# of all the model's weights; `load_state_dict` puts them back.

# %%
def fit_with_early_stopping(model, train_data, epochs, lr, batch_size):
    loader = DataLoader(train_data, batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    val_eval = DataLoader(val_set, batch_size=500)
    best_loss, best_state, best_epoch = evaluate(model, val_eval)[0], None, 0
    for epoch in range(1, epochs + 1):
        train_epoch(model, loader, optimizer)
        val_loss = evaluate(model, val_eval)[0]
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())  # a copy, not a view of live weights
    model.load_state_dict(best_state)
    return best_epoch


stopped = make_model(hidden=128)
kept = fit_with_early_stopping(stopped, few, epochs=50, lr=1e-2, batch_size=10)
val_eval = DataLoader(val_set, batch_size=500)
loss_kept, accuracy_kept = evaluate(stopped, val_eval)
print(f"kept the weights of epoch {kept}: validation loss {loss_kept:.2f}")
print(f"after 50 epochs it was {history_small['val'][-1]:.2f}")
print(f"validation accuracy: {math.floor(100 * accuracy_kept)} % at epoch {kept}, "
      f"{math.floor(100 * history_small['accuracy'][-1])} % at epoch 50 (rounded down)")

# %% [markdown]
# Early stopping keeps the better validation loss. The accuracy barely moves
# either way: the extra epochs mostly made the network surer, right or wrong.
# With 100 digits it stays far below the full run of section 5; more data is
# the best remedy of all.
#
# ## 8. The minibatch explorer
#
# How do batch size and learning rate interact, and when does overfitting set
# in? `coursekit.digits_explorer` trains section 7's setting (128 hidden
# units, the same 100 training digits, the same start and the same DataLoader
# order) with plain SGD, for 40 epochs, at every batch size from 5 to all 100
# and every learning rate from 0.01 to 10 in half-decade steps: 35 runs, once,
# up front. It computes in float64 on the CPU, so every machine finds the same
# runs. All 35 runs go to your browser once, which draws the one the sliders
# point at: moving a slider needs no Python at all. First, a check that it
# trains what our own loop trains (the first 5 epochs of one setting):

# %%
from coursekit.digits_explorer import DigitsExplorer, compute_runs, describe, verdict_word

runs = compute_runs()
print(f"{len(runs.batch_sizes)} batch sizes × {len(runs.learning_rates)} learning rates, "
      f"{runs.epochs} epochs each")
ours = fit(make_model(hidden=128), few, epochs=5, lr=0.1, batch_size=10)
b, lr_index = runs.index(10, 0.1)
gap = max(abs(mine - theirs) for mine, theirs in
          zip(ours["val"], runs.val_loss[b, lr_index], strict=False))
print(f"batch 10, lr 0.1: validation losses agree with our loop to 1e-4: {gap < 1e-4}")

# %% [markdown]
# Left, the training loss per epoch; right, the validation loss. The chosen
# run is blue; the grey curves are the other learning rates at the same batch
# size. The verdict judges a run by what we care about, the validation
# digits, in one of five words (the first that applies):
#
# - *fails* (red): the training loss rose above where it started, at epoch k,
#   and did not recover: it ends above half its starting loss, and the
#   validation accuracy is hardly better than guessing (10 %). The learning
#   rate is too large for this batch size.
# - *unstable*: the training loss jumped above where it started at epoch k,
#   but then came back down and the network learned. A warning: this rate is
#   at the edge.
# - *overfits*: the validation loss was lowest at least 5 epochs before the
#   end and ends more than 5 % above that lowest value, while the training
#   loss kept falling. Early stopping would keep the lowest epoch.
# - *learns well* (green): none of the above, and a validation accuracy of at
#   least 85 % after the 40 epochs.
# - *learns slowly*: none of the above, and a validation accuracy below 85 %
#   after 40 epochs; its validation loss is still falling, so more epochs (or
#   a larger learning rate) would help.
#
# The green dot on the right marks the lowest validation loss: the epoch that
# early stopping would keep.
#
# A loss that leaves the chart (above 10, or `inf`/`nan`) ends in a red ✗.
# Only the grid's settings were trained, so both sliders jump from one grid
# position to the next (a learning rate typed in between moves to the nearest).
# (On GitHub you see a still picture of the opening state: batch 10, learning
# rate 0.1.)

# %%
explorer = DigitsExplorer(runs)
explorer

# %% [markdown]
# Things to try:
#
# 1. Keep lr = 0.1 and move the batch size from 5 to 100: the same 40 epochs,
#    ever fewer steps, ever slower. From batch 50 on, it *learns slowly*.
# 2. At the full batch (100), raise the learning rate: a larger rate buys back
#    some of the missing steps, until it becomes *unstable* (lr 1) and then
#    *fails* (lr 3.16).
# 3. At lr = 1, lower the batch size from 100: where does it start to *fail*?
#    (Exercise 3.)
# 4. Look at batch 20 and lr 1, the one run of the 35 that *overfits*: the
#    training loss falls below 0.01, while the validation loss is lowest at
#    epoch 21 (0.388) and climbs to 0.411 by epoch 40. That is mild: plain SGD
#    overfits slowly here. Section 7's Adam run showed a strong case.
#
# The same verdicts for one run of each kind, printed for readers of the
# static page, then how many of the 35 runs get each word (`Counter`, from
# Python's `collections`, counts how often each item occurs):

# %%
for batch_size, lr in [(10, 0.1), (100, 0.1), (100, 1.0), (20, 1.0), (10, 1.0), (5, 10.0)]:
    b, lr_index = runs.index(batch_size, lr)
    print(f"batch {batch_size:3}, lr {lr:<4g}: {describe(runs, b, lr_index)}")

# %%
from collections import Counter

words = Counter(verdict_word(runs, b, r) for b in range(len(runs.batch_sizes))
                for r in range(len(runs.learning_rates)))
print(", ".join(f"{word}: {count}" for word, count in words.most_common()))
print(f"best validation accuracy of all 35 runs after 40 epochs: {runs.val_accuracy[..., -1].max():.1%}")

# %% [markdown]
# ## Exercises
#
# Fill in each template (replace its `raise TODO` or `...` with your
# answer), run it, then run the check below it. Stuck? `hint(n)` prints a hint
# for exercise n. Solutions are in
# `solutions/07_training_for_real_solutions.ipynb`.

# %%
from coursekit.exercises import TODO
from coursekit.exercises.training import exercises

check, hint = exercises.check, exercises.hint

# %% [markdown]
# **Exercise 1: one epoch with a DataLoader.** Write `run_epoch(model, loader,
# optimizer, loss_fn)`: put the model in training mode, take one optimizer step
# per minibatch, and return the list of the minibatch losses (as numbers,
# before each step). The checker's model contains dropout.

# %%
def run_epoch(model, loader, optimizer, loss_fn):
    raise TODO  # replace with your code


# %%
check(1, run_epoch)

# %% [markdown]
# **Exercise 2: the evaluation loop.** Write `measure(model, loader, loss_fn)`
# returning `(mean loss per sample, accuracy)` over everything the loader
# serves, without training anything and without recording a graph. Careful:
# the last minibatch may be smaller than the others.

# %%
def measure(model, loader, loss_fn):
    raise TODO  # replace with your code


# %%
check(2, measure)

# %% [markdown]
# **Exercise 3: where a learning rate stops being safe.** At learning rate 1,
# which is the *largest* batch size of the explorer at which training
# fails? Use the explorer (its verdict says "fails").

# %%
unsafe_batch_size = ...

# %%
check(3, unsafe_batch_size)

# %% [markdown]
# ## What you learned
#
# - A `Dataset` is `__len__` plus `__getitem__`; `TensorDataset` wraps
#   tensors; `random_split` with a seeded generator cuts off a validation set.
# - A `DataLoader` serves shuffled minibatches; an epoch is one pass over the
#   data, a step one minibatch. Seed its `generator` (a CPU generator) and the
#   order is the same on every machine.
# - Classification: scores, softmax, cross-entropy (`nn.CrossEntropyLoss`),
#   argmax, accuracy.
# - `model.train()` for training; `model.eval()` and `torch.no_grad()` for
#   evaluation.
# - Judge a model on held-out data. When the validation loss turns up while the
#   training loss keeps falling, the model overfits; early stopping keeps the
#   best epoch.
# - Smaller minibatches make more, cheaper, noisier steps: faster progress per
#   epoch, and less room for a large learning rate.
