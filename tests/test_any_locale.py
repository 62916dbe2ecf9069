"""course.py on a Chinese-language system: a GB18030 locale with Python's UTF-8 mode
off (as on a Chinese Windows, whose default encoding is its ANSI code page), from
a course folder named with Chinese characters and a space; and a console that
cannot show λ or ✓ at all."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from course_copy import copy_course

ROOT = Path(__file__).resolve().parents[1]
LOCALE = "zh_CN.GB18030"


@pytest.fixture(scope="module")
def gb18030(tmp_path_factory) -> dict[str, str]:
    """The environment of a GB18030 system, from a locale compiled into a private
    folder (LOCPATH): no root needed, the machine's locales untouched."""
    if not sys.platform.startswith("linux") or not shutil.which("localedef"):
        pytest.skip("needs glibc's localedef (Linux) to make a GB18030 locale")
    folder = tmp_path_factory.mktemp("locales")
    made = subprocess.run(["localedef", "-i", "zh_CN", "-f", "GB18030", str(folder / LOCALE)],
                          capture_output=True, text=True, encoding="utf-8", errors="replace")
    assert (folder / LOCALE).is_dir(), made.stderr
    env = {**os.environ, "LOCPATH": str(folder), "LANG": LOCALE, "LC_ALL": LOCALE,
           "PYTHONUTF8": "0", "COURSEKIT_PYTHON": sys.executable}
    env.pop("PYTHONIOENCODING", None)
    probe = subprocess.run([sys.executable, "-X", "utf8=0", "-c",
                            "import locale; print(locale.getpreferredencoding())"],
                           env=env, capture_output=True, text=True, encoding="ascii")
    assert probe.stdout.strip() == "GB18030", "the GB18030 locale is not in force"
    return env


@pytest.fixture(scope="module")
def chinese_folder(tmp_path_factory) -> Path:
    return copy_course(tmp_path_factory.mktemp("home") / "课程 course")


def course(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-X", "utf8=0", str(folder / "course.py"), *args],
                          cwd=folder, env=env, capture_output=True, timeout=600)


def said(result: subprocess.CompletedProcess) -> str:
    return (result.stdout + result.stderr).decode("gb18030")


def test_update_and_reset_work_in_a_chinese_folder(gb18030, chinese_folder):
    result = course(chinese_folder, gb18030, "update")
    assert result.returncode == 0, said(result)
    lesson = chinese_folder / "my-work" / "01_tensors.ipynb"
    nbformat.validate(nbformat.read(lesson, as_version=4))
    # The student writes Chinese into the lesson; reset keeps it, byte for byte.
    notebook = nbformat.read(lesson, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("我的笔记：梯度下降 λ ✓"))
    nbformat.write(notebook, lesson)
    mine = lesson.read_bytes()
    result = course(chinese_folder, gb18030, "reset", "01_tensors")
    assert result.returncode == 0, said(result)
    kept = [path for path in lesson.parent.glob("01_tensors (*).ipynb")]
    assert [path.read_bytes() for path in kept] == [mine]
    assert "我的笔记" not in lesson.read_text(encoding="utf-8")
    manifest = json.loads((chinese_folder / "my-work" / ".course-manifest.json")
                          .read_text(encoding="utf-8"))
    assert manifest


def test_check_one_lesson_in_a_chinese_folder(gb18030, chinese_folder):
    result = course(chinese_folder, gb18030, "check", "00_setup_check")
    assert result.returncode == 0, said(result)
    assert "00_setup_check" in said(result)
    assert "01_tensors" not in said(result)  # only the lesson asked for


def test_environment_stamp_with_chinese_paths_reads_back(gb18030, chinese_folder):
    """The install stamp names paths (the course folder's among them): written as
    UTF-8, it must read back as UTF-8 under GB18030, or every start reinstalls."""
    script = chinese_folder / "stamp_probe.py"
    script.write_text(
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('course', sys.argv[1])\n"
        "course = importlib.util.module_from_spec(spec); spec.loader.exec_module(course)\n"
        "course.VENV.mkdir(); site = course.VENV / 'lib' / 'python3.11' / 'site-packages'\n"
        "site.mkdir(parents=True); (site / '课程包').mkdir()\n"
        "course.STAMP = course.VENV / 'stamp'\n"
        "course._editable_root = lambda: course.ROOT\n"
        "wanted = course._install_fingerprint()\n"
        "mtime = (site / '课程包').stat().st_mtime_ns\n"
        "course.STAMP.write_bytes(f'{wanted}\\n{mtime} 课程包\\n'.encode('utf-8'))\n"
        "print(course._quick_problems(wanted))\n", encoding="utf-8")
    env = {**gb18030}
    env.pop("COURSEKIT_PYTHON")
    try:
        result = subprocess.run([sys.executable, "-X", "utf8=0", str(script),
                                 str(chinese_folder / "course.py")], cwd=chinese_folder,
                                env=env, capture_output=True, timeout=60)
    finally:
        shutil.rmtree(chinese_folder / ".venv", ignore_errors=True)
        script.unlink()
    assert result.returncode == 0, said(result)
    assert said(result).strip() == "[]"


def test_a_console_that_cannot_show_lambda_does_not_crash(tmp_path):
    """An ASCII console (LC_ALL=C, UTF-8 mode off): course.py's own lines print,
    with escapes for what the console cannot show, and never a UnicodeEncodeError."""
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
           "COURSEKIT_PYTHON": sys.executable}
    env.pop("PYTHONIOENCODING", None)
    script = tmp_path / "probe.py"
    script.write_text(
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('course', sys.argv[1])\n"
        "course = importlib.util.module_from_spec(spec); spec.loader.exec_module(course)\n"
        "course.printable_anywhere()\n"
        "course.say('2/\\u03bb_max \\u2713 \\u8bfe\\u7a0b')\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-X", "utf8=0", str(script), str(ROOT / "course.py")],
                            env=env, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode("ascii", "replace")
    assert result.stdout.decode("ascii") == "[course] 2/\\u03bb_max \\u2713 \\u8bfe\\u7a0b\n"


OPENERS = {"open", "read_text", "write_text"}
BYTES_ONLY = {"os", "tarfile", "zipfile"}  # their open() has no text mode
TEXT_SUBPROCESS = {"run", "Popen", "check_output", "check_call"}


def unnamed_encodings(path: Path) -> list[str]:
    """Calls in `path` that read or write text without naming its encoding."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", "")
        keywords = {keyword.arg for keyword in node.keywords}
        owner = getattr(getattr(node.func, "value", None), "id", None)
        if "encoding" in keywords or owner in BYTES_ONLY:
            continue
        if name in OPENERS and not _binary(node):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}()")
        if name in TEXT_SUBPROCESS and keywords & {"text", "universal_newlines"}:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(text=True)")
    return found


def _binary(call: ast.Call) -> bool:
    if getattr(call.func, "attr", None) in ("read_text", "write_text"):
        return False
    # open(path, mode) and Path.open(mode): the mode is a constant, or a keyword.
    modes = [arg.value for arg in call.args[:2] if isinstance(arg, ast.Constant)]
    modes += [k.value.value for k in call.keywords
              if k.arg == "mode" and isinstance(k.value, ast.Constant)]
    return any(isinstance(mode, str) and "b" in mode for mode in modes)


def test_every_text_file_and_subprocess_names_its_encoding():
    """On Windows the default encoding is the ANSI code page (GBK on a Chinese
    system): every text the course's code reads or writes says which it is."""
    code = [ROOT / "course.py", *sorted((ROOT / "course_tools").rglob("*.py")),
            *sorted((ROOT / "src" / "coursekit").rglob("*.py")),
            *sorted((ROOT / "benchmarks").rglob("*.py"))]
    missing = [place for path in code for place in unnamed_encodings(path)]
    assert missing == []
