import math

import torch

import coursekit.data as data


def test_regression_points_match_the_syllabus():
    x, y = data.regression_points()
    assert x.shape == y.shape == (11,)
    assert x.dtype == torch.float32
    initial_loss = ((1.0 * x + 0.0 - y) ** 2).mean().item()
    assert round(initial_loss, 2) == 1763.88


def test_sine_points():
    x, y = data.sine_points()
    assert x.shape == (2000,)
    assert abs(x[0].item() + math.pi) < 1e-6 and abs(x[-1].item() - math.pi) < 1e-6
    torch.testing.assert_close(y, torch.sin(x))


def test_random_batch_is_reproducible_and_independent_of_global_seed():
    torch.manual_seed(123)
    first = data.random_batch(seed=5)
    torch.manual_seed(456)
    second = data.random_batch(seed=5)
    assert first[0].shape == (64, 1000) and first[1].shape == (64, 10)
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])
    assert not torch.equal(data.random_batch(seed=6)[0], first[0])


def test_random_weights():
    w = data.random_weights(3, 2, seed=4, requires_grad=True)
    assert w.shape == (3, 2) and w.requires_grad
    assert torch.equal(w.detach(), data.random_weights(3, 2, seed=4))


def test_digits_ship_with_coursekit():
    images, labels = data.load_digits()
    assert images.shape == (1797, 64) and images.dtype == torch.float32
    assert labels.shape == (1797,) and labels.dtype == torch.int64
    assert images.min().item() == 0 and images.max().item() == 16
    assert torch.equal(images, images.round())  # whole pixel counts
    # The class counts of the UCI test set (optdigits.tes), as its documentation lists them.
    counts = torch.bincount(labels, minlength=10).tolist()
    assert counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # The first image is a 0: a ring of ink around an empty middle.
    first = images[0].reshape(8, 8)
    assert labels[0].item() == 0 and first[3:5, 3:5].sum() == 0 and first.sum() > 200


def test_digits_licence_travels_with_the_data():
    from importlib import resources

    readme = resources.files("coursekit").joinpath("datasets/README.md").read_text("utf-8")
    assert "CC BY 4.0" in readme and "Alpaydin" in readme and "Kaynak" in readme
