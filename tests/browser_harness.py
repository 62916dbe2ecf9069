"""A real JupyterLab server and a headless Chromium, for the browser tests and benchmarks.

Used by tests/test_browser.py and benchmarks/bench_browser.py. The server serves
lessons the way `course.py lab` does, from a my-work/ folder made by the same
workspace code, with the same server settings; that my-work/ is temporary, as
are its Jupyter config, data, runtime and settings directories, so nothing here
touches the repository. It listens on a free loopback port with a random token.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # course_tools is never installed; benchmarks import us too
    sys.path.insert(0, str(ROOT))
from course_tools import workspace  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"

# Debian's chromium, headless, isolated: no sandbox (containers, root), no GPU,
# nothing that would reach the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# JupyterLab user settings for the test server: every cell stays in the DOM
# (no virtualised "windowing"), and no news or update toasts cover the page.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
# A rendered widget view: an output whose child is a widget (it has no data-mime-type):
# ipywidgets' own, or an explorer (an anywidget view that draws its own controls).
WIDGET_OUTPUT = ".jp-OutputArea-output:has(> .jupyter-widgets, > .coursekit-explorer)"


def find_chromium() -> str | None:
    """COURSEKIT_CHROMIUM if set, else the first Chromium-like browser on PATH.

    Ubuntu's `chromium-browser` is a wrapper around the snap, whose confinement
    breaks Playwright's launch (private /tmp, snap-confine): skip it, and take
    Google Chrome (preinstalled on GitHub's Ubuntu runners) instead.
    """
    explicit = os.environ.get("COURSEKIT_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found and not _is_snap(found):
            return found
    return None


def _is_snap(path: str) -> bool:
    real = Path(path).resolve()
    if str(real).startswith("/snap/") or real.name == "snap":
        return True
    try:  # a small shell script that execs the snap
        head = real.read_bytes()[:8192] if real.stat().st_size < 8192 else b""
    except OSError:
        return False
    return head.startswith(b"#!") and b"/snap/" in head


def launch_browser(playwright, executable: str):
    """Headless Chromium with a fresh profile (Playwright makes a temporary one)."""
    return playwright.chromium.launch(executable_path=executable, headless=True,
                                      args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lesson_names() -> list[str]:
    """The lessons present now: notebooks/0*.ipynb, without the suffix."""
    return sorted(p.stem for p in NOTEBOOKS.glob("0*.ipynb"))


def expected_widget_views(name: str) -> int:
    """How many widget views the committed notebook shows (its stored outputs)."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    # refresh stores the static fallback of a widget and marks the output.
    return sum(
        output.get("metadata", {}).get("coursekit", {}).get("live_widget", False)
        for cell in notebook["cells"] if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
    )


def code_sources(name: str) -> list[str]:
    """The source of every code cell of the committed notebook."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


class LabServer:
    """`jupyter lab --no-browser` on a temporary my-work/; a context manager."""

    def __init__(self, startup_timeout: float = 120, settings: dict | None = None):
        self.startup_timeout = startup_timeout
        self.settings = LAB_SETTINGS if settings is None else settings
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="coursekit-lab-")
        self.tmp = Path(self._tmp.name)
        self.root = self.tmp / "my-work"
        self.log_path = self.tmp / "jupyter.log"

    def url(self, path: str) -> str:
        """An address on the server that logs the browser in with the token."""
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"

    def _prepare(self) -> dict:
        workspace.sync(ROOT, self.root, report=lambda line: None)  # as `course.py lab` does
        for relative, values in self.settings.items():
            path = self.tmp / "lab-settings" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ)
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
            env[var] = str(self.tmp / var.lower())
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self.tmp / "lab-settings")
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(self.tmp / "lab-workspaces")
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        # Kernels run from the same environment as the server (the course's .venv).
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        return env

    def start(self) -> LabServer:
        env = self._prepare()
        command = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            *workspace.lab_arguments(self.root),  # localhost, root_dir: course.py lab's
            f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--LabApp.user_settings_dir={self.tmp / 'lab-settings'}",
            f"--LabApp.workspaces_dir={self.tmp / 'lab-workspaces'}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=",
        ]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(command, cwd=self.tmp, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{self.log()}")
            if self._status_ok():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {self.startup_timeout} s")

    def _status_ok(self) -> bool:
        request = urllib.request.Request(f"{self.base}/api/status",
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.base}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self, path: str | None = None) -> None:
        """End the sessions (and their kernels) of one notebook, or of all."""
        for session in self._api("/api/sessions"):
            if path is None or session["path"] == path:
                self._api(f"/api/sessions/{session['id']}", method="DELETE")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """Ask the server to shut down (it stops its kernels), then terminate, then kill."""
        if self.process is not None and self.process.poll() is None:
            request = urllib.request.Request(f"{self.base}/api/shutdown", method="POST",
                                             headers={"Authorization": f"token {self.token}"})
            try:
                urllib.request.urlopen(request, timeout=5).close()
            except (urllib.error.URLError, OSError):
                pass
            for stop in (None, self.process.terminate, self.process.kill):
                if stop is not None:
                    stop()
                try:
                    self.process.wait(timeout=10)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if hasattr(self, "_log"):
            self._log.close()
        self._tmp.cleanup()

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- driving JupyterLab like a student ---------------------------------------------


PROMPTS_JS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent.trim())"""


def prompts(page) -> list[str]:
    """The execution prompts of the open notebook's code cells: '[3]:', '[*]:', '[ ]:'."""
    return page.evaluate(PROMPTS_JS)


def open_notebook(page, server: LabServer, name: str, timeout: float = 120_000) -> None:
    """Open a lesson in a fresh workspace; wait until every cell is there and the kernel idle."""
    page.goto(server.url(f"/lab/tree/{name}.ipynb?reset"))
    count = len(code_sources(name))
    page.wait_for_function(f"() => ({PROMPTS_JS})().length === {count}", timeout=timeout)
    wait_kernel_idle(page, timeout)
    # Select the first code cell (command mode) so the menus act on this notebook.
    page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt").first.click()


def wait_kernel_idle(page, timeout: float = 120_000) -> None:
    """The status bar reads "Python 3 (ipykernel) | Idle" (a kernel started and is idle)."""
    page.wait_for_function(
        "() => /\\| Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText ?? '')",
        timeout=timeout,
    )


def menu(page, top: str, command: str) -> None:
    """Click a JupyterLab menu entry, e.g. menu(page, "Run", "runmenu:run-all")."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{top}$")).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def run_all_cells(page, name: str, timeout: float = 300_000) -> None:
    """Edit → Clear Outputs of All Cells, Run → Run All Cells; wait until all ran, in order.

    The committed notebook already shows [1], [2]...: clearing first makes the
    numbers that come back proof that this kernel ran each cell. A fresh kernel
    numbers its executions 1, 2, 3..., and empty cells are not sent to it.
    """
    sources = code_sources(name)
    menu(page, "Edit", "editmenu:clear-all")
    page.wait_for_function(f"() => ({PROMPTS_JS})().every(p => !/\\d/.test(p))",
                           timeout=30_000)
    assert len(prompts(page)) == len(sources)
    menu(page, "Run", "runmenu:run-all")
    expected, n = [], 0
    for source in sources:
        n += bool(source.strip())
        expected.append(f"[{n}]:" if source.strip() else "[ ]:")
    # Done when every cell shows its number; an error stops Run All, so stop
    # waiting at the first error (or any stderr) output and report it.
    page.wait_for_function(
        f"expected => {{ const got = ({PROMPTS_JS})(); return (got.length === expected.length"
        " && got.every((p, i) => p === expected[i]))"
        f" || document.querySelector('{STDERR_OUTPUT}') !== null; }}",
        arg=expected, timeout=timeout,
    )
    wait_kernel_idle(page, timeout)
    stderr = page.locator(STDERR_OUTPUT)
    if stderr.count():
        raise AssertionError(f"{name}: error output in JupyterLab:\n{stderr.first.inner_text()}")


def slider(page, description: str):
    """The explorer control (a row: label, range input, readout) labelled `description`."""
    return page.locator(".ck-control").filter(
        has=page.locator(".ck-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    )


def thumb(control):
    """A control's <input type=range>."""
    return control.locator("input[type=range]")


def readout(control) -> str:
    """The value a control shows beside its track (a box to type into, or an <output>)."""
    box = control.locator(".ck-readout")
    return box.evaluate("e => e.value ?? e.textContent")


def type_into_readout(page, control, value) -> None:
    """Edit a slider's readout the way a student does: click, select all, type, Enter."""
    box = control.locator(".ck-readout")
    box.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")


def explorer(page, control):
    """The explorer box (widget output) that holds a given control."""
    return page.locator(WIDGET_OUTPUT).filter(has=control)


# --- explorers drawn in the browser (coursekit.browser_explorer) ----------------------

VERDICT = ".coursekit-verdict"  # the explorer's verdict line, above its canvas


def canvas(box):
    """The explorer's <canvas> (its view counts its frames in data-frames)."""
    return box.locator(".coursekit-explorer canvas.ck-picture").first


def frames(box) -> int:
    """How many frames the explorer's canvas has drawn so far."""
    return int(canvas(box).get_attribute("data-frames") or 0)


def canvas_digest(box) -> str:
    """A short fingerprint of the canvas pixels (changes when the picture changes)."""
    return canvas(box).evaluate(
        "c => { const d = c.toDataURL(); let h = 0;"
        " for (let i = 0; i < d.length; i++) h = (h * 31 + d.charCodeAt(i)) | 0;"
        " return `${d.length}:${h}`; }")


def thumb_centre(range_input) -> tuple[float, float]:
    """Where a range input's thumb is on the page (its value's place along the track)."""
    return range_input.evaluate("""r => { const b = r.getBoundingClientRect();
        const f = (Number(r.value) - Number(r.min)) / (Number(r.max) - Number(r.min));
        const half = 8;  // Chromium's thumb: 16 px wide
        return [b.left + half + f * (b.width - 2 * half), b.top + b.height / 2]; }""")


def settle_layout(page) -> None:
    """Wait two animation frames: sections scrolled into view (the website skips
    drawing those off screen) take their real height, and what is below moves."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def drag_thumb(page, control, dx: float, steps: int, release: bool = True) -> None:
    """Drag a slider's thumb by `dx` pixels in `steps` mouse moves, like a hand does
    (and let go of it, unless `release` is false)."""
    thumb(control).scroll_into_view_if_needed()
    settle_layout(page)
    x, y = thumb_centre(thumb(control))
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(x + dx * i / steps, y)
    if release:
        page.mouse.up()
