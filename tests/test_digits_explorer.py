import base64
import io
import json
import math
import warnings

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

from coursekit.data import load_digits
from coursekit.digits_explorer import (
    BATCH_SIZES,
    LEARNING_RATES,
    VERDICT_TONES,
    VERDICT_WORDS,
    DigitsExplorer,
    Runs,
    blew_up,
    compute_runs,
    computed_runs,
    describe,
    digits_split,
    diverged,
    explorer_data,
    explorer_line,
    initial_weights,
    overfits,
    run_verdict,
    train_runs,
    verdict_tones,
    verdict_word,
)


def test_split_is_the_lessons_random_split():
    images, labels = load_digits()
    dataset = TensorDataset(images / 16, labels)
    train_set, val_set = random_split(dataset, [1297, 500],
                                      generator=torch.Generator().manual_seed(0))
    train_x, train_y, val_x, val_y = digits_split()
    assert torch.equal(train_x, dataset[train_set.indices][0])
    assert torch.equal(val_y, dataset[val_set.indices][1])
    assert len(train_y) == 1297 and len(val_x) == 500


def torch_sgd_run(lr, batch_size, epochs, data):
    """The same training with nn, autograd, torch.optim.SGD and a DataLoader, in float64."""
    train_x, train_y, val_x, val_y = (t.double() if t.is_floating_point() else t for t in data)
    W1, b1, W2, b2 = initial_weights(0)
    model = nn.Sequential(nn.Linear(64, len(b1)), nn.ReLU(), nn.Linear(len(b1), 10)).double()
    with torch.no_grad():
        for param, value in zip(model.parameters(), (W1.T, b1, W2.T, b2), strict=True):
            param.copy_(value)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    val_losses = []
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
        with torch.no_grad():
            val_losses.append(loss_fn(model(val_x), val_y).item())
    return np.array(val_losses)


@pytest.mark.parametrize("batch_size", [7, 100])
def test_hand_written_gradients_match_autograd_and_torch_optim(batch_size):
    data = explorer_data()
    rates = [0.03, 0.3]
    _, val_loss, _ = train_runs(rates, batch_size, epochs=3, data=data)
    for row, lr in zip(val_loss, rates, strict=True):
        np.testing.assert_allclose(row[1:], torch_sgd_run(lr, batch_size, 3, data), rtol=1e-9)


def test_initial_weights_are_nn_linears_default():
    torch.manual_seed(0)
    first = nn.Linear(64, 128)
    W1, b1, _, _ = initial_weights(0)
    assert torch.equal(W1, first.weight.T) and torch.equal(b1, first.bias)


def test_blew_up_and_overfits():
    assert blew_up([2.3, 1.0, 0.5]) is None
    assert blew_up([2.3, 1.0, 2.5, 2.2]) == 2
    assert blew_up([2.3, float("nan"), float("nan")]) == 1
    falling = np.geomspace(2.0, 0.01, 30)
    u_shape = np.concatenate([np.geomspace(2.0, 0.4, 15), np.linspace(0.41, 0.5, 15)])
    assert overfits(falling, u_shape) == 14
    assert overfits(falling, falling) is None
    one_bad_epoch = np.concatenate([np.geomspace(2.0, 0.4, 29), [0.5]])
    assert overfits(falling, one_bad_epoch) is None  # a last-epoch jump is noise
    assert overfits(falling, np.full(30, np.nan)) is None


def fake_runs():
    """A small grid with every kind of run, inf and NaN included."""
    epochs = 10
    good = np.geomspace(2.3, 1e-7, epochs + 1)  # converges: within 1e-6 of the way to 0
    slow = np.linspace(2.3, 1.5, epochs + 1)
    inf = np.concatenate([[2.3, 50.0], np.full(epochs - 1, np.inf)])
    nan = np.concatenate([[2.3, 3.0], np.full(epochs - 1, np.nan)])
    stuck = np.concatenate([[2.3, 9.0], np.full(epochs - 1, 2.2)])
    u_shape = np.concatenate([np.geomspace(2.3, 0.3, 5), np.linspace(0.31, 0.5, 6)])
    train = np.array([[good, slow, inf], [nan, stuck, good]])
    val = np.array([[u_shape, slow, inf], [nan, stuck, good * 1.1]])
    accuracy = np.full(train.shape, 0.5)
    accuracy[1, 2] = 0.9
    return Runs((4, 8), (0.1, 1.0, 10.0), train, val, accuracy)


def test_describe_uses_the_lessons_words():
    runs = fake_runs()
    assert describe(runs, 0, 0).startswith(
        "overfits: the validation loss was lowest at epoch 4 (0.3) and rose to 0.5")
    assert describe(runs, 0, 1) == (
        "learns slowly: validation accuracy only 50.0% after 10 epochs (validation loss 1.5)")
    assert describe(runs, 0, 2).startswith(
        "fails: the training loss rose above its start at epoch 1 and did not recover "
        "(it ends at inf")
    assert describe(runs, 1, 0).startswith("fails: the training loss rose above its start at "
                                           "epoch 1")
    assert describe(runs, 1, 1).startswith("fails: the training loss rose above its start at "
                                           "epoch 1 and did not recover (it ends at 2.2, it "
                                           "started at 2.3); validation accuracy 50.0%")
    assert describe(runs, 1, 2).startswith("learns well: validation accuracy 90.0% after 10 epochs")
    assert [verdict_word(runs, 0, r) for r in range(3)] == ["overfits", "learns slowly", "fails"]


def test_the_verdict_words_are_tried_in_order():
    falling = np.geomspace(2.3, 0.01, 21)
    u_shape = np.concatenate([np.geomspace(2.3, 0.3, 10), np.linspace(0.31, 0.5, 11)])
    jumped = falling.copy()
    jumped[3] = 2.5  # above the start once, then it learns
    stuck = np.concatenate([falling[:5], [2.5], np.full(15, 2.29)])  # below the start, yet stuck
    good, poor = np.full(21, 0.9), np.full(21, 0.5)
    assert run_verdict(stuck, stuck, poor) == "fails"
    assert diverged(stuck) and not diverged(jumped)
    assert run_verdict(jumped, u_shape, good) == "unstable"  # unstable comes before overfits
    assert run_verdict(falling, u_shape, good) == "overfits"
    assert run_verdict(falling, falling, good) == "learns well"
    assert run_verdict(falling, falling, np.full(21, 0.849)) == "learns slowly"
    assert set(VERDICT_WORDS) == set(VERDICT_TONES) == set(verdict_tones())
    assert [w for w, tone in VERDICT_TONES.items() if tone == "good"] == ["learns well"]


@pytest.fixture(scope="module")
def explorer():
    return DigitsExplorer(fake_runs(), batch_size=4, lr=0.1)


@pytest.mark.parametrize("batch_size", [4, 8])
@pytest.mark.parametrize("lr", [0.1, 1.0, 10.0, 0.3])
def test_every_setting_has_a_verdict_and_a_clean_picture(explorer, batch_size, lr):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would reach nbval's stderr
        text = explorer.set(batch_size=batch_size, lr=lr)
        png = explorer.static_png()
    assert text.startswith(f"batch size {batch_size}, learning rate")
    assert text.split("): ", 1)[1].split(":")[0] in VERDICT_WORDS
    assert png.startswith(b"\x89PNG")
    assert explorer.view.batch_size == (0 if batch_size == 4 else 1)


def test_the_browser_gets_every_run_and_verdict_once(explorer):
    runs = explorer.runs
    view = explorer.view
    assert view.verdicts == [[explorer_line(runs, b, r) for r in range(3)] for b in range(2)]
    assert view.verdicts[0][0] == describe_line(runs, 0, 0)
    assert view.train_loss[0][0] == pytest.approx(list(runs.train_loss[0, 0]))
    # JSON has no inf or NaN: they travel as null (the view treats null as off the chart).
    assert view.train_loss[0][2][2] is None and view.train_loss[1][0][2] is None
    assert len(json.dumps(view.train_loss, allow_nan=False)) > 100


def test_the_view_colours_the_lessons_words(explorer):
    # The browser colours a verdict line by the first of these words in it.
    assert explorer.text()["tones"] == verdict_tones() == {
        "fails": "bad", "unstable": "warn", "overfits": "warn", "learns well": "good",
        "learns slowly": "warn"}


def describe_line(runs, b, r):
    return f"batch size 4, learning rate 0.1 (2 steps per epoch, 20 in 10 epochs): " \
           f"{describe(runs, b, r)}"


def test_sliders_are_linked_to_the_view(explorer):
    links = {link.target[1]: link for link in explorer.links}
    assert links["batch_size"].source == (explorer.controls["batch_size"], "index")
    assert links["lr"].source == (explorer.controls["lr"], "value")


def test_a_learning_rate_between_grid_points_moves_to_the_nearest(explorer):
    explorer.set(batch_size=4, lr=0.1)
    assert "learning rate 1 " in explorer.set(lr=0.5)  # nearer 1 than 0.1 on a log scale
    assert explorer.controls["lr"].value == 1.0 and explorer.view.lr == 1.0


@pytest.mark.parametrize(("values", "message"), [
    ({"batch_size": 3}, "batch_size must be one of 4, 8; got 3"),
    ({"batch_size": 8, "lr": 11.0}, r"from 0.1 to 10; got 11.0 \(the grid: 0.1, 1, 10;"),
    ({"batch_size": 8, "lr": float("nan")}, "got nan"),
    ({"lr": "fast"}, "got 'fast'"),
    ({"epochs": 3}, "no control named epochs"),
])
def test_bad_values_change_nothing_and_say_what_is_valid(explorer, values, message):
    explorer.set(batch_size=4, lr=1.0)
    with pytest.raises(ValueError, match=message):
        explorer.set(**values)
    assert explorer.values() == {"batch_size": 4, "lr": 1.0}
    assert explorer.view.batch_size == 0 and explorer.view.lr == 1.0


def test_controls_are_named_for_the_browser_test(explorer):
    assert explorer.controls["batch_size"].description == "batch size"
    assert explorer.controls["lr"].description == "learning rate"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"batch_size": 3}, "batch_size must be one of"),
    ({"batch_size": 4, "lr": -1.0}, "lr must be a number from 0.1 to 10"),
])
def test_bad_arguments_get_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DigitsExplorer(fake_runs(), **kwargs)


def test_bad_batch_size_for_training():
    with pytest.raises(ValueError, match="batch_size must be"):
        train_runs([0.1], 0)


@pytest.fixture(scope="module")
def runs():
    return compute_runs()


def test_the_grid_is_trained_once_and_kept_read_only(runs):
    assert compute_runs() is runs  # no training again
    assert 1.0 in computed_runs(1.0).learning_rates  # this grid, or another one with lr 1
    assert computed_runs(1.0, epochs=3) is None and computed_runs(0.2) is None  # not trained
    with pytest.raises(ValueError, match="read-only"):
        runs.train_loss[0, 0, 0] = 0.0


def test_exercise_3_reads_the_grid_which_one_rate_alone_reproduces(runs):
    """Exercise 3's reference reuses the explorer's runs: the same numbers as its own."""
    from coursekit.exercises.training import _diverging_batch_sizes

    assert _diverging_batch_sizes.__wrapped__(1.0) == (5, 10)  # from the grid, no training
    alone = compute_runs(learning_rates=[1.0])  # lr 1 alone (the solution's): the same runs
    at_one = runs.learning_rates.index(1.0)
    for name in ("train_loss", "val_loss", "val_accuracy"):
        np.testing.assert_array_equal(getattr(alone, name)[:, 0], getattr(runs, name)[:, at_one])


def test_the_grid_tells_the_lessons_story(runs):
    assert runs.batch_sizes == BATCH_SIZES and runs.learning_rates == LEARNING_RATES
    assert runs.train_loss.shape == (len(BATCH_SIZES), len(LEARNING_RATES), 41)

    def words(batch_size, lr):
        return describe(runs, *runs.index(batch_size, lr))

    # Lesson 07's examples, one of each word.
    assert words(10, 0.1).startswith("learns well: validation accuracy 87.2%")
    assert words(100, 0.1).startswith("learns slowly: validation accuracy only 47.0%")
    assert words(100, 1.0).startswith("unstable: the training loss jumped above its start at "
                                      "epoch 14")
    assert words(20, 1.0).startswith("overfits: the validation loss was lowest at epoch 21 "
                                     "(0.388) and rose to 0.411")
    assert words(10, 1.0).startswith("fails: the training loss rose above its start at epoch 29")
    assert words(5, 10.0).startswith("fails:")
    # Things to try 1 and 2: at lr 0.1 it learns slowly from batch 50 on; at the full batch,
    # lr 1 is unstable and lr 3.16 fails.
    assert [words(b, 0.1).split(":")[0] for b in BATCH_SIZES] == [
        "learns well", "learns well", "learns well", "learns slowly", "learns slowly"]
    assert words(100, 3.16).startswith("fails:")
    # Every word is reachable, "overfits" and "unstable" at exactly one setting each.
    every = [[run_verdict(runs.train_loss[b, r], runs.val_loss[b, r], runs.val_accuracy[b, r])
              for r in range(len(LEARNING_RATES))] for b in range(len(BATCH_SIZES))]
    counts = {word: sum(row.count(word) for row in every) for word in VERDICT_WORDS}
    assert counts == {"fails": 12, "unstable": 1, "overfits": 1, "learns well": 9,
                      "learns slowly": 12}
    last = runs.val_accuracy[..., -1]
    for b in range(len(BATCH_SIZES)):
        for r in range(len(LEARNING_RATES)):
            if every[b][r] == "fails":  # "hardly better than guessing"
                assert last[b, r] < 0.2
            if every[b][r] == "learns slowly":  # "its validation loss is still falling",
                assert np.argmin(runs.val_loss[b, r]) == runs.epochs
                assert last[b, r + 1] > last[b, r]  # "a larger learning rate would help"
    # Section 6 and exercise 3: at lr 1, batches of 5 and 10 fail, 20 and 50 learn, 100 wobbles.
    at_one = [every[b][runs.index(5, 1.0)[1]] for b in range(len(BATCH_SIZES))]
    assert at_one == ["fails", "fails", "overfits", "learns well", "unstable"]
    assert last.max() == pytest.approx(0.894)  # the best of the 35 runs
    # smaller batches: more steps, lower training loss after the same 40 epochs at lr 0.1
    final = runs.train_loss[:, runs.index(5, 0.1)[1], -1]
    assert list(final) == sorted(final)


def test_static_picture_for_github(runs):
    bundle = DigitsExplorer(runs)._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith(
        "Minibatch explorer: batch size 10, learning rate 0.1 (10 steps per epoch")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))))
    assert pixels.shape[1] >= 700 and pixels.std() > 10  # a real picture, not a blank one
    assert not math.isnan(runs.val_accuracy[1, 2, -1])
