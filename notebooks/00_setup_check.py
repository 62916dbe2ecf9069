# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · Check your setup
#
# Before the first lesson, make sure your machine can run the course. This
# notebook checks four things, one cell each:
#
# 1. the course helpers (`coursekit`) import,
# 2. the library versions are recent enough,
# 3. which device (CPU or GPU) the course will use, and why,
# 4. interactive sliders and inline plots show up in your notebook front end.
#
# Run the cells from top to bottom (**Run → Run All Cells** in JupyterLab).

# %%
# On Colab or Binder the course helpers may be missing: install them once.
COURSE_URL = "https://github.com/pytorch-ground-up/course"
try:
    import coursekit
except ModuleNotFoundError:
    import os
    import subprocess
    import sys

    class CourseSetupError(Exception):
        def _render_traceback_(self):  # Jupyter shows this one line, not a traceback
            return [str(self)]

    if any(os.path.isfile(os.path.join(up, "course.py")) for up in ("..", "../..")):
        raise CourseSetupError(  # a course folder: its own command sets the helpers up
            "This Python lacks the course helpers (coursekit): in the course folder, run "
            "`python course.py lab` and open the lesson from there.") from None
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", f"coursekit @ git+{COURSE_URL}"],
        capture_output=True, text=True,
    )
    if pip.returncode != 0:
        raise CourseSetupError(
            f"Could not install the course helpers (coursekit) from {COURSE_URL}: check "
            "that this address opens and that you are online, then run this cell again.") from None
    import coursekit

# %% [markdown]
# ## 1. Set up the course
#
# Every lesson starts with the same line. It picks the device, seeds every
# random number generator (so your numbers match the ones printed in the
# lesson), and sets plot defaults. It prints one line saying what it chose.

# %%
device = coursekit.setup()

# %% [markdown]
# The device is chosen like this:
#
# - if the variable `COURSEKIT_DEVICE` is set (`cpu`, `cuda`, `cuda:1`, `mps`), it wins;
# - otherwise a CUDA GPU is used when PyTorch can see one;
# - otherwise the CPU. Every lesson runs on the CPU, only a little slower.
#
# A name the machine cannot provide stops with a one-line message that lists
# the valid choices, for example `COURSEKIT_DEVICE=cuda` on a laptop without
# an NVIDIA GPU.

# %% [markdown]
# ## 2. Versions
#
# The numbers below depend on your machine, so yours may differ from the ones
# stored in this notebook.

# %%
# NBVAL_IGNORE_OUTPUT
import platform

import ipywidgets
import matplotlib
import torch

print(f"Python      {platform.python_version()}")
print(f"torch       {torch.__version__}")
print(f"ipywidgets  {ipywidgets.__version__}")
print(f"matplotlib  {matplotlib.__version__}")
print(f"CUDA build  {torch.version.cuda or 'none (CPU-only build)'}")

# %% [markdown]
# What matters is that each is at least the minimum the course was written for:

# %%
from packaging.version import Version

minimum = {"torch": "2.4", "ipywidgets": "8.1", "matplotlib": "3.8"}
installed = {"torch": torch.__version__, "ipywidgets": ipywidgets.__version__,
             "matplotlib": matplotlib.__version__}
too_old = [name for name, low in minimum.items() if Version(installed[name]) < Version(low)]
print("All versions are recent enough." if not too_old else f"Too old: {', '.join(too_old)}")

# %% [markdown]
# ## 3. A first tensor on the chosen device
#
# A tiny computation on `device`. If this cell runs, PyTorch works. (A
# *tensor* is PyTorch's array of numbers; lesson 01 explains every call in this
# cell, including `.item()`, which turns a one-number tensor into a plain Python
# number.)

# %%
a = torch.arange(6.0).reshape(2, 3).to(device)
total = (a * 2).sum().item()
print(f"2 × (0 + 1 + … + 5) = {total:.0f}")

# %% [markdown]
# ## 4. Plots and sliders
#
# First a plain figure. You should see a sine wave with labelled axes.

# %%
import matplotlib.pyplot as plt
import numpy as np

x = np.linspace(0, 2 * np.pi, 200)
plt.plot(x, np.sin(x))
plt.xlabel("x")
plt.ylabel("sin(x)")
plt.title("If you can read this, inline plots work")
plt.show()

# %% [markdown]
# Now a slider. Move it: the wave below should change its frequency at once,
# while you drag. Your browser draws it: the slider is linked to a small
# drawing widget in the page, which is how the lessons' explorers work too.

# %%
from coursekit.wave_check import WaveCheck

WaveCheck()

# %% [markdown]
# **What you should see:** a slider labelled *frequency f*, a bold line of
# text (*drawing sin(1·x)*), and a sine wave that follows the slider.
#
# If instead you see text such as `Slider check: drawing sin(1·x)` and a
# still picture, or *Error displaying widget*:
#
# - **JupyterLab:** `ipywidgets` and `anywidget` must be installed in the same
#   environment as JupyterLab. `python course.py lab` does that for you;
#   restart JupyterLab after installing them by hand.
# - **VS Code:** install the *Jupyter* extension and pick the kernel from the
#   course's `.venv`.
# - **Colab:** widgets work out of the box; re-run the cell.
# - **GitHub and other static viewers** never run code: they show the stored
#   picture only. Open the notebook in Jupyter to use the sliders.

# %% [markdown]
# ## When something is wrong: install help
#
# **pip or conda?** Either works. With pip, `python course.py lab` creates a
# private environment in the course folder and installs the pinned versions
# from `requirements.lock`. With conda: `conda env create -f environment.yml`,
# then `conda activate pytorch-ground-up` and `jupyter lab`.
#
# **CPU-only or CUDA build?** On Linux, the default `torch` wheel from PyPI is a
# CUDA build (several GB). Without an NVIDIA GPU a CPU-only build is enough and
# much smaller: set
# `PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu` before the first
# `python course.py lab`. For a specific CUDA version use `.../whl/cu126` (or
# the version shown on pytorch.org). macOS and Windows wheels from PyPI are
# already the right kind.
#
# **`torch.cuda.is_available()` is `False` on a machine with a GPU?** Almost
# always one of two things: a CPU-only build is installed (`torch.version.cuda`
# above says *none*), or the NVIDIA driver is older than the CUDA version the
# build needs (`nvidia-smi` shows the driver's highest CUDA version; install a
# build for that version or update the driver).
#
# **Downloads are slow or time out?** Use a package mirror near you:
# `pip config set global.index-url <mirror URL>`, and raise pip's timeout with
# `PIP_DEFAULT_TIMEOUT=120`. With conda, add the mirror as a channel
# (`conda config --add channels <mirror channel URL>`) and then **drop the
# `-c pytorch`** from the install command pytorch.org shows you: `-c pytorch`
# names the original channel, so as long as it is there conda keeps fetching
# from it, mirror or not.
#
# **`ProxyError` during install?** The usual cause is a VPN or proxy tool
# still switched on while pip or conda downloads. Turn it off, then run the
# install again: that fixes it in most cases. Only if you are on a company
# network that *requires* a proxy do you need the opposite: ask your IT team
# for the proxy address (`HTTPS_PROXY=http://proxy:port`) and, if pip then
# reports `SSL: CERTIFICATE_VERIFY_FAILED`, for the company certificate
# (`PIP_CERT=/path/to/company-ca.pem`).
