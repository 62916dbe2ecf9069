"""Plain-words verdicts on a training run: converges, diverges at epoch k, too slow.

Shared by the explorers of lessons 04 and 05 so a student reads the same words
for the same behaviour. Every function here is pure (numbers in, words out).
The explorers' drawing code in the browser (`coursekit/js/common.js`) repeats
these rules word for word; the browser tests check that both agree.

Epoch convention, everywhere in the explorers: `losses[k]` is the loss after k
updates, so "epoch 0" is the starting loss and "epoch k" the loss after the
k-th update.
"""

from __future__ import annotations

import numpy as np

from .i18n import _

# "Converges" means what a student takes it to mean: the loss ends close to the
# best possible, within 5 % of it (when the best possible loss is 0, within a
# millionth of the starting loss instead).
CLOSE_TO_BEST = 0.05
CLOSE_TO_ZERO = 1e-6
# lr counts as exactly at a threshold when it differs from it only by rounding.
AT_THRESHOLD_RTOL = 1e-9


def first_divergent_epoch(losses) -> int | None:
    """First epoch whose loss is inf/NaN or above the starting loss, if the run ends there."""
    losses = np.asarray(losses, dtype=float)
    bad = ~np.isfinite(losses) | (losses > losses[0])
    if not bad[-1]:
        return None
    return int(np.argmax(bad))


def close_to_best(loss: float, best_loss: float, start_loss: float) -> bool:
    """Whether `loss` is within 5 % of `best_loss` (or of 0, see CLOSE_TO_ZERO)."""
    if best_loss > 0:
        return loss - best_loss <= CLOSE_TO_BEST * best_loss
    return loss - best_loss <= CLOSE_TO_ZERO * max(start_loss - best_loss, 0.0)


def verdict(losses, best_loss: float = 0.0) -> str:
    """Describe a run from its losses (index 0 = before training, index k = after epoch k).

    `best_loss` is the lowest loss the model can reach (for instance the
    least-squares minimum). "diverges at epoch k" when the run ends above its
    starting loss (or at inf/NaN), k being the first epoch above it;
    "converges" when the last loss is within 5 % of the best; "too slow" otherwise.
    """
    losses = np.asarray(losses, dtype=float)
    epochs = len(losses) - 1
    if epochs < 1:
        raise ValueError("a verdict needs the starting loss and at least one epoch")
    diverged_at = first_divergent_epoch(losses)
    if diverged_at is not None:
        return _("diverges at epoch {epoch}").format(epoch=diverged_at)
    final = losses[-1]
    if close_to_best(final, best_loss, losses[0]):
        return _("converges: loss {loss} after {span}").format(loss=f"{final:.4g}",
                                                                 span=span(epochs))
    return _("too slow: loss still {loss} after {span} (best possible {best})").format(
        loss=f"{final:.4g}", span=span(epochs), best=f"{best_loss:.4g}")


def span(epochs: int) -> str:
    """'1 epoch', '40 epochs'."""
    return (_("{n} epoch") if epochs == 1 else _("{n} epochs")).format(n=epochs)


def at_threshold_verdict(losses) -> str:
    """The verdict of a run at exactly lr = 2/λ_max (neither converges nor diverges)."""
    return _(AT_THRESHOLD_WORDS + "; loss {loss} after {span}").format(
        loss=f"{losses[-1]:.4g}", span=span(len(losses) - 1))


def against_threshold(lr: float, threshold: float) -> str:
    """'below', 'at' or 'above' the stability threshold 2/λ_max of plain gradient descent.

    'at' only when lr equals the threshold up to rounding (relative 1e-9): there
    the steep direction flips sign every epoch at constant amplitude, so the
    run neither converges nor diverges.
    """
    if abs(lr - threshold) <= AT_THRESHOLD_RTOL * threshold:
        return "at"
    return "below" if lr < threshold else "above"


AT_THRESHOLD_WORDS = ("neither converges nor diverges: at exactly 2/λ_max the steep direction "
                      "oscillates at constant amplitude")
