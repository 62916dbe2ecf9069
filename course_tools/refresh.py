"""Maintainers' refresh: rebuild each .ipynb from its .py and execute it in place.

    python course.py refresh                 # every lesson and solution (asks first)
    python course.py refresh 04_backprop_by_hand solutions/04_backprop_by_hand_solutions --yes
    python course.py refresh notebooks/04_backprop_by_hand.py --yes   # paths work too
    python course.py refresh zh-CN/04_backprop_by_hand --yes          # the Chinese edition

Tests never call this; it is the only thing in the project that writes notebooks.
Each notebook is replaced atomically once its lesson ran to the end: a failure,
Ctrl+C or a kill leaves the old notebook exactly as it was.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import sys
import threading
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from . import NOTEBOOKS, ROOT
from .files import write_atomic
from .notebook_pairs import Pair, find_pairs, sync_problems
from .translations import Edition, TranslationMissing, build, editions, problems

TIMEOUT_S = 900
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# The kernels a refresh starts compute the stored numbers and pictures the same
# way on any x86 CPU. Left alone, MKL and torch pick their code by CPU (MKL runs
# other matrix code on AMD than on Intel; torch uses AVX-512 where it exists),
# the last bits of the losses differ, and a refresh of an unchanged lesson
# redraws its loss curves some hundred pixels differently on each machine.
REPRODUCIBLE = {
    "OMP_NUM_THREADS": "1",  # a thread count changes how sums are split
    "MKL_NUM_THREADS": "1",
    # MKL's CPU-independent code path (Intel's CNR mode); STRICT: also whatever
    # the memory alignment of the arrays.
    "MKL_CBWR": "COMPATIBLE,STRICT",
    "ATEN_CPU_CAPABILITY": "avx2",  # torch's AVX2 kernels, also on AVX-512 CPUs
}
if platform.machine().lower() not in {"x86_64", "amd64"}:  # no MKL, no AVX (Apple, ARM)
    del REPRODUCIBLE["MKL_CBWR"], REPRODUCIBLE["ATEN_CPU_CAPABILITY"]


def kernel_environment(base: dict[str, str]) -> dict[str, str]:
    """The environment for a refresh's kernels: `base` with the settings above."""
    return {**base, "PYDEVD_DISABLE_FILE_VALIDATION": "1", **REPRODUCIBLE}


class RefreshFailed(Exception):
    """A lesson could not be refreshed; its message is one line, the cause."""


def refresh(pair: Pair) -> tuple[float, str]:
    """Execute the .py top to bottom in a fresh kernel; replace the .ipynb atomically.

    Returns (seconds, drift): drift says which stored outputs changed although the
    lesson's source did not ("" when none did). Raises RefreshFailed, leaving the
    old notebook as it was, when the lesson fails to run or cannot be written.
    """
    old = _read_old(pair)
    notebook = _source(pair)
    for index, cell in enumerate(notebook.cells):
        # jupytext invents random cell ids; derive them so a refresh of an
        # unchanged lesson changes nothing in git.
        cell.id = hashlib.sha1(f"{index}:{cell.source}".encode()).hexdigest()[:8]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    started = time.perf_counter()
    execute(notebook, pair)
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    # The website (course_tools/site.py) brings the explorers back to life from
    # this saved state, with no kernel; its model ids are made stable.
    stabilise_widget_state(notebook, pair.name)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            drop_widget_views(cell.outputs)
    try:
        write_atomic(pair.notebook, nbformat.writes(notebook) + "\n")
    except OSError as exc:
        raise RefreshFailed(f"could not write {pair.notebook.name}: {exc.strerror or exc}") from exc
    if not isinstance(pair, Edition):  # an edition's .py is the English lesson's
        # Touch the script so it is never newer than its notebook after a refresh.
        os.utime(pair.script, (time.time() - 1,) * 2)
    return time.perf_counter() - started, drift(old, notebook)


def _source(pair: Pair | Edition):
    """The notebook to execute: the lesson's .py, or an edition built from it."""
    if not isinstance(pair, Edition):
        return jupytext.read(pair.script)
    try:
        notebook = build(pair)  # the English code, the catalog's Markdown
    except TranslationMissing as exc:
        raise RefreshFailed(str(exc)) from None
    pair.notebook.parent.mkdir(parents=True, exist_ok=True)  # its kernel runs there
    return notebook


def execute(notebook, pair: Pair) -> None:
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(pair.notebook.parent)}},
    )
    error = _in_worker_thread(lambda: client.execute(env=kernel_environment(dict(os.environ))))
    if isinstance(error, CellExecutionError):
        cells = [i for i, c in enumerate(notebook.cells)
                 if any(o.output_type == "error" for o in c.get("outputs", []))]
        where = f"cell {cells[0]}" if cells else "a cell"
        raise RefreshFailed(f"{where} raised {error.ename}: {_one_line(error.evalue)}") from error
    if isinstance(error, (CellTimeoutError, DeadKernelError)):
        raise RefreshFailed(f"{type(error).__name__}: {_one_line(str(error))}") from error
    if error is not None:
        raise error


def _in_worker_thread(work) -> BaseException | None:
    """Run `work` in a thread; return what it raised (None if nothing).

    Ctrl+C then reaches this, the main thread, as a plain KeyboardInterrupt:
    in the main thread nbclient would catch it itself, shut the kernel down and
    end with an asyncio CancelledError traceback.
    """
    raised = []

    def target():
        try:
            work()
        except BaseException as exc:  # handed to the main thread
            raised.append(exc)

    worker = threading.Thread(target=target, name="refresh-kernel", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
    return raised[0] if raised else None


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_old(pair: Pair):
    try:
        return nbformat.read(pair.notebook, as_version=4)
    except Exception:  # missing or corrupt: nothing to compare with
        return None


def drift(old, new) -> str:
    """Which outputs changed although no cell's source did ("" when none).

    A refresh of an unchanged lesson should reproduce its notebook exactly;
    anything else is drift in the machine's numbers or drawing, worth a look.
    """
    if old is None or [c.source for c in old.cells] != [c.source for c in new.cells]:
        return ""
    pictures = texts = 0
    for before, after in zip(old.cells, new.cells, strict=True):
        if before.cell_type != "code" or before.outputs == after.outputs:
            continue
        if _pictures(before.outputs) != _pictures(after.outputs):
            pictures += 1
        if _without_pictures(before.outputs) != _without_pictures(after.outputs):
            texts += 1
    changed = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in
               ((pictures, "picture"), (texts, "text output")) if n]
    if not changed:
        return ""
    return f"{' and '.join(changed)} changed although the lesson's source did not"


def _pictures(outputs) -> list:
    return [o.get("data", {}).get("image/png") for o in outputs]


def _without_pictures(outputs) -> list:
    return [{k: v for k, v in o.items() if k != "data"}
            | {"data": {k: v for k, v in o.get("data", {}).items() if k != "image/png"}}
            for o in outputs]


def merge_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks, so how fast a cell printed
    does not change the stored notebook."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def drop_widget_views(outputs: list) -> None:
    """Keep a widget's static fallback (PNG, text), not its live view.

    A stored view makes JupyterLab show "Error displaying widget: model not
    found" where the picture could be, once its kernel is gone. The output is
    marked instead, with the id of the model it showed: tests know a live
    widget belongs there, and the website puts the view back in its place.
    """
    for output in outputs:
        view = output.get("data", {}).pop(WIDGET_VIEW, None)
        if view is not None:
            mark = {"live_widget": True}
            if view.get("model_id"):
                mark["model_id"] = view["model_id"]
            output.setdefault("metadata", {})["coursekit"] = mark


def stabilise_widget_state(notebook, name: str) -> None:
    """Keep the saved state of the widgets a cell shows, under stable model ids.

    nbclient saves the state of every widget the kernel made, under random
    ids. Kept: the models the shown views need (children, layouts, styles) and
    the browser-side links between them (jslink); dropped: widgets nothing
    shows. Each kept id becomes a hash of the notebook's name and the order
    the kernel made it in, so a refresh of an unchanged lesson writes the same
    bytes and a diff shows only what changed.
    """
    saved = notebook.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    shown = [output["data"][WIDGET_VIEW]["model_id"]
             for cell in notebook.cells if cell.cell_type == "code"
             for output in cell.outputs if WIDGET_VIEW in output.get("data", {})]
    kept = _needed_models(saved, [m for m in shown if m in saved])
    if not kept:
        return
    new_ids = {old: hashlib.sha1(f"{name}:{n}".encode()).hexdigest()[:32]
               for n, old in enumerate(m for m in saved if m in kept)}
    text = json.dumps({old: saved[old] for old in new_ids})
    for old, new in new_ids.items():
        text = text.replace(old, new)
    state = {new_ids[old]: model for old, model in zip(new_ids, json.loads(text).values(),
                                                       strict=True)}
    notebook.metadata["widgets"] = {
        WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = new_ids.get(view["model_id"], view["model_id"])


def _references(model: dict) -> set[str]:
    """The model ids a model's state points at ("IPY_MODEL_<id>" strings)."""
    return set(re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(model)))


def _needed_models(saved: dict, shown: list[str]) -> set[str]:
    """The models the shown ones reach, and the links (jslink) between them."""
    kept: set[str] = set()
    todo = list(shown)
    while todo:
        model = todo.pop()
        if model in saved and model not in kept:
            kept.add(model)
            todo.extend(_references(saved[model]))
    for model_id, model in saved.items():
        refs = _references(model)
        if model.get("model_name", "").endswith("LinkModel") and refs and refs <= kept:
            kept.add(model_id)
    return kept


def _select(names: list[str]) -> list[Pair]:
    pairs = find_pairs() + editions(notebooks=NOTEBOOKS)
    if not names:
        return pairs
    by_name = {p.name: p for p in pairs}
    wanted = [lesson_name(n) for n in names]
    missing = [n for n, name in zip(names, wanted, strict=True) if name not in by_name]
    if missing:
        sys.exit(f"No lesson named {missing}. Lessons: {', '.join(by_name)}")
    return [by_name[name] for name in wanted]


def lesson_name(argument: str) -> str:
    """A lesson's name from a name or a path to its .py or .ipynb:
    `04_backprop_by_hand`, `notebooks/04_backprop_by_hand.py`, an absolute path."""
    path = Path(argument)
    if path.suffix in {".py", ".ipynb"}:
        path = path.with_suffix("")
    for base in (Path.cwd(), ROOT, NOTEBOOKS):  # a path from here, or from the course folder
        try:
            return str((base / path).resolve().relative_to(NOTEBOOKS.resolve()))
        except ValueError:
            continue
    return str(path)


def ask(question: str) -> bool:
    try:
        answer = input(question)
    except (EOFError, RuntimeError, OSError):  # stdin at its end, closed or gone: no one to ask
        answer = ""
    except KeyboardInterrupt:  # Ctrl+C at the question: a no
        print()
        answer = ""
    return answer.strip().lower() in {"y", "yes"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course.py refresh", description=__doc__.split("\n")[0])
    parser.add_argument("lessons", nargs="*",
                        help="names like 01_tensors, or paths to their .py/.ipynb (default: all)")
    parser.add_argument("--yes", action="store_true", help="do not ask before overwriting")
    args = parser.parse_args(argv)
    pairs = _select(args.lessons)
    names = ", ".join(p.name for p in pairs)
    if not args.yes and not ask(
        f"Overwrite the outputs of {len(pairs)} notebook(s) ({names})? [y/N] "
    ):
        print("Nothing changed.")
        return 1
    done = failures = 0
    try:
        for pair in pairs:
            try:
                seconds, drifted = refresh(pair)
            except Exception as exc:  # report in one line and go on with the other lessons
                failures += 1
                reason = exc if isinstance(exc, RefreshFailed) else f"{type(exc).__name__}: {exc}"
                print(f"FAILED  {pair.name}: {_one_line(reason)}; its notebook is unchanged.",
                      flush=True)
                continue
            done += 1
            leftover = " OUT OF SYNC" if (problems(pair) if isinstance(pair, Edition)
                                          else sync_problems(pair)) else ""
            print(f"ok      {pair.name} ({seconds:.1f} s){leftover}", flush=True)
            if drifted:
                print(f"DRIFT   {pair.name}: {drifted}", flush=True)
    except KeyboardInterrupt:
        print(f"\nInterrupted: {done} of {len(pairs)} notebook(s) refreshed; "
              "the others are unchanged.", flush=True)
        # Leave at once, without waiting for the kernel client's thread: the kernel
        # notices that its parent is gone and ends itself within a second.
        os._exit(130)
    print(f"Refreshed {done} of {len(pairs)} notebook(s) in {NOTEBOOKS}.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
