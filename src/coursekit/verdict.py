"""Plain-words verdicts on a training run: converges, diverges at epoch k, too slow.

Shared by the explorers of lessons 04 and 05 so a student reads the same words
for the same behaviour.
"""

from __future__ import annotations

import numpy as np

CONVERGED_FRACTION = 0.01  # within 1 % of the way from the start to the best possible loss


def first_divergent_epoch(losses) -> int | None:
    """First epoch whose loss is inf/NaN or above the starting loss, if the run ends there."""
    losses = np.asarray(losses, dtype=float)
    bad = ~np.isfinite(losses) | (losses > losses[0])
    if not bad[-1]:
        return None
    return int(np.argmax(bad))


def verdict(losses, best_loss: float = 0.0) -> str:
    """Describe a run from its losses (index 0 = before training, index k = after epoch k).

    `best_loss` is the lowest loss the model can reach (for instance the
    least-squares minimum); a run converges when it has covered all but 1 % of
    the distance from the starting loss down to it.
    """
    losses = np.asarray(losses, dtype=float)
    epochs = len(losses) - 1
    if epochs < 1:
        raise ValueError("a verdict needs the starting loss and at least one epoch")
    diverged_at = first_divergent_epoch(losses)
    if diverged_at is not None:
        return f"diverges at epoch {diverged_at}"
    final = losses[-1]
    span = f"{epochs} epoch{'s' if epochs != 1 else ''}"
    if final - best_loss <= CONVERGED_FRACTION * max(losses[0] - best_loss, 0.0):
        return f"converges: loss {final:.4g} after {span}"
    return f"too slow: loss still {final:.4g} after {span} (best possible {best_loss:.4g})"
