"""How fast do the explorers follow a slider, in a real browser, near and far from the kernel?

Starts JupyterLab (temporary copy of notebooks/, loopback, random token) and
headless Chromium, runs each explorer lesson (Run All), then measures:

- latency: a key press on the slider's thumb (one step) until the new picture is
  drawn and the next frame is painted, timed inside the page; median and p90;
- drag: the thumb dragged steadily for a few seconds (a real mouse move of 2 px
  every ~16 ms, as a hand on a 60 Hz mouse); distinct new pictures per second,
  against the slider's value changes per second (lesson 07's sliders snap to its
  grid of precomputed runs, so its value changes only when the pointer crosses a
  grid position) and the page's animation frames per second; then how long after
  the last pointer move the final picture was drawn (settle).

Everything is measured three times: direct; direct with Chromium's CPU slowed 4×
(Emulation.setCPUThrottlingRate, Lighthouse's setting for a low-end laptop); and
with 100 ms added to every message each way between browser and server (a small
TCP proxy on loopback holds each chunk 100 ms before passing it on; the page is
served through it), as on Colab or Binder. Chromium's own network emulation does
not delay WebSocket frames, hence the proxy.

JupyterLab runs with its own default notebook settings, as a student's does
(cells off screen skipped by the browser: windowing mode "contentVisibility"),
not the tests' (every cell laid out and painted: "none"); `--windowing none`
measures that worst case.

With `--baseline REV` (for example d5aaf7e, the last commit whose explorers
redrew a PNG in the kernel, or the commit before the explorers drew their own
controls), the same measurements run on that commit's lessons and coursekit
(`git archive` into a temporary folder, put first on the kernel's PYTHONPATH)
in the same run, for comparison.

    python benchmarks/bench_browser.py [--changes 20] [--drag-seconds 3] [--baseline REV]
                                       [--lessons 04 07]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import browser_harness as bh  # noqa: E402

# The last commit whose explorers rendered matplotlib PNGs in the kernel (lessons 00, 04,
# 05; lesson 07's explorer did until commit 1418511).
SERVER_SIDE_REV = "d5aaf7e"
ADDED_LATENCY = 0.100  # seconds, each way
SLOWDOWN = 4  # Chromium's CPU throttling for the "slow laptop" column
TRACKER = "@jupyterlab/notebook-extension/tracker.jupyterlab-settings"

# (lesson, description of the slider to move)
EXPLORERS = [
    ("00_setup_check", "frequency f"),
    ("04_backprop_by_hand", "learning rate"),
    ("05_nn_and_optim", "learning rate"),
    ("07_training_for_real", "learning rate"),
]

# The explorer's picture: a canvas drawn in the page (now) or an <img> sent by the kernel (before).
PICTURE_JS = """box => box.querySelector('.coursekit-explorer canvas.ck-picture')
                       ?? box.querySelector('img.widget-image')"""

# Latency: from the keydown on the thumb to the frame that shows the new picture.
# A canvas records when it drew (inside an animation frame, painted right after);
# an <img> is painted in the first animation frame after its new picture loaded.
ARM_JS = """([picture, handle]) => {
    const state = window.__bench = {t0: null, ms: null};
    handle.addEventListener('keydown', () => { state.t0 = performance.now(); },
                            {capture: true, once: true});
    if (picture.tagName === 'CANVAS') {
        const before = picture.dataset.frames;
        const poll = () => {
            if (picture.dataset.frames !== before) {
                state.ms = Number(picture.dataset.drawnAt) - state.t0;
            } else requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
    } else {
        const old = picture.src;
        picture.addEventListener('load', function done() {
            if (picture.src === old) return;
            picture.removeEventListener('load', done);
            requestAnimationFrame(t => { state.ms = t - state.t0; });
        });
    }
}"""

# Drag: count, per animation frame, whether a new picture is on screen, and whether
# the slider's value moved (a slider that snaps to a grid moves less often than the pointer).
COUNT_JS = """([picture, handle]) => {
    const key = () => picture.tagName === 'CANVAS' ? picture.dataset.frames
                      : (picture.complete ? picture.src : null);
    const state = window.__count = {frames: 0, changes: 0, moves: 0, drawMs: [], running: true};
    // Where a dragged explorer thumb is (its range input takes the value when let go), or
    // (ipywidgets' slider, before) its thumb's aria-valuenow.
    const value = () => handle.tagName === 'INPUT' ? handle.dragValue
                        : handle.getAttribute('aria-valuenow');
    let last = key(), lastValue = value();
    const tick = () => {
        state.frames += 1;
        const now = key();
        if (now !== null && now !== last) {
            state.changes += 1;
            last = now;
            if (picture.dataset.drawMs) state.drawMs.push(Number(picture.dataset.drawMs));
        }
        const now2 = value();
        if (now2 !== lastValue) {
            state.moves += 1;
            lastValue = now2;
        }
        if (state.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""


# A steady drag, driven inside the page so the figure does not depend on how fast this
# script can send events: the pointer moves 2 px per animation frame (a hand on a 60 Hz
# mouse) between x0 and x1. An explorer's range input gets pointer events, as from a
# mouse (pointerdown, a pointermove per frame, pointerup); ipywidgets' noUiSlider (a
# baseline's) follows mousemove on the document.
SWEEP_JS = """({handle, x0, x1, y, ms}) => {
    const state = window.__sweep = {done: false, lastMove: 0};
    const start = performance.now();
    let x = x0, direction = Math.sign(x1 - x0);
    const native = handle.tagName === 'INPUT';
    const pointer = (type) => handle.dispatchEvent(new PointerEvent(type, {
        clientX: x, clientY: y, pointerId: 1, pointerType: 'mouse', isPrimary: true,
        button: type === 'pointermove' ? -1 : 0, buttons: type === 'pointerup' ? 0 : 1,
        bubbles: true, cancelable: true}));
    const move = () => {
        if (native) pointer('pointermove');
        else document.documentElement.dispatchEvent(new MouseEvent('mousemove', {
            clientX: x, clientY: y, buttons: 1, bubbles: true}));
        state.lastMove = performance.now();
    };
    if (native) pointer('pointerdown');
    const step = (now) => {
        x += 2 * direction;
        if ((x - x0) * (x - x1) > 0) { direction = -direction; x += 4 * direction; }
        move();
        if (now - start < ms) requestAnimationFrame(step);
        else {
            if (native) pointer('pointerup');
            state.done = true;
        }
    };
    requestAnimationFrame(step);
}"""


class DelayProxy:
    """A loopback TCP proxy that holds every chunk `delay` seconds, each way, in order."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.delay = 0.0
        self.writers: set = set()
        self.port = bh.free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _pipe(self, reader, writer):
        queue: asyncio.Queue = asyncio.Queue()

        async def send():
            while (item := await queue.get()) is not None:
                due, data = item
                await asyncio.sleep(max(0.0, due - self.loop.time()))
                writer.write(data)
                await writer.drain()
            writer.close()

        sender = asyncio.ensure_future(send())
        try:
            while data := await reader.read(65536):
                queue.put_nowait((self.loop.time() + self.delay, data))
        except (ConnectionError, RuntimeError):
            pass
        queue.put_nowait(None)
        await sender

    async def _handle(self, client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1",
                                                                         self.target_port)
        except OSError:
            client_writer.close()
            return
        self.writers |= {client_writer, server_writer}
        await asyncio.gather(self._pipe(client_reader, server_writer),
                             self._pipe(server_reader, client_writer),
                             return_exceptions=True)

    def start(self) -> DelayProxy:
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self.loop)
        self.server = future.result(10)
        return self

    async def _shutdown(self) -> None:
        self.server.close()
        for writer in self.writers:  # each pipe then reads its end and finishes
            writer.close()
        await asyncio.sleep(0.2)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class ProxiedLab:
    """What bh.open_notebook needs from a server, with the page served through the proxy."""

    def __init__(self, lab: bh.LabServer, proxy: DelayProxy):
        self.lab, self.proxy = lab, proxy

    def url(self, path: str) -> str:
        return self.lab.url(path).replace(f":{self.lab.port}/", f":{self.proxy.port}/", 1)


class BaselineLab(bh.LabServer):
    """JupyterLab on an older commit's notebooks, its kernels importing that commit's coursekit."""

    def __init__(self, source: Path, settings: dict):
        super().__init__(settings=settings)
        self.source = source

    def _prepare(self) -> dict:
        env = super()._prepare()
        shutil.rmtree(self.root)
        shutil.copytree(self.source / "notebooks", self.root)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(self.source / "src"), *filter(None, [env.get("PYTHONPATH")])])
        return env


def checkout(rev: str, into: Path) -> Path:
    """`git archive` of src/ and notebooks/ at `rev`, unpacked into `into`."""
    root = Path(__file__).resolve().parents[1]
    archive = into / "baseline.tar"
    with open(archive, "wb") as out:
        subprocess.run(["git", "-C", str(root), "archive", rev, "src", "notebooks"],
                       stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def handle_of(control):
    """The thumb: a range input (now) or ipywidgets' noUiSlider handle (a baseline's)."""
    native = control.locator("input[type=range]")
    return native if native.count() else control.locator(".noUi-handle")


def find_control(page, description: str):
    control = bh.slider(page, description)
    if control.count():
        return control
    return page.locator(".widget-slider").filter(has=page.get_by_text(description, exact=True))


def latencies(page, box, handle, changes: int) -> list[float]:
    picture = box.evaluate_handle(PICTURE_JS)
    at_max = handle.evaluate("h => (h.value ?? h.getAttribute('aria-valuenow')) === "
                             "(h.max || h.getAttribute('aria-valuemax'))")
    keys = ["ArrowLeft", "ArrowRight"] if at_max else ["ArrowRight", "ArrowLeft"]
    handle.focus()
    times = []
    for i in range(changes + 1):  # the first change is a warm-up, not counted
        page.evaluate(ARM_JS, [picture, handle.element_handle()])
        page.keyboard.press(keys[i % 2])
        page.wait_for_function("() => window.__bench.ms !== null", timeout=120_000)
        if i:
            times.append(page.evaluate("() => window.__bench.ms"))
    return times


def drag(page, box, handle, seconds: float) -> tuple[float, float, float, float | None, float]:
    """Drag the thumb steadily back and forth (SWEEP_JS).

    Returns (new pictures/s, slider value changes/s, animation frames/s, median
    ms a browser-drawn frame took to draw (None for a kernel-drawn picture), ms
    from the last pointer move to the last new picture (settle)).
    """
    picture = box.evaluate_handle(PICTURE_JS)
    handle.scroll_into_view_if_needed()
    bounds = handle.bounding_box()
    track = handle.evaluate("""h => { const b = (h.closest('.noUi-target') ?? h)
        .getBoundingClientRect(); return {x: b.left, width: b.width}; }""")
    native = handle.evaluate("h => h.tagName") == "INPUT"
    if native:  # the thumb sits at the value's place
        x0, y = bh.thumb_centre(handle)
    else:
        x0, y = bounds["x"] + bounds["width"] / 2, bounds["y"] + bounds["height"] / 2
    # Sweep between the thumb and the far side of the track.
    far_left = x0 - track["x"] > track["x"] + track["width"] - x0
    x1 = track["x"] + 10 if far_left else track["x"] + track["width"] - 10
    page.mouse.move(x0, y)
    if not native:  # noUiSlider: a real press on its handle (a range input gets SWEEP_JS's)
        page.mouse.down()
    page.evaluate(COUNT_JS, [picture, handle.element_handle()])
    page.evaluate(SWEEP_JS, {"handle": handle.element_handle(), "x0": x0, "x1": x1, "y": y,
                             "ms": seconds * 1000})
    page.wait_for_function("() => window.__sweep.done", timeout=seconds * 1000 + 60_000)
    last_move = page.evaluate("() => window.__sweep.lastMove")
    if not native:
        page.mouse.up()
    # Pictures still in flight (a kernel behind a slow link) count if they arrive within 1 s.
    time.sleep(1.0)
    count = page.evaluate("() => { window.__count.running = false; return window.__count; }")
    drawn_at = picture.evaluate("p => Number(p.dataset.drawnAt || 0)")
    draw_ms = statistics.median(count["drawMs"]) if count["drawMs"] else None
    return (count["changes"] / seconds, count["moves"] / seconds,
            count["frames"] / (seconds + 1.0), draw_ms, max(0.0, drawn_at - last_move))


def measure_lab(browser, lab, proxy, label: str, args, present: set[str]) -> None:
    served = ProxiedLab(lab, proxy)
    for lesson, description in EXPLORERS:
        if args.lessons and not lesson.startswith(tuple(args.lessons)):
            continue
        if lesson not in present:
            print(f"  {label:11} {lesson:20} not present, skipped")
            continue
        proxy.delay = 0.0
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        started = time.perf_counter()
        bh.open_notebook(page, served, lesson)
        bh.run_all_cells(page, lesson)
        ran = time.perf_counter() - started
        control = find_control(page, description)
        box = bh.explorer(page, control)
        handle = handle_of(control)
        for delay, slowdown in ((0.0, 1), (0.0, SLOWDOWN), (ADDED_LATENCY, 1)):
            proxy.delay = delay
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
            times = latencies(page, box, handle, args.changes)
            pictures, moves, frames, draw_ms, settle = drag(page, box, handle, args.drag_seconds)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
            q = statistics.quantiles(times, n=10)
            where = (f"+{delay * 1000:.0f} ms" if delay else "direct") + (
                f", CPU {slowdown}× slower" if slowdown > 1 else "")
            median = statistics.median(times)
            drawing = f", drawing {draw_ms:.1f} ms each" if draw_ms is not None else ""
            print(f"  {label:11} {lesson:20} {where:22} latency median {median:6.1f} ms, "
                  f"p90 {q[-1]:6.1f} ms | drag {pictures:5.1f} new pictures/s for "
                  f"{moves:5.1f} slider moves/s ({frames:4.1f} frames/s{drawing}), "
                  f"settled {settle:.0f} ms after the last move | Run All {ran:.0f} s",
                  flush=True)
        context.close()
        lab.shutdown_kernels(f"{lesson}.ipynb")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20, help="key presses per explorer")
    parser.add_argument("--drag-seconds", type=float, default=3.0)
    parser.add_argument("--baseline", default="none",
                        help=f"commit to compare with (e.g. {SERVER_SIDE_REV}, server-side PNG "
                             "explorers), or 'none' (the default)")
    parser.add_argument("--windowing", default="contentVisibility",
                        choices=["contentVisibility", "none", "defer"],
                        help="JupyterLab's notebook windowing mode (default: JupyterLab's own)")
    parser.add_argument("--lessons", nargs="*", default=[],
                        help="only these lessons (number prefixes such as 04 07); default: all")
    args, _ = parser.parse_known_args(argv)  # `course.py bench` passes its extras to all

    executable = bh.find_chromium()
    if executable is None:
        print("bench_browser: no Chromium found (set COURSEKIT_CHROMIUM); skipped")
        return 0
    from playwright.sync_api import sync_playwright

    print(f"bench_browser: explorers in headless Chromium, {args.changes} key presses and "
          f"{args.drag_seconds:g} s of dragging each ({os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}); targets: latency ≤ 16.7 ms, ≥ 30 new pictures/s "
          f"(at {SLOWDOWN}× CPU slowdown too), settled ≤ 100 ms after the thumb stops; "
          f"JupyterLab's windowing mode {args.windowing}")
    settings = {**bh.LAB_SETTINGS, TRACKER: {"windowingMode": args.windowing}}
    with tempfile.TemporaryDirectory(prefix="coursekit-bench-") as tmp, \
            sync_playwright() as playwright:
        browser = bh.launch_browser(playwright, executable)
        runs = [("browser", bh.LabServer, None)]
        if args.baseline != "none":
            source = checkout(args.baseline, Path(tmp))
            runs.append((f"kernel@{args.baseline[:7]}", BaselineLab, source))
        for label, make, source in runs:
            lab = make(source, settings) if source else make(settings=settings)
            with lab:
                proxy = DelayProxy(lab.port).start()
                try:
                    present = {p.stem for p in lab.root.glob("0*.ipynb")}
                    measure_lab(browser, lab, proxy, label, args, present)
                finally:
                    proxy.stop()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
