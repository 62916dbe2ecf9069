"""coursekit: the shared helpers of "PyTorch from the ground up".

Each lesson starts with `device = coursekit.setup()`; the Chinese edition's
lessons with `device = coursekit.setup(lang="zh-CN")`.
"""

from __future__ import annotations

import os

# A thread count set but empty counts as unset. libgomp reads it when torch
# loads: empty, it prints "Invalid value" into the lesson and runs it far slower.
if "OMP_NUM_THREADS" in os.environ and not os.environ["OMP_NUM_THREADS"].strip():
    del os.environ["OMP_NUM_THREADS"]

import numpy as np  # noqa: E402 (after the thread setting above)
import torch

from .device import DeviceError, choose_device
from .i18n import _, set_language
from .plotting import alt_text_in_notebooks, cjk_family, use_course_style
from .seeding import seed_everything

__version__ = "0.1.0"
__all__ = ["DeviceError", "choose_device", "seed_everything", "setup", "use_course_style"]


def setup(seed: int = 0, device: str | None = None, lang: str = "en") -> torch.device:
    """Prepare a lesson: choose the device, seed everything, set print and plot defaults.

    In a notebook, every figure shown from now on carries alt text (see
    plotting.show_alt_text).

    `device` overrides the COURSEKIT_DEVICE variable; by default CUDA is used
    when available, else the CPU. `lang` ("en" or "zh-CN") is the language of
    everything coursekit prints or draws from now on. Prints one line saying
    what was chosen.
    """
    set_language(lang)
    chosen, reason = choose_device(device)
    seed_everything(seed)
    torch.set_printoptions(precision=4, sci_mode=False)
    np.set_printoptions(precision=4, suppress=True)
    use_course_style()
    alt_text_in_notebooks()  # after the style: the inline backend's settings come last, as before
    print(_("coursekit: device {device} ({reason}), seed {seed}").format(
        device=chosen, reason=reason, seed=seed))
    if lang != "en" and cjk_family() is None:
        print(_("coursekit: no font with Chinese characters found, so pictures show boxes "
                "instead: run `pip install paperang-p2-fonts-cjk`, then restart the kernel"))
    return chosen
