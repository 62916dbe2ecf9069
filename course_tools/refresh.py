"""Maintainers' refresh: rebuild each .ipynb from its .py and execute it in place.

    python course.py refresh                 # every lesson and solution (asks first)
    python course.py refresh 04_backprop_by_hand solutions/04_backprop_by_hand_solutions --yes

Tests never call this; it is the only thing in the project that writes notebooks.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time

import jupytext
import nbformat
from nbclient import NotebookClient

from .notebook_pairs import NOTEBOOKS, Pair, find_pairs, sync_problems

TIMEOUT_S = 900
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def refresh(pair: Pair) -> float:
    """Execute the .py top to bottom in a fresh kernel; write the .ipynb. Returns seconds."""
    notebook = jupytext.read(pair.script)
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
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(pair.script.parent)}},
    )
    client.execute()
    # Widget state holds random model ids: drop it so diffs stay reviewable.
    notebook.metadata.pop("widgets", None)
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
            drop_widget_views(cell.outputs)
    nbformat.write(notebook, pair.notebook)
    # Touch the script so it is never newer than its notebook after a refresh.
    os.utime(pair.script, (time.time() - 1,) * 2)
    return time.perf_counter() - started


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

    A stored view points at a widget model that only exists while its kernel
    runs: opened later, JupyterLab would show "Error displaying widget: model
    not found" where the picture could be, and its random id would churn in git.
    The output is marked, so tests know a live widget belongs there.
    """
    for output in outputs:
        if WIDGET_VIEW in output.get("data", {}):
            del output["data"][WIDGET_VIEW]
            output.setdefault("metadata", {})["coursekit"] = {"live_widget": True}


def _select(names: list[str]) -> list[Pair]:
    pairs = find_pairs()
    if not names:
        return pairs
    by_name = {p.name: p for p in pairs}
    missing = [n for n in names if n.removesuffix(".py").removesuffix(".ipynb") not in by_name]
    if missing:
        sys.exit(f"No lesson named {missing}. Lessons: {', '.join(by_name)}")
    return [by_name[n.removesuffix(".py").removesuffix(".ipynb")] for n in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course.py refresh", description=__doc__.split("\n")[0])
    parser.add_argument("lessons", nargs="*", help="names like 01_tensors (default: all)")
    parser.add_argument("--yes", action="store_true", help="do not ask before overwriting")
    args = parser.parse_args(argv)
    pairs = _select(args.lessons)
    if not args.yes:
        names = ", ".join(p.name for p in pairs)
        try:
            answer = input(f"Overwrite the outputs of {len(pairs)} notebook(s) ({names})? [y/N] ")
        except EOFError:  # no one to ask (CI, a pipe): the answer is no
            answer = ""
        if answer.strip().lower() not in {"y", "yes"}:
            print("Nothing changed.")
            return 1
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    failures = 0
    for pair in pairs:
        try:
            seconds = refresh(pair)
        except Exception as exc:  # report and go on with the other lessons
            failures += 1
            print(f"FAILED  {pair.name}: {type(exc).__name__}: {str(exc)[-2000:]}")
            continue
        leftover = sync_problems(pair)
        print(f"ok      {pair.name} ({seconds:.1f} s){' OUT OF SYNC' if leftover else ''}")
    print(f"Refreshed {len(pairs) - failures} of {len(pairs)} notebook(s) in {NOTEBOOKS}.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
