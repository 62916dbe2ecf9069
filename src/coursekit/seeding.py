"""One seed for every random generator a lesson touches."""

from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and torch (CPU and every CUDA device).

    The same seed still gives different numbers on CPU and CUDA, so lessons draw
    their random data on the CPU and then move it with `.to(device)`.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
