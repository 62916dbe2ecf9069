"""my-work/, `course.py update` and `course.py reset`, against a real git upstream.

Each test builds a small course in a temporary folder: a bare repository as the
course's upstream, a maintainer's clone that publishes changes to it, and a
student's clone in which `course.py update` runs. The course's notebooks are
small and fake; course.py and course_tools/ are this course's own.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from course_copy import tree_bytes

from course_tools import workspace

ROOT = Path(__file__).resolve().parents[1]
TODAY = datetime.date.today().isoformat()


def lesson(text: str) -> str:
    """A small executed notebook, paired with jupytext like the course's own."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    code = nbformat.v4.new_code_cell(f"print({text!r})", id="code1", execution_count=1)
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{text}\n")]
    notebook.cells = [nbformat.v4.new_markdown_cell(f"# {text}", id="intro1"), code]
    return nbformat.writes(notebook)


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


class Course:
    """upstream.git <- maintainer (publishes) ; upstream.git -> student (runs course.py)."""

    def __init__(self, tmp: Path):
        self.upstream = tmp / "upstream.git"
        self.maintainer = tmp / "maintainer"
        self.student = tmp / "course"
        git(tmp, "init", "-q", "--bare", "-b", "main", str(self.upstream))
        git(tmp, "clone", "-q", str(self.upstream), str(self.maintainer))
        shutil.copy(ROOT / "course.py", self.maintainer)
        shutil.copy(ROOT / ".gitignore", self.maintainer)
        shutil.copytree(ROOT / "course_tools", self.maintainer / "course_tools",
                        ignore=shutil.ignore_patterns("__pycache__"))
        self.publish({"00_intro": "intro v1", "01_tensors": "tensors v1",
                      "02_grad": "grad v1", "solutions/01_tensors_solutions": "solution v1"})
        git(tmp, "clone", "-q", str(self.upstream), str(self.student))
        self.work = self.student / "my-work"

    def publish(self, lessons: dict[str, str | None]) -> None:
        """Write (text) or delete (None) lessons, commit and push, as a maintainer does."""
        for name, text in lessons.items():
            path = self.maintainer / "notebooks" / f"{name}.ipynb"
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(lesson(text))
        git(self.maintainer, "add", "-A")
        git(self.maintainer, "commit", "-q", "-m", "course change")
        git(self.maintainer, "push", "-q", "origin", "main")

    def course(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "course.py", *args], cwd=self.student,
                              capture_output=True, text=True, timeout=120)

    def update(self) -> list[str]:
        result = self.course("update")
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.splitlines()

    def git_status(self) -> str:
        return git(self.student, "status", "--porcelain")


@pytest.fixture
def course(tmp_path, monkeypatch):
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))  # no user settings leak in
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Course Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.invalid")
    return Course(tmp_path)


def content(path: Path) -> str:
    """The printed text of a fake lesson (its code cell's output)."""
    notebook = nbformat.read(path, as_version=4)
    return notebook.cells[1].outputs[0].text.strip()


def edit(path: Path, answer: str) -> bytes:
    """The student types an answer and saves (as Jupyter does: nbformat)."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].source = answer
    nbformat.write(notebook, path)
    return path.read_bytes()


def all_valid(work: Path) -> None:
    for path in work.rglob("*.ipynb"):
        nbformat.validate(nbformat.read(path, as_version=4))


def line_for(lines: list[str], name: str) -> str:
    (found,) = [line for line in lines if line.split()[2:3] == [name]]
    return found


# --- first use -------------------------------------------------------------------------


def test_first_update_copies_every_lesson_once_with_outputs_and_no_pairing(course):
    lines = course.update()
    assert lines[0] == "[course] course: already up to date with origin/main"
    assert sorted(p.name for p in course.work.iterdir()) == [
        ".course-manifest.json", "00_intro.ipynb", "01_tensors.ipynb", "02_grad.ipynb",
        "solutions"]
    assert [p.name for p in (course.work / "solutions").iterdir()] == [
        "01_tensors_solutions.ipynb"]
    copy = nbformat.read(course.work / "01_tensors.ipynb", as_version=4)
    assert content(course.work / "01_tensors.ipynb") == "tensors v1"  # stored outputs kept
    assert "jupytext" not in copy.metadata  # a save writes no .py beside it
    assert line_for(lines, "01_tensors").endswith("added")
    all_valid(course.work)
    assert course.git_status() == ""  # my-work/ is ignored by git


def test_second_update_changes_nothing(course):
    course.update()
    before = {p: p.read_bytes() for p in course.work.rglob("*")
              if p.is_file()}
    lines = course.update()
    assert all(line.endswith("up to date") for line in lines[1:]), lines
    assert {p: p.read_bytes() for p in course.work.rglob("*") if p.is_file()} == before


# --- a course change meets the student's work ------------------------------------------------


def test_update_keeps_the_students_work_and_brings_the_new_course(course):
    course.update()
    mine = edit(course.work / "01_tensors.ipynb", "my answer")
    own_notebook = course.work / "my experiment.ipynb"
    own_notebook.write_text(lesson("my own notebook"))
    notes = course.work / "notes.md"
    notes.write_text("what I learnt\n")
    own_before = own_notebook.read_bytes()
    intro_before = (course.work / "00_intro.ipynb").read_bytes()
    course.publish({"01_tensors": "tensors v2", "02_grad": "grad v2", "03_new": "new v1",
                    "00_intro": None})

    lines = course.update()

    assert lines[0].startswith("[course] course: updated ") and "origin/main" in lines[0]
    assert git(course.student, "rev-parse", "HEAD") == git(course.upstream, "rev-parse", "main")
    assert course.git_status() == ""
    # The student's lesson is exactly as they left it; the new version is beside it.
    assert (course.work / "01_tensors.ipynb").read_bytes() == mine
    beside = course.work / f"01_tensors (course update {TODAY}).ipynb"
    assert content(beside) == "tensors v2"
    assert f'the new version is beside it: "{beside.name}"' in line_for(lines, "01_tensors")
    # Untouched lesson: replaced. New lesson: there. Removed lesson: kept as it was.
    assert content(course.work / "02_grad.ipynb") == "grad v2"
    assert line_for(lines, "02_grad").endswith("updated to the new version")
    assert content(course.work / "03_new.ipynb") == "new v1"
    assert line_for(lines, "03_new").endswith("added")
    assert (course.work / "00_intro.ipynb").read_bytes() == intro_before
    assert line_for(lines, "00_intro").endswith("kept (no longer part of the course)")
    # The student's own files: untouched, and not reported as lessons.
    assert own_notebook.read_bytes() == own_before
    assert notes.read_text() == "what I learnt\n"
    assert not any("experiment" in line or "notes" in line for line in lines)
    all_valid(course.work)

    # Again, with no course change: no second copy beside the student's lesson.
    files = sorted(p.name for p in course.work.iterdir())
    again = course.update()
    assert sorted(p.name for p in course.work.iterdir()) == files
    assert line_for(again, "01_tensors").endswith("yours, kept (no course change since)")

    # Another course change later: a second copy with a name of its own.
    course.publish({"01_tensors": "tensors v3"})
    third = course.update()
    newer = course.work / f"01_tensors (course update {TODAY}, 2).ipynb"
    assert content(newer) == "tensors v3" and content(beside) == "tensors v2"
    assert newer.name in line_for(third, "01_tensors")
    assert (course.work / "01_tensors.ipynb").read_bytes() == mine


def test_an_interrupted_update_leaves_everything_whole_and_a_rerun_finishes(course, monkeypatch,
                                                                           tmp_path):
    course.update()
    mine = edit(course.work / "01_tensors.ipynb", "my answer")
    course.publish({"00_intro": "intro v2", "01_tensors": "tensors v2", "03_new": "new v1",
                    "solutions/01_tensors_solutions": "solution v2", "02_grad": None})
    assert "updated" in workspace.update_course(course.student)
    before = tmp_path / "before"
    shutil.copytree(course.work, before)
    quiet = {"today": TODAY, "report": lambda line: None}

    writes = []
    real_write = workspace.write_atomic
    monkeypatch.setattr(workspace, "write_atomic",
                        lambda *a: (writes.append(a[0]), real_write(*a)))
    expected = tmp_path / "uninterrupted"
    shutil.copytree(before, expected)
    workspace.sync(course.student, expected, **quiet)
    assert len(writes) >= 8  # files and manifest entries: every point is tried below

    for stop_at in range(len(writes)):
        work = tmp_path / f"stopped-{stop_at}"
        shutil.copytree(before, work)
        calls = []

        def interrupted(path, data, calls=calls, stop_at=stop_at):
            if len(calls) == stop_at:
                raise KeyboardInterrupt  # Ctrl+C (or a kill) right before this write
            calls.append(path)
            real_write(path, data)

        monkeypatch.setattr(workspace, "write_atomic", interrupted)
        with pytest.raises(KeyboardInterrupt):
            workspace.sync(course.student, work, **quiet)
        all_valid(work)
        assert (work / "01_tensors.ipynb").read_bytes() == mine

        monkeypatch.setattr(workspace, "write_atomic", real_write)
        workspace.sync(course.student, work, **quiet)
        assert tree_bytes(work) == tree_bytes(expected), f"interrupted before write {stop_at}"
    assert content(expected / f"01_tensors (course update {TODAY}).ipynb") == "tensors v2"
    assert content(expected / "03_new.ipynb") == "new v1"
    assert content(expected / "solutions" / "01_tensors_solutions.ipynb") == "solution v2"
    assert course.git_status() == ""



def test_a_missing_manifest_makes_every_lesson_count_as_the_students(course):
    course.update()
    (course.work / ".course-manifest.json").write_text("{ not json")
    original = (course.work / "02_grad.ipynb").read_bytes()
    course.publish({"02_grad": "grad v2"})
    lines = course.update()
    assert (course.work / "02_grad.ipynb").read_bytes() == original
    assert content(course.work / f"02_grad (course update {TODAY}).ipynb") == "grad v2"
    assert "yours, kept" in line_for(lines, "02_grad")
    json.loads((course.work / ".course-manifest.json").read_text())  # rewritten whole


# --- when the course folder cannot be updated ----------------------------------------------


def test_offline_says_so_in_one_line_and_still_syncs_my_work(course):
    git(course.student, "remote", "set-url", "origin", str(course.student.parent / "gone.git"))
    lines = course.update()
    assert lines[0].startswith("[course] course: not updated: could not reach origin (")
    assert "offline?" in lines[0]
    assert content(course.work / "01_tensors.ipynb") == "tensors v1"


def test_not_a_clone_says_so_and_still_syncs_my_work(course):
    shutil.rmtree(course.student / ".git")
    lines = course.update()
    assert lines[0] == ("[course] course: not updated: this folder is not a git clone of the "
                        "course (download a new copy to get a newer course)")
    assert (course.work / "02_grad.ipynb").exists()


def test_no_upstream_says_so(course):
    git(course.student, "branch", "--unset-upstream")
    lines = course.update()
    assert lines[0].startswith("[course] course: not updated: the current branch has no upstream")
    assert (course.work / "02_grad.ipynb").exists()


def test_diverged_course_folder_is_not_merged(course):
    (course.student / "extra.txt").write_text("a local commit\n")
    git(course.student, "add", "extra.txt")
    git(course.student, "commit", "-q", "-m", "local")
    course.publish({"02_grad": "grad v2"})
    head = git(course.student, "rev-parse", "HEAD")
    lines = course.update()
    assert lines[0] == ("[course] course: not updated: the course folder has commits of its own "
                        "that origin/main does not have, so it cannot fast-forward")
    assert git(course.student, "rev-parse", "HEAD") == head
    assert content(course.work / "02_grad.ipynb") == "grad v1"  # from the local course


def test_changed_course_files_block_the_fast_forward_with_a_clear_line(course):
    reference = course.student / "notebooks" / "02_grad.ipynb"
    reference.write_text(lesson("edited in the course folder"))
    course.publish({"02_grad": "grad v2"})
    lines = course.update()
    assert lines[0].startswith("[course] course: not updated: files of the course folder itself")
    assert content(reference) == "edited in the course folder"  # git refused, nothing lost


# --- reset -------------------------------------------------------------------------------------


def test_reset_gives_a_fresh_copy_and_keeps_the_students_dated(course):
    course.update()
    mine = edit(course.work / "01_tensors.ipynb", "my answer")
    result = course.course("reset", "my-work/01_tensors.ipynb")
    assert result.returncode == 0, result.stderr
    kept = [p for p in course.work.iterdir() if "before reset" in p.name]
    assert len(kept) == 1 and kept[0].name.startswith(f"01_tensors (my copy before reset {TODAY}")
    assert kept[0].read_bytes() == mine
    assert content(course.work / "01_tensors.ipynb") == "tensors v1"
    assert "print('tensors v1')" in (course.work / "01_tensors.ipynb").read_text()
    assert f'your copy is kept as "{kept[0].name}"' in result.stdout
    # Later updates treat the fresh copy as the course's again.
    course.publish({"01_tensors": "tensors v2"})
    assert line_for(course.update(), "01_tensors").endswith("updated to the new version")


@pytest.mark.parametrize("name", ["01_tensors", "01_tensors.ipynb", "./my-work/01_tensors.ipynb",
                                  "solutions/01_tensors_solutions"])
def test_reset_accepts_the_names_a_student_would_type(course, name):
    course.update()
    result = course.course("reset", name)
    assert result.returncode == 0, result.stderr
    assert "fresh copy" in result.stdout
    assert not [p for p in course.work.rglob("*") if "before reset" in p.name]  # nothing to keep


def test_reset_of_an_unknown_lesson_names_the_valid_ones(course):
    result = course.course("reset", "07_nope")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "No lesson named '07_nope'. Lessons: 00_intro, 01_tensors, 02_grad, "
        "solutions/01_tensors_solutions")
    assert not course.work.exists()


def test_an_unreadable_course_notebook_is_named_and_the_rest_synced(course):
    course.update()
    mine = (course.work / "02_grad.ipynb").read_bytes()
    broken = course.student / "notebooks" / "02_grad.ipynb"
    broken.write_text("<<<<<<< Updated upstream\n{}\n=======\n")  # what a git conflict leaves
    course.publish({"01_tensors": "tensors v2"})
    result = course.course("update")
    assert result.returncode == 1
    assert line_for(result.stdout.splitlines(), "02_grad").endswith(
        "not synced: the course's notebooks/02_grad.ipynb is not a readable notebook "
        "(JSONDecodeError); `git status` shows it")
    assert (course.work / "02_grad.ipynb").read_bytes() == mine
    assert "Traceback" not in result.stderr
    reset = course.course("reset", "02_grad")
    assert reset.returncode == 1 and "not a readable notebook" in reset.stderr
    assert (course.work / "02_grad.ipynb").read_bytes() == mine


@pytest.mark.skipif(sys.platform == "win32", reason="the lab lock is POSIX-only (flock)")
def test_the_lab_lock_passes_to_the_server_and_ends_with_it(tmp_path):
    """`course.py lab` takes the lock, then execs into jupyter: the lock must stay held
    by that process (two labs started together cannot both serve my-work/), and go
    with it (a crashed lab never blocks the next)."""
    take = ("import os, sys; from pathlib import Path; from course_tools import workspace; "
            f"print(workspace.hold_lab_lock(Path({str(tmp_path)!r})), flush=True); ")
    holder = subprocess.Popen(
        [sys.executable, "-c", take + "os.execv(sys.executable, [sys.executable, '-c', "
         "'import time; print(\"serving\", flush=True); time.sleep(120)'])"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "True"
        assert holder.stdout.readline().strip() == "serving"  # after the exec
        second = subprocess.run([sys.executable, "-c", take], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert second.stdout.strip() == "False"
    finally:
        holder.kill()
        holder.wait()
    third = subprocess.run([sys.executable, "-c", take], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert third.stdout.strip() == "True"


def test_ctrl_c_during_an_update_ends_with_one_line(course, monkeypatch, capsys):
    course.update()
    course.publish({"01_tensors": "tensors v2", "02_grad": "grad v2"})

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(workspace, "write_atomic", interrupted)
    assert workspace.main(["update"], course.student) == 130
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == ("[course] update interrupted: every file in my-work/ is whole; "
                    "run `python course.py update` again to finish")
    all_valid(course.work)
    assert line_for(course.update(), "02_grad").endswith("updated to the new version")


# --- hostile use (issue 19) --------------------------------------------------------------------


def test_course_files_at_the_students_untracked_paths_are_never_written_over(course):
    """The course commits files where the student has ignored or untracked ones: the
    fast-forward would silently replace them, so it is refused, naming them."""
    course.update()
    mine = edit(course.work / "01_tensors.ipynb", "my answer")
    (course.work / "notes.txt").write_text("my notes\n")
    (course.student / "scratch.py").write_text("mine, untracked\n")
    for path in ("my-work/01_tensors.ipynb", "my-work/notes.txt", "scratch.py"):
        (course.maintainer / path).parent.mkdir(exist_ok=True)
        (course.maintainer / path).write_text(lesson("the course's"))
        git(course.maintainer, "add", "-f", path)
    course.publish({"02_grad": "grad v2"})
    head = git(course.student, "rev-parse", "HEAD")
    lines = course.update()
    assert lines[0] == (
        "[course] course: not updated: the newer course brings files where this folder has "
        "files git does not track, which it would overwrite: my-work/01_tensors.ipynb, "
        "my-work/notes.txt, scratch.py; move them out of the way (they may be yours), then "
        "run update again")
    assert git(course.student, "rev-parse", "HEAD") == head
    assert (course.work / "01_tensors.ipynb").read_bytes() == mine
    assert (course.work / "notes.txt").read_text() == "my notes\n"
    assert (course.student / "scratch.py").read_text() == "mine, untracked\n"


@pytest.mark.parametrize("shape", ['{"files": []}', '{"files": null}',
                                   '{"files": {"02_grad.ipynb": "abc"}}', "[]"])
def test_a_manifest_of_the_wrong_shape_counts_every_lesson_as_the_students(course, shape,
                                                                           capsys):
    course.update()
    manifest = course.work / ".course-manifest.json"
    manifest.write_text(shape)
    original = (course.work / "02_grad.ipynb").read_bytes()
    workspace.ensure(course.student)  # lab's start: no crash
    course.publish({"02_grad": "grad v2"})
    result = course.course("update")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert (course.work / "02_grad.ipynb").read_bytes() == original
    assert "yours, kept" in line_for(result.stdout.splitlines(), "02_grad")
    manifest.write_text(shape)
    reset = course.course("reset", "02_grad")
    assert reset.returncode == 0 and "Traceback" not in reset.stderr, reset.stderr
    assert [p for p in course.work.iterdir() if "before reset" in p.name]  # kept, not lost


@pytest.mark.parametrize("text", ["[]", '{"cells": [], "metadata": null}'])
def test_a_course_notebook_that_is_json_but_no_notebook_is_named_and_the_rest_synced(course,
                                                                                    text):
    course.update()
    mine = (course.work / "02_grad.ipynb").read_bytes()
    (course.student / "notebooks" / "02_grad.ipynb").write_text(text)
    (course.student / "notebooks" / "03_new.ipynb").write_text(lesson("new v1"))
    result = course.course("update")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    assert line_for(lines, "02_grad").endswith(
        "not synced: the course's notebooks/02_grad.ipynb is not a readable notebook "
        "(valid JSON, but not a notebook); `git status` shows it")
    assert content(course.work / "03_new.ipynb") == "new v1"  # the lessons after it too
    assert (course.work / "02_grad.ipynb").read_bytes() == mine
    reset = course.course("reset", "02_grad")
    assert reset.returncode == 1 and "Traceback" not in reset.stderr
    assert "not a readable notebook (valid JSON, but not a notebook)" in reset.stderr


def test_a_broken_notebook_as_the_course_publishes_it_does_not_point_to_git_status(course):
    course.update()
    (course.maintainer / "notebooks" / "02_grad.ipynb").write_text("{ broken")
    course.publish({"01_tensors": "tensors v2"})
    result = course.course("update")
    assert result.returncode == 1
    assert line_for(result.stdout.splitlines(), "02_grad").endswith(
        "not synced: the course's notebooks/02_grad.ipynb is not a readable notebook "
        "(JSONDecodeError) as the course publishes it: tell the course's maintainers")
    assert course.git_status() == ""  # indeed nothing for `git status` to show


@pytest.mark.parametrize(("error", "reason"), [
    (PermissionError(13, "Permission denied"),
     "no permission to write there: make it writable (chmod u+w)"),
    (OSError(28, "No space left on device"), "the disk is full: free some space")])
def test_a_read_only_or_full_my_work_is_one_line_and_everything_whole(course, monkeypatch,
                                                                      capsys, error, reason):
    course.update()
    mine = edit(course.work / "01_tensors.ipynb", "my answer")
    course.publish({"01_tensors": "tensors v2", "02_grad": "grad v2"})
    real_write = workspace.write_atomic

    def refused(path, data):
        error.filename = str(path.parent / f".{path.name}.123.abcdefgh.tmp")
        raise error

    monkeypatch.setattr(workspace, "write_atomic", refused)
    assert workspace.main(["update"], course.student) == 1
    out = capsys.readouterr()
    assert out.out.splitlines()[-1] == (
        f"[course] update stopped: could not write my-work: {reason}; every file in my-work/ "
        "is whole; run `python course.py update` again to finish")
    assert "Traceback" not in out.err
    all_valid(course.work)
    assert (course.work / "01_tensors.ipynb").read_bytes() == mine
    monkeypatch.setattr(workspace, "write_atomic", real_write)
    assert line_for(course.update(), "02_grad").endswith("updated to the new version")


def test_a_folder_where_the_course_adds_a_lesson_is_named_and_kept(course):
    course.update()
    (course.work / "03_new.ipynb").mkdir()
    (course.work / "03_new.ipynb" / "inside.txt").write_text("mine\n")
    course.publish({"03_new": "new v1", "02_grad": "grad v2"})
    result = course.course("update")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    assert line_for(lines, "03_new").endswith(
        "not synced: my-work/03_new.ipynb is a folder, not a notebook: rename it, then run "
        "update again")
    assert line_for(lines, "02_grad").endswith("updated to the new version")
    assert (course.work / "03_new.ipynb" / "inside.txt").read_text() == "mine\n"
    reset = course.course("reset", "03_new")
    assert reset.returncode == 1 and "is a folder, not a notebook" in reset.stderr


def test_a_left_over_git_lock_is_named(course):
    course.update()
    (course.student / ".git" / "index.lock").write_text("")
    course.publish({"02_grad": "grad v2"})
    lines = course.update()
    assert lines[0] == (
        "[course] course: not updated: git's lock file .git/index.lock is there: another git "
        "command is running in this folder, or one was stopped; if none is running, delete "
        ".git/index.lock and run update again")


def test_a_remote_with_a_slash_in_its_name_is_named_whole(course):
    git(course.student, "remote", "rename", "origin", "school/course")
    gone = course.student.parent / "gone.git"
    git(course.student, "remote", "set-url", "school/course", str(gone))
    lines = course.update()
    assert lines[0].startswith(
        f"[course] course: not updated: could not reach school/course ({gone}); offline?")


def test_reset_as_the_first_command_makes_the_whole_workspace(course, capsys):
    result = course.course("reset", "01_tensors")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in course.work.iterdir()) == [
        ".course-manifest.json", "00_intro.ipynb", "01_tensors.ipynb", "02_grad.ipynb",
        "solutions"]
    assert workspace.pending(course.student, course.work) == []
    workspace.ensure(course.student)  # what `lab` says next: nothing untrue
    assert "changes your my-work/ does not have" not in capsys.readouterr().out


def test_reset_takes_an_absolute_path(course):
    course.update()
    mine = edit(course.work / "01_tensors.ipynb", "my answer")
    result = course.course("reset", str(course.work / "01_tensors.ipynb"))
    assert result.returncode == 0, result.stderr
    assert content(course.work / "01_tensors.ipynb") == "tensors v1"
    (kept,) = [p for p in course.work.iterdir() if "before reset" in p.name]
    assert kept.read_bytes() == mine
    solution = course.student / "notebooks" / "solutions" / "01_tensors_solutions.ipynb"
    assert course.course("reset", str(solution)).returncode == 0


def test_a_creation_stopped_half_way_leaves_no_half_workspace(course, monkeypatch):
    """lab makes my-work/ in a hidden folder and renames it into place: stopped half
    way, there is no my-work/ (so the next lab makes it whole), never one with some
    lessons."""
    real_write = workspace.write_atomic
    calls = []

    def stopped(path, data):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(path)
        real_write(path, data)

    monkeypatch.setattr(workspace, "write_atomic", stopped)
    with pytest.raises(KeyboardInterrupt):
        workspace.ensure(course.student)
    assert not course.work.exists()
    monkeypatch.setattr(workspace, "write_atomic", real_write)
    workspace.ensure(course.student)
    assert len(list(course.work.rglob("*.ipynb"))) == 4
    assert not list(course.student.glob(".my-work.partial-*"))  # renamed into place
    assert course.git_status() == ""
