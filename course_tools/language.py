"""The student's language, chosen once: `python course.py lab --lang zh-CN`.

The choice is remembered in `my-work/.course-settings.json`; with none made, the
system's locale decides (LC_ALL, LC_MESSAGES, LANG, then Python's locale: any
Chinese one gives zh-CN, anything else English). `my-work/` then holds the lessons
of that edition (notebooks/ or notebooks/zh-CN/), and JupyterLab's own menus
follow it (jupyterlab-language-pack-zh-CN, switched on by a default-settings
override in `lab_settings/zh-CN/`, so a language the student picks in
JupyterLab's Settings menu still wins).
"""

from __future__ import annotations

import json
import locale
import os
from collections.abc import Mapping
from pathlib import Path

from .files import write_atomic

LANGUAGES = ("en", "zh-CN")
SETTINGS = ".course-settings.json"
ENV_VAR = "COURSEKIT_LANG"  # this run's language, set by `lab --lang` for the tools it runs
LAB_SETTINGS = Path(__file__).with_name("lab_settings")  # <lang>/labconfig/*.json


class LanguageChoiceError(ValueError):
    """An unknown language: one line naming the valid ones."""


def normalise(asked: str) -> str:
    """`zh-CN` from zh-CN, zh_CN, zh-cn, zh; `en` from en, en_US...; else LanguageChoiceError."""
    code = str(asked).strip().replace("_", "-").lower()
    if code == "zh" or code.startswith(("zh-cn", "zh-hans", "zh-sg")):
        return "zh-CN"
    if code == "en" or code.startswith("en-"):
        return "en"
    raise LanguageChoiceError(f"unknown language {asked!r}: choose one of {', '.join(LANGUAGES)}")


def take_option(args: list[str]) -> tuple[str | None, list[str]]:
    """(the value of --lang, the other arguments): `--lang zh-CN` or `--lang=zh-CN`."""
    rest, asked = [], None
    items = iter(args)
    for arg in items:
        if arg == "--lang":
            asked = next(items, None)
            if asked is None or asked.startswith("-"):
                raise LanguageChoiceError(f"--lang needs a language: {' or '.join(LANGUAGES)}")
        elif arg.startswith("--lang="):
            asked = arg.removeprefix("--lang=")
        else:
            rest.append(arg)
    return asked, rest


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """zh-CN when the system's locale is Chinese, else en."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):  # POSIX order: the first set one decides
        value = environ.get(name, "").strip()
        if value:
            return "zh-CN" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""  # Windows: 'Chinese (Simplified)_China'
    except ValueError:
        code = ""
    return "zh-CN" if code.lower().startswith(("zh", "chinese")) else "en"


def remembered(work: Path) -> str | None:
    """The language chosen with --lang before (None: never chosen, or unreadable)."""
    try:
        return normalise(json.loads((Path(work) / SETTINGS).read_text(encoding="utf-8"))["lang"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(work: Path, lang: str) -> None:
    path = Path(work) / SETTINGS
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
        settings = settings if isinstance(settings, dict) else {}
    except (OSError, ValueError):
        settings = {}
    settings["lang"] = lang
    settings["about"] = ("Written by `python course.py lab --lang ...`: the language of your "
                         "lessons (en or zh-CN).")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(settings, indent=1, sort_keys=True) + "\n")


def choose(work: Path, asked: str | None = None) -> str:
    """The language for this run: `asked` (then remembered), or the remembered one,
    or the system's."""
    if asked:
        lang = normalise(asked)
        remember(work, lang)
        return lang
    return remembered(work) or system_language()


def lab_environment(lang: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for `jupyter lab`: for Chinese, its menus default to zh_CN."""
    environ = dict(os.environ if environ is None else environ)
    folder = LAB_SETTINGS / lang
    if lang != "en" and folder.is_dir():
        # Jupyter reads labconfig/default_setting_overrides.json in every folder of
        # JUPYTER_CONFIG_PATH: defaults only, nothing written to the student's settings.
        paths = [str(folder)] + [p for p in environ.get("JUPYTER_CONFIG_PATH", "").split(
            os.pathsep) if p]
        environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    return environ
