"""The student's language: chosen once with --lang, remembered, or taken from the locale."""

import json
import os

import pytest

from course_tools import language


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "zh_CN.UTF-8"}, "zh-CN"),
    ({"LANG": "zh_TW.UTF-8"}, "zh-CN"),  # the only Chinese edition
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins, as in POSIX
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh-CN"),
    ({"LC_ALL": "", "LANG": "zh_CN.GB18030"}, "zh-CN"),  # set but empty counts as unset
])
def test_the_system_locale_decides_when_nothing_was_chosen(environ, expected):
    assert language.system_language(environ) == expected


@pytest.mark.parametrize("asked, expected", [("zh-CN", "zh-CN"), ("zh_CN", "zh-CN"),
                                             ("zh", "zh-CN"), ("ZH-cn", "zh-CN"),
                                             ("en", "en"), ("en_US", "en")])
def test_language_names_are_understood_in_their_usual_forms(asked, expected):
    assert language.normalise(asked) == expected


def test_an_unknown_language_is_one_line():
    with pytest.raises(language.LanguageChoiceError, match="unknown language 'fr': choose one of "
                                                           "en, zh-CN"):
        language.normalise("fr")


def test_a_choice_is_remembered_in_my_work(tmp_path, monkeypatch):
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    work = tmp_path / "my-work"
    assert language.choose(work) == "en"  # nothing chosen: the locale
    assert language.choose(work, "zh_CN") == "zh-CN"
    assert json.loads((work / language.SETTINGS).read_text())["lang"] == "zh-CN"
    assert language.choose(work) == "zh-CN"  # remembered, whatever the locale says
    assert language.choose(work, "en") == "en"
    assert language.choose(work) == "en"


def test_an_unreadable_settings_file_falls_back_to_the_locale(tmp_path, monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    (tmp_path / language.SETTINGS).write_text("{not json")
    assert language.choose(tmp_path) == "zh-CN"


def test_chinese_turns_jupyterlabs_menus_to_chinese_by_default_only():
    english = language.lab_environment("en", {"JUPYTER_CONFIG_PATH": "/a"})
    assert english["JUPYTER_CONFIG_PATH"] == "/a"
    chinese = language.lab_environment("zh-CN", {"JUPYTER_CONFIG_PATH": "/a"})
    folder, rest = chinese["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert rest == "/a"
    overrides = json.loads(
        (language.LAB_SETTINGS / "zh-CN" / "labconfig" / "default_setting_overrides.json")
        .read_text())
    assert folder == str(language.LAB_SETTINGS / "zh-CN")
    assert overrides == {"@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}}


@pytest.mark.parametrize("args, expected", [
    (["--lang", "zh-CN", "--port", "9"], ("zh-CN", ["--port", "9"])),
    (["--lang=en"], ("en", [])),
    (["--reference"], (None, ["--reference"])),
])
def test_the_lang_option_is_taken_out_of_jupyters_arguments(args, expected):
    assert language.take_option(args) == expected


def test_lang_without_a_value_is_one_line():
    with pytest.raises(language.LanguageChoiceError, match="--lang needs a language: en or zh-CN"):
        language.take_option(["--lang"])
