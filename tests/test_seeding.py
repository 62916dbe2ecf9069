import random

import numpy as np
import torch

from coursekit.seeding import seed_everything


def draw():
    return random.random(), float(np.random.rand()), torch.randn(3).tolist()


def test_same_seed_same_numbers():
    seed_everything(7)
    first = draw()
    seed_everything(7)
    assert draw() == first


def test_different_seed_different_numbers():
    seed_everything(1)
    first = draw()
    seed_everything(2)
    second = draw()
    assert all(a != b for a, b in zip(first, second, strict=True))
