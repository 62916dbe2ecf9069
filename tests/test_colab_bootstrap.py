"""The bootstrap cell, proven the way Colab meets it: a Python without coursekit.

Offline stand-ins for Colab: a fresh virtual environment that sees this
environment's packages (torch, ipywidgets, ipykernel... as Colab has them) but
not coursekit; the course served from a local git repository (a `git+file://`
address instead of GitHub); pip with no index, so it can only take what is
already installed plus the course's own repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
import venv
from pathlib import Path

import jupytext
import nbformat
import pytest
from course_copy import copy_listed
from nbclient import NotebookClient

from course_tools import ROOT
from course_tools.bootstrap import bootstrap_cell

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists() or os.name == "nt",
    reason="needs git, a git checkout of the course, and a POSIX venv layout",
)

LESSON = ROOT / "notebooks" / "00_setup_check.py"


@pytest.fixture
def fresh_python(tmp_path: Path) -> Path:
    """A new venv seeing every package of ours except coursekit, through a folder of links.

    A .pth line in the new venv adds that folder to sys.path; .pth files inside a
    folder added that way are not processed, and coursekit's own files (its
    editable-install .pth and its dist-info, which pip would take as "installed")
    are left out of the folder altogether.
    """
    ours = Path(sysconfig.get_paths()["purelib"])
    shared = tmp_path / "shared-packages"
    shared.mkdir()
    for entry in ours.iterdir():
        if entry.suffix == ".pth" or entry.name.lower().startswith(("coursekit", "__editable__")):
            continue
        (shared / entry.name).symlink_to(entry)
    env_dir = tmp_path / "fresh-venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run([python, "-c", where], capture_output=True, text=True,
                             check=True).stdout.strip()
    Path(purelib, "shared-packages.pth").write_text(f"{shared}\n")
    probe = subprocess.run([python, "-c", "import coursekit"], capture_output=True, text=True,
                           env=_offline_env())
    assert "No module named 'coursekit'" in probe.stderr, "the fresh venv must lack coursekit"
    return python


@pytest.fixture
def course_repository(tmp_path: Path) -> Path:
    """The course's current files (committed or not, less what git ignores) in a new git repo."""
    repo = copy_listed(tmp_path / "course.git")
    git = ["git", "-c", "user.name=course", "-c", "user.email=course@localhost"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "course"]):
        subprocess.run([*git, *command], cwd=repo, check=True)
    return repo


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,  # this machine's pip settings play no part
        PIP_NO_INDEX="1",  # no PyPI: only what is installed and the course's repository
        PIP_NO_BUILD_ISOLATION="0",  # "0" means no isolation: build with our setuptools
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        OMP_NUM_THREADS="1",
    )
    return env


def run_in_kernel(python: Path, cells: list[str], workdir: Path, monkeypatch) -> list:
    """Run `cells` in a kernel of `python`; return the executed notebook's cells."""
    spec = workdir / "kernels" / "fresh"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "fresh", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(workdir))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(notebook, kernel_name="fresh", timeout=300, allow_errors=True,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute(env=_offline_env())
    return notebook.cells


def lesson_code_cells() -> list[str]:
    return [c.source for c in jupytext.read(LESSON).cells if c.cell_type == "code"]


def problems(cell) -> list[str]:
    return [o.get("ename") or o.get("text", "") for o in cell.outputs
            if o.output_type == "error" or o.get("name") == "stderr"]


def test_bootstrap_installs_coursekit_and_the_lesson_runs(
        fresh_python, course_repository, tmp_path, monkeypatch):
    address = f"file://localhost{course_repository}"  # pip needs a host in a git+file URL
    lesson = lesson_code_cells()
    assert lesson[1].startswith("device = coursekit.setup(")
    cells = run_in_kernel(
        fresh_python,
        [bootstrap_cell(address), *lesson[1:], "print(coursekit.__file__)"],
        tmp_path, monkeypatch,
    )
    assert cells[0].outputs == [], "the bootstrap must install silently"
    for index, cell in enumerate(cells):
        assert not problems(cell), f"cell {index} of {LESSON.name} failed: {problems(cell)}"
    assert "device" in cells[1].outputs[0].text.lower()
    stored = [c for c in nbformat.read(LESSON.with_suffix(".ipynb"), as_version=4).cells
              if c.cell_type == "code"]
    arithmetic = next(i for i, source in enumerate(lesson) if "total = (a * 2)" in source)
    assert cells[arithmetic].outputs[0].text == stored[arithmetic].outputs[0].text
    installed_from = Path(cells[-1].outputs[0].text.strip())
    assert fresh_python.parents[1] in installed_from.parents, installed_from


def test_bootstrap_with_a_bad_address_stops_with_one_line(fresh_python, tmp_path, monkeypatch):
    """A failed install stops "Run all" right there, with one line and no traceback,
    rather than letting the next cell fail with a NameError that blames the wrong thing."""
    address = f"file://localhost{tmp_path}/no-such-course"
    cells = run_in_kernel(
        fresh_python, [bootstrap_cell(address), "print('coursekit' in dir())"], tmp_path,
        monkeypatch,
    )
    (output,) = cells[0].outputs
    assert output.output_type == "error" and output.ename == "CourseSetupError"
    (line,) = output.traceback  # what Jupyter shows: this line and nothing else
    assert line.startswith("Could not install the course helpers (coursekit) from ")
    assert address in line and "run this cell again" in line
    assert cells[1].outputs[0].text.strip() == "False"


def test_in_a_course_folder_a_missing_coursekit_points_to_course_py_lab(tmp_path, monkeypatch):
    """A half-repaired local environment is not Colab: no pip from the internet, one line
    naming the command that repairs it. (Cheap: the cell runs here, coursekit hidden.)"""
    import sys

    def no_pip(*args, **kwargs):
        raise AssertionError("the bootstrap ran pip in a course folder")

    (tmp_path / "course.py").write_text("")
    for where in ("my-work", "my-work/solutions", "notebooks"):
        (tmp_path / where).mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(tmp_path / where)  # a kernel starts in its notebook's folder
        monkeypatch.setitem(sys.modules, "coursekit", None)  # `import coursekit` fails
        monkeypatch.setattr(subprocess, "run", no_pip)
        with pytest.raises(Exception) as raised:
            exec(bootstrap_cell("https://github.com/YOU/course"), {})
        assert type(raised.value).__name__ == "CourseSetupError"
        assert raised.value._render_traceback_() == [
            "This Python lacks the course helpers (coursekit): in the course folder, run "
            "`python course.py lab` and open the lesson from there."]
