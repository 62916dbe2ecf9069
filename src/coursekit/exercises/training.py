"""Exercises of lesson 07, training for real.

The loop checkers hand the student's code a small network that contains
dropout, in the wrong mode on purpose, and a DataLoader whose last minibatch is
smaller than the others; they compare with reference loops run from the same
weights and the same random state, and name the step that was missed.
"""

from __future__ import annotations

import copy
import functools
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ..digits_explorer import (
    BATCH_SIZES,
    EPOCHS,
    computed_runs,
    diverged,
    explorer_data,
    train_runs,
)
from ..i18n import _
from .core import (
    ExerciseSet,
    as_float_list,
    as_number,
    as_whole_number,
    call,
    expect_tensor,
    fail,
    precision,
)

exercises = ExerciseSet("07_training_for_real")

UNSAFE_LR = 1.0  # exercise 3


def _problem(seed: int, shuffle: bool = True):
    """A dropout network, 23 samples (minibatches of 5: the last holds 3), a loss."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(23, 6, generator=generator)
    y = torch.randint(0, 3, (23,), generator=generator)
    torch.manual_seed(seed)  # check() puts the student's random state back afterwards
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
    loader = DataLoader(TensorDataset(x, y), batch_size=5, shuffle=shuffle,
                        generator=torch.Generator().manual_seed(seed))
    return model, loader, nn.CrossEntropyLoss()


def _reference_epoch(model, loader, optimizer, loss_fn, *, train_mode=True, zero_grad=True):
    model.train(train_mode)
    losses = []
    for x, y in loader:
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def _epoch_run(seed, epoch):
    """Run `epoch(model, loader, optimizer, loss_fn)` once, from the same weights, loader
    order and dropout randomness every time; return its losses and the trained model."""
    model, loader, loss_fn = _problem(seed)
    model.eval()  # the wrong mode on purpose: the answer must switch to training
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch.manual_seed(1234)  # the same dropout masks for every variant
    return epoch(model, loader, optimizer, loss_fn), model


def _reference_run(seed, **variant):
    return _epoch_run(seed, functools.partial(_reference_epoch, **variant))


def _as_losses(losses, steps: int) -> list[float]:
    if isinstance(losses, (list, tuple)) and len(losses) != steps:
        fail(_("run_epoch returned {got} losses for {steps} minibatches: one per minibatch, "
               "recorded before its step").format(got=len(losses), steps=steps))
    return as_float_list(losses, steps, _("run_epoch's result"), noun=_("losses"))


def _close(a, b) -> bool:
    return all(math.isclose(u, v, rel_tol=1e-5, abs_tol=1e-7) for u, v in zip(a, b, strict=True))


# -- 1. one epoch with a DataLoader -----------------------------------------------------------
@exercises.exercise(
    1, "one training epoch with a DataLoader",
    hint="Start with `model.train()`. Then `for x, y in loader:` compute "
         "`loss = loss_fn(model(x), y)`, append `loss.item()`, and call "
         "`optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()`.",
)
def _check_epoch(run_epoch):
    expected, reference = _reference_run(1)

    def student_epoch(*args):  # a generator's losses are read here, while it trains
        return _as_losses(call(run_epoch, *args, what="run_epoch"), len(expected))

    got, trained = _epoch_run(1, student_epoch)
    if not _close(got, expected):
        in_eval, _model = _reference_run(1, train_mode=False)
        piled_up, _model = _reference_run(1, zero_grad=False)
        if _close(got, in_eval):
            fail(_("your losses are those of a model left in evaluation mode (its dropout "
                   "switched off): call model.train() before the loop"))
        if _close(got, piled_up):
            fail(_("your gradients pile up from minibatch to minibatch: call "
                   "optimizer.zero_grad() before loss.backward()"))
        if len(set(got)) == len(got) and _close(got[:1], expected[:1]):
            fail(_("your first loss is right but the later ones differ: take one "
                   "optimizer.step() per minibatch, after loss.backward()"))
        k = next(k for k, (u, v) in enumerate(zip(got, expected, strict=True))
                 if not math.isclose(u, v, rel_tol=1e-5, abs_tol=1e-7))
        fail(_("minibatch {k}: your loss {got}, expected {want}").format(
            k=k, got=f"{got[k]:.6g}", want=f"{expected[k]:.6g}"))
    for mine, ref in zip(trained.parameters(), reference.parameters(), strict=True):
        expect_tensor(mine, ref, _("the weights after your epoch"))


# -- 2. the evaluation loop ---------------------------------------------------------------------
def _reference_measure(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            total += loss_fn(scores, y).item() * len(y)
            correct += (scores.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total / count, correct / count


def _mean_of_batch_means(model, loader, loss_fn) -> float:
    """The usual slip's result: the plain mean of the minibatches' mean losses."""
    model.eval()
    with torch.no_grad():
        per_batch = [loss_fn(model(x), y).item() for x, y in loader]
    return sum(per_batch) / len(per_batch)


@exercises.exercise(
    2, "the evaluation loop",
    hint="`model.eval()`, then `with torch.no_grad():` loop over the loader; add "
         "`loss_fn(scores, y).item() * len(y)` and the number of correct answers "
         "(`(scores.argmax(dim=1) == y).sum().item()`), count the samples, and divide by "
         "the count at the end (not by the number of minibatches).",
)
def _check_measure(measure):
    model, loader, loss_fn = _problem(2, shuffle=False)
    model.train()  # the wrong mode on purpose: the answer must switch to evaluation
    before = copy.deepcopy(model.state_dict())
    runs = []  # (gradients recorded?, training mode?) at each forward pass
    hook = model.register_forward_hook(
        lambda module, *args: runs.append((torch.is_grad_enabled(), module.training)))
    try:
        result = call(measure, model, loader, loss_fn, what="measure")
    finally:
        hook.remove()
    if isinstance(result, (str, bytes)) or not (isinstance(result, (tuple, list))
                                                and len(result) == 2):
        fail(_("measure should return a tuple (mean loss, accuracy)"))
    loss = as_number(result[0], _("the mean loss"))
    accuracy = as_number(result[1], _("the accuracy"))
    for name, value in model.state_dict().items():
        if not torch.equal(value, before[name]):
            fail(_("measure changed the weights ({name}): evaluating must not train").format(
                name=name))
    if any(grad for grad, _training in runs):
        fail(_("your model ran with gradients recorded: evaluate under torch.no_grad()"))
    if any(training for _grad, training in runs):
        fail(_("your model ran in training mode (dropout on): call model.eval() before the "
               "loop (restoring the mode afterwards, with model.train(), is fine)"))
    expected_loss, expected_accuracy = _reference_measure(copy.deepcopy(model), loader, loss_fn)
    batch_means = _mean_of_batch_means(copy.deepcopy(model), loader, loss_fn)
    # float32 sums (a tensor kept, then .item()) are right to about 1e-7: allow 1e-6.
    loss_tol = max(1e-5, 8 * precision(result[0]))
    accuracy_tol = max(1e-6, 8 * precision(result[1]))
    if (math.isclose(loss, batch_means, rel_tol=1e-6)
            and not math.isclose(loss, expected_loss, rel_tol=loss_tol)):
        fail(_("you averaged the minibatch means: the last minibatch is smaller, so weigh "
               "each one by its size (or sum per sample and divide by the sample count)"))
    if not math.isclose(loss, expected_loss, rel_tol=loss_tol, abs_tol=1e-7):
        fail(_("your mean loss is {got}, expected {want}").format(
            got=f"{loss:.6g}", want=f"{expected_loss:.6g}"))
    if math.isclose(accuracy, 100 * expected_accuracy, rel_tol=accuracy_tol) and accuracy > 1:
        fail(_("give the accuracy as a fraction from 0 to 1, not a percentage"))
    if not math.isclose(accuracy, expected_accuracy, rel_tol=accuracy_tol, abs_tol=1e-12):
        fail(_("your accuracy is {got}, expected {want}").format(
            got=f"{accuracy:.6g}", want=f"{expected_accuracy:.6g}"))


# -- 3. where a learning rate stops being safe ---------------------------------------------------
def diverging_batch_sizes(lr: float = UNSAFE_LR) -> tuple[int, ...]:
    """The explorer's batch sizes at which training at `lr` diverges (blows up).
    Seconds of training, once per session: the check runs it before the answer's time
    limit starts."""
    return _diverging_batch_sizes(float(lr))


@functools.lru_cache(maxsize=4)
def _diverging_batch_sizes(lr: float) -> tuple[int, ...]:
    runs = computed_runs(lr)
    if runs is not None:  # the explorer's runs at this learning rate, trained already
        r = runs.learning_rates.index(lr)
        return tuple(b for i, b in enumerate(runs.batch_sizes) if diverged(runs.train_loss[i, r]))
    data = explorer_data()  # the same runs, one learning rate only: the same numbers
    return tuple(b for b in BATCH_SIZES if diverged(train_runs([lr], b, EPOCHS, data)[0][0]))


@exercises.exercise(
    3, "the largest batch size at which learning rate 1 fails",
    hint="Set the explorer's learning rate to 1 and move the batch size from the left: the "
         "verdict says 'fails' for the small ones. Which is the last one that does?",
    prepare=diverging_batch_sizes,
)
def _check_unsafe_batch_size(batch_size):
    if isinstance(batch_size, (str, bytes)):
        fail(_("answer with a batch size (a whole number), got {answer}").format(
            answer=repr(batch_size)))
    batch_size = as_whole_number(batch_size, _("the batch size"))
    if batch_size not in BATCH_SIZES:
        fail(_("{size} is not one of the explorer's batch sizes {sizes}").format(
            size=batch_size, sizes=list(BATCH_SIZES)))
    diverging = diverging_batch_sizes()
    if batch_size not in diverging:
        fail(_("at learning rate {lr} batch size {size} does not fail: go smaller").format(
            lr=f"{UNSAFE_LR:g}", size=batch_size))
    if batch_size != max(diverging):
        fail(_("batch size {size} fails, but a larger one does too").format(
            size=batch_size))
