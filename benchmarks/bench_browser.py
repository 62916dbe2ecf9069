"""How long from moving an explorer's slider to the new plot on screen, in a real browser?

Starts JupyterLab (temporary copy of notebooks/, loopback, random token) and
headless Chromium, runs each explorer lesson (Run All), then moves the
explorer's learning-rate slider with the keyboard, one step right, one step
left, and so on. Each change is timed inside the page, from the key press on
the slider handle to the `load` event of the explorer's new image: the whole
round trip browser → kernel (recompute, redraw, PNG) → browser (decode, show).

    python benchmarks/bench_browser.py [--changes 30]

Prints the median and the 90th percentile per explorer. Lesson 00's slider is
measured as well (the baseline: a one-line plot).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import browser_harness as bh  # noqa: E402

# (lesson, description of the slider to move)
EXPLORERS = [
    ("00_setup_check", "frequency f"),
    ("04_backprop_by_hand", "learning rate"),
    ("05_nn_and_optim", "learning rate"),
    ("07_training_for_real", "learning rate"),
]

# In-page timer: start at the keydown on the handle, stop at the load of a new image.
ARM_JS = """([img, handle]) => {
    const old = img.src;
    const state = window.__bench = {t0: null, ms: null};
    handle.addEventListener('keydown', () => { state.t0 = performance.now(); },
                            {capture: true, once: true});
    img.addEventListener('load', function done() {
        if (img.src === old) return;
        img.removeEventListener('load', done);
        state.ms = performance.now() - state.t0;
    });
}"""


def measure(page, lesson: str, description: str, changes: int) -> list[float]:
    control = bh.slider(page, description)
    box = bh.explorer(page, control)
    handle = control.locator(".noUi-handle")
    img = box.locator("img.widget-image").first
    handle.scroll_into_view_if_needed()
    # Start with a step away from the end the handle sits at.
    at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    keys = ["ArrowLeft", "ArrowRight"] if at_max else ["ArrowRight", "ArrowLeft"]
    handle.focus()
    times = []
    for i in range(changes + 1):  # the first change is a warm-up, not counted
        page.evaluate(ARM_JS, [img.element_handle(), handle.element_handle()])
        page.keyboard.press(keys[i % 2])
        page.wait_for_function("() => window.__bench.ms !== null", timeout=60_000)
        if i:
            times.append(page.evaluate("() => window.__bench.ms"))
    return times


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=30, help="slider changes per explorer")
    args, _ = parser.parse_known_args(argv)  # `course.py bench` passes its extras to all

    executable = bh.find_chromium()
    if executable is None:
        print("bench_browser: no Chromium found (set COURSEKIT_CHROMIUM); skipped")
        return 0
    from playwright.sync_api import sync_playwright

    present = set(bh.lesson_names())
    print(f"bench_browser: slider change → new plot loaded, in headless Chromium "
          f"({args.changes} changes each; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f})")
    with bh.LabServer() as lab, sync_playwright() as playwright:
        browser = bh.launch_browser(playwright, executable)
        for lesson, description in EXPLORERS:
            if lesson not in present:
                print(f"  {lesson:22} not present, skipped")
                continue
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            started = time.perf_counter()
            bh.open_notebook(page, lab, lesson)
            bh.run_all_cells(page, lesson)
            ran = time.perf_counter() - started
            times = measure(page, lesson, description, args.changes)
            q = statistics.quantiles(times, n=10)
            print(f"  {lesson:22} '{description}': median {statistics.median(times):6.0f} ms, "
                  f"p90 {q[-1]:6.0f} ms, min {min(times):5.0f} ms "
                  f"(open + Run All took {ran:.0f} s)")
            context.close()
            lab.shutdown_kernels(f"{lesson}.ipynb")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
