"""coursekit speaks the student's language: setup(lang=...), its catalog, its pictures."""

import hashlib
import warnings

import matplotlib
import pytest

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

import coursekit  # noqa: E402
from course_tools import translations  # noqa: E402
from coursekit import i18n, plotting  # noqa: E402

# WenQuanYi Micro Hei 0.2.0-beta as Debian ships it (fonts-wqy-microhei
# 0.2.0-beta-3.1): the package we depend on carries this very file.
WQY_MICROHEI_SHA256 = "2420e8078af796b19a3f6ef13de527a1a91c1e7171eea115926c614ced1009b3"


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")  # the language is process-wide: leave it as other tests expect


def test_setup_speaks_chinese_when_asked_and_english_by_default(capsys, monkeypatch):
    monkeypatch.setenv("COURSEKIT_DEVICE", "cpu")
    coursekit.setup(lang="zh-CN")
    assert i18n.language() == "zh-CN"
    assert capsys.readouterr().out == (
        "coursekit：设备 cpu（由 COURSEKIT_DEVICE=cpu 指定），随机种子 0\n")
    coursekit.setup()
    assert i18n.language() == "en"
    assert capsys.readouterr().out == (
        "coursekit: device cpu (set by COURSEKIT_DEVICE=cpu), seed 0\n")


def test_an_unknown_language_is_one_line_naming_the_choices():
    with pytest.raises(i18n.LanguageError) as raised:
        coursekit.setup(lang="fr")
    assert raised.value._render_traceback_() == [
        "LanguageError: unknown language 'fr': choose one of en, zh-CN"]


def test_every_coursekit_template_has_a_chinese_translation():
    templates, wrong = translations.coursekit_templates()
    assert not wrong, "\n".join(wrong)
    assert templates, "no _() template found: the scan is broken"
    missing = translations.untranslated_templates()
    assert not missing, (
        f"{len(missing)} coursekit template(s) without a zh-CN translation: run "
        "`python -m course_tools.translations extract-coursekit` and translate them in "
        "src/coursekit/locale/zh-CN.po:\n" + "\n".join(f"  {t.where}: {t.text}" for t in missing))


def test_translations_keep_every_placeholder():
    catalog = translations.translations(translations.coursekit_catalog())
    broken = [english for english, chinese in catalog.items()
              if translations.placeholders(english) != translations.placeholders(chinese)]
    assert not broken, f"translations that lose or add a {{placeholder}}: {broken}"


def test_the_course_ships_its_chinese_font():
    path = plotting.shipped_cjk_font()
    assert path is not None, "paperang-p2-fonts-cjk is not installed (see requirements.lock)"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == WQY_MICROHEI_SHA256
    assert plotting.cjk_family() == plotting.CJK_FAMILY
    found = font_manager.findfont(font_manager.FontProperties(family=plotting.CJK_FAMILY),
                                  fallback_to_default=False)
    assert found == str(path)


def test_a_chinese_plot_is_drawn_without_missing_glyphs(monkeypatch, capsys):
    monkeypatch.setenv("COURSEKIT_DEVICE", "cpu")
    coursekit.setup(lang="zh-CN")
    assert matplotlib.rcParams["font.family"] == ["sans-serif", plotting.CJK_FAMILY]
    figure, axes = plotting.new_figure()
    axes.plot([0, 1, 2], [3.0, 1.5, 0.7], label="梯度下降（学习率 0.1）")
    axes.set_title("损失随轮次下降：收敛")
    axes.set_xlabel("轮次 (epoch)")
    axes.legend()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        picture = plotting.figure_png(figure)
    assert not [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert picture.startswith(b"\x89PNG")
    plt.close("all")


def test_english_pictures_are_drawn_exactly_as_without_the_chinese_fallback():
    def english_picture() -> bytes:
        figure, axes = plotting.new_figure()
        axes.plot([0, 1], [1, 0], label="loss, lr = 0.1 → ∂L/∂w")
        axes.set_title("Gradient descent converges")
        axes.legend()
        return plotting.figure_png(figure)

    plotting.use_course_style()  # the course's sizes either way: only the fonts differ
    with matplotlib.rc_context({"font.family": ["sans-serif"]}):
        without = english_picture()
    assert english_picture() == without


def test_a_device_the_machine_cannot_give_is_refused_in_chinese(monkeypatch):
    monkeypatch.setenv("COURSEKIT_DEVICE", "tpu")
    with pytest.raises(coursekit.DeviceError) as raised:
        coursekit.setup(lang="zh-CN")
    assert str(raised.value).startswith("COURSEKIT_DEVICE=tpu 不是设备名称。这台机器上可用的选择：")
    assert str(raised.value).endswith("（可用的写法有 cpu、cuda、cuda:N 和 mps）。")


def test_a_template_without_translation_shows_in_english_with_a_warning():
    i18n.set_language("zh-CN")
    with pytest.warns(i18n.MissingTranslation, match="no zh-CN translation for 'not a template'"):
        assert i18n._("not a template") == "not a template"
    i18n.set_language("en")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert i18n._("not a template") == "not a template"  # English needs no catalog


SCANNED = '''
from .i18n import _
LINE = "{words} at {lr}"
WORDS = {1: "Passed", 2: "Not yet"}
TONES = {"converges": "good", "diverges": "bad"}

def verdict(x):
    if x:
        return "fails"
    return "learns well"

class Explorer:
    title = "Optimizer explorer"

def exercise(number, title, hint=""):
    return number

exercise(2, "predict the shapes", hint="line them up")

def show(control, explorer, exercise):
    make(description="learning rate")
    print(_("literal {n}"), _(LINE), _(WORDS[1]), _(verdict(3)), _(control.description))
    print(_(explorer.title), [_(word) for word in TONES], _(LINE + " · more"))
    print(_(f"bad {LINE}"), _("a {x}".format(x=1)))
'''


def test_the_scan_finds_literal_and_named_templates_and_refuses_formatted_ones(tmp_path):
    package = tmp_path / "coursekit"
    package.mkdir()
    (package / "explorer.py").write_text(SCANNED, encoding="utf-8")
    templates, wrong = translations.coursekit_templates(package)
    assert sorted(t.text for t in templates) == sorted([
        "literal {n}", "{words} at {lr}", "Passed", "Not yet", "fails", "learns well",
        "learning rate", "Optimizer explorer", "converges", "diverges", "{words} at {lr} · more",
        "predict the shapes"])
    assert len(wrong) == 2 and all("translate the template, then format" in w for w in wrong)


def test_a_chinese_explorer_picture_has_no_missing_glyphs(monkeypatch, capsys):
    """The learning-rate explorer's static picture (what GitHub shows), in Chinese."""
    from coursekit.lr_explorer import LearningRateExplorer

    monkeypatch.setenv("COURSEKIT_DEVICE", "cpu")
    coursekit.setup(lang="zh-CN")
    explorer = LearningRateExplorer(lr=0.1, epochs=20)
    assert "发散" in explorer.verdict or "收敛" in explorer.verdict, explorer.verdict
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        picture = plotting.figure_png(explorer.static_figure(**explorer.values()))
    assert not [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert not [w for w in caught if issubclass(w.category, i18n.MissingTranslation)]
    assert picture.startswith(b"\x89PNG")


def test_a_translated_label_passed_on_is_not_translated_twice():
    i18n.set_language("zh-CN")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert i18n._(i18n._("learning rate")) == "学习率"
