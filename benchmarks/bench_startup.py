"""How long from the README's first command, `python course.py lab`, to a usable JupyterLab?

Two figures, each from a fresh `git clone` of this repository (committed files
only) into a temporary folder:

- first run: no `.venv/` yet, so course.py creates it and installs
  requirements.lock before starting JupyterLab;
- later runs: the same clone again, its environment already there.

"Usable" means JupyterLab answers GET /lab with HTTP 200 (with the token).
Each server is stopped afterwards, and the clone removed.

    python benchmarks/bench_startup.py [--skip-fresh]

--skip-fresh skips the install (minutes) and measures the later-run figure in
this checkout, whose `.venv/` exists.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lab_ready(port: int, token: str) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/lab",
                                     headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def time_to_lab(course: Path, python: str, limit: float) -> float:
    """Run `python course.py lab --no-browser ...` in `course`; seconds until /lab answers."""
    port, token = free_port(), secrets.token_hex(16)
    command = [python, "course.py", "lab", "--no-browser", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    with tempfile.TemporaryDirectory(prefix="coursekit-startup-") as runtime:
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=runtime, JUPYTER_PLATFORM_DIRS="1")
        log = open(Path(runtime) / "lab.log", "w+", encoding="utf-8")  # noqa: SIM115 (closed below)
        started = time.perf_counter()
        # Its own process group: course.py runs jupyter as a child, both must stop.
        process = subprocess.Popen(command, cwd=course, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while not lab_ready(port, token):
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"course.py lab exited ({process.returncode}):\n"
                                       f"{log.read()[-3000:]}")
                if time.perf_counter() - started > limit:
                    raise RuntimeError(f"JupyterLab not up after {limit:.0f} s")
                time.sleep(0.1)
            return time.perf_counter() - started
        finally:
            stop(process)
            log.close()


def stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            continue


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-fresh", action="store_true",
                        help="skip the first-run figure (creating .venv takes minutes)")
    args, _ = parser.parse_known_args(argv)  # `course.py bench` passes its extras to all
    # The README's command runs the system Python, not the course's .venv.
    python = shutil.which("python3") or sys.executable
    print(f"bench_startup: `python course.py lab` → GET /lab answers 200 "
          f"({python}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})")
    if args.skip_fresh:
        seconds = time_to_lab(ROOT, python, limit=300)
        print(f"  environment already created (this checkout): {seconds:6.1f} s")
        return 0
    with tempfile.TemporaryDirectory(prefix="coursekit-clone-") as tmp:
        clone = Path(tmp) / "course"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        first = time_to_lab(clone, python, limit=1800)
        print(f"  fresh clone, first run (creates .venv, installs the lock): {first:6.1f} s")
        again = time_to_lab(clone, python, limit=300)
        print(f"  fresh clone, environment already created:                   {again:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
