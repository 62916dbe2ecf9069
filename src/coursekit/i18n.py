"""The student's language for the text coursekit prints or draws.

Lessons choose it once, in `coursekit.setup(lang=...)`; English is the default.
Every sentence coursekit shows a student (exercise feedback, verdicts, explorer
labels, titles of its own plots) goes through `_()`:

    _("your accuracy is {got}, expected {want}").format(got=..., want=...)

Translate the template, then format it: the catalog's keys are the English
templates, so never pass an f-string to `_()`. Catalogs are gettext `.po` files
in `coursekit/locale/<lang>.po`, read with polib. A template with no
translation shows in English with a MissingTranslation warning, once: in a
Chinese notebook the warning is stored output, so nbval and the tests catch it
(and tests/test_i18n.py lists every template in the code that lacks one).
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "zh-CN")
LOCALE_DIR = Path(__file__).with_name("locale")
_current = "en"


class LanguageError(ValueError):
    """An unknown language code: one line, naming the valid ones."""

    def _render_traceback_(self):  # Jupyter shows this one line, not a traceback
        return [f"LanguageError: {self}"]


def set_language(lang: str) -> str:
    """Make `lang` the language of everything coursekit shows from now on."""
    global _current
    normalised = str(lang).strip().replace("_", "-")
    matches = [code for code in LANGUAGES if code.lower() == normalised.lower()]
    if not matches:
        raise LanguageError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    _current = matches[0]
    return _current


def language() -> str:
    return _current


@cache
def catalog(lang: str) -> dict[str, str]:
    """English template -> translation, for one language (empty for English)."""
    path = LOCALE_DIR / f"{lang}.po"
    if lang == "en" or not path.exists():
        return {}
    import polib

    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(path))
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags}


class MissingTranslation(UserWarning):
    """A template shown in English in another language: add it to the catalog."""


def _(message: str) -> str:
    """`message` in the current language (English, with a warning, when it has no translation)."""
    if _current == "en":
        return message
    translated = catalog(_current).get(message)
    if translated is None:
        if message not in translations(_current):  # not already translated (a label passed on)
            _warn_once(_current, message)
        return message
    return translated


@cache
def translations(lang: str) -> frozenset[str]:
    """Every translation in `lang`'s catalog: text `_()` may be given a second time."""
    return frozenset(catalog(lang).values())


@cache
def _warn_once(lang: str, message: str) -> None:
    warnings.warn(f"coursekit has no {lang} translation for {message!r} "
                  f"(src/coursekit/locale/{lang}.po)", MissingTranslation, stacklevel=4)
