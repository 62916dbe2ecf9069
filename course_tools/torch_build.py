"""Which build of PyTorch `course.py` installs: CPU-only where no GPU can use CUDA.

On Linux x86_64, PyPI's torch wheel is a CUDA build that pulls several GB of
NVIDIA libraries (CUDA, cuDNN, NCCL, triton). A laptop without an NVIDIA GPU
never uses them, so there we take the same torch version from PyTorch's
CPU-only index instead. Windows and macOS wheels on PyPI have no such extras.

The choice, in order:
- `COURSEKIT_TORCH=cpu|cuda|default` wins (cuda and default mean PyPI's wheel);
- the student's own pip configuration (an index URL, a mirror, an extra index
  or find-links, from the environment or pip's config files) wins next: we
  never second-guess a mirror;
- otherwise Linux x86_64 without an NVIDIA driver gets the CPU build, if its
  index answers within seconds; if not, one line says so and PyPI's wheel is
  installed as usual.

Only the standard library: this runs before the course environment exists.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CHOICES = ("auto", "cpu", "cuda", "default")
PROBE_SECONDS = 5
# Measured here (see README, "Installing on your machine"): the NVIDIA
# libraries and triton that PyPI's Linux wheel of torch 2.13 brings along.
SAVED = "about 3.8 GB"


@dataclass(frozen=True)
class Machine:
    """The facts the choice depends on, gathered once (tests pass their own)."""

    system: str
    arch: str
    nvidia: bool
    own_index: str  # the student's pip setting that chooses an index, or ""


def this_machine(python: Path | str = sys.executable, environ=os.environ) -> Machine:
    return Machine(platform.system(), platform.machine().lower(), has_nvidia(),
                   own_pip_index(python, environ))


def has_nvidia() -> bool:
    """An NVIDIA driver is loaded (Linux): CUDA wheels could use it."""
    return Path("/proc/driver/nvidia/version").exists() or Path("/dev/nvidiactl").exists()


INDEX_SETTINGS = ("index-url", "extra-index-url", "find-links", "no-index")


def own_pip_index(python: Path | str, environ=os.environ) -> str:
    """The student's pip setting that decides where packages come from, if any."""
    for setting in INDEX_SETTINGS:
        variable = "PIP_" + setting.upper().replace("-", "_")
        if environ.get(variable, "").strip():
            return f"{variable}={environ[variable].strip()}"
    try:
        listed = subprocess.run([str(python), "-m", "pip", "config", "list"],
                                capture_output=True, text=True, encoding="utf-8",
                                errors="replace", timeout=30, env=dict(environ)).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    for line in listed.splitlines():
        key = line.split("=", 1)[0].strip()
        if key.rsplit(".", 1)[-1] in INDEX_SETTINGS:
            return line.strip()
    return ""


def reachable(index: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether the index answers for torch within `timeout` seconds (proxies honoured)."""
    try:
        with urllib.request.urlopen(f"{index.rstrip('/')}/torch/", timeout=timeout) as reply:
            return reply.status == 200
    except (OSError, ValueError, urllib.error.URLError):
        return False


@dataclass(frozen=True)
class Plan:
    index: str  # where torch comes from: "" means as pip is configured (PyPI by default)
    message: str  # one line for the student, or "" when there is nothing to say


def choose(machine: Machine, environ=os.environ, probe=reachable) -> Plan:
    """Decide where torch comes from. Raises ValueError for an unknown COURSEKIT_TORCH."""
    choice = environ.get("COURSEKIT_TORCH", "").strip().lower() or "auto"
    if choice not in CHOICES:
        raise ValueError(f"COURSEKIT_TORCH={environ['COURSEKIT_TORCH']!r} is not one of "
                         f"{', '.join(CHOICES)}: unset it or choose one of them.")
    index = environ.get("COURSEKIT_TORCH_INDEX", "").strip() or CPU_INDEX
    if choice in ("cuda", "default"):
        return Plan("", "")
    if choice == "auto":
        if machine.system != "Linux" or machine.arch not in ("x86_64", "amd64"):
            return Plan("", "")  # PyPI's wheel is already the right one there
        if machine.nvidia:
            return Plan("", "")
        if machine.own_index:
            return Plan("", f"torch: your pip setting {machine.own_index} chooses where it comes "
                            "from (COURSEKIT_TORCH=cpu forces the CPU-only build)")
    if not probe(index):
        return Plan("", f"torch: the CPU-only index {index} did not answer within "
                        f"{PROBE_SECONDS} s; installing PyPI's build instead")
    why = "you asked for it" if choice == "cpu" else "no NVIDIA GPU here"
    return Plan(index, f"torch: installing the CPU-only build ({why}; it saves {SAVED} of "
                       "NVIDIA libraries; COURSEKIT_TORCH=default for PyPI's)")


def locked_torch(lock: Path) -> str:
    """The `torch==X` requirement line of the lock."""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith("torch=="):
            return line.split(";")[0].strip()
    raise ValueError(f"{lock.name} pins no torch")


def install_command(pip: list, plan: Plan, lock: Path) -> list | None:
    """The pip command that puts the chosen torch in first (None: the lock's own install)."""
    if not plan.index:
        return None
    # --no-deps: torch's own dependencies are in the lock; a CPU wheel needs no NVIDIA ones.
    # Few retries and a short timeout: a dead index must not cost minutes.
    return [*pip, "--no-deps", "--retries", "1", "--timeout", "15",
            "--index-url", plan.index, locked_torch(lock)]
