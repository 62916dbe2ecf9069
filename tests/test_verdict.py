import math

import pytest

from coursekit.verdict import against_threshold, close_to_best, first_divergent_epoch, verdict


def test_converges():
    assert verdict([100, 10, 1.5, 1.04], best_loss=1.0) == "converges: loss 1.04 after 3 epochs"


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


def test_converges_means_close_to_the_best_loss():
    # 99 % of the way down from 100 but still 2× the best: not converged.
    assert verdict([100, 50, 2.0], best_loss=1.0).startswith("too slow: loss still 2 after")
    assert verdict([100, 50, 1.049], best_loss=1.0).startswith("converges")
    assert verdict([100, 50, 1.051], best_loss=1.0).startswith("too slow")
    assert close_to_best(10.49, 10.0, 100) and not close_to_best(10.51, 10.0, 100)


def test_a_perfect_fit_converges_near_zero():
    assert verdict([100, 1e-3, 1e-5], best_loss=0.0).startswith("converges")
    assert verdict([100, 1e-2, 1e-3], best_loss=0.0).startswith("too slow")


def test_against_threshold():
    assert against_threshold(0.5, 1.0) == "below"
    assert against_threshold(1.0, 1.0) == "at"
    assert against_threshold(1.0 + 1e-12, 1.0) == "at"  # rounding only
    assert against_threshold(1.0 + 1e-6, 1.0) == "above"
