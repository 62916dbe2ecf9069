"""Translated editions of the lessons: built from the English sources and one catalog each.

`notebooks/zh-CN/po/NN_name.po` (solutions: `po/solutions/NN_name_solutions.po`)
holds one entry per Markdown cell of the English lesson: msgid is the cell's
whole source as in `notebooks/NN_name.py`, msgstr its translation. An English
cell that changes no longer matches its msgid, so its translation shows up as
missing: that is how drift is caught. An empty or fuzzy msgstr counts as missing;
a missing translation is an error, never shown in English.

The edition's notebook, `notebooks/zh-CN/NN_name.ipynb`, is a build: the English
lesson's cells, each Markdown cell replaced by its translation, each code cell
unchanged except the setup call, which names the language
(`device = coursekit.setup(lang="zh-CN")`). `python course.py refresh` builds and
executes it; nobody edits it, and it has no .py of its own (no jupytext pairing).

The translated README, `README.zh-CN.md`, is a build too: the README's student
parts (`README_PARTS`: the intro and those sections) with each Markdown block
(heading, paragraph, list, table, code block) replaced by its translation from
`notebooks/zh-CN/po/README.po`, the language line and the generated course-links
block (course_tools/bootstrap.py) written for the edition. A translation may say
more than its English block when its readers need it (`--lang zh-CN`, say).

    python -m course_tools.translations extract            # new English cells and README
                                                           # blocks into every catalog
    python -m course_tools.translations status             # what each catalog still lacks
    python -m course_tools.translations readme             # write README.zh-CN.md
    python -m course_tools.translations extract-coursekit  # coursekit's own _() templates
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import polib

from . import NOTEBOOKS, ROOT
from .bootstrap import README_END, README_START, course_address, lesson_notebooks, readme_links
from .files import write_atomic
from .notebook_pairs import read_lesson

LANGUAGES = ("zh-CN",)
# The one code difference between the editions: the setup call names the language.
SETUP_CALL = re.compile(r"\bcoursekit\.setup\((?P<arguments>[^()]*)\)")
COURSEKIT = ROOT / "src" / "coursekit"


class TranslationMissing(Exception):
    """An English Markdown cell has no (or only a fuzzy) translation. One line."""


@dataclass(frozen=True)
class Edition:
    """One lesson (or solution) in one language other than English."""

    script: Path  # the English NN_name.py: the cells, the code
    notebook: Path  # notebooks/<lang>/[solutions/]NN_name.ipynb: the executed build
    catalog: Path  # notebooks/<lang>/po/[solutions/]NN_name.po: the translations
    lang: str

    @property
    def source(self) -> Path:
        return self.script

    def paragraphs(self) -> list[str]:
        """The English text to translate: the lesson's Markdown cells."""
        return markdown_cells(self.script)

    @property
    def name(self) -> str:
        """`zh-CN/04_backprop_by_hand` (`zh-CN/solutions/...`), as refresh and check name it."""
        parts = self.notebook.with_suffix("").parts
        start = len(parts) - 1 - parts[::-1].index(self.lang)
        return "/".join(parts[start:])

    @classmethod
    def of(cls, script: Path, lang: str = "zh-CN", notebooks: Path | None = None) -> Edition:
        notebooks = Path(notebooks) if notebooks else _lessons_folder(script)
        relative = script.relative_to(notebooks)
        folder = notebooks / lang
        return cls(script, folder / relative.with_suffix(".ipynb"),
                   folder / "po" / relative.with_suffix(".po"), lang)

    @classmethod
    def for_notebook(cls, notebook: Path) -> Edition | None:
        """The edition a notebook path belongs to (None: not an edition's notebook)."""
        notebook = Path(notebook)
        for depth, folder in enumerate(notebook.parents):
            if folder.name in LANGUAGES:
                relative = notebook.relative_to(folder).with_suffix(".py")
                if depth > 1 or relative.parts[0] == "po":
                    return None
                return cls.of(folder.parent / relative, folder.name, folder.parent)
        return None


def translated_editions(script: Path) -> list[Edition]:
    """The editions an English lesson has: one per language folder beside the lessons."""
    notebooks = _lessons_folder(script)
    return [Edition.of(script, lang, notebooks) for lang in LANGUAGES
            if (notebooks / lang).is_dir()]


def _lessons_folder(script: Path) -> Path:
    """notebooks/ for a lesson or a solution (notebooks/solutions/NN_name_solutions.py)."""
    return script.parent.parent if script.parent.name == "solutions" else script.parent


def english_sources(notebooks: Path = NOTEBOOKS) -> list[Path]:
    return sorted(notebooks.glob("[0-9][0-9]_*.py")) + sorted(
        (notebooks / "solutions").glob("[0-9][0-9]_*.py"))


def editions(lang: str = "zh-CN", notebooks: Path = NOTEBOOKS) -> list[Edition]:
    """Every lesson and solution of the course in `lang`, in the English order."""
    return [Edition.of(script, lang, notebooks) for script in english_sources(notebooks)]


def catalog_path(source: Path, lang: str = "zh-CN") -> Path:
    return Edition.of(source, lang).catalog


def markdown_cells(source: Path) -> list[str]:
    notebook = read_lesson(source)
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


def translations(catalog: Path) -> dict[str, str]:
    """English cell -> its translation, for the usable entries (not empty, fuzzy or obsolete)."""
    if not catalog.exists():
        return {}
    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(catalog))
            if entry.msgstr.strip() and not entry.obsolete and "fuzzy" not in entry.flags}


def untranslated(edition: Edition | ReadmeEdition) -> list[str]:
    """The English Markdown cells (README blocks) that have no usable translation, in order."""
    known = translations(edition.catalog)
    return list(dict.fromkeys(text for text in edition.paragraphs() if text not in known))


def first_line(text: str, limit: int = 90) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "(empty)")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def missing_message(edition: Edition | ReadmeEdition, missing: list[str]) -> str:
    shown = "; ".join(repr(first_line(text)) for text in missing[:3])
    more = f" (and {len(missing) - 3} more)" if len(missing) > 3 else ""
    return (f"translation out of date: {len(missing)} English paragraph(s) of "
            f"{edition.source.name} have no {edition.lang} translation in "
            f"{edition.catalog.name}: {shown}{more}")


def with_language(code: str, lang: str) -> str:
    """The setup call of a code cell, naming the edition's language."""
    def named(match: re.Match) -> str:
        arguments = match.group("arguments").strip()
        return f'coursekit.setup({arguments + ", " if arguments else ""}lang="{lang}")'

    return SETUP_CALL.sub(named, code)


def build(edition: Edition):
    """The edition's notebook, not executed: translated Markdown, the English code.

    Raises TranslationMissing when any Markdown cell lacks its translation.
    """
    notebook = read_lesson(edition.script)
    known = translations(edition.catalog)
    missing = list(dict.fromkeys(cell.source for cell in notebook.cells
                                 if cell.cell_type == "markdown" and cell.source not in known))
    if missing:
        raise TranslationMissing(missing_message(edition, missing))
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            cell.source = known[cell.source]
        elif cell.cell_type == "code":
            cell.source = with_language(cell.source, edition.lang)
        # Ids from the content, as refresh derives them: a rebuild changes nothing in git.
        cell.id = hashlib.sha1(f"{index}:{cell.source}".encode()).hexdigest()[:8]
    # No jupytext metadata: the edition is a build, never paired with a .py.
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    return notebook


def problems(edition: Edition) -> list[tuple[str, str]]:
    """(kind, detail) for what is wrong with an edition's stored notebook, [] if nothing.

    kind "translation out of date": an English paragraph has no translation (named
    by its first line); "stale": the catalog is complete but the stored notebook
    was built from an older English lesson or catalog.
    """
    missing = untranslated(edition)
    if missing:
        lines = [f"no {edition.lang} translation in {edition.catalog.name} for the paragraph:"]
        lines += [f"  {first_line(text)}" for text in missing]
        return [("translation out of date", "\n".join(lines))]
    import nbformat

    if not edition.notebook.exists():
        return [("stale", f"not built yet: run `python course.py refresh {edition.name}`")]
    built = [(cell.cell_type, cell.source.strip()) for cell in build(edition).cells]
    stored = [(cell.cell_type, cell.source.strip())
              for cell in nbformat.read(edition.notebook, as_version=4).cells]
    if built == stored:
        return []
    changed = [i for i, (a, b) in enumerate(zip(built, stored, strict=False)) if a != b]
    where = f"cell {changed[0]}" if changed else "the number of cells"
    return [("stale", f"built from an older English lesson or catalog ({where} differs): "
                      f"run `python course.py refresh {edition.name}`")]


# --- keeping the catalogs up to date ----------------------------------------------------


def extract(source: Path, lang: str = "zh-CN") -> Path:
    """Bring one catalog up to date with its English lesson, keeping every translation."""
    path = catalog_path(source, lang)
    old = polib.pofile(str(path)) if path.exists() else None
    known = {entry.msgid: entry for entry in old} if old else {}
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": lang}
    for number, text in enumerate(markdown_cells(source), start=1):
        if catalog.find(text) is None:
            previous = known.get(text)
            catalog.append(polib.POEntry(
                msgid=text, msgstr=previous.msgstr if previous else "",
                flags=list(previous.flags) if previous else [],
                occurrences=[(source.name, str(number))]))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, catalog.__unicode__())
    return path


# --- the translated README: the README's student parts, built -----------------------------

# The README's parts that speak to students (its intro comes first; the rest of the
# README is for maintainers). The translated README is exactly these parts, and the
# site's home page shows them (course_tools/site.py).
README_PARTS = ["Two commands", "Your work and course updates", "Choosing the device",
                "Installing on your machine", "conda", "Colab and Binder"]
# The README's own language line, per edition (the English one links to the others).
LANGUAGE_LINES = {"zh-CN": "[English](README.md) | 简体中文"}
_LANGUAGE_LINE = re.compile(r"^English \|[^\n]*\]\(README\.[\w-]+\.md\)[^\n]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


class ReadmeError(Exception):
    """README.md lacks a part the translated README is built from. One line."""


@dataclass(frozen=True)
class ReadmeEdition:
    """README.<lang>.md: built from README.md's student parts and one catalog."""

    source: Path  # README.md
    readme: Path  # README.<lang>.md: the build, committed
    catalog: Path  # notebooks/<lang>/po/README.po, beside the lessons' catalogs
    lang: str

    @classmethod
    def of(cls, root: Path = ROOT, lang: str = "zh-CN") -> ReadmeEdition:
        return cls(root / "README.md", root / f"README.{lang}.md",
                   root / "notebooks" / lang / "po" / "README.po", lang)

    @property
    def name(self) -> str:
        return self.readme.name

    def paragraphs(self) -> list[str]:
        """The English blocks to translate (not the language line, not generated ones)."""
        return [block for block in student_blocks(self.source.read_text(encoding="utf-8"))
                if not _made_by_the_build(block)]


def markdown_blocks(text: str) -> list[str]:
    """A Markdown text's blocks (heading, paragraph, list, table...), split at blank
    lines; a fenced code block or the generated course-links block stays whole."""
    blocks: list[list[str]] = [[]]
    fenced = generated = False
    for line in text.splitlines():
        if not line.strip() and not fenced and not generated:
            blocks.append([])
            continue
        blocks[-1].append(line)
        if _FENCE.match(line):
            fenced = not fenced
        generated = (generated or line.startswith(README_START)) and not line.startswith(
            README_END)
    return ["\n".join(lines) for lines in blocks if lines]


def student_blocks(readme: str, parts: list[str] = README_PARTS) -> list[str]:
    """The blocks of the README's intro and of its sections named in `parts`, in order."""
    blocks, found, keep = [], set(), True
    for block in markdown_blocks(readme):
        if block.startswith("## "):
            heading = block.splitlines()[0][3:].strip()
            keep = heading in parts
            found.add(heading)
        if keep:
            blocks.append(block)
    lacking = [part for part in parts if part not in found]
    if lacking:
        raise ReadmeError(f"README.md has no section '## {lacking[0]}' (a student part named "
                          "in course_tools/translations.py's README_PARTS)")
    return blocks


def _made_by_the_build(block: str) -> bool:
    return bool(_LANGUAGE_LINE.match(block)) or block.startswith(README_START)


def build_readme(edition: ReadmeEdition) -> str:
    """The text of README.<lang>.md. Raises TranslationMissing when a block lacks one."""
    missing = untranslated(edition)
    if missing:
        raise TranslationMissing(missing_message(edition, missing))
    known = translations(edition.catalog)
    root = edition.source.parent
    built = []
    for block in student_blocks(edition.source.read_text(encoding="utf-8")):
        if _LANGUAGE_LINE.match(block):
            built.append(LANGUAGE_LINES[edition.lang])
        elif block.startswith(README_START):  # what `course.py rehome` writes there
            built.append(readme_links(course_address(root), lesson_notebooks(root / "notebooks"),
                                      lang=edition.lang))
        else:
            built.append(known[block])
    return "\n\n".join(built) + "\n"


def write_readme(edition: ReadmeEdition) -> Path:
    write_atomic(edition.readme, build_readme(edition))
    return edition.readme


def readme_problems(edition: ReadmeEdition) -> list[tuple[str, str]]:
    """As `problems` for a lesson: "translation out of date" naming each English block
    with no translation, or "stale" when README.<lang>.md is not the current build."""
    command = "python -m course_tools.translations readme"
    missing = untranslated(edition)
    if missing:
        lines = [f"no {edition.lang} translation in {edition.catalog.name} for the "
                 f"{edition.source.name} paragraph:"]
        lines += [f"  {first_line(text)}" for text in missing]
        return [("translation out of date", "\n".join(lines))]
    built = build_readme(edition).splitlines()
    stored = (edition.readme.read_text(encoding="utf-8").splitlines()
              if edition.readme.exists() else [])
    if built == stored:
        return []
    line = next((i for i, (a, b) in enumerate(zip(built, stored, strict=False), 1) if a != b),
                min(len(built), len(stored)) + 1)
    return [("stale", f"{edition.name} is not the build of {edition.source.name} and "
                      f"{edition.catalog.name} (line {line} differs; edit the catalog, never "
                      f"{edition.name}): run `{command}`")]


def extract_readme(edition: ReadmeEdition) -> Path:
    """Bring the README's catalog up to date, keeping every translation.

    A changed English block gets the old block's translation, marked fuzzy (so it
    still counts as missing) with the old English as `#| msgid`, as gettext's
    msgmerge does: the translator sees what changed. A translation no longer used
    by any block is kept, obsolete (#~).
    """
    path = edition.catalog
    old = {entry.msgid: entry for entry in polib.pofile(str(path))
           if not entry.obsolete} if path.exists() else {}
    source = edition.source.read_text(encoding="utf-8")
    blocks = edition.paragraphs()
    unused = {text: entry for text, entry in old.items() if text not in blocks and entry.msgstr}
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": edition.lang}
    for text in dict.fromkeys(blocks):
        line = source[:source.index(text)].count("\n") + 1
        entry = polib.POEntry(msgid=text, occurrences=[(edition.source.name, str(line))])
        if text in old:
            entry.msgstr, entry.flags = old[text].msgstr, list(old[text].flags)
            entry.previous_msgid = old[text].previous_msgid
        elif (nearest := _nearest(text, unused)) is not None:
            entry.msgstr, entry.flags = unused.pop(nearest).msgstr, ["fuzzy"]
            entry.previous_msgid = nearest
        catalog.append(entry)
    for entry in unused.values():
        entry.obsolete = True
        catalog.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, catalog.__unicode__())
    return path


def _nearest(text: str, candidates: dict, cutoff: float = 0.6) -> str | None:
    """The candidate English block most like `text` (a changed paragraph), if any is."""
    found = difflib.get_close_matches(text, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


# --- coursekit's own text: the _() templates -------------------------------------------


@dataclass(frozen=True)
class Template:
    text: str
    where: str  # file:line of its first use


def coursekit_templates(package: Path = COURSEKIT) -> tuple[list[Template], list[str]]:
    """Every template coursekit passes to `_()`, and the calls that can never match one.

    A literal `_("...")` is a template. So is what a `_(name)` can only hold, found
    in the code: a module constant (a string, or the strings of a tuple or dict),
    what a module function returns, a keyword argument or class attribute of the
    same name as `_(obj.title)`'s attribute, the items a comprehension's variable
    runs over. An f-string, `+` or `.format` inside `_()` is wrong: translate, then
    format. What stays unresolved is caught at run time (i18n.MissingTranslation).
    """
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
             for path in sorted(package.rglob("*.py"))}
    named = _named_strings(trees.values())
    found: dict[str, Template] = {}
    wrong = []
    for path, tree in trees.items():
        resolver = _Resolver(tree, named)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "_" and len(node.args) == 1 and not node.keywords):
                continue
            where = f"{path.relative_to(package.parent).as_posix()}:{node.lineno}"
            argument = node.args[0]
            joined = resolver.joined(argument)
            if joined is None and isinstance(argument, (ast.JoinedStr, ast.BinOp)) or (
                    isinstance(argument, ast.Call) and isinstance(argument.func, ast.Attribute)
                    and argument.func.attr in ("format", "join")):
                wrong.append(f"{where}: _() is given a formatted string "
                             f"({ast.unparse(argument)[:60]}): translate the template, then format")
                continue
            for text in ([joined] if joined is not None else resolver.strings(argument)):
                found.setdefault(text, Template(text, where))
    return sorted(found.values(), key=lambda t: t.where), wrong


def _named_strings(trees) -> dict[str, list[str]]:
    """name -> the string literals given to arguments (keyword, or positional to a
    function of the package) or class attributes so named."""
    trees = list(trees)
    parameters = {node.name: [a.arg for a in node.args.args if a.arg not in ("self", "cls")]
                  for tree in trees for node in ast.walk(tree)
                  if isinstance(node, ast.FunctionDef)}
    named: dict[str, list[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg:
                pairs = [(node.arg, node.value)]
            elif isinstance(node, ast.Call):
                function = node.func
                called = function.attr if isinstance(function, ast.Attribute) else getattr(
                    function, "id", None)
                pairs = list(zip(parameters.get(called, []), node.args, strict=False))
            elif isinstance(node, ast.ClassDef):
                pairs = [(target.id, statement.value) for statement in node.body
                         if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value
                         for target in (statement.targets if isinstance(statement, ast.Assign)
                                        else [statement.target]) if isinstance(target, ast.Name)]
            else:
                continue
            for name, value in pairs:
                named.setdefault(name, []).extend(_literal_strings(value))
    return named


def _literal_strings(node) -> list[str]:
    """The strings of a literal: a string, a tuple/list/set of them, a dict's (string keys,
    else string values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [text for element in node.elts for text in _literal_strings(element)]
    if isinstance(node, ast.Dict):
        keys = [key for key in node.keys if key is not None]
        strings = [t for key in keys for t in _literal_strings(key)]
        if keys and len(strings) == len(keys):
            return strings
        return [text for value in node.values for text in _literal_strings(value)]
    return []


class _Resolver:
    """What string literals an expression given to `_()` can hold, within one module."""

    def __init__(self, tree, named: dict[str, list[str]]):
        self.named = named
        self.constants = {target.id: statement.value for statement in tree.body
                          if isinstance(statement, ast.Assign) for target in statement.targets
                          if isinstance(target, ast.Name)}
        self.functions = {node.name: node for node in tree.body
                          if isinstance(node, ast.FunctionDef)}
        self.loops: dict[str, list] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.comprehension, ast.For)):
                targets = node.target.elts if isinstance(node.target, ast.Tuple) else [node.target]
                if targets and isinstance(targets[0], ast.Name):
                    self.loops.setdefault(targets[0].id, []).append(node.iter)

    def strings(self, node, depth: int = 0) -> list[str]:
        if depth > 6:
            return []
        deeper = depth + 1
        if isinstance(node, ast.Constant):
            return _literal_strings(node)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return [t for element in node.elts for t in self.strings(element, deeper)]
        if isinstance(node, ast.Starred):
            return self.strings(node.value, deeper)
        if isinstance(node, ast.IfExp):
            return self.strings(node.body, deeper) + self.strings(node.orelse, deeper)
        if isinstance(node, ast.Name):
            if node.id in self.constants:
                value = self.constants[node.id]
                return _literal_strings(value) or self.strings(value, deeper)
            return [t for iterable in self.loops.get(node.id, ())
                    for t in self.strings(iterable, deeper)]
        if isinstance(node, ast.Attribute):
            return list(self.named.get(node.attr, []))
        if isinstance(node, ast.Subscript):
            return self._values(node.value)
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Attribute) and function.attr == "get":
                return self._values(function.value)
            if isinstance(function, ast.Attribute) and function.attr in ("items", "keys"):
                return self.strings(function.value, deeper)  # a dict's string keys
            if isinstance(function, ast.Name) and function.id in self.functions:
                return [t for statement in ast.walk(self.functions[function.id])
                        if isinstance(statement, ast.Return) and statement.value is not None
                        for t in _literal_strings(statement.value)
                        if not isinstance(statement.value, ast.Dict)]
        return []

    def joined(self, node) -> str | None:
        """The one string a `+` of constants makes (None: not such a sum)."""
        if not isinstance(node, ast.BinOp) or not isinstance(node.op, ast.Add):
            return None
        parts = []
        for side in (node.left, node.right):
            texts = [self.joined(side)] if isinstance(side, ast.BinOp) else self.strings(side)
            if len(texts) != 1 or texts[0] is None:
                return None
            parts.append(texts[0])
        return "".join(parts)

    def _values(self, node) -> list[str]:
        """The string values of a module dict (or the items of a module tuple) indexed."""
        value = self.constants.get(node.id) if isinstance(node, ast.Name) else None
        if isinstance(value, ast.Dict):
            return [t for item in value.values for t in _literal_strings(item)]
        return _literal_strings(value) if value is not None else []


def coursekit_catalog(lang: str = "zh-CN", package: Path = COURSEKIT) -> Path:
    return package / "locale" / f"{lang}.po"


def untranslated_templates(lang: str = "zh-CN", package: Path = COURSEKIT) -> list[Template]:
    templates, _wrong = coursekit_templates(package)
    known = translations(coursekit_catalog(lang, package))
    return [template for template in templates if template.text not in known]


def placeholders(text: str) -> list[str]:
    """The `{name}` fields of a template (a translation must keep every one)."""
    import string

    return sorted(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def extract_coursekit(lang: str = "zh-CN", package: Path = COURSEKIT) -> Path:
    """Bring coursekit's catalog up to date with its `_()` templates, keeping translations.

    A template no longer used is kept, marked obsolete (#~): a branch may bring it back.
    """
    path = coursekit_catalog(lang, package)
    old = {entry.msgid: entry for entry in polib.pofile(str(path))} if path.exists() else {}
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": lang}
    templates, _wrong = coursekit_templates(package)
    for template in templates:
        previous = old.pop(template.text, None)
        catalog.append(polib.POEntry(
            msgid=template.text, msgstr=previous.msgstr if previous else "",
            flags=list(previous.flags) if previous else [],
            occurrences=[tuple(template.where.rsplit(":", 1))]))
    for entry in old.values():
        if entry.msgstr:
            entry.obsolete = True
            catalog.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, catalog.__unicode__())
    return path


def main(argv: list[str]) -> int:
    try:
        return _command(argv[:1])
    except ReadmeError as error:  # README.md lost a student section: one line, no traceback
        print(error, file=sys.stderr)
        return 1


def _command(command: list[str]) -> int:
    if command == ["extract"]:
        for source in english_sources():
            print(extract(source).relative_to(ROOT))
        for lang in LANGUAGES:
            print(extract_readme(ReadmeEdition.of(lang=lang)).relative_to(ROOT))
        return 0
    if command == ["readme"]:
        for lang in LANGUAGES:
            try:
                print(f"wrote {write_readme(ReadmeEdition.of(lang=lang)).relative_to(ROOT)}")
            except TranslationMissing as error:
                print(f"README.{lang}.md: {error}", file=sys.stderr)
                return 1
        return 0
    if command == ["extract-coursekit"]:
        path = extract_coursekit()
        print(f"{path.relative_to(ROOT)}: {len(untranslated_templates())} template(s) "
              "without a translation")
        return 0
    if command == ["status"]:
        for edition in editions():
            missing = untranslated(edition)
            print(f"{edition.name:<45} {'complete' if not missing else f'{len(missing)} missing'}")
        for lang in LANGUAGES:
            readme = ReadmeEdition.of(lang=lang)
            problems = readme_problems(readme)
            print(f"{readme.name:<45} {problems[0][0] if problems else 'complete, built'}")
            for _kind, detail in problems:
                print("  " + detail.replace("\n", "\n  "))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
