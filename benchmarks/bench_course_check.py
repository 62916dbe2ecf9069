"""How long does the instructors' `python course.py check` take, against its floor?

The check re-executes every lesson and solution notebook in a fresh kernel
(nbval, in parallel). Most of a short notebook's time is the kernel starting and
importing torch, so the floor is the same number of bare kernels, run the same
way (pytest --nbval, -n auto, --dist loadscope), whose only cell imports torch,
matplotlib and ipywidgets. Both are measured in this one run, one after the
other, so they share the machine's state, and that twice (--rounds): the speed of a
shared machine drifts by more than the difference being measured.

    python benchmarks/bench_course_check.py [--rounds 2]

Prints both wall times of each round, their ratios and the median ratio (target: at
most 2×).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from course_tools.translations import editions  # noqa: E402
from course_tools.workspace import course_notebooks  # noqa: E402 (what check runs)

ROOT = Path(__file__).resolve().parents[1]
FLOOR_CELL = "import torch, matplotlib, ipywidgets"




def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                            encoding="utf-8", errors="replace")
    return time.perf_counter() - started, result


def floor_seconds(count: int) -> tuple[float, subprocess.CompletedProcess]:
    """`count` one-cell notebooks, through the same nbval/xdist command as the check."""
    with tempfile.TemporaryDirectory(prefix="coursekit-floor-") as tmp:
        folder = Path(tmp)
        for i in range(count):
            notebook = nbformat.v4.new_notebook()
            notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                               "display_name": "Python 3 (ipykernel)"}
            notebook.cells = [nbformat.v4.new_code_cell(FLOOR_CELL)]
            nbformat.write(notebook, folder / f"kernel_{i:02d}.ipynb")
        return timed([sys.executable, "-m", "pytest", ".", "--nbval", "--nbval-current-env",
                      "-n", "auto", "--dist", "loadscope", "-q", "--no-header",
                      "-p", "no:cacheprovider", "-o", "addopts="], folder)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2,
                        help="floor then check, this many times (the machine's speed drifts)")
    args, _ = parser.parse_known_args(argv)  # `course.py bench` passes its extras to every script
    # Both editions: the English lessons and the Chinese ones (notebooks/zh-CN/).
    notebooks = list(course_notebooks(lang="en").values()) + [
        edition.notebook for edition in editions() if edition.notebook.exists()]
    print(f"bench_course_check: {len(notebooks)} notebooks, pytest -n auto "
          f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}), {args.rounds} rounds")

    ratios = []
    for round_number in range(1, args.rounds + 1):
        floor, floor_run = floor_seconds(len(notebooks))
        if floor_run.returncode != 0:
            print(floor_run.stdout[-2000:], floor_run.stderr[-2000:])
            print("  the floor run failed")
            return 1
        check, check_run = timed([sys.executable, str(ROOT / "course.py"), "check"], ROOT)
        outcome = "all passed" if check_run.returncode == 0 else (
            f"FAILED (exit {check_run.returncode}); its last lines:\n"
            + "\n".join(check_run.stdout.splitlines()[-15:]))
        ratios.append(check / floor)
        print(f"  round {round_number}: course.py check {check:6.1f} s ({outcome}); floor, "
              f"{len(notebooks)} bare kernels (import torch, matplotlib, ipywidgets) "
              f"{floor:6.1f} s; ratio {check / floor:.2f}×", flush=True)
        if check_run.returncode != 0:
            return 1
    print(f"  ratio check / floor:       {statistics.median(ratios):6.2f}×  median of "
          f"{len(ratios)} (target ≤ 2×)")
    # The last check's per-notebook lines (name, cells, seconds): where the time goes.
    summary = [line for line in check_run.stdout.splitlines()
               if re.search(r"notebooks/\S+\.ipynb\s+\d+ cells", line)
               or line.startswith(("ran on:", "wall time:"))]
    print("  the check's own summary (last round):")
    for line in summary:
        print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
