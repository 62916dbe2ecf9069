"""pytest plugin for the instructors' check: one summary line per lesson.

Loaded by `python course.py check` (`-p course_tools.nbreport`). It collects the
nbval results of every notebook cell and, at the end, prints per lesson: passed,
or the cells that differ with nbval's expected/actual text, plus the time taken
and which device and torch version ran the check. A lesson also fails when its
notebook cannot be read (corrupt JSON) or is stale (its .py was edited after
the last refresh, so the stored outputs are not the lesson's); either makes the
run exit non-zero, and so does a lesson whose .ipynb is missing (its .py is there,
in a folder the run was given): `FAILED (missing)`. A translated edition
(notebooks/zh-CN/) fails as "translation out of date", naming each English
paragraph its catalog lacks, and an English lesson checked without its edition's
notebook lists that edition too.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .notebook_pairs import Pair, is_jupytext_script, sync_problems
from .translations import Edition, translated_editions
from .translations import problems as edition_problems

MAX_DETAIL_LINES = 30
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class LessonResult:
    cells: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)


class CourseReport:
    def __init__(self, config):
        self.config = config
        self.lessons: dict[str, LessonResult] = defaultdict(LessonResult)
        self.crash_counts: list[str] = []  # tests/test_crash_consistency.py's figures
        self.started = time.perf_counter()
        self.early: Future | None = None  # the controller's own checks, see pytest_sessionstart

    def pytest_sessionstart(self, session):
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker: the controller checks and reports
        # Whether each notebook is stale or its translation out of date, and the
        # "ran on:" line (torch's import), take seconds of their own: work them out
        # while the notebooks run, not after the last one. Nothing here depends on
        # the run; nbval reads the notebooks at the start too.
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="course-report")
        self.early = executor.submit(_early_checks, self.config.rootpath,
                                     _notebooks_given(self.config))
        executor.shutdown(wait=False)

    def _early(self) -> EarlyChecks:
        try:
            return self.early.result() if self.early is not None else EarlyChecks()
        except Exception:  # worked out again at the end, where an error shows as before
            return EarlyChecks()

    def pytest_collectreport(self, report):
        # A notebook nbval cannot read (invalid JSON, say) yields no cells at
        # all: without this it would be missing from the table. Under xdist every
        # worker reports it: keep it once.
        if report.failed and report.nodeid.endswith(".ipynb"):
            failure = ("cannot be read", _crash_message(report))
            if failure not in self.lessons[report.nodeid].failures:
                self.lessons[report.nodeid].failures.append(failure)

    def pytest_sessionfinish(self, session):
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker: the controller checks and reports
        for script in _scripts_without_notebook(self.config):
            notebook = script.with_suffix(".ipynb")
            try:
                shown = notebook.relative_to(self.config.rootpath).as_posix()
            except ValueError:
                shown = str(notebook)
            try:  # the lesson's name as refresh takes it: solutions/NN_name_solutions
                lesson = script.relative_to(self.config.rootpath / "notebooks").with_suffix("")
            except ValueError:
                lesson = script.with_suffix("").name
            self.lessons[shown].failures.append((
                "missing", f"{notebook.name} is missing: run `python course.py refresh "
                f"{Path(lesson).as_posix()}` to make it"))
        early = self._early()
        for path, result in self.lessons.items():
            problems = early.stale[path] if path in early.stale else _stale(
                self.config.rootpath / path)
            if problems:
                script = Path(path).with_suffix(".py").as_posix()
                shown = problems[:5] + [f"(and {len(problems) - 5} more)"] * (len(problems) > 5)
                result.failures.append((
                    "stale", f"its .py was edited after the last refresh; run "
                    f"`python course.py refresh {script}`\n" + "\n".join(shown)))
        for checked in list(self.lessons):
            found = early.translations[checked] if checked in early.translations else \
                _translation_problems_of(self.config.rootpath, checked)
            for path, kind, detail in found:
                self.lessons[path].failures.append((kind, detail))
        if any(result.failures for result in self.lessons.values()) and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        # nbval keeps the stored and the fresh outputs on the item: keep their
        # text (sanitized as nbval compares it) with the report, across xdist.
        report = (yield).get_result()
        compared = getattr(item, "test_outputs", None) is not None
        if report.failed and call.when == "call" and compared:
            report.user_properties.append(("expected", _output_text(item, item.cell.outputs)))
            report.user_properties.append(("actual", _output_text(item, item.test_outputs)))

    def pytest_runtest_logreport(self, report):
        if report.when == "call":
            self.crash_counts += [value for name, value in report.user_properties
                                  if name == "crash-consistency"]
        path, _, cell = report.nodeid.partition("::")
        if not path.endswith(".ipynb"):
            return
        lesson = self.lessons[path]
        lesson.seconds += report.duration
        if report.when == "call":
            lesson.cells += 1
        if report.failed:
            texts = dict(report.user_properties)
            if "expected" in texts:
                detail = (f"expected (stored in the notebook):\n{texts['expected']}\n"
                          f"actual (this run):\n{texts['actual']}")
            else:  # an exception, a timeout: nbval's own report
                detail = ANSI.sub("", report.longreprtext)
            lesson.failures.append((cell or report.when, detail))

    def pytest_terminal_summary(self, terminalreporter):
        write = terminalreporter.write_line
        terminalreporter.section("course check: per lesson")
        for path in sorted(self.lessons):
            result = self.lessons[path]
            status = "PASSED" if not result.failures else f"FAILED ({_kinds(result.failures)})"
            write(f"{status:<22} {path:<55} {result.cells:>3} cells  {result.seconds:6.1f} s")
            for cell, detail in result.failures:
                write(f"    --- {cell} ---")
                for line in _trim(detail):
                    write(f"    {line}")
        write(f"ran on: {self._early().environment or describe_environment()}")
        write(f"wall time: {time.perf_counter() - self.started:.1f} s")
        if self.crash_counts:
            terminalreporter.section("crash consistency: faults injected per command")
            for line in sorted(self.crash_counts):
                write(line)
            faults, invariants = (sum(int(re.search(rf"(\d+) {word}", line).group(1))
                                      for line in self.crash_counts)
                                  for word in ("faults", "invariants"))
            write(f"in all: {faults} faults injected, {invariants} invariants checked")


# failures that are not a cell's
WHOLE_LESSON = ("stale", "cannot be read", "missing", "translation out of date")


def _kinds(failures: list[tuple[str, str]]) -> str:
    """'2 cell(s)', 'stale', 'cannot be read', 'missing', 'translation out of date',
    or several of these."""
    cells = sum(1 for label, _ in failures if label not in WHOLE_LESSON)
    kinds = [f"{cells} cell(s)"] if cells else []
    return ", ".join(kinds + [label for label, _ in failures if label in WHOLE_LESSON])


def _scripts_without_notebook(config) -> list[Path]:
    """Lesson scripts (jupytext, header first) with no .ipynb beside them, in the
    folders this run was given."""
    found = []
    for argument in config.args:
        folder = Path(config.invocation_params.dir, argument.split("::")[0])
        if not folder.is_dir():
            continue
        for script in sorted(folder.rglob("*.py")):
            if ".ipynb_checkpoints" in script.parts or script.with_suffix(".ipynb").exists():
                continue
            try:
                head = script.read_text(encoding="utf-8")[:600]
            except (OSError, UnicodeDecodeError):
                continue
            if head.startswith("# ---\n# jupyter:\n") and "jupytext:" in head:
                found.append(script)
    return found


def _crash_message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message
    lines = [line for line in ANSI.sub("", report.longreprtext).splitlines() if line.strip()]
    return lines[-1] if lines else "collection failed"


def _stale(notebook: Path) -> list[str]:
    """What differs between a notebook and its .py, when the .py is a lesson's."""
    script = notebook.with_suffix(".py")
    if not (notebook.exists() and script.exists() and is_jupytext_script(script)):
        return []
    try:
        return sync_problems(Pair(script, notebook))
    except Exception:  # unreadable: reported by collection already
        return []


def _translation_problems(root: Path, checked: list[str]) -> list[tuple[str, str, str]]:
    """(notebook path, kind, detail) for the translated editions among the checked
    notebooks, and for the missing edition notebooks of the checked English lessons."""
    return [problem for path in checked for problem in _translation_problems_of(root, path)]


def _translation_problems_of(root: Path, path: str) -> list[tuple[str, str, str]]:
    """`_translation_problems` of one checked notebook (a path relative to `root`)."""
    try:
        return [(edition.notebook.relative_to(root).as_posix(), kind, detail)
                for edition in _editions_to_check(root / path)
                for kind, detail in edition_problems(edition)]
    except Exception:  # unreadable: reported by collection already
        return []


@dataclass
class EarlyChecks:
    """What the controller works out while the notebooks run (empty: work it out at the end)."""

    environment: str = ""
    stale: dict[str, list[str]] = field(default_factory=dict)  # by path relative to the root
    translations: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)


def _notebooks_given(config) -> list[str]:
    """The notebooks this run checks (the folders and files it was given), relative to the
    root, as pytest names them; any it names otherwise are checked at the end instead."""
    found = []
    for argument in config.args:
        given = Path(config.invocation_params.dir, argument.split("::")[0])
        notebooks = sorted(given.rglob("*.ipynb")) if given.is_dir() else [given]
        for notebook in notebooks:
            if ".ipynb_checkpoints" in notebook.parts or notebook.suffix != ".ipynb":
                continue
            try:
                found.append(notebook.absolute().relative_to(config.rootpath).as_posix())
            except ValueError:
                continue
    return found


def _early_checks(root: Path, notebooks: list[str]) -> EarlyChecks:
    return EarlyChecks(
        environment=describe_environment(),
        stale={path: _stale(root / path) for path in notebooks},
        translations={path: _translation_problems_of(root, path) for path in notebooks})


def _editions_to_check(notebook: Path) -> list[Edition]:
    """The edition a checked notebook is, or the missing editions of an English lesson."""
    edition = Edition.for_notebook(notebook)
    if edition is not None:
        return [edition]
    script = notebook.with_suffix(".py")
    if not (script.exists() and is_jupytext_script(script)):
        return []
    return [edition for edition in translated_editions(script) if not edition.notebook.exists()]


def _output_text(item, outputs) -> str:
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream":
            parts.append(f"[{output['name']}] {output['text']}")
        elif output.get("output_type") == "error":
            parts.append(f"[error] {output['ename']}: {output['evalue']}")
        elif "text/plain" in output.get("data", {}):
            parts.append(output["data"]["text/plain"])
    return item.sanitize("\n".join(parts).rstrip()) or "(no output)"


def _trim(text: str) -> list[str]:
    # nbval's report ends with the expected/actual comparison: keep the end.
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_DETAIL_LINES:
        lines = ["..."] + lines[-MAX_DETAIL_LINES:]
    return lines


def describe_environment() -> str:
    import platform

    import torch

    from coursekit.device import DeviceError, choose_device

    try:
        device, reason = choose_device()
        where = f"device {device} ({reason})"
    except DeviceError as exc:
        where = f"no usable device: {exc}"
    return f"{where}; torch {torch.__version__}; Python {platform.python_version()}"


def pytest_configure(config):
    config.pluginmanager.register(CourseReport(config), "coursekit-course-report")
