"""How fast does lesson 04's learning-rate explorer answer a slider move?

Measures, for the same 100 slider changes spread over the sliders' ranges,
the time from the change to a fully redrawn figure rendered to PNG:

- the explorer: `explorer.controls[name].value = v` (what a slider drag does;
  it redraws and puts the PNG into the Image widget);
- a naive reference: re-run the lesson's per-epoch torch loop from scratch,
  draw a brand-new pyplot figure with contours, render it to PNG, close it.

Run: .venv/bin/python benchmarks/bench_lr_explorer.py   (or python course.py bench)
"""

from __future__ import annotations

import io
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from coursekit.data import REGRESSION_X, REGRESSION_Y  # noqa: E402
from coursekit.linear_gd import LinearFit, torch_gradient_descent  # noqa: E402
from coursekit.lr_explorer import EPOCH_RANGE, LR_RANGE, SCALE_RANGE, LearningRateExplorer  # noqa: E402

CHANGES = 100
TARGET_MS = 50.0
TARGET_SPEEDUP = 4.0


def slider_changes(n: int, seed: int = 0) -> list[tuple[str, float | int]]:
    """n single-slider moves, cycling learning rate, epochs and input scale."""
    rng = np.random.default_rng(seed)
    changes = []
    for i in range(n):
        name = ("lr", "epochs", "scale")[i % 3]
        if name == "lr":
            value = float(10 ** rng.uniform(*np.log10(LR_RANGE)))
        elif name == "scale":
            value = float(10 ** rng.uniform(*np.log10(SCALE_RANGE)))
        else:
            value = int(rng.integers(EPOCH_RANGE[0], EPOCH_RANGE[1] + 1))
        changes.append((name, value))
    return changes


def naive_redraw(lr: float, scale: float, epochs: int) -> bytes:
    """Everything from scratch: torch loop, new figure, contours, PNG."""
    losses, params = torch_gradient_descent(REGRESSION_X, REGRESSION_Y, lr, epochs, scale)
    fit = LinearFit(REGRESSION_X, REGRESSION_Y, scale)
    w_lo, w_hi, b_lo, b_hi = fit.window()
    finite = np.isfinite(losses)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 4.2), layout="constrained")
    left.semilogy(np.arange(len(losses))[finite], losses[finite])
    left.set(xlabel="epoch", ylabel="mean squared error", title="loss (log scale)")
    w, b = np.meshgrid(np.linspace(w_lo, w_hi, 60), np.linspace(b_lo, b_hi, 60))
    right.contour(w, b, fit.loss(w, b), levels=8)
    inside = finite & np.all(np.abs(params) < 1e6, axis=1)
    right.plot(params[inside, 0], params[inside, 1], "o-")
    right.set(xlim=(w_lo, w_hi), ylim=(b_lo, b_hi), xlabel="w", ylabel="b")
    fig.suptitle(f"lr = {lr:.3g}, input scale {scale:.3g}, {epochs} epochs")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=72)
    plt.close(fig)
    return buffer.getvalue()


def main() -> int:
    changes = slider_changes(CHANGES)
    explorer = LearningRateExplorer()
    explorer.set(lr=1e-3, scale=1.0, epochs=50)  # warm caches, fonts
    fast, fast_cpu = [], []
    for name, value in changes:
        started, started_cpu = time.perf_counter(), time.process_time()
        explorer.controls[name].value = value
        fast.append(time.perf_counter() - started)
        fast_cpu.append(time.process_time() - started_cpu)
        if explorer.problems or not bytes(explorer.image.value).startswith(b"\x89PNG"):
            print(f"explorer problem at {explorer.values()}: {explorer.problems}")
            return 1

    naive_redraw(1e-3, 1.0, 50)  # warm up the same way
    slow, slow_cpu = [], []
    settings = {"lr": 1e-3, "scale": 1.0, "epochs": 50}
    for name, value in changes:
        settings[name] = value
        started, started_cpu = time.perf_counter(), time.process_time()
        naive_redraw(**settings)
        slow.append(time.perf_counter() - started)
        slow_cpu.append(time.process_time() - started_cpu)

    fast_ms = statistics.median(fast) * 1e3
    slow_ms = statistics.median(slow) * 1e3
    by_slider = {
        name: statistics.median(t for t, (n, _) in zip(fast, changes, strict=True) if n == name)
        * 1e3 for name in ("lr", "epochs", "scale")
    }
    print(f"learning-rate explorer, {CHANGES} slider changes (median, change → PNG in widget)")
    print(f"  explorer  {fast_ms:7.1f} ms   (learning rate {by_slider['lr']:.1f} ms, "
          f"epochs {by_slider['epochs']:.1f} ms, input scale {by_slider['scale']:.1f} ms)")
    print(f"  naive     {slow_ms:7.1f} ms   (torch loop + new figure + contours + PNG)")
    print(f"  speed-up  {slow_ms / fast_ms:7.1f} ×")
    # CPU time of this process alone: what the figures would be on an idle machine.
    print(f"  CPU time  explorer {statistics.median(fast_cpu) * 1e3:.1f} ms, "
          f"naive {statistics.median(slow_cpu) * 1e3:.1f} ms")
    ok = fast_ms <= TARGET_MS and slow_ms / fast_ms >= TARGET_SPEEDUP
    print(f"  target: ≤ {TARGET_MS:.0f} ms and ≥ {TARGET_SPEEDUP:.0f}× faster: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
