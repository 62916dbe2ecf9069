"""The course website: every lesson as a page whose explorers work with no kernel.

    python course.py site          # builds _site/html/; prints its index.html last

Built with Sphinx, myst-nb and sphinx-book-theme from the committed, executed
notebooks (nothing is re-executed). Each explorer comes back to life from the
widget state that `refresh` saved (course_tools/refresh.py): the page carries
that state, and the widget manager (@jupyter-widgets/html-manager), require.js
and anywidget's front end, all served by the site itself from node_modules/
(npm ci, package-lock.json), draw it. Before scripts run, or with scripts
blocked, the reader sees the explorer's still picture.

One edition per language: English at the root, and each notebooks/<lang>/
folder that holds lessons (zh-CN) under /<lang>/, with a switch on every page.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import NOTEBOOKS, ROOT
from .bootstrap import course_address
from .translations import README_PARTS

OUT = ROOT / "_site"
HTML = OUT / "html"
WORK = OUT / "work"
NODE = ROOT / "node_modules"
ASSETS = Path(__file__).with_name("site_assets")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# The JavaScript the pages load, copied from node_modules/ into /_vendor/:
# (package, files or folders inside it, where they go).
VENDOR = [
    ("requirejs", ["require.js"], "requirejs"),
    ("@jupyter-widgets/html-manager", ["dist/embed-amd.js", "dist/*.woff2", "dist/*.woff",
                                       "dist/*.ttf", "dist/*.eot", "dist/*.svg"],
     "html-manager"),
    ("anywidget", ["dist/index.js"], "anywidget"),
    ("mathjax", ["es5/tex-chtml.js", "es5/output/chtml/fonts/woff-v2", "es5/input/tex/extensions",
                 "es5/ui", "es5/a11y", "es5/sre", "es5/adaptors"], "mathjax"),
]
# README_PARTS: the README's parts that speak to students, the ones the home page shows.
# (A translated README, README.<lang>.md, is built from those parts: all of it is used.)


class SiteError(Exception):
    """The site cannot be built; the message says why in one line."""


@dataclass(frozen=True)
class Edition:
    language: str  # "en", "zh-CN"
    label: str  # what the language switch shows
    notebooks: Path  # where its lessons are
    prefix: str  # where its pages go under _site/html/ ("" for English)

    @property
    def lessons(self) -> list[Path]:
        return sorted(self.notebooks.glob("[0-9][0-9]_*.ipynb"))

    @property
    def solutions(self) -> list[Path]:
        return sorted((self.notebooks / "solutions").glob("[0-9][0-9]_*.ipynb"))


EDITIONS = [Edition("en", "English", NOTEBOOKS, ""),
            Edition("zh-CN", "简体中文", NOTEBOOKS / "zh-CN", "zh-CN")]


def editions(root_notebooks: Path = NOTEBOOKS) -> list[Edition]:
    """The editions present: English, and each translation that holds lessons."""
    found = [Edition(e.language, e.label, root_notebooks / e.notebooks.relative_to(NOTEBOOKS),
                     e.prefix) for e in EDITIONS]
    return [e for e in found if e.lessons]


# --- the notebooks as the site shows them -------------------------------------------------

def live_output(output, state: dict) -> None:
    """Turn an explorer's stored output into its still picture followed by its live view.

    html-manager replaces an `img.jupyter-widget` just before a view's script
    with the live widget; with scripts blocked, the picture stays.
    """
    mark = output.get("metadata", {}).get("coursekit", {})
    model_id = mark.get("model_id")
    if not mark.get("live_widget") or model_id not in state:
        return
    data = output["data"]
    alt = html.escape(str(data.get("text/plain", "an interactive explorer")), quote=True)
    picture = ""
    if "image/png" in data:
        png = "".join(data["image/png"]).replace("\n", "")
        base64.b64decode(png, validate=True)  # a broken picture stops the build here
        picture = (f'<img class="jupyter-widget ck-still" alt="{alt}" '
                   f'src="data:image/png;base64,{png}">')
    view = json.dumps({"model_id": model_id, "version_major": 2, "version_minor": 0})
    data["text/html"] = (f'<div class="ck-explorer">{picture}'
                         f'<script type="{WIDGET_VIEW}">{view}</script></div>')


def site_notebook(path: Path):
    """The notebook as its page shows it: explorers live over their still pictures."""
    notebook = nbformat.read(path, as_version=4)
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "data" in output:
                live_output(output, state)
    return notebook


# --- the home page, from the student parts of the README ----------------------------------

def readme_sections(text: str) -> tuple[str, dict[str, str]]:
    """(the part before the first ## heading, {heading: body})."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return parts[0], {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def home_page(readme: str, lesson_names: list[str], parts: list[str] | None = README_PARTS) -> str:
    """The home page: the README's intro and `parts` (None: every section)."""
    intro, sections = readme_sections(readme)
    # The README's own language line ("English | [简体中文](README.zh-CN.md)"): the site
    # has its language switch on every page instead.
    intro = re.sub(r"^.*\]\(README(\.[\w-]+)?\.md\).*\n", "", intro, flags=re.M)
    body = [intro.strip()]
    body += [f"## {name}\n{sections[name].rstrip()}" for name in (parts or sections)
             if name in sections]
    text = "\n\n".join(body) + "\n"
    # Badges are pictures from other sites: a page must load nothing from elsewhere.
    text = re.sub(r"\[!\[([^\]]*)\]\([^)]*\)\]\(([^)]*)\)", r"[\1](\2)", text)
    text = re.sub(r"<!--.*?-->\n?", "", text)
    for name in lesson_names:  # `04_backprop_by_hand` in the table → a link to its page
        text = text.replace(f"| `{name}` |", f"| [`{name}`]({name}.ipynb) |")
    return text


# --- the build ------------------------------------------------------------------------------

def check_node_modules() -> None:
    missing = [package for package, _, _ in VENDOR
               if not (NODE / package / "package.json").exists()]
    if missing:
        raise SiteError(f"node_modules/ lacks {', '.join(missing)}: run "
                        "`npm ci --ignore-scripts` in the course folder (course.py test does it)")


def copy_vendor(target: Path) -> list[dict]:
    """Copy the pinned JavaScript into `target`; return what was copied, with licences."""
    copied = []
    for package, patterns, folder in VENDOR:
        source = NODE / package
        meta = json.loads((source / "package.json").read_text(encoding="utf-8"))
        for pattern in patterns:
            for found in sorted(source.glob(pattern)):  # where it is in the package
                destination = target / folder / found.relative_to(source)
                if found.is_dir():
                    shutil.copytree(found, destination, dirs_exist_ok=True)
                else:
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(found, destination)
        for licence in sorted(source.glob("LICEN[CS]E*")):
            shutil.copy2(licence, target / folder / licence.name)
        copied.append({"package": package, "version": meta["version"],
                       "license": _licence(meta), "folder": folder})
    return copied


def _licence(meta: dict) -> str:
    licence = meta.get("license") or meta.get("licenses") or "see its package"
    if isinstance(licence, list):
        licence = ", ".join(item.get("type", "?") for item in licence)
    if isinstance(licence, dict):
        licence = licence.get("type", "?")
    return str(licence)


def licences_page(vendor: list[dict]) -> str:
    from importlib.metadata import version

    rows = [f"| `{v['package']}` | {v['version']} | {v['license']} | `/_vendor/{v['folder']}/` |"
            for v in vendor]
    python_rows = [
        ("sphinx", "BSD-2-Clause", "the search (searchtools.js), page scripts and styles"),
        ("pydata-sphinx-theme", "BSD-3-Clause",
         "the theme's scripts and styles; bundles Bootstrap (MIT) and Font Awesome "
         "(icons CC BY 4.0, fonts SIL OFL 1.1, code MIT)"),
        ("sphinx-book-theme", "BSD-3-Clause", "the book layout's scripts and styles"),
        ("myst-nb", "BSD-3-Clause", "the notebook cells' styles"),
    ]
    rows += [f"| `{name}` (Python) | {version(name)} | {licence} | {what} |"
             for name, licence, what in python_rows]
    return "\n".join([
        "# Licences of what this site serves",
        "",
        "Every script, style sheet and font of these pages comes from this site itself, at "
        "the pinned versions below: nothing is loaded from anywhere else when you read it. "
        "JavaScript packages come from the course's `package-lock.json` (with integrity "
        "hashes), Python packages from `requirements.lock`. Each JavaScript package's "
        "licence file is served beside it.",
        "",
        "| package | version | licence | what / where |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
        "The course itself (lessons, `coursekit`) is under the MIT licence; the handwritten "
        "digits of lesson 07 are CC BY 4.0 (UCI Machine Learning Repository).",
        "",
    ])


def stage(edition: Edition, all_editions: list[Edition], vendor: list[dict]) -> Path:
    """Write the Sphinx source folder of one edition; return it."""
    source = WORK / (edition.language) / "src"
    if source.exists():
        shutil.rmtree(source)
    (source / "solutions").mkdir(parents=True)
    lessons = [p.stem for p in edition.lessons]
    for path in edition.lessons:
        nbformat.write(site_notebook(path), source / path.name)
    for path in edition.solutions:
        nbformat.write(site_notebook(path), source / "solutions" / path.name)
    translated = ROOT / f"README.{edition.language}.md"
    readme, parts = (translated, None) if translated.exists() else (ROOT / "README.md",
                                                                    README_PARTS)
    home = home_page(readme.read_text(encoding="utf-8"), lessons, parts)
    toc = ["", "```{toctree}", ":caption: Lessons", ":maxdepth: 1", "", *lessons, "```", "",
           "```{toctree}", ":caption: Solutions", ":maxdepth: 1", "",
           *[f"solutions/{p.stem}" for p in edition.solutions], "```", "",
           "```{toctree}", ":caption: About", ":maxdepth: 1", "", "licences", "```", ""]
    (source / "index.md").write_text(home + "\n".join(toc), encoding="utf-8")
    (source / "licences.md").write_text(licences_page(vendor), encoding="utf-8")
    shutil.copytree(ASSETS / "_static", source / "_static")
    shutil.copytree(ASSETS / "_templates", source / "_templates")
    shutil.copy2(ASSETS / "conf.py", source / "conf.py")
    pages = {e.language: ["index", "licences", *[p.stem for p in e.lessons],
                          *[f"solutions/{p.stem}" for p in e.solutions]] for e in all_editions}
    settings = {
        "language": edition.language,
        "title": re.search(r"^# (.+)$", home, re.M).group(1).strip(),
        "repository": course_address(ROOT),
        "path_to_docs": str(edition.notebooks.relative_to(ROOT)),
        "prefix": edition.prefix,
        "editions": [{"language": e.language, "label": e.label, "prefix": e.prefix,
                      "pages": pages[e.language]} for e in all_editions],
    }
    (source / "site.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    return source


def sphinx(source: Path, target: Path, doctrees: Path) -> None:
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", "-j", "1",
               "-d", str(doctrees), str(source), str(target)]
    # SOURCE_DATE_EPOCH: the same pages from an unchanged course (no build date in them).
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", env=env)
    problems = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode != 0:
        raise SiteError(f"sphinx failed: {problems[-1] if problems else done.returncode}")
    for line in problems:
        print(f"  {line}", flush=True)


def restore_downloads(edition: Edition, target: Path) -> None:
    """The download button gives the committed notebook, as it is in the repository."""
    for path in [*edition.lessons, *edition.solutions]:
        relative = path.relative_to(edition.notebooks)
        shutil.copy2(path, target / "_sources" / relative)


def check_sphinx() -> None:
    import importlib.util

    missing = [m for m in ("sphinx", "myst_nb", "sphinx_book_theme")
               if importlib.util.find_spec(m) is None]
    if missing:
        raise SiteError(f"{', '.join(missing)} not installed: the website needs Python 3.11 or "
                        "newer with the `site` extra (requirements.lock installs it there)")


def build(quiet: bool = False) -> Path:
    """Build every edition into _site/html/; return the path of its index.html."""
    check_sphinx()
    check_node_modules()
    found = editions()
    if not found:
        raise SiteError(f"no lessons in {NOTEBOOKS}")
    if HTML.exists():
        shutil.rmtree(HTML)
    HTML.mkdir(parents=True)
    vendor = copy_vendor(HTML / "_vendor")
    for edition in found:
        started = time.perf_counter()
        source = stage(edition, found, vendor)
        target = HTML / edition.prefix if edition.prefix else HTML
        sphinx(source, target, WORK / edition.language / "doctrees")
        restore_downloads(edition, target)
        for leftover in (".buildinfo", ".buildinfo.bak"):
            (target / leftover).unlink(missing_ok=True)
        if not quiet:
            print(f"built   {edition.language}: {len(edition.lessons)} lessons, "
                  f"{len(edition.solutions)} solutions ({time.perf_counter() - started:.1f} s)",
                  flush=True)
    # GitHub Pages: serve _static/ and _vendor/ as they are.
    (HTML / ".nojekyll").write_text("", encoding="utf-8")
    return HTML / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course.py site", description=__doc__.split("\n")[0])
    parser.parse_args(argv)
    try:
        index = build()
    except SiteError as exc:
        print(f"The site was not built: {exc}", file=sys.stderr)
        return 1
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
