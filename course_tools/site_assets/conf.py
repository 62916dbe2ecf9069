"""Sphinx settings of one edition of the course website (written by course_tools/site.py).

The edition's own values (language, where its pages go, the other editions)
are in site.json beside this file.
"""

import base64
import hashlib
import json
import posixpath
from pathlib import Path

from docutils import nodes

SITE = json.loads((Path(__file__).parent / "site.json").read_text(encoding="utf-8"))
# /_vendor/ (the pinned JavaScript) sits at the site's root; an edition under
# /zh-CN/ reaches it one folder up.
UP = "../" if SITE["prefix"] else ""

project = SITE["title"]
author = "the course's authors"
copyright = "the course's authors"  # no year: the same pages every build
language = SITE["language"].replace("-", "_")
# Sphinx 9's Chinese search scripts call a ChineseStemmer they do not ship (an
# uncaught error on every page): the English search, which splits on spaces
# and punctuation, serves every edition; it finds code names and English terms.
html_search_language = "en"
extensions = ["myst_nb"]
exclude_patterns = ["site.json", "**/.ipynb_checkpoints"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["ck-site.css"]
html_theme = "sphinx_book_theme"
html_title = SITE["title"]
html_last_updated_fmt = None
html_context = {"default_mode": "auto"}  # light or dark, as the reader's system is
html_show_sourcelink = False
html_copy_source = True  # the .ipynb download button (replaced by the committed notebook)
html_theme_options = {
    "repository_url": SITE["repository"],
    "repository_branch": "main",
    "path_to_docs": SITE["path_to_docs"],
    "use_download_button": True,
    "use_repository_button": True,
    "use_fullscreen_button": False,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "article_header_end": ["ck-lang.html", "article-header-buttons.html"],
    "navigation_with_keys": False,
    "show_toc_level": 2,
}

# The notebooks are shown as stored, never executed here.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# Explorers: the widget manager, require.js and anywidget's front end, all from
# this site (require.js finds anywidget through ck-widgets.js, never a CDN).
# (myst-nb resolves these from _static/.)
nb_ipywidgets_js = {
    f"../{UP}_vendor/requirejs/require.js": {},
    "ck-widgets.js": {"data-vendor": f"../{UP}_vendor/"},
    # Were a module ever missing here, the manager would look in this folder of
    # the site (and fail visibly), never on the internet.
    f"../{UP}_vendor/html-manager/dist/embed-amd.js": {"data-jupyter-widgets-cdn": "no-cdn/"},
}
# Relative to _static/: MathJax served by the site too.
mathjax_path = f"../{UP}_vendor/mathjax/es5/tex-chtml.js"
suppress_warnings = ["mystnb.unknown_mime_type", "misc.highlighting_failure", "myst.header"]


def editions_for(pagename: str) -> list[dict]:
    """The language switch of one page: each edition's copy of it (or its home page)."""
    here = posixpath.join(SITE["prefix"], pagename)
    links = []
    for edition in SITE["editions"]:
        page = pagename if pagename in edition["pages"] else "index"
        there = posixpath.join(edition["prefix"], page) + ".html"
        href = posixpath.relpath(there, posixpath.dirname(here) or ".")
        links.append({"label": edition["label"], "href": href, "language": edition["language"],
                      "current": edition["language"] == SITE["language"]})
    return links


def _page_context(app, pagename, templatename, context, doctree):
    context["ck_editions"] = editions_for(pagename) if len(SITE["editions"]) > 1 else []


def stored_alt_texts(folder: Path) -> dict[str, str]:
    """sha256 of each PNG the notebooks under `folder` store -> its alt text (from the
    output's metadata, where coursekit puts it)."""
    found = {}
    for path in folder.rglob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                metadata = output.get("metadata", {})
                alt = metadata.get("image/png", {}).get("alt") or metadata.get("alt")
                if png and alt:
                    png = "".join(png) if isinstance(png, list) else png
                    found[hashlib.sha256(base64.b64decode(png)).hexdigest()] = alt
    return found


def _image_alt_texts(app, doctree):
    """myst-nb does not read an output's alt text; it names each picture it writes by
    its content's sha256: give the <img> its alt text from that."""
    if not hasattr(app, "ck_alt"):
        app.ck_alt = stored_alt_texts(Path(app.srcdir))
    for image in doctree.findall(nodes.image):
        alt = app.ck_alt.get(posixpath.splitext(posixpath.basename(image["uri"]))[0])
        if alt and "alt" not in image:
            image["alt"] = alt


def setup(app):
    app.connect("html-page-context", _page_context)
    app.connect("doctree-read", _image_alt_texts)
