"""The data sets the lessons share, built the same way on every machine.

Random data is drawn on the CPU from its own seeded generator and only then
moved to the device, so CPU and GPU runs see identical numbers.
"""

from __future__ import annotations

import gzip
import math
from importlib import resources

import numpy as np
import torch

# Lesson 04, Part A: eleven (x, y) points for a straight-line fit.
REGRESSION_X = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
REGRESSION_Y = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]


def regression_points(device=None, dtype=torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """The eleven points of lesson 04 as (x, y) tensors of shape (11,)."""
    x = torch.tensor(REGRESSION_X, dtype=dtype)
    y = torch.tensor(REGRESSION_Y, dtype=dtype)
    return x.to(device), y.to(device)


def sine_points(
    n: int = 2000, device=None, dtype=torch.float32
) -> tuple[torch.Tensor, torch.Tensor]:
    """`n` points x evenly spaced from -π to π, and y = sin(x)."""
    x = torch.linspace(-math.pi, math.pi, n, dtype=dtype)
    return x.to(device), torch.sin(x).to(device)


def random_batch(
    batch: int = 64, d_in: int = 1000, d_out: int = 10, seed: int = 0, device=None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random inputs (batch × d_in) and targets (batch × d_out), as in lessons 02 and 05."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, d_in, generator=generator)
    y = torch.randn(batch, d_out, generator=generator)
    return x.to(device), y.to(device)


def random_weights(*shape: int, seed: int = 1, device=None, requires_grad: bool = False):
    """A weight tensor drawn on the CPU from its own generator, then moved."""
    generator = torch.Generator().manual_seed(seed)
    weights = torch.randn(*shape, generator=generator).to(device)
    return weights.requires_grad_(requires_grad)


DIGITS_FILE = "datasets/digits.csv.gz"  # provenance and licence: datasets/README.md


def load_digits(device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Lesson 07's 1,797 handwritten digits, shipped inside coursekit (no download).

    Returns (images, labels): images a float32 tensor of shape (1797, 64), the
    8×8 pixels row by row with values 0 to 16; labels an int64 tensor of the
    digits 0 to 9.
    """
    source = resources.files("coursekit").joinpath(DIGITS_FILE)
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    images = torch.from_numpy(table[:, :64]).float()
    labels = torch.from_numpy(table[:, 64]).clone()
    return images.to(device), labels.to(device)
