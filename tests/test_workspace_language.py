"""A Chinese student's my-work/: `lab --lang zh-CN` fills it with the Chinese lessons,
remembers the choice, and `update` keeps a changed lesson exactly as in English."""

import json
import os

import nbformat
import pytest

from course_tools import language, workspace


def notebook(text: str) -> str:
    cell = nbformat.v4.new_markdown_cell(text)
    return nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course folder with one lesson and one solution, in English and Chinese."""
    for name, text in {"00_lesson": "Lesson", "solutions/00_lesson_solutions": "Solution"}.items():
        for folder, words in (("notebooks", text), ("notebooks/zh-CN", f"中文{text}")):
            path = tmp_path / folder / f"{name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(notebook(words), encoding="utf-8")
    monkeypatch.delenv(language.ENV_VAR, raising=False)
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # the system says English
    return tmp_path


def text_of(path) -> str:
    return nbformat.read(path, as_version=4).cells[0].source


def start_lab(course, monkeypatch, *args) -> dict:
    """Run `course.py lab ARGS` up to the moment it would become JupyterLab."""
    started = {}

    class Started(Exception):
        pass

    def execv(program, command):
        started.update(command=command, environment=dict(os.environ))
        raise Started  # instead of becoming JupyterLab

    monkeypatch.setattr(workspace.os, "execv", execv)
    monkeypatch.setattr(workspace.os, "environ", dict(os.environ))  # lab sets its server's
    monkeypatch.setattr(workspace, "running_server", lambda root: None)
    monkeypatch.setattr(workspace, "hold_lab_lock", lambda root: True)
    with pytest.raises(Started):
        workspace.main(["lab", *args], course)
    monkeypatch.delenv(language.ENV_VAR, raising=False)  # the next command is a new process
    return started


def test_english_my_work_has_no_chinese_folder(course):
    assert workspace.course_notebooks(course, "en") == {
        "00_lesson.ipynb": course / "notebooks" / "00_lesson.ipynb",
        "solutions/00_lesson_solutions.ipynb":
            course / "notebooks" / "solutions" / "00_lesson_solutions.ipynb"}


def test_lab_lang_fills_my_work_with_the_chinese_lessons_and_remembers(course, monkeypatch):
    started = start_lab(course, monkeypatch, "--lang", "zh-CN")
    work = course / "my-work"
    assert text_of(work / "00_lesson.ipynb") == "中文Lesson"
    assert text_of(work / "solutions" / "00_lesson_solutions.ipynb") == "中文Solution"
    assert not (work / "zh-CN").exists()
    assert json.loads((work / language.SETTINGS).read_text())["lang"] == "zh-CN"
    assert "--lang" not in started["command"] and "zh-CN" not in started["command"]
    config = started["environment"]["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0]
    assert config == str(language.LAB_SETTINGS / "zh-CN")  # JupyterLab's menus in Chinese

    started = start_lab(course, monkeypatch)  # later: no --lang, the choice is remembered
    assert started["environment"]["JUPYTER_CONFIG_PATH"].startswith(config)
    assert workspace.course_language(course) == "zh-CN"


def test_the_system_locale_chooses_when_nothing_was_chosen(course, monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    start_lab(course, monkeypatch)
    assert text_of(course / "my-work" / "00_lesson.ipynb") == "中文Lesson"


def test_update_and_a_language_switch_keep_a_changed_lesson(course, monkeypatch):
    start_lab(course, monkeypatch, "--lang", "zh-CN")
    work = course / "my-work"
    mine = work / "00_lesson.ipynb"
    mine.write_text(notebook("中文Lesson，加上我的答案"), encoding="utf-8")
    (course / "notebooks" / "zh-CN" / "00_lesson.ipynb").write_text(
        notebook("中文Lesson，新版本"), encoding="utf-8")

    outcomes = workspace.sync(course, report=lambda line: None)  # what `update` does
    assert outcomes["00_lesson.ipynb"].startswith("yours, kept; the new version is beside it")
    assert text_of(mine) == "中文Lesson，加上我的答案"
    (beside,) = [p for p in work.glob("00_lesson*.ipynb") if p != mine]
    assert text_of(beside) == "中文Lesson，新版本"
    assert outcomes["solutions/00_lesson_solutions.ipynb"] == "up to date"

    start_lab(course, monkeypatch, "--lang", "en")  # back to English: untouched ones follow
    assert text_of(mine) == "中文Lesson，加上我的答案"  # never overwritten
    assert text_of(work / "solutions" / "00_lesson_solutions.ipynb") == "Solution"


def test_an_unknown_language_is_one_line_and_changes_nothing(course, monkeypatch, capsys):
    monkeypatch.setattr(workspace.os, "execv", lambda *a: pytest.fail("lab started"))
    assert workspace.main(["lab", "--lang", "fr"], course) == 2
    assert capsys.readouterr().err == (
        "course.py lab: unknown language 'fr': choose one of en, zh-CN\n")
    assert not (course / "my-work").exists()
