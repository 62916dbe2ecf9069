"""Which torch course.py installs: the CPU-only build on Linux without an NVIDIA GPU,
from a local index here; PyPI's build, within seconds, when that index is gone;
and the student's own choices first."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from course_tools import torch_build
from course_tools.torch_build import Machine

LAPTOP = Machine(system="Linux", arch="x86_64", nvidia=False, own_index="")
LOCK = Path(__file__).resolve().parents[1] / "requirements.lock"


def fake_torch_wheel(folder: Path) -> Path:
    """A tiny wheel named like PyTorch's CPU build of the locked version."""
    version = torch_build.locked_torch(LOCK).split("==")[1] + "+cpu"
    wheel = folder / f"torch-{version}-py3-none-any.whl"
    info = f"torch-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("torch/__init__.py", "")
        archive.writestr(f"{info}/METADATA",
                         f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n")
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"
                                          "Tag: py3-none-any\n")
        archive.writestr(f"{info}/RECORD", "")
    return wheel


@pytest.fixture
def local_index(tmp_path):
    """A PEP 503 index on loopback holding one CPU torch wheel: /simple/torch/."""
    wheel = fake_torch_wheel(tmp_path)
    (tmp_path / "simple" / "torch").mkdir(parents=True)
    (tmp_path / "simple" / "torch" / "index.html").write_text(
        f'<a href="../../{wheel.name}">{wheel.name}</a>\n', encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    server.shutdown()


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/simple"  # nothing listens there


def test_linux_without_gpu_gets_the_cpu_build_from_the_index(local_index, tmp_path):
    plan = torch_build.choose(LAPTOP, {"COURSEKIT_TORCH_INDEX": local_index})
    assert plan.index == local_index
    assert "CPU-only build" in plan.message and "no NVIDIA GPU" in plan.message
    command = torch_build.install_command(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--report", str(tmp_path / "r.json"),
         "--ignore-installed", "--disable-pip-version-check", "-q"], plan, LOCK)
    # pip on its own: none of this machine's (or the tester's) pip settings.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    result = subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8",
                            timeout=120)
    assert result.returncode == 0, result.stderr
    chosen = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["install"]
    assert [item["metadata"]["version"] for item in chosen] == [
        torch_build.locked_torch(LOCK).split("==")[1] + "+cpu"]


def test_an_unreachable_index_falls_back_to_pypi_within_seconds():
    started = time.monotonic()
    plan = torch_build.choose(LAPTOP, {"COURSEKIT_TORCH_INDEX": closed_port()})
    assert time.monotonic() - started < torch_build.PROBE_SECONDS + 1
    assert plan.index == ""  # the lock's own install: PyPI's build
    assert "did not answer" in plan.message and "PyPI's build instead" in plan.message
    assert torch_build.install_command(["pip"], plan, LOCK) is None


def test_probe_gives_up_after_its_timeout_on_a_silent_address():
    """A server that accepts and never answers (a dead proxy, a filtered network)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        assert not torch_build.reachable(f"http://127.0.0.1:{silent.getsockname()[1]}",
                                         timeout=1)
        assert time.monotonic() - started < 3


@pytest.mark.parametrize("machine", [
    Machine("Linux", "x86_64", nvidia=True, own_index=""),   # a GPU: CUDA is worth it
    Machine("Windows", "amd64", nvidia=False, own_index=""),  # PyPI's wheel is CPU there
    Machine("Darwin", "arm64", nvidia=False, own_index=""),
    Machine("Linux", "aarch64", nvidia=False, own_index=""),  # PyPI's is already CPU-only
])
def test_other_machines_keep_pypis_build_without_asking_the_network(machine):
    def no_probe(index):
        raise AssertionError("the CPU index must not even be asked")

    assert torch_build.choose(machine, {}, probe=no_probe) == torch_build.Plan("", "")


def test_the_students_own_pip_index_wins():
    machine = Machine("Linux", "x86_64", nvidia=False,
                      own_index="PIP_INDEX_URL=https://mirror.example/simple")
    plan = torch_build.choose(machine, {}, probe=lambda index: True)
    assert plan.index == ""
    assert "PIP_INDEX_URL=https://mirror.example/simple" in plan.message


def test_a_pip_config_file_mirror_is_found(tmp_path):
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nindex-url = https://mirror.example/simple\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = str(config)
    assert "mirror.example" in torch_build.own_pip_index(sys.executable, env)
    env["PIP_CONFIG_FILE"] = os.devnull
    assert torch_build.own_pip_index(sys.executable, env) == ""


@pytest.mark.parametrize("choice, expected", [("cpu", "CPU-only build"), ("cuda", ""),
                                              ("default", ""), ("CPU ", "CPU-only build")])
def test_an_explicit_choice_wins(choice, expected, local_index):
    gpu_with_mirror = Machine("Linux", "x86_64", nvidia=True, own_index="PIP_INDEX_URL=x")
    plan = torch_build.choose(gpu_with_mirror, {"COURSEKIT_TORCH": choice,
                                                "COURSEKIT_TORCH_INDEX": local_index})
    assert (expected in plan.message) if expected else plan == torch_build.Plan("", "")


def test_an_unknown_choice_is_one_clear_line():
    with pytest.raises(ValueError, match=r"COURSEKIT_TORCH='gpu' is not one of auto, cpu"):
        torch_build.choose(LAPTOP, {"COURSEKIT_TORCH": "gpu"})


def load_course_py():
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_py", LOCK.parent / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_proxy_left_on_gets_the_one_line_the_course_teaches(tmp_path, capsys, monkeypatch):
    """pip through a proxy that is not there (a VPN or proxy switched off, its
    setting left behind): pip fails with ProxyError, and course.py says why."""
    proxy = closed_port().removesuffix("/simple")
    for variable in [name for name in os.environ if name.startswith("PIP_")]:
        monkeypatch.delenv(variable)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    course = load_course_py()
    code = course.pip_install([sys.executable, "-m", "pip", "install", "-q", "--retries", "1",
                               "--timeout", "3", "--index-url", "https://index.example/simple",
                               "--target", str(tmp_path), "six"])
    out = capsys.readouterr().out
    assert code != 0
    assert "a proxy or VPN is probably still switched on" in out
