import math

import pytest

from coursekit.verdict import first_divergent_epoch, verdict


def test_converges():
    assert verdict([100, 10, 1.5, 1.05], best_loss=1.0) == "converges: loss 1.05 after 3 epochs"


def test_too_slow():
    assert verdict([100, 90, 80], best_loss=1.0) == (
        "too slow: loss still 80 after 2 epochs (best possible 1)"
    )


@pytest.mark.parametrize(
    ("losses", "epoch"),
    [([10, 20, 400], 1), ([10, 5, math.inf], 2), ([10, 5, math.nan, math.nan], 2),
     ([10, 9, 11], 2)],
)
def test_diverges(losses, epoch):
    assert verdict(losses) == f"diverges at epoch {epoch}"
    assert first_divergent_epoch(losses) == epoch


def test_a_bump_that_recovers_is_not_divergence():
    assert first_divergent_epoch([10, 12, 3, 1]) is None


def test_needs_an_epoch():
    with pytest.raises(ValueError, match="at least one epoch"):
        verdict([1.0])


def test_one_epoch_is_singular():
    assert verdict([100, 90], best_loss=1.0).endswith("after 1 epoch (best possible 1)")
