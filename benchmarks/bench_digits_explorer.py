"""What does lesson 07's minibatch explorer cost up front, and what does precomputing save?

The explorer's redraw happens in the browser and is measured with the other
explorers' by `bench_browser.py` (latency and drag, direct and +100 ms). This
script measures the kernel's side, in one run:

- the precomputation: `compute_runs()`, every batch size × learning rate of the
  grid trained once (what the lesson does before the explorer appears);
- building the explorer: every grid position's verdict line, the data for the
  browser (its size as sent, once) and the static picture of the opening state;
- what precomputing saves: retraining one batch size's runs (every learning
  rate), the least a slider change would cost if the explorer trained on demand.

    python benchmarks/bench_digits_explorer.py [--reference-changes 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import torch  # noqa: E402

from coursekit.digits_explorer import (  # noqa: E402
    DigitsExplorer,
    compute_runs,
    explorer_data,
    train_runs,
)
from coursekit.plotting import use_course_style  # noqa: E402


def payload_bytes(explorer: DigitsExplorer) -> int:
    """The size of the view's state as JSON: what the browser receives once."""
    return len(json.dumps(explorer.view.get_state(), allow_nan=False).encode())


def time_retraining(runs, n: int) -> list[float]:
    data = explorer_data()
    times = []
    for i in range(n):
        batch_size = runs.batch_sizes[i % len(runs.batch_sizes)]
        start = time.perf_counter()
        train_runs(runs.learning_rates, batch_size, runs.epochs, data)
        times.append(time.perf_counter() - start)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference-changes", type=int, default=5)
    args, _ = parser.parse_known_args(argv)  # course.py bench passes its arguments to every script
    torch.set_num_threads(1)
    use_course_style()
    start, cpu_start = time.perf_counter(), time.process_time()
    runs = compute_runs()
    precompute_s = time.perf_counter() - start
    precompute_cpu_s = time.process_time() - cpu_start
    start = time.perf_counter()
    explorer = DigitsExplorer(runs)
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    explorer._repr_mimebundle_()  # the static picture GitHub shows, and the verdict line
    display_s = time.perf_counter() - start
    retrain_ms = 1e3 * statistics.median(time_retraining(runs, args.reference_changes))
    runs_count = len(runs.batch_sizes) * len(runs.learning_rates)
    print(f"minibatch explorer: precompute {precompute_s:.1f} s ({precompute_cpu_s:.1f} s of CPU) "
          f"for {runs_count} runs of {runs.epochs} epochs, one thread")
    print(f"minibatch explorer: built in {1e3 * build_s:.0f} ms ({runs_count} verdict lines), "
          f"displayed in {1e3 * display_s:.0f} ms (static picture); the browser receives "
          f"{payload_bytes(explorer) / 1024:.0f} KiB once, then draws every frame itself "
          f"(bench_browser.py)")
    print(f"without precomputing: median {retrain_ms:.0f} ms per slider change to retrain one "
          f"batch size's runs ({args.reference_changes} changes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
