import re

import numpy as np
import pytest
import torch

from coursekit.data import REGRESSION_X, REGRESSION_Y
from coursekit.optim_explorer import (
    LR_MAX,
    LR_MIN,
    OPTIMIZERS,
    PROBLEM,
    START,
    LinearFitProblem,
    OptimizerExplorer,
    run_optimizers,
    short_verdict,
)

TORCH_OPTIMIZERS = {
    "SGD": lambda p, lr: torch.optim.SGD([p], lr=lr),
    "SGD + momentum": lambda p, lr: torch.optim.SGD([p], lr=lr, momentum=0.9),
    "RMSprop": lambda p, lr: torch.optim.RMSprop([p], lr=lr),
    "Adam": lambda p, lr: torch.optim.Adam([p], lr=lr),
}


def torch_path(name, lr, steps):
    """The same problem trained by torch.optim itself, in float64."""
    x = torch.tensor(REGRESSION_X, dtype=torch.float64)
    y = torch.tensor(REGRESSION_Y, dtype=torch.float64)
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = TORCH_OPTIMIZERS[name](p, lr)
    path = [p.detach().clone()]
    for _ in range(steps):
        loss = ((p[0] * x + p[1] - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        path.append(p.detach().clone())
    return torch.stack(path).numpy()


@pytest.mark.parametrize("lr", [1e-3, 4e-3, 0.3, 2.0])
@pytest.mark.parametrize("index", range(4), ids=OPTIMIZERS)
def test_numpy_rules_match_torch_optim(index, lr):
    steps = 15
    paths, _ = run_optimizers(lr, steps)
    expected = torch_path(OPTIMIZERS[index], lr, steps)
    if not np.isfinite(expected).all():  # a diverging run: compare while it is still finite
        expected = expected[: np.argmin(np.isfinite(expected).all(axis=1))]
    assert len(expected) >= 2
    np.testing.assert_allclose(paths[index, : len(expected)], expected, rtol=1e-9, atol=1e-12)


def test_the_comparison_tells_the_rules_apart():
    """Guard for the test above: no rule matches another optimizer's torch run."""
    paths, _ = run_optimizers(0.001, 15)
    for j, name in enumerate(OPTIMIZERS):
        expected = torch_path(name, 0.001, 15)
        for i in range(4):
            assert np.allclose(paths[i], expected, rtol=1e-9, atol=1e-12) == (i == j)


def test_problem_facts():
    np.testing.assert_allclose(PROBLEM.loss(np.array(START)), 1763.88, atol=0.01)  # lesson 04
    solution = np.polyfit(REGRESSION_X, REGRESSION_Y, 1)
    np.testing.assert_allclose(PROBLEM.solution, solution, rtol=1e-10)
    assert PROBLEM.best_loss < PROBLEM.loss(PROBLEM.solution + [0.01, 0.0])
    np.testing.assert_allclose(PROBLEM.sgd_threshold, 0.00532, rtol=1e-3)
    np.testing.assert_allclose(PROBLEM.gradient(np.array(START)),
                               torch_gradient_at_start(), rtol=1e-12)


def torch_gradient_at_start():
    x = torch.tensor(REGRESSION_X, dtype=torch.float64)
    y = torch.tensor(REGRESSION_Y, dtype=torch.float64)
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    ((p[0] * x + p[1] - y) ** 2).mean().backward()
    return p.grad.numpy()


def test_sgd_threshold_is_the_real_edge():
    threshold = PROBLEM.sgd_threshold
    below = run_optimizers(threshold * 0.98, 3000)[1][0]
    above = run_optimizers(threshold * 1.02, 3000)[1][0]
    assert short_verdict(below, PROBLEM.best_loss) == "converges"
    assert short_verdict(above, PROBLEM.best_loss).startswith("diverges")


def test_adaptive_methods_tolerate_a_rate_that_makes_sgd_diverge():
    _, losses = run_optimizers(0.5)
    words = [short_verdict(row, PROBLEM.best_loss) for row in losses]
    assert words[0].startswith("diverges") and words[1].startswith("diverges")
    assert words[2] == "converges" and words[3] == "converges"


def test_small_rates_are_too_slow_even_for_momentum():
    _, losses = run_optimizers(1e-3)
    words = [short_verdict(row, PROBLEM.best_loss) for row in losses]
    # momentum gets closest (2.5× the best loss), but that is not "converged"
    assert words == ["too slow", "too slow", "too slow", "too slow"]
    assert losses[1, -1] < 3 * PROBLEM.best_loss < losses[0, -1]


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "fast", None])
def test_bad_learning_rates_are_refused_clearly(bad):
    with pytest.raises(ValueError, match="learning rate must be"):
        run_optimizers(bad)


def test_bad_problem_data_is_refused():
    with pytest.raises(ValueError, match="same length"):
        LinearFitProblem(x=[1, 2, 3], y=[1, 2])


@pytest.fixture(scope="module")
def explorer():
    return OptimizerExplorer()


@pytest.mark.parametrize("lr", [LR_MIN, 1e-3, PROBLEM.sgd_threshold, 0.05, 0.3, 1.0, LR_MAX])
def test_no_problem_at_any_extreme(explorer, recwarn, lr):
    for name in OPTIMIZERS:
        verdict_text = explorer.set(optimizer=name, lr=lr)
        assert verdict_text.startswith(f"{name} at learning rate")
        assert any(word in verdict_text for word in ("converges", "diverges", "too slow"))
        assert explorer.view.optimizer == OPTIMIZERS.index(name) and explorer.view.lr == lr
    assert len(recwarn) == 0


def test_static_picture_at_an_extreme(recwarn):
    png = OptimizerExplorer(optimizer="SGD", lr=LR_MAX).static_png()
    assert png.startswith(b"\x89PNG") and len(png) > 1000
    assert len(recwarn) == 0


def test_switching_the_optimizer_changes_the_verdict(explorer):
    explorer.set(optimizer="SGD", lr=0.5)
    sgd_text = explorer.verdict
    explorer.controls["optimizer"].value = "Adam"  # as a click on the toggle does
    assert explorer.verdict != sgd_text
    assert explorer.verdict.startswith("Adam at learning rate 0.5: converges")


def test_moving_the_learning_rate_changes_the_verdict(explorer):
    explorer.set(optimizer="Adam", lr=0.01)
    explorer.controls["lr"].value = 1.0
    assert "learning rate 1:" in explorer.verdict


def test_controls_are_named_for_the_browser_test(explorer):
    assert explorer.controls["optimizer"].description == "optimizer"
    assert explorer.controls["lr"].description == "learning rate"
    assert tuple(explorer.controls["optimizer"].options) == OPTIMIZERS
    assert explorer.controls["lr"].step is None  # a typed value is kept as typed


def test_sgd_exactly_at_its_threshold_oscillates(explorer):
    verdict_text = explorer.set(optimizer="SGD", lr=PROBLEM.sgd_threshold)
    assert verdict_text.startswith("SGD at learning rate 0.00532: neither converges nor diverges")
    assert "Others: SGD + momentum converges" in verdict_text


def test_momentum_far_from_the_best_is_not_converged(explorer):
    # Issue 12: at lr 0.001 momentum ends 2.5× the best loss.
    verdict_text = explorer.set(optimizer="SGD + momentum", lr=0.001)
    assert verdict_text.startswith("SGD + momentum at learning rate 0.001: too slow")


def test_static_picture_for_github():
    bundle = OptimizerExplorer(optimizer="RMSprop", lr=0.01)._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("Optimizer explorer: RMSprop at learning rate 0.01")
    assert len(bundle["image/png"]) > 1000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"optimizer": "adam"}, "optimizer must be one of 'SGD', 'SGD + momentum', 'RMSprop', "
                             "'Adam'; got 'adam'"),
     ({"lr": 100.0}, "lr must be a number from 0.0001 to 10; got 100.0"),
     ({"lr": -1}, "from 0.0001 to 10; got -1"),
     ({"steps": 0}, "steps must be")],
)
def test_bad_arguments_get_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        OptimizerExplorer(**kwargs)


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"optimizer": None}, "optimizer must be one of 'SGD', 'SGD + momentum', 'RMSprop', 'Adam'"),
     ({"lr": 0.5, "optimizer": "x"}, "optimizer must be one of"),
     ({"optimizer": "SGD", "lr": 0}, "lr must be a number from 0.0001 to 10; got 0")],
)
def test_set_checks_every_value_before_changing_any(explorer, settings, message):
    explorer.set(optimizer="Adam", lr=0.01)
    before = (explorer.values(), explorer.verdict)
    with pytest.raises(ValueError, match=re.escape(message)):
        explorer.set(**settings)
    assert (explorer.values(), explorer.verdict) == before
