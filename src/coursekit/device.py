"""Choose the one torch device the whole course runs on, and say why."""

from __future__ import annotations

import os
import re

import torch

from .i18n import _

ENV_VAR = "COURSEKIT_DEVICE"
_SYNTAX = re.compile(r"(cpu|mps|cuda)(?::(\d+))?")


class DeviceError(ValueError):
    """A device was asked for that this machine cannot give. Shown as one line."""

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"DeviceError: {self}"]


def valid_choices() -> list[str]:
    """The device names that work on this machine, best first."""
    choices = []
    if torch.cuda.is_available():
        choices.append("cuda")
        choices += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if _mps_available():
        choices.append("mps")
    choices.append("cpu")
    return choices


def choose_device(requested: str | None = None) -> tuple[torch.device, str]:
    """Return (device, reason). `requested` overrides the COURSEKIT_DEVICE variable."""
    if requested is None:
        requested = os.environ.get(ENV_VAR, "").strip()
        source = f"{ENV_VAR}={requested}"
    else:
        source = _("asked for {name}").format(name=repr(requested))
        requested = str(requested).strip()  # "cpu\n" (from a file, a prompt) is "cpu"
    if requested:
        chosen = _with_index(_checked(requested.lower(), source))
        return chosen, _("set by {source}").format(source=source)
    if torch.cuda.is_available():
        found = _("CUDA GPU found: {name}").format(name=torch.cuda.get_device_name(0))
        return _with_index(torch.device("cuda")), found
    return torch.device("cpu"), _("no CUDA GPU found, using the CPU")


def _with_index(device: torch.device) -> torch.device:
    # Tensors report `cuda:0`, and torch.device("cuda") != torch.device("cuda:0"):
    # name the index so `tensor.device == device` holds in the lessons.
    if device.type == "cuda" and device.index is None:
        return torch.device("cuda", torch.cuda.current_device())
    return device


def _checked(name: str, source: str) -> torch.device:
    match = _SYNTAX.fullmatch(name)
    if match is None:
        raise DeviceError(_("{source} is not a device name. Valid choices here: {choices}.")
                          .format(source=source, choices=_listing()))
    kind, index = match.group(1), match.group(2)
    if kind != "cuda" and index not in (None, "0"):
        raise DeviceError(_("{source}: the {kind} device has only index 0. "
                            "Valid choices here: {choices}.")
                          .format(source=source, kind=kind, choices=_listing()))
    if kind == "cpu":
        return torch.device("cpu")  # cpu:0 is the CPU, and tensors say `cpu`
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(_(
                "{source}, but torch {version} sees no CUDA GPU (a CPU-only build, or a "
                "driver older than the build's CUDA). Valid choices here: {choices}."
            ).format(source=source, version=torch.__version__, choices=_listing()))
        if index is not None and int(index) >= torch.cuda.device_count():
            raise DeviceError(_(
                "{source}, but this machine has {count} CUDA device(s). "
                "Valid choices here: {choices}."
            ).format(source=source, count=torch.cuda.device_count(), choices=_listing()))
    if kind == "mps" and not _mps_available():
        raise DeviceError(_(
            "{source}, but Apple's MPS is not available. Valid choices here: {choices}."
        ).format(source=source, choices=_listing()))
    return torch.device(name)


def _listing() -> str:
    return _("{choices} (the forms are cpu, cuda, cuda:N and mps)").format(
        choices=", ".join(valid_choices()))


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())
