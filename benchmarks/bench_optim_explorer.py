"""How fast does lesson 05's optimizer explorer answer a control change?

Measures, in one run, the time from a control change (a widget's `.value`
or `explorer.set`) to a fully redrawn PNG in the explorer's Image widget, over
many changes, and compares it with a naive reference that redoes everything
from scratch each time: four torch.optim trainings step by step, then a new
pyplot figure with the contours, curves and paths, saved to PNG.

    python benchmarks/bench_optim_explorer.py [--changes 100] [--reference-changes 12]

Targets: median at most 50 ms, and at least 4 times faster than the reference.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from coursekit.data import REGRESSION_X, REGRESSION_Y  # noqa: E402
from coursekit.optim_explorer import (  # noqa: E402
    B_RANGE,
    OPTIMIZERS,
    START,
    STEPS,
    W_RANGE,
    OptimizerExplorer,
)
from coursekit.plotting import use_course_style  # noqa: E402

TARGET_MS = 50.0
TARGET_SPEEDUP = 4.0


def changes(n: int):
    """A fixed sequence of (control, value): learning rates across the range, optimizers in turn."""
    rates = np.geomspace(1e-4, 10, 17)
    for i in range(n):
        if i % 2:
            yield "optimizer", OPTIMIZERS[(i // 2) % len(OPTIMIZERS)]
        else:
            yield "lr", float(rates[(i * 7) % len(rates)])


def time_explorer(n: int) -> list[float]:
    explorer = OptimizerExplorer()
    times = []
    for i, (name, value) in enumerate(changes(n)):
        before = explorer.image.value
        start = time.perf_counter()
        if i % 4 < 2:  # half through the widget, as a student's click does
            explorer.controls[name].value = value
        else:  # half through explorer.set
            explorer.set(**{name: value})
        times.append(time.perf_counter() - start)
        if explorer.problems:
            raise SystemExit(f"problems at {name}={value}: {explorer.problems}")
        if name == "optimizer" and explorer.image.value == before:
            raise SystemExit("switching the optimizer did not change the picture")
    return times


def torch_runs(lr: float):
    """The naive way: train all four from scratch with torch.optim, one step at a time."""
    x = torch.tensor(REGRESSION_X, dtype=torch.float64)
    y = torch.tensor(REGRESSION_Y, dtype=torch.float64)
    makers = {
        "SGD": lambda p: torch.optim.SGD([p], lr=lr),
        "SGD + momentum": lambda p: torch.optim.SGD([p], lr=lr, momentum=0.9),
        "RMSprop": lambda p: torch.optim.RMSprop([p], lr=lr),
        "Adam": lambda p: torch.optim.Adam([p], lr=lr),
    }
    runs = {}
    for name, make in makers.items():
        p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        optimizer = make(p)
        path, losses = [p.detach().clone()], []
        for _ in range(STEPS):
            loss = ((p[0] * x + p[1] - y) ** 2).mean()
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            path.append(p.detach().clone())
        losses.append(((p[0] * x + p[1] - y) ** 2).mean().item())
        runs[name] = (torch.stack(path).numpy(), np.array(losses))
    return runs


def naive_redraw(optimizer: str, lr: float) -> bytes:
    runs = torch_runs(lr)
    fig, (ax_loss, ax_path) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    w = np.linspace(*W_RANGE, 120)
    b = np.linspace(*B_RANGE, 120)
    ww, bb = np.meshgrid(w, b)
    x = np.array(REGRESSION_X)
    y = np.array(REGRESSION_Y)
    surface = ((ww[..., None] * x + bb[..., None] - y) ** 2).mean(axis=-1)
    ax_path.contour(w, b, surface, levels=12, cmap="Greys_r")
    for name, (path, losses) in runs.items():
        width = 2.6 if name == optimizer else 1.2
        ax_loss.plot(losses, label=name, linewidth=width)
        ax_path.plot(path[:, 0], path[:, 1], linewidth=width)
    ax_loss.set(yscale="log", ylim=(5, 1.5e5), xlabel="epoch", ylabel="loss")
    ax_path.set(xlim=W_RANGE, ylim=B_RANGE, xlabel="w", ylabel="b")
    ax_loss.legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=72)
    plt.close(fig)
    return buffer.getvalue()


def time_reference(n: int) -> list[float]:
    times = []
    optimizer, lr = "Adam", 0.5
    for name, value in changes(n):
        if name == "lr":
            lr = value
        else:
            optimizer = value
        start = time.perf_counter()
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # the reference may plot inf/NaN; it is not shown
            naive_redraw(optimizer, lr)
        times.append(time.perf_counter() - start)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--reference-changes", type=int, default=12)
    args, _ = parser.parse_known_args(argv)  # course.py bench passes its arguments to every script
    torch.set_num_threads(1)
    use_course_style()
    time_explorer(3)  # warm up (imports, font caches)
    explorer_ms = 1e3 * statistics.median(time_explorer(args.changes))
    time_reference(1)  # warm up
    reference_ms = 1e3 * statistics.median(time_reference(args.reference_changes))
    speedup = reference_ms / explorer_ms
    print(f"optimizer explorer: median {explorer_ms:.1f} ms from a control change to a redrawn "
          f"PNG ({args.changes} changes)")
    print(f"naive reference:    median {reference_ms:.1f} ms (four torch.optim runs + new pyplot "
          f"figure, {args.reference_changes} changes)")
    print(f"speed-up:           {speedup:.1f}×")
    met_time = explorer_ms <= TARGET_MS
    met_speedup = speedup >= TARGET_SPEEDUP
    print(f"targets: median ≤ {TARGET_MS:g} ms {'met' if met_time else 'NOT met'}; "
          f"speed-up ≥ {TARGET_SPEEDUP:g}× {'met' if met_speedup else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
