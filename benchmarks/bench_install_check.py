"""How long does each `course.py` start spend checking its environment?

Every start compares the stamp of the install with this course folder and its
lock, checks that the editable coursekit is this folder's, and stats every
folder of every installed package (a file deleted from a folder changes the
folder's modification time). This prints that check's time (median of 20, warm
file cache, wall and CPU) and, for comparison, what a stat of every installed file would take.

    python benchmarks/bench_install_check.py
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_course_py():
    spec = importlib.util.spec_from_file_location("course_py", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median_ms(work, runs: int = 20) -> str:
    """Median wall and CPU time of `work()`, in ms (on a busy machine the wall time
    counts the waits for a core too; the CPU time less so)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return (f"{1000 * statistics.median(wall):7.1f} ms wall, "
            f"{1000 * statistics.median(cpu):7.1f} ms CPU")


def main() -> int:
    course = load_course_py()
    if not course.STAMP.exists():
        print("bench_install_check: no .venv install stamp here; run `python course.py` first")
        return 1
    wanted = course._install_fingerprint()
    problems = course._quick_problems(wanted)
    folders = len(course.STAMP.read_text().splitlines()) - 1
    site = course._site_packages()
    files = [path for paths in course._records().values() for path in paths]
    print(f"bench_install_check ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
          f"problems now: {problems or 'none'})")
    print(f"  start-up check, {folders} package folders: "
          f"{median_ms(lambda: course._quick_problems(wanted))}")
    print(f"  (a stat of each of the {len(files)} installed files instead: "
          f"{median_ms(lambda: [(site / p).exists() for p in files], runs=3)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
