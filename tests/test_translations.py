"""The Chinese edition: one code source, every paragraph translated, drift caught.

Each notebook of notebooks/zh-CN/ is built by `python course.py refresh` from the
English lesson's .py and its catalog (course_tools/translations.py). These tests
never build or execute one: if one fails, translate the paragraph it names in the
catalog, then run the refresh it names. README.zh-CN.md is built the same way from
README.md's student parts and notebooks/zh-CN/po/README.po (a few ms).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import polib
import pytest
from course_copy import copy_listed

from course_tools import translations
from course_tools.bootstrap import README_START, course_address, lesson_notebooks, readme_links
from course_tools.notebook_pairs import execution_problems
from course_tools.rehome import main as rehome
from course_tools.translations import (
    Edition,
    ReadmeEdition,
    build,
    build_readme,
    editions,
    extract_readme,
    first_line,
    readme_problems,
    untranslated,
)

ROOT = Path(__file__).resolve().parents[1]
EDITIONS = editions()
NAMES = [edition.name for edition in EDITIONS]
SETUP_EN = "coursekit.setup()"
SETUP_ZH = 'coursekit.setup(lang="zh-CN")'

# What may stay English inside a translated cell: code, formulas, links.
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)
LINKS = re.compile(r"\]\([^)]*\)|https?://\S+|<[^>\n]+>")
# Six English words in a row, on a line with no Chinese character: an English
# sentence left behind (a name, a term in parentheses or a menu path is shorter;
# an English error message quoted inside a Chinese sentence shares its line).
ENGLISH_RUN = re.compile(r"[A-Za-z][\w'’.-]*(?:[ ,;:/()-]+[A-Za-z][\w'’.-]*){5,}")
CJK = re.compile(r"[\u3400-\u9fff]")


def english_lines(markdown: str) -> list[str]:
    """The lines of a Markdown cell that read as English prose."""
    prose = LINKS.sub(" ", MATH.sub(" ", CODE.sub(" ", markdown)))
    return [line.strip() for line in prose.splitlines()
            if ENGLISH_RUN.search(line) and not CJK.search(line)]


def test_the_heuristic_tells_english_prose_from_chinese():
    assert english_lines("We derive the gradients on paper and check them.")
    assert english_lines("# 标题\n\n- the loss explodes when the rate is too large")
    assert not english_lines("梯度下降（gradient descent）每一步沿负梯度方向走。")
    assert not english_lines("```python\nfor x in range(10): print(x, x, x, x, x)\n```\n说明")
    assert not english_lines("错误：*Expected all tensors to be on the same device*（意思是…）")
    assert not english_lines("$$\\frac{\\partial L}{\\partial w} = a b c d e f$$ 公式")


@pytest.mark.parametrize("edition", EDITIONS, ids=NAMES)
def test_every_english_paragraph_has_a_translation(edition):
    missing = untranslated(edition)
    assert not missing, (
        f"{edition.name}: translation out of date: {len(missing)} English paragraph(s) have no "
        f"translation in {edition.catalog.relative_to(ROOT)}:\n"
        + "\n".join(f"  {first_line(text)}" for text in missing)
        + "\nrun `python -m course_tools.translations extract`, translate the empty entries, "
          f"then `python course.py refresh {edition.name}`")


@pytest.mark.parametrize("edition", EDITIONS, ids=NAMES)
def test_the_edition_is_built_from_the_current_lesson_and_catalog(edition):
    if untranslated(edition):
        pytest.skip("its catalog is incomplete (the test above names the paragraphs)")
    problems = translations.problems(edition)
    assert not problems, f"{edition.name}: " + "\n".join(detail for _, detail in problems)


def stored(edition: Edition):
    if not edition.notebook.exists():
        pytest.fail(f"{edition.notebook.relative_to(ROOT)} is missing: translate its catalog, "
                    f"then run `python course.py refresh {edition.name}`")
    return nbformat.read(edition.notebook, as_version=4)


@pytest.mark.parametrize("edition", EDITIONS, ids=NAMES)
def test_code_cells_are_the_english_ones_apart_from_the_setup_call(edition):
    english = [c.source for c in jupytext.read(edition.script).cells if c.cell_type == "code"]
    chinese = [c.source for c in stored(edition).cells if c.cell_type == "code"]
    assert len(chinese) == len(english), f"{edition.name}: a different number of code cells"
    differ = [(en, zh) for en, zh in zip(english, chinese, strict=True) if en != zh]
    assert len(differ) == 1, f"{edition.name}: {len(differ)} code cells differ, only setup may"
    en, zh = differ[0]
    assert SETUP_EN in en and zh == en.replace(SETUP_EN, SETUP_ZH), (en, zh)


@pytest.mark.parametrize("edition", EDITIONS, ids=NAMES)
def test_every_markdown_cell_is_in_chinese(edition):
    cells = [c.source for c in stored(edition).cells if c.cell_type == "markdown"]
    assert cells == [c for c in cells if CJK.search(c)], f"{edition.name}: a cell with no Chinese"
    english = [line for cell in cells for line in english_lines(cell)]
    assert not english, f"{edition.name}: English prose left in the translation:\n" + "\n".join(
        english)


@pytest.mark.parametrize("edition", EDITIONS, ids=NAMES)
def test_executed_in_order_without_errors_or_widget_views(edition):
    stored(edition)
    assert not execution_problems(edition), execution_problems(edition)
    assert "application/vnd.jupyter.widget-view+json" not in edition.notebook.read_text("utf-8")


def test_a_missing_translation_is_an_error_never_english(tmp_path):
    lesson = tmp_path / "01_small.py"
    lesson.write_text(SMALL_LESSON, encoding="utf-8")
    edition = Edition.of(lesson)
    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid="One plus one:", msgstr="一加一：", flags=["fuzzy"]))
    edition.catalog.parent.mkdir(parents=True)
    catalog.save(str(edition.catalog))
    with pytest.raises(translations.TranslationMissing, match="'One plus one:'"):
        build(edition)  # fuzzy counts as missing
    catalog[0].flags = []
    catalog.save(str(edition.catalog))
    notebook = build(edition)
    assert [c.source for c in notebook.cells] == [
        "一加一：", 'device = coursekit.setup(lang="zh-CN")', "print(1 + 1)"]
    assert "jupytext" not in notebook.metadata  # a build, never paired with a .py


def test_setup_keeps_its_arguments_and_names_the_language():
    assert translations.with_language("d = coursekit.setup(seed=1)", "zh-CN") == (
        'd = coursekit.setup(seed=1, lang="zh-CN")')


SMALL_LESSON = """# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# One plus one:

# %%
device = coursekit.setup()

# %%
print(1 + 1)
"""


def test_a_changed_english_paragraph_fails_the_tests_naming_the_lesson(tmp_path):
    """In a copy of the course: complete lesson 04's catalog, change one English
    paragraph, run this file's catalog test there."""
    course = copy_listed(tmp_path / "course")
    script = course / "notebooks" / "04_backprop_by_hand.py"
    catalog_file = course / "notebooks" / "zh-CN" / "po" / "04_backprop_by_hand.po"
    catalog = polib.pofile(str(catalog_file))
    for entry in catalog:  # placeholders: this test is about drift, not wording
        entry.msgstr, entry.flags = entry.msgstr or "译文", []
    catalog.save(str(catalog_file))
    text = script.read_text(encoding="utf-8")
    paragraph = "# ourselves, train with them, and watch what can go wrong."
    assert text.count(paragraph) == 1
    test = "tests/test_translations.py::test_every_english_paragraph_has_a_translation"
    command = [sys.executable, "-m", "pytest", f"{test}[zh-CN/04_backprop_by_hand]", "-q",
               "-p", "no:cacheprovider"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    before = subprocess.run(command, cwd=course, capture_output=True, text=True, env=env)
    assert before.returncode == 0, before.stdout[-2000:]
    script.write_text(text.replace(paragraph, "# ourselves, train with them, and see what breaks."),
                      encoding="utf-8")
    after = subprocess.run(command, cwd=course, capture_output=True, text=True, env=env)
    assert after.returncode == 1, after.stdout[-2000:]
    assert "zh-CN/04_backprop_by_hand: translation out of date" in after.stdout
    assert "# 04 · Backpropagation by hand" in after.stdout  # the paragraph's first line


def test_check_lists_the_edition_as_translation_out_of_date(tmp_path):
    """A tiny course: the English lesson in sync, its Chinese edition missing a paragraph."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    script = notebooks / "01_small.py"
    script.write_text(SMALL_LESSON.replace("device = coursekit.setup()", "import math"),
                      encoding="utf-8")
    edition = Edition.of(script)
    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid="One plus one:", msgstr="一加一："))
    edition.catalog.parent.mkdir(parents=True)
    catalog.save(str(edition.catalog))
    for notebook, path in ((jupytext.read(script), script.with_suffix(".ipynb")),
                           (build(edition), edition.notebook)):
        code = [c for c in notebook.cells if c.cell_type == "code"]
        for count, cell in enumerate(code, start=1):
            cell.execution_count = count
        code[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
        nbformat.write(notebook, path)
    # The English paragraph changes in both English files (in sync), not in the catalog.
    script.write_text(script.read_text("utf-8").replace("One plus one", "1 + 1"), "utf-8")
    english = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    english.cells[0].source = "1 + 1:"
    nbformat.write(english, script.with_suffix(".ipynb"))

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "notebooks", "--nbval", "--nbval-current-env",
         "-p", "course_tools.nbreport", "-p", "no:cacheprovider", "-o", "addopts=", "-q",
         "--rootdir", str(tmp_path)],
        cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=600)
    summary = result.stdout[result.stdout.index("course check: per lesson"):]
    assert result.returncode == 1, summary
    assert re.search(r"PASSED +notebooks/01_small\.ipynb", summary), summary
    assert re.search(r"FAILED \(translation out of date\) +notebooks/zh-CN/01_small\.ipynb",
                     summary), summary
    assert "no zh-CN translation in 01_small.po for the paragraph:\n      1 + 1:" in summary


def test_saving_a_chinese_notebook_in_jupyterlab_writes_no_py(tmp_path):
    """notebooks/zh-CN/jupytext.toml switches notebooks/jupytext.toml's pairing off there."""
    from jupytext import TextFileContentsManager

    notebooks = tmp_path / "notebooks"
    (notebooks / "zh-CN").mkdir(parents=True)
    for name in ("jupytext.toml", "zh-CN/jupytext.toml"):
        shutil.copy(ROOT / "notebooks" / name, notebooks / name)
    manager = TextFileContentsManager(root_dir=str(notebooks))
    model = {"type": "notebook", "content": nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("一加一")])}
    manager.save(model, "zh-CN/01_small.ipynb")
    manager.save(model, "01_small.ipynb")
    saved = [p for p in notebooks.rglob("*.*") if ".ipynb_checkpoints" not in p.parts]
    assert sorted(p.relative_to(notebooks).as_posix() for p in saved) == [
        "01_small.ipynb", "01_small.py", "jupytext.toml", "zh-CN/01_small.ipynb",
        "zh-CN/jupytext.toml"]


def test_check_and_test_collect_the_chinese_notebooks_for_nbval():
    """course.py passes `notebooks` to pytest: the editions are collected with the English."""
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "notebooks", "--collect-only", "-q", "--nbval",
         "--nbval-current-env", "-p", "no:cacheprovider", "-o", "addopts="],
        cwd=ROOT, capture_output=True, text=True, timeout=300).stdout
    built = [e for e in EDITIONS if e.notebook.exists()]
    assert built, "no Chinese notebook built yet"
    for edition in built:
        assert f"{edition.notebook.relative_to(ROOT).as_posix()}::Cell 0" in listed, edition.name


# --- README.zh-CN.md: README.md's student parts, built --------------------------------------

README_ZH = ReadmeEdition.of()
FIX = ("run `python -m course_tools.translations extract`, translate the empty (or fuzzy) "
       "entries of notebooks/zh-CN/po/README.po, then `python -m course_tools.translations readme`")


def test_every_student_part_of_the_readme_has_a_translation():
    missing = untranslated(README_ZH)
    assert not missing, (
        f"README.zh-CN.md: translation out of date: {len(missing)} paragraph(s) of README.md "
        "have no translation:\n" + "\n".join(f"  {first_line(text)}" for text in missing)
        + f"\n{FIX}")


def test_readme_zh_is_the_build_of_the_readme_and_its_catalog():
    if untranslated(README_ZH):
        pytest.skip("its catalog is incomplete (the test above names the paragraphs)")
    problems = readme_problems(README_ZH)
    assert not problems, "\n".join(detail for _, detail in problems)


def test_readme_zh_has_no_english_prose_left():
    text = README_ZH.readme.read_text(encoding="utf-8")
    assert not english_lines(text), "English prose in README.zh-CN.md:\n" + "\n".join(
        english_lines(text))


def readme_course(tmp_path) -> ReadmeEdition:
    """The files the README's build reads, copied: READMEs, catalog, pyproject, lesson names."""
    edition = ReadmeEdition.of(tmp_path)
    for path in (edition.source, edition.readme, edition.catalog, tmp_path / "pyproject.toml"):
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path.relative_to(tmp_path), path)
    for name in lesson_notebooks(ROOT / "notebooks"):  # the badges need only their names
        (tmp_path / "notebooks" / name).touch()
    return edition


def test_a_changed_readme_paragraph_is_named_and_its_old_translation_offered(tmp_path):
    edition = readme_course(tmp_path)
    assert readme_problems(edition) == []
    text = edition.source.read_text(encoding="utf-8")
    old = next(b for b in edition.paragraphs() if b.startswith("Each lesson ends with exercises"))
    new = old.replace("checks for you", "grades for you")
    edition.source.write_text(text.replace(old, new), encoding="utf-8")

    [(kind, detail)] = readme_problems(edition)
    assert kind == "translation out of date", detail
    assert "Each lesson ends with exercises that the notebook grades for you; the" in detail
    with pytest.raises(translations.TranslationMissing, match="Each lesson ends with exercises"):
        build_readme(edition)

    # extract offers the old translation, fuzzy (still missing) with the old English beside it
    extract_readme(edition)
    catalog = polib.pofile(str(edition.catalog))
    entry = catalog.find(new)
    assert entry.flags == ["fuzzy"] and entry.previous_msgid == old
    assert entry.msgstr.startswith("每一课的最后都有练习")
    assert untranslated(edition) == [new]
    entry.flags, entry.msgstr = [], entry.msgstr.replace("自动检查", "自动评分")
    catalog.save(str(edition.catalog))
    [(kind, detail)] = readme_problems(edition)  # translated, but README.zh-CN.md not rebuilt
    assert kind == "stale" and "translations readme" in detail, detail
    translations.write_readme(edition)
    assert readme_problems(edition) == []
    assert "由笔记本自动评分" in edition.readme.read_text(encoding="utf-8")


def test_only_the_student_parts_are_translated(tmp_path):
    edition = readme_course(tmp_path)
    text = edition.source.read_text(encoding="utf-8")
    maintainers = "This re-executes every lesson and every solution notebook in a fresh kernel"
    assert maintainers in text  # "## For instructors: check the course before class"
    edition.source.write_text(text.replace(maintainers, maintainers.upper()), encoding="utf-8")
    assert readme_problems(edition) == []
    edition.source.write_text(text.replace("## Choosing the device", "## Devices"), "utf-8")
    with pytest.raises(translations.ReadmeError, match="no section '## Choosing the device'"):
        readme_problems(edition)


def test_the_course_links_block_is_built_and_rehome_keeps_it_the_build(tmp_path):
    edition = readme_course(tmp_path)
    built = build_readme(edition)
    links = readme_links(course_address(tmp_path), lesson_notebooks(tmp_path / "notebooks"),
                         lang="zh-CN")
    assert links in built and built.count(README_START) == 1
    assert "/notebooks/zh-CN/04_backprop_by_hand.ipynb)" in links
    assert built.splitlines()[2] == "[English](README.md) | 简体中文"
    fork = "https://github.com/a-teacher/pytorch-course"
    assert rehome([fork], root=tmp_path) == 0
    assert f"{fork}/blob/main/notebooks/zh-CN/".replace(
        "https://github.com/", "https://colab.research.google.com/github/") in (
        edition.readme.read_text(encoding="utf-8"))
    assert readme_problems(edition) == []  # rehome's Chinese badges are what the build writes
