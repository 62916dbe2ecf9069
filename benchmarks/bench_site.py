"""Figures of the course website (`course.py site`): build time, page weight, explorers.

    python benchmarks/bench_site.py [--drag-seconds 3] [--skip-clean]

- build: a fresh `git clone` of this folder's committed course, `npm ci` in it,
  then `course.py site` there (with this folder's Python environment, so no
  pip install is timed), and a second build of the same clone;
- bytes: per lesson page, everything it loads (HTML, scripts, styles, fonts,
  pictures), summed over the responses, once its explorers are drawn;
- first frame: from navigation to the explorer's first frame drawn on its canvas
  (the canvas records performance.now(), counted from navigation start);
- drag: new pictures per second while the thumb is dragged steadily (as
  bench_browser.py does), unthrottled and with Chromium's CPU throttled 4×
  (CDP Emulation.setCPUThrottlingRate), as on a low-end laptop.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

import browser_harness as bh  # noqa: E402
import site_harness as sh  # noqa: E402
from bench_browser import drag, handle_of  # noqa: E402

from course_tools import site  # noqa: E402

SLIDERS = {"00_setup_check": "frequency f", "04_backprop_by_hand": "learning rate",
           "05_nn_and_optim": "learning rate", "07_training_for_real": "learning rate"}


def timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def build_from_clean_checkout() -> None:
    with tempfile.TemporaryDirectory(prefix="coursekit-site-bench-") as tmp:
        clone = Path(tmp) / "course"
        subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True)
        npm = timed(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                     "--loglevel=error"], clone)
        env = {**os.environ, "COURSEKIT_PYTHON": sys.executable}
        first = timed([sys.executable, "course.py", "site"], clone, env)
        second = timed([sys.executable, "course.py", "site"], clone, env)
        html = clone / "_site" / "html"
        size = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
        print(f"build from a clean checkout: npm ci {npm:.1f} s, course.py site {first:.1f} s "
              f"(again: {second:.1f} s); the site is {size / 1e6:.1f} MB, "
              f"{sum(1 for _ in html.rglob('*.html'))} pages")


def page_weight(browser, server, lesson: str) -> tuple[int, int, float | None]:
    """(bytes loaded, requests, ms from navigation to the first explorer frame)."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    sizes = []
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
    page.goto(server.url(f"{lesson}.html"))
    first = None
    if page.locator(".ck-explorer").count():
        canvas = page.locator(".ck-explorer canvas.ck-picture").first
        canvas.wait_for(timeout=60_000)
        first = float(canvas.get_attribute("data-drawn-at"))
    page.wait_for_load_state("networkidle")
    context.close()
    return sum(sizes), len(sizes), first


def drag_rate(browser, server, lesson: str, seconds: float, throttle: float) -> tuple:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.goto(server.url(f"{lesson}.html"))
    box = page.locator(".ck-explorer").first
    box.locator("canvas.ck-picture").wait_for(timeout=60_000)
    if throttle > 1:
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    handle = handle_of(bh.slider(page, SLIDERS[lesson]))  # the view's own range input
    pictures, _moves, frames, draw_ms, _settle = drag(page, box, handle, seconds)
    context.close()
    return pictures, frames, draw_ms


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drag-seconds", type=float, default=3.0)
    parser.add_argument("--skip-clean", action="store_true",
                        help="no clean-checkout build; measure the site in _site/html/")
    args, _ = parser.parse_known_args(argv)  # `course.py bench` passes its extras to all
    executable = bh.find_chromium()
    try:
        site.check_sphinx()
        site.check_node_modules()
    except site.SiteError as exc:
        print(f"bench_site: {exc}; skipped")
        return 0
    print(f"bench_site: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if not args.skip_clean:
        build_from_clean_checkout()
    index = site.HTML / "index.html"
    if args.skip_clean and not index.exists() or not args.skip_clean:
        started = time.perf_counter()
        site.build(quiet=True)
        print(f"build here (site.build, notebooks as they are): "
              f"{time.perf_counter() - started:.1f} s")
    if executable is None:
        print("bench_site: no Chromium found (set COURSEKIT_CHROMIUM); browser figures skipped")
        return 0
    from playwright.sync_api import sync_playwright

    lessons = [p.stem for p in site.editions()[0].lessons]
    with sh.SiteServer(site.HTML) as server, sync_playwright() as playwright:
        browser = bh.launch_browser(playwright, executable)
        weights = []
        for lesson in lessons:
            size, requests, first = page_weight(browser, server, lesson)
            weights.append(size)
            frame = f", first explorer frame {first:.0f} ms after navigation" if first else ""
            print(f"{lesson:24} {size / 1e6:5.2f} MB in {requests} requests{frame}")
        print(f"median lesson page: {statistics.median(weights) / 1e6:.2f} MB with everything "
              f"it loads")
        for lesson in SLIDERS:
            for throttle in (1, 4):
                pictures, frames, draw_ms = drag_rate(browser, server, lesson,
                                                      args.drag_seconds, throttle)
                ms = f", {draw_ms:.1f} ms to draw one" if draw_ms else ""
                print(f"{lesson:24} drag, CPU {throttle}×: {pictures:5.1f} new pictures/s "
                      f"({frames:.0f} frames/s){ms}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
