"""Lesson 07's explorer: batch size and learning rate against training and validation loss.

Two separate parts, so the drawing can move elsewhere (for example into the
browser) without touching the numbers:

- `compute_runs()` trains the lesson's digit classifier for every setting of
  the grid (batch sizes × learning rates) and returns a `Runs` of plain NumPy
  arrays: the training loss, validation loss and validation accuracy after
  every epoch. `describe()` turns one run into the lesson's verdict words
  (`verdict_word()`: fails, unstable, overfits, learns well, learns slowly).
- `DigitsExplorer` sends those arrays to the browser once, with the verdict
  line of every grid position; the browser (coursekit/js/digits.js) picks the
  run the sliders point at and draws it. A redraw trains nothing and needs no
  kernel.

The runs are the lesson's overfitting setting (the first 100 training digits,
a 64 → 128 → 10 ReLU network, 500 validation digits) trained with minibatch
SGD, every learning rate of the grid side by side as one batched computation.
The gradients are written by hand (lesson 04's recipe, checked against
autograd and torch.optim with a DataLoader in the tests) and computed in
float64 on the CPU, so every machine finds the same runs and the same verdicts.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import anywidget
import ipywidgets as widgets
import numpy as np
import torch
import traitlets
from matplotlib.figure import Figure
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

from .browser_explorer import BrowserExplorer, cut_at_ceiling, esm
from .data import load_digits
from .i18n import _

N_VALIDATION = 500
SPLIT_SEED = 0
# The explorer trains the lesson's overfitting setting: few digits, a wide hidden layer.
N_TRAIN = 100  # the first 100 digits of the training split
HIDDEN = 128
BATCH_SIZES = (5, 10, 20, 50, 100)  # 100: the whole (small) training set, one step per epoch
LEARNING_RATES = tuple(float(10.0**k) for k in np.arange(-2.0, 1.01, 0.5))  # 0.01 ... 10
EPOCHS = 40
OVERFIT_RISE = 1.05  # validation loss ends 5 % above its lowest ...
OVERFIT_AFTER = 5  # ... reached at least 5 epochs before the end, while training loss fell
STUCK_FRACTION = 0.5  # after a blow-up, a run ending above half its starting loss is stuck
LEARNS_WELL = 0.85  # the validation accuracy after the last epoch from which a run learns well
LOSS_CEILING = 10.0  # where the plots stop; a loss above it (or inf/NaN) is drawn as an ✗


def digits_split(seed: int = SPLIT_SEED, n_validation: int = N_VALIDATION, dtype=torch.float32):
    """The lesson's split: pixels scaled to 0–1, `random_split` with a seeded CPU generator.

    Returns (train_x, train_y, val_x, val_y) on the CPU.
    """
    images, labels = load_digits()
    dataset = TensorDataset(images.to(dtype) / 16, labels)
    n_train = len(dataset) - n_validation
    generator = torch.Generator().manual_seed(seed)
    train_set, val_set = random_split(dataset, [n_train, n_validation], generator=generator)
    train_x, train_y = dataset[train_set.indices]
    val_x, val_y = dataset[val_set.indices]
    return train_x, train_y, val_x, val_y


def initial_weights(seed: int = 0, hidden: int = HIDDEN):
    """The starting weights of the lesson's network, (W1, b1, W2, b2), W as inputs × outputs.

    The network is `nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))`
    built right after `torch.manual_seed(seed)`.
    """
    torch.manual_seed(seed)
    first, second = nn.Linear(64, hidden), nn.Linear(hidden, 10)
    return tuple(t.detach().clone() for t in
                 (first.weight.T, first.bias, second.weight.T, second.bias))


def _losses(x, y, W1, b1, W2, b2):
    """Mean cross-entropy and accuracy of every learning rate's network, shape (L,)."""
    # In place: one (L, n, hidden) array instead of three. In a fresh process, arrays
    # this large (megabytes) are slow to allocate: compute_runs's first call in a new
    # Python took 4.4 s with three and 2.4 s with one (later calls about 2.2 s either way).
    hidden = (x @ W1).add_(b1).relu_()
    logits = hidden @ W2 + b2  # (L, n, 10)
    log_p = torch.log_softmax(logits, dim=-1)
    loss = -log_p.gather(-1, y.expand(len(W1), -1).unsqueeze(-1)).squeeze(-1).mean(dim=1)
    accuracy = (logits.argmax(dim=-1) == y).double().mean(dim=1)
    return loss, accuracy


def train_runs(learning_rates, batch_size: int, epochs: int = EPOCHS, data=None, seed: int = 0,
               hidden: int = HIDDEN):
    """Minibatch SGD for every learning rate at once, from the same start and in the same order.

    The batches come from `DataLoader(shuffle=True, generator=torch.Generator()
    .manual_seed(seed))`, as in the lesson: the same samples in the same order. Returns the training
    loss, validation loss and validation accuracy, each of shape
    (len(learning_rates), epochs + 1); column 0 is before training. A run that
    blows up holds inf/NaN from there on: that is its result.
    """
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise ValueError(f"batch_size must be a positive whole number, got {batch_size!r}")
    train_x, train_y, val_x, val_y = (t.double() if t.is_floating_point() else t
                                      for t in (data or digits_split()))
    lr = torch.tensor(learning_rates, dtype=torch.float64).view(-1, 1, 1)
    count = len(lr)
    # One copy of the starting weights per learning rate: shapes (L, 64, 32), (L, 1, 32), ...
    W1, b1, W2, b2 = (t.double().repeat(count, 1, 1) for t in initial_weights(seed, hidden))
    # The lesson's DataLoader, over the sample numbers: the very same batches, in the same order.
    batches = DataLoader(torch.arange(len(train_x)), batch_size=batch_size, shuffle=True,
                         generator=torch.Generator().manual_seed(seed))
    train_loss, val_loss, val_accuracy = [], [], []

    def record():
        train_loss.append(_losses(train_x, train_y, W1, b1, W2, b2)[0])
        loss, accuracy = _losses(val_x, val_y, W1, b1, W2, b2)
        val_loss.append(loss)
        val_accuracy.append(accuracy)

    record()
    for _epoch in range(epochs):
        for batch in batches:
            x, y = train_x[batch], train_y[batch]
            # Forward, then the gradients by hand (mean cross-entropy of a ReLU network).
            hidden_in = x @ W1 + b1  # (L, b, hidden)
            hidden_out = torch.relu(hidden_in)
            probabilities = torch.softmax(hidden_out @ W2 + b2, dim=-1)
            grad_logits = probabilities
            grad_logits[:, torch.arange(len(y)), y] -= 1.0
            grad_logits /= len(y)  # d(mean loss)/d(logits) = (softmax − one-hot) / b
            grad_hidden = (grad_logits @ W2.transpose(1, 2)) * (hidden_in > 0)
            W2 -= lr * (hidden_out.transpose(1, 2) @ grad_logits)
            b2 -= lr * grad_logits.sum(dim=1, keepdim=True)
            W1 -= lr * (x.T @ grad_hidden)
            b1 -= lr * grad_hidden.sum(dim=1, keepdim=True)
        record()
    return tuple(torch.stack(rows, dim=1).numpy() for rows in (train_loss, val_loss, val_accuracy))


@dataclass(frozen=True)
class Runs:
    """Every run of the grid as plain arrays, indexed [batch size, learning rate, epoch]."""

    batch_sizes: tuple[int, ...]
    learning_rates: tuple[float, ...]
    train_loss: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray

    @property
    def epochs(self) -> int:
        return self.train_loss.shape[-1] - 1

    def index(self, batch_size: int, lr: float) -> tuple[int, int]:
        """Grid position of a batch size and of the learning rate nearest to `lr` (in log)."""
        if batch_size not in self.batch_sizes:
            raise ValueError(f"batch size {batch_size!r} is not in the grid {self.batch_sizes}")
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
        logs = np.log10(self.learning_rates)
        return self.batch_sizes.index(batch_size), int(np.argmin(np.abs(logs - math.log10(lr))))


def explorer_data(n_train: int = N_TRAIN):
    """The first `n_train` digits of the lesson's training split, and its validation set."""
    train_x, train_y, val_x, val_y = digits_split()
    return train_x[:n_train], train_y[:n_train], val_x, val_y


def compute_runs(batch_sizes=BATCH_SIZES, learning_rates=LEARNING_RATES, epochs=EPOCHS) -> Runs:
    """Train every setting of the grid (a few seconds on one core).

    Once per session for each grid: a later call with the same settings returns the
    same runs (read-only arrays) without training again.
    """
    key = (tuple(batch_sizes), tuple(float(lr) for lr in learning_rates), epochs)
    if key not in _COMPUTED:
        data = explorer_data()
        per_batch = [train_runs(key[1], b, epochs, data) for b in key[0]]
        train, val, accuracy = (np.stack(parts) for parts in zip(*per_batch, strict=True))
        for array in (train, val, accuracy):
            array.flags.writeable = False  # shared by every later caller: nobody may change it
        _COMPUTED[key] = Runs(key[0], tuple(learning_rates), train, val, accuracy)
    return _COMPUTED[key]


_COMPUTED: dict[tuple, Runs] = {}  # compute_runs's results in this session, by their settings


def computed_runs(lr: float, batch_sizes=BATCH_SIZES, epochs=EPOCHS) -> Runs | None:
    """Runs that `compute_runs` already trained in this session with these batch sizes
    and epochs, learning rate `lr` among them; else None. (Each learning rate's runs
    are the same whichever others are trained beside them: the tests check it.)"""
    return next((runs for (sizes, rates, length), runs in _COMPUTED.items()
                 if sizes == tuple(batch_sizes) and length == epochs and float(lr) in rates), None)


def overfits(train_loss, val_loss) -> int | None:
    """The epoch of the lowest validation loss when the run overfits after it, else None.

    Overfitting here: the validation loss was lowest at least 5 epochs before
    the end and ends more than 5 % above that, while the training loss kept
    falling. (A single bad epoch of a noisy run is not overfitting.)
    """
    train_loss = np.asarray(train_loss, dtype=float)
    val_loss = np.asarray(val_loss, dtype=float)
    if not (np.isfinite(val_loss).all() and np.isfinite(train_loss).all()):
        return None
    best = int(np.argmin(val_loss))
    early = best <= len(val_loss) - 1 - OVERFIT_AFTER
    rose = val_loss[-1] > OVERFIT_RISE * val_loss[best]
    return best if early and rose and train_loss[-1] < train_loss[best] else None


def blew_up(train_loss) -> int | None:
    """First epoch whose training loss is inf/NaN or above where it started, else None."""
    losses = np.asarray(train_loss, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(losses) | (losses > losses[0])
    return int(np.argmax(bad)) if bad.any() else None


def diverged(train_loss) -> bool:
    """Blew up and did not sink back to a standstill well below the start (NaN included)."""
    return blew_up(train_loss) is not None and not train_loss[-1] <= STUCK_FRACTION * train_loss[0]


# The verdict words, in the order they are tried (the first that applies), and their
# colour in the view: good (green), warn (amber) or bad (red). Lesson 07 defines each.
VERDICT_WORDS = ("fails", "unstable", "overfits", "learns well", "learns slowly")
VERDICT_TONES = {"fails": "bad", "unstable": "warn", "overfits": "warn",
                 "learns well": "good", "learns slowly": "warn"}


def run_verdict(train_loss, val_loss, val_accuracy) -> str:
    """The verdict word (English, one of VERDICT_WORDS) of one run's per-epoch curves.

    fails: the training loss rose above its start and did not recover (`diverged`);
    unstable: it rose above its start, then came back down and learned;
    overfits: the validation loss turned up (`overfits`);
    learns well / learns slowly: the validation accuracy after the last epoch is at
    least / below LEARNS_WELL.
    """
    if diverged(train_loss):
        return "fails"
    if blew_up(train_loss) is not None:
        return "unstable"
    if overfits(train_loss, val_loss) is not None:
        return "overfits"
    return "learns well" if val_accuracy[-1] >= LEARNS_WELL else "learns slowly"


def verdict_word(runs: Runs, batch_index: int, lr_index: int) -> str:
    """The verdict word of one grid position, translated."""
    at = (batch_index, lr_index)
    return _(run_verdict(runs.train_loss[at], runs.val_loss[at], runs.val_accuracy[at]))


def verdict_tones() -> dict[str, str]:
    """The view's colour of each verdict word, keyed by the translated word."""
    return {_(word): tone for word, tone in VERDICT_TONES.items()}


def percent(share: float) -> str:
    return f"{share:.1%}"


def describe(runs: Runs, batch_index: int, lr_index: int) -> str:
    """One line: the verdict word, then the numbers behind it (lesson 07 defines the words)."""
    at = (batch_index, lr_index)
    train, val, accuracy = runs.train_loss[at], runs.val_loss[at], runs.val_accuracy[at]
    word = run_verdict(train, val, accuracy)
    numbers = {"word": _(word), "accuracy": percent(accuracy[-1]), "epochs": runs.epochs}
    if word == "fails":
        return _("{word}: the training loss rose above its start at epoch {epoch} and did not "
                 "recover (it ends at {end}, it started at {start}); validation accuracy "
                 "{accuracy}, hardly better than guessing (10%)").format(
            epoch=blew_up(train), end=f"{train[-1]:.4g}", start=f"{train[0]:.4g}", **numbers)
    if word == "unstable":
        return _("{word}: the training loss jumped above its start at epoch {epoch}, then came "
                 "back down to {end}; validation accuracy {accuracy}").format(
            epoch=blew_up(train), end=f"{train[-1]:.3g}", **numbers)
    if word == "overfits":
        best = overfits(train, val)
        return _("{word}: the validation loss was lowest at epoch {best} ({lowest}) and rose to "
                 "{end} while the training loss kept falling (to {train}); validation accuracy "
                 "{best_accuracy} at epoch {best}, {accuracy} at the end (early stopping would "
                 "keep epoch {best})").format(
            best=best, lowest=f"{val[best]:.3g}", end=f"{val[-1]:.3g}", train=f"{train[-1]:.3g}",
            best_accuracy=percent(accuracy[best]), **numbers)
    if word == "learns well":
        return _("{word}: validation accuracy {accuracy} after {epochs} epochs (validation loss "
                 "{loss})").format(loss=f"{val[-1]:.3g}", **numbers)
    return _("{word}: validation accuracy only {accuracy} after {epochs} epochs (validation "
             "loss {loss})").format(loss=f"{val[-1]:.3g}", **numbers)


def _plottable(losses):
    """The curve cut where it leaves the plot (js/digits.js's `plottable` in the browser)."""
    return cut_at_ceiling(losses, LOSS_CEILING)


def _json_curves(losses: np.ndarray) -> list:
    """Nested lists for the browser; inf and NaN (which JSON cannot carry) become null."""
    return [[[float(v) if math.isfinite(v) else None for v in run] for run in row]
            for row in losses.tolist()]


def explorer_line(runs: Runs, batch_index: int, lr_index: int) -> str:
    """The explorer's verdict line: the setting, its number of steps, then `describe`."""
    batch_size = runs.batch_sizes[batch_index]
    steps = math.ceil(max(runs.batch_sizes) / batch_size)
    template = (_("batch size {batch}, learning rate {lr} ({steps} steps per epoch, {total} in "
                  "{epochs} epochs): {verdict}") if steps > 1 else
                _("batch size {batch}, learning rate {lr} (1 step per epoch, {total} in "
                  "{epochs} epochs): {verdict}"))
    return template.format(batch=batch_size, lr=f"{runs.learning_rates[lr_index]:.3g}",
                           steps=steps, total=steps * runs.epochs, epochs=runs.epochs,
                           verdict=describe(runs, batch_index, lr_index))


class DigitsView(anywidget.AnyWidget):
    """The canvas: every run and every verdict line once, then only the two slider values.

    `batch_size` is the batch-size slider's *index* into `batch_sizes`; `lr` is
    the learning-rate slider's value (the view takes the grid's nearest).
    """

    _esm = esm("digits")
    batch_sizes = traitlets.List(traitlets.Int()).tag(sync=True)
    learning_rates = traitlets.List(traitlets.Float()).tag(sync=True)
    train_loss = traitlets.List().tag(sync=True)  # [batch][lr][epoch], null for inf/NaN
    val_loss = traitlets.List().tag(sync=True)
    verdicts = traitlets.List().tag(sync=True)  # [batch][lr]: explorer_line
    n_train = traitlets.Int(N_TRAIN).tag(sync=True)
    n_validation = traitlets.Int(N_VALIDATION).tag(sync=True)
    batch_size = traitlets.Int(0).tag(sync=True)
    lr = traitlets.Float(0.1).tag(sync=True)


class DigitsExplorer(BrowserExplorer):
    """Choose a batch size and a learning rate; see the training and validation loss curves.

    Every run is precomputed (`compute_runs`) and sent to the browser once with
    its verdict line, so moving a slider only redraws there. Both sliders snap
    to the grid: `set(lr=...)` takes any learning rate within the grid's range
    and moves to the nearest one (on a log scale).
    """

    title = "Minibatch explorer"

    def __init__(self, runs: Runs | None = None, batch_size: int = 10, lr: float = 0.1):
        self.runs = runs if runs is not None else compute_runs()
        rates = self.runs.learning_rates
        step = float(np.log10(rates[1] / rates[0])) if len(rates) > 1 else 1.0
        full = max(self.runs.batch_sizes)
        common = {"continuous_update": True, "style": {"description_width": "90px"},
                  "layout": widgets.Layout(width="520px")}
        controls = {
            "batch_size": widgets.SelectionSlider(
                options=[(f"{b} (full batch)" if b == full else str(b), b)
                         for b in self.runs.batch_sizes],
                value=self.runs.batch_sizes[0], description="batch size", **common),
            # A stepped log slider: the grid's learning rates are its only positions.
            "lr": widgets.FloatLogSlider(
                value=rates[0], base=10, min=float(np.log10(rates[0])),
                max=float(np.log10(rates[-1])), step=step, description="learning rate",
                readout_format=".3g", **common),
        }
        grid = [range(len(self.runs.batch_sizes)), range(len(rates))]
        view = DigitsView(
            batch_sizes=list(self.runs.batch_sizes), learning_rates=list(rates),
            train_loss=_json_curves(self.runs.train_loss),
            val_loss=_json_curves(self.runs.val_loss),
            verdicts=[[explorer_line(self.runs, b, r) for r in grid[1]] for b in grid[0]])
        super().__init__(controls, view)
        self.set(batch_size=batch_size, lr=lr)

    def check(self, name: str, value):
        """As the base class checks, then a learning rate moves to the grid's nearest."""
        if name != "lr":
            return super().check(name, value)
        rates = self.runs.learning_rates
        try:
            value = super().check(name, value)
        except ValueError as error:
            grid = ", ".join(f"{r:.3g}" for r in rates)
            raise ValueError(f"{error} (the grid: {grid}; a value in between moves to the "
                             "nearest)") from None
        return rates[self.runs.index(self.runs.batch_sizes[0], value)[1]]

    def text(self) -> dict:
        """The view's words: the shared ones (where browser_explorer has them) with this
        explorer's verdict tones, so the browser colours "learns well" green."""
        shared = getattr(super(), "text", None)
        words = shared() if callable(shared) else {}
        words["tones"] = verdict_tones()
        return words

    def describe(self, batch_size, lr) -> str:
        return self.view.verdicts[self.runs.batch_sizes.index(batch_size)][
            self.runs.index(batch_size, lr)[1]]

    def static_figure(self, batch_size, lr) -> Figure:
        """The picture the browser draws, in matplotlib: what GitHub shows."""
        b, chosen = self.runs.index(batch_size, lr)
        figure = Figure(figsize=(10.0, 4.4), layout="constrained")
        axes = dict(zip(("train", "val"), figure.subplots(1, 2, sharey=True), strict=True))
        setting, _, words = self.verdict.partition(": ")  # the setting, then the verdict
        figure.suptitle("\n".join([f"{setting}:", *textwrap.wrap(words, 125)]), fontsize=9.5)
        for name, curves in (("train", self.runs.train_loss[b]), ("val", self.runs.val_loss[b])):
            ax = axes[name]
            others = [i for i in range(len(curves)) if i != chosen]
            for i in others:  # the legend (training side only) names the first of each kind
                ax.plot(*_plottable(curves[i])[:2], color="0.7", linewidth=0.8,
                        label="other learning rates, same batch size"
                        if name == "train" and i == others[0] else None)
            epochs, values, mark = _plottable(curves[chosen])
            ax.plot(epochs, values, color="tab:blue", linewidth=2.4,
                    label="chosen" if name == "train" else None)
            if mark is not None:
                ax.plot(*mark, "x", color="tab:red", markersize=9, markeredgewidth=2,
                        label="left the chart (inf, nan or > 10)" if name == "train" else None)
            ax.set(yscale="log", xlim=(0, self.runs.epochs), ylim=(1e-3, LOSS_CEILING * 1.5),
                   xlabel="epoch")
        val = self.runs.val_loss[b, chosen]
        if _plottable(val)[2] is None:
            best = int(np.argmin(val))
            axes["val"].plot([best], [val[best]], "o", color="tab:green", markersize=7,
                             label="lowest validation loss")
        axes["train"].set(ylabel="mean cross-entropy (log scale)",
                          title=f"training loss ({N_TRAIN} training digits)")
        axes["val"].set(title=f"validation loss ({N_VALIDATION} held-out digits)")
        for ax in axes.values():
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="lower left", fontsize="small")
        return figure
