"""The refresh tool: stable stored outputs, and never a lost or broken notebook."""

import errno
import os
from pathlib import Path

import nbformat
import pytest

from course_tools import NOTEBOOKS, ROOT, notebook_pairs
from course_tools import refresh as refresh_tool
from course_tools.refresh import (
    WIDGET_STATE,
    WIDGET_VIEW,
    drop_widget_views,
    merge_streams,
    stabilise_widget_state,
)


def stream(name, text):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_consecutive_chunks_of_one_stream_are_joined():
    outputs = [stream("stdout", "a\n"), stream("stdout", "b\n"), stream("stderr", "w\n"),
               nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
               stream("stdout", "c\n")]
    merged = merge_streams(outputs)
    assert [o.output_type for o in merged] == ["stream", "stream", "display_data", "stream"]
    assert merged[0].text == "a\nb\n" and merged[1].name == "stderr" and merged[3].text == "c\n"


def test_widget_views_leave_their_static_fallback_and_a_mark():
    widget = nbformat.v4.new_output(
        "execute_result",
        data={WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
              "image/png": "iVBOR", "text/plain": "Explorer: converges"},
    )
    plain = nbformat.v4.new_output("display_data", data={"text/plain": "x"})
    drop_widget_views([widget, plain])
    assert set(widget.data) == {"image/png", "text/plain"}
    assert widget.metadata["coursekit"] == {"live_widget": True, "model_id": "abc"}
    assert "coursekit" not in plain.get("metadata", {})


def model(name, **state):
    return {"model_name": name, "model_module": "m", "model_module_version": "1", "state": state}


def notebook_showing(view_id, saved):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("explorer", id="c1")
    cell.outputs = [nbformat.v4.new_output(
        "execute_result", data={WIDGET_VIEW: {"model_id": view_id}, "text/plain": "x"})]
    notebook.cells = [cell]
    notebook.metadata["widgets"] = {WIDGET_STATE: {"state": saved, "version_major": 2,
                                                   "version_minor": 0}}
    return notebook


def test_saved_widget_state_keeps_what_is_shown_under_stable_ids():
    ids = {name: f"{n:032x}" for n, name in enumerate(["lay", "box", "slider", "link", "gone"], 1)}

    def ref(name):
        return f"IPY_MODEL_{ids[name]}"

    saved = {
        ids["lay"]: model("LayoutModel"),
        ids["box"]: model("VBoxModel", children=[ref("slider")], layout=ref("lay")),
        ids["slider"]: model("IntSliderModel", value=3),
        ids["link"]: model("LinkModel", source=[ref("slider"), "value"],
                           target=[ref("box"), "x"]),
        ids["gone"]: model("IntSliderModel", value=9),  # made, never shown
    }
    first = notebook_showing(ids["box"], saved)
    stabilise_widget_state(first, "04_x")
    state = first.metadata["widgets"][WIDGET_STATE]["state"]
    assert sorted(m["model_name"] for m in state.values()) == [
        "IntSliderModel", "LayoutModel", "LinkModel", "VBoxModel"]
    assert not any(old in str(state) for old in ids.values())  # every id renamed
    shown = first.cells[0].outputs[0].data[WIDGET_VIEW]["model_id"]
    assert state[shown]["model_name"] == "VBoxModel"
    child = state[shown]["state"]["children"][0].removeprefix("IPY_MODEL_")
    assert state[child]["state"]["value"] == 3
    # The same widgets made again by a new kernel (new random ids): the same bytes.
    renamed = {old: f"{n + 50:032x}" for n, old in enumerate(ids.values())}
    again_saved = eval(repr(saved))  # a deep copy
    text = repr(again_saved)
    for old, new in renamed.items():
        text = text.replace(old, new)
    again = notebook_showing(renamed[ids["box"]], eval(text))
    stabilise_widget_state(again, "04_x")
    assert nbformat.writes(again) == nbformat.writes(first)


def test_no_widget_shown_keeps_no_state():
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["widgets"] = {WIDGET_STATE: {"state": {"a" * 32: model("IntSliderModel")}}}
    stabilise_widget_state(notebook, "01_x")
    assert "widgets" not in notebook.metadata


# --- a refresh never leaves a broken notebook, and says what failed in one line ---

HEADER = """# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# A small lesson.

"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A notebooks folder of the test's own, so no course notebook is touched."""
    monkeypatch.setattr(notebook_pairs, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(refresh_tool, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(refresh_tool, "find_pairs", lambda: notebook_pairs.find_pairs(tmp_path))
    return tmp_path


def lesson(folder, name, code):
    """A lesson .py and an old stored .ipynb (not executed); returns the .ipynb path."""
    (folder / f"{name}.py").write_text(f"{HEADER}# %%\n{code}\n", encoding="utf-8")
    notebook = folder / f"{name}.ipynb"
    old = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("old")])
    notebook.write_text(nbformat.writes(old), encoding="utf-8")
    return notebook


def test_a_write_that_fails_keeps_the_old_notebook_and_says_why(folder, monkeypatch, capsys):
    notebook = lesson(folder, "lesson", "print(1)")
    before = notebook.read_bytes()
    monkeypatch.setattr(refresh_tool, "execute", lambda notebook, pair: None)  # no kernel

    def file_too_large(fd):
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(os, "fsync", file_too_large)
    assert refresh_tool.main(["lesson", "--yes"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("FAILED  lesson: could not write lesson.ipynb: File too large; "
                        "its notebook is unchanged.")
    assert notebook.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["lesson.ipynb", "lesson.py"]


def test_a_failing_lesson_keeps_its_notebook_and_the_others_are_refreshed(folder, capsys,
                                                                          monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "")  # set but empty: the kernels get one thread
    good = lesson(folder, "a_good", "import os\nprint(40 + 2, os.environ['OMP_NUM_THREADS'])")
    bad = lesson(folder, "b_bad", "x = 1 / 0")
    before = bad.read_bytes()
    assert refresh_tool.main(["a_good", "b_bad", "--yes"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ok      a_good (")
    assert lines[1] == ("FAILED  b_bad: cell 1 raised ZeroDivisionError: division by zero; "
                        "its notebook is unchanged.")
    assert lines[2] == f"Refreshed 1 of 2 notebook(s) in {folder}."
    assert bad.read_bytes() == before
    cell = nbformat.read(good, as_version=4).cells[1]
    assert cell.outputs[0].text == "42 1\n"


def test_drift_names_outputs_that_changed_while_the_source_did_not():
    def notebook(picture, text, source="plot()"):
        cell = nbformat.v4.new_code_cell(source, outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": picture,
                                                         "text/plain": "<Figure>"}),
            stream("stdout", text)])
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"), cell])

    old = notebook("AAAA", "1.0\n")
    assert refresh_tool.drift(old, notebook("AAAA", "1.0\n")) == ""
    assert refresh_tool.drift(old, notebook("AAAB", "1.0\n")) == (
        "1 picture changed although the lesson's source did not")
    assert refresh_tool.drift(old, notebook("AAAB", "1.1\n")) == (
        "1 picture and 1 text output changed although the lesson's source did not")
    assert refresh_tool.drift(old, notebook("AAAB", "1.1\n", source="plot(2)")) == ""
    assert refresh_tool.drift(None, old) == ""


@pytest.mark.parametrize("argument", [
    "04_backprop_by_hand", "04_backprop_by_hand.py", "notebooks/04_backprop_by_hand.py",
    "notebooks/04_backprop_by_hand.ipynb", str(NOTEBOOKS / "04_backprop_by_hand.py"),
])
def test_a_lesson_is_named_by_its_name_or_a_path(argument, monkeypatch):
    monkeypatch.chdir(ROOT)  # where course.py runs the tool
    assert refresh_tool.lesson_name(argument) == "04_backprop_by_hand"


def test_solutions_are_named_by_path_too(monkeypatch):
    monkeypatch.chdir(ROOT)
    name = refresh_tool.lesson_name("notebooks/solutions/04_backprop_by_hand_solutions.ipynb")
    assert name == str(Path("solutions", "04_backprop_by_hand_solutions"))
    assert [p.name for p in refresh_tool._select([name])] == [name]


def test_the_kernels_of_a_refresh_compute_the_same_way_on_every_cpu():
    env = refresh_tool.kernel_environment({"OMP_NUM_THREADS": "", "HOME": "/h"})
    assert env["OMP_NUM_THREADS"] == "1" and env["HOME"] == "/h"
    assert env["MKL_CBWR"] == "COMPATIBLE,STRICT" and env["ATEN_CPU_CAPABILITY"] == "avx2"
