"""How fast does lesson 07's minibatch explorer redraw, and what does it cost up front?

Measures, in one run:

- the precomputation: `compute_runs()`, every batch size × learning rate of the
  grid trained once (what the lesson does before the explorer appears);
- the explorer: from a slider change (a widget's `.value`, or `explorer.set`) to
  a fully redrawn PNG in the explorer's Image widget, median over many changes;
- a naive reference that trains on every change instead of looking runs up:
  the chosen batch size's runs (every learning rate) with `train_runs`, then a
  redraw.

    python benchmarks/bench_digits_explorer.py [--changes 100] [--reference-changes 5]

Target: median redraw at most 50 ms, as for the other explorers.
"""

from __future__ import annotations

import argparse
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

TARGET_MS = 50.0


def changes(runs, n: int):
    """A fixed sequence of single-control moves, covering the whole grid."""
    for i in range(n):
        if i % 2:
            yield "batch_size", runs.batch_sizes[(i * 3) % len(runs.batch_sizes)]
        else:
            yield "lr", runs.learning_rates[(i * 5) % len(runs.learning_rates)]


def time_explorer(explorer, n: int) -> list[float]:
    times = []
    for i, (name, value) in enumerate(changes(explorer.runs, n)):
        start = time.perf_counter()
        if i % 4 < 2:  # half through the widget, as a slider drag does
            explorer.controls[name].value = value
        else:
            explorer.set(**{name: value})
        times.append(time.perf_counter() - start)
        if explorer.problems:
            raise SystemExit(f"problems at {name}={value}: {explorer.problems}")
    return times


def time_reference(explorer, n: int) -> list[float]:
    data = explorer_data()
    runs = explorer.runs
    times = []
    for name, value in changes(runs, n):
        start = time.perf_counter()
        batch_size = value if name == "batch_size" else explorer.values()["batch_size"]
        train_runs(runs.learning_rates, batch_size, runs.epochs, data)  # retrain, then draw
        explorer.set(**{name: value})
        times.append(time.perf_counter() - start)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--reference-changes", type=int, default=5)
    args, _ = parser.parse_known_args(argv)  # course.py bench passes its arguments to every script
    torch.set_num_threads(1)
    use_course_style()
    start, cpu_start = time.perf_counter(), time.process_time()
    runs = compute_runs()
    precompute_s = time.perf_counter() - start
    precompute_cpu_s = time.process_time() - cpu_start
    explorer = DigitsExplorer(runs)
    time_explorer(explorer, 4)  # warm up (font caches)
    explorer_ms = 1e3 * statistics.median(time_explorer(explorer, args.changes))
    reference_ms = 1e3 * statistics.median(time_reference(explorer, args.reference_changes))
    runs_count = len(runs.batch_sizes) * len(runs.learning_rates)
    print(f"minibatch explorer: precompute {precompute_s:.1f} s ({precompute_cpu_s:.1f} s of CPU) "
          f"for {runs_count} runs of {runs.epochs} epochs, one thread")
    print(f"minibatch explorer: median {explorer_ms:.1f} ms from a slider change to a redrawn "
          f"PNG ({args.changes} changes)")
    print(f"naive reference:    median {reference_ms:.0f} ms (retrain the batch size's runs, "
          f"then redraw; {args.reference_changes} changes), "
          f"{reference_ms / explorer_ms:.0f}× slower")
    print(f"target: median ≤ {TARGET_MS:g} ms {'met' if explorer_ms <= TARGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
