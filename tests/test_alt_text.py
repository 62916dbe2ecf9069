"""Every picture a lesson stores has alt text, made from the figure's own words.

coursekit.setup() wraps IPython's PNG printer of matplotlib figures so that each
figure a notebook shows carries its alt text in the output's metadata
(`{"image/png": {"alt": ...}}`), where nbconvert and the course website read it.
"""

import base64
import io
import json
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import pytest

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
from IPython.core.formatters import DisplayFormatter  # noqa: E402
from IPython.core.pylabtools import print_figure, select_figure_formats  # noqa: E402
from PIL import Image  # noqa: E402

from coursekit import i18n, plotting  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")  # the language is process-wide: leave it as other tests expect
    plt.close("all")


def stored_images(path: Path):
    """(where, alt text) of every picture stored in a notebook's outputs."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(notebook["cells"], 1):
        for output in cell.get("outputs", []):
            kinds = [kind for kind in output.get("data", {}) if kind.startswith("image/")]
            metadata = output.get("metadata", {})
            for kind in kinds:  # nbconvert's order: the picture's own metadata, then the output's
                alt = metadata.get(kind, {}).get("alt") or metadata.get("alt")
                yield f"{path.relative_to(NOTEBOOKS)} cell {number} ({kind})", alt


def test_every_stored_picture_has_alt_text():
    found = [image for path in sorted(NOTEBOOKS.rglob("*.ipynb"))
             for image in stored_images(path)]
    missing = [where for where, alt in found if not (alt or "").strip()]
    assert not missing, ("pictures without alt text (run `python course.py refresh NAME`):\n"
                         + "\n".join(missing))
    english = [where for where, _ in found if not where.startswith("zh-CN")]
    assert len(english) >= 20 and len(found) >= 2 * len(english), "the scan found too few"


def small_figure():
    figure, axes = plt.subplots(figsize=(3, 2), dpi=50)
    axes.plot([0, 1, 2], [3.0, 1.5, 0.7], label="training")
    axes.plot([0, 1, 2], [3.0, 2.0, 1.8], label="validation")
    axes.set(title="Loss falls", xlabel="epoch", ylabel="loss")
    axes.legend()
    return figure


def test_alt_text_says_the_titles_labels_and_legend():
    figure = small_figure()
    assert plotting.figure_alt_text(figure) == (
        "Loss falls: loss against epoch; legend: training, validation")
    figure.suptitle("Two runs")
    right = figure.axes[0].twinx()  # a second plot, its x axis shared: its label said again
    right.set_ylabel("accuracy")
    assert plotting.figure_alt_text(figure) == (
        "Two runs. Loss falls: loss against epoch; legend: training, validation. "
        "plot 2: accuracy against epoch")


def test_alt_text_leaves_out_empty_plots_and_says_shared_labels():
    figure, grid = plt.subplots(2, 2, sharey=True)
    for axes, title in zip(grid.flat[:3], ["3", "7", "1"], strict=True):
        axes.imshow([[0, 1], [1, 0]])
        axes.set_title(title)
    grid[0, 0].set_ylabel("row")
    grid[1, 1].axis("off")  # an unused cell: nothing drawn, nothing said
    figure.suptitle("Three digits\nand their labels.")
    assert plotting.figure_alt_text(figure) == (
        "Three digits; and their labels. 3: row. 7: row. 1: row")


def test_alt_text_words_are_translated():
    i18n.set_language("zh-CN")
    assert plotting.figure_alt_text(small_figure()) == (
        "Loss falls: loss 随 epoch 的变化; 图例：training, validation")


def inline_shell(formats: set[str]):
    """A shell with IPython's real display formatter, set up as the inline backend sets it."""
    shell = SimpleNamespace(display_formatter=DisplayFormatter())
    select_figure_formats(shell, formats, bbox_inches="tight")
    return shell


def test_a_shown_figure_carries_alt_text_and_the_same_picture():
    shell = inline_shell({"png"})
    figure = small_figure()
    before, _ = shell.display_formatter.format(figure)
    assert plotting.show_alt_text(shell) and plotting.show_alt_text(shell)  # twice: one wrap
    data, metadata = shell.display_formatter.format(figure)
    assert metadata["image/png"] == {"alt": plotting.figure_alt_text(figure)}
    assert data["image/png"] == before["image/png"]
    expected = print_figure(figure, fmt="png", bbox_inches="tight")
    assert base64.b64decode(data["image/png"]) == expected
    assert Image.open(io.BytesIO(expected)).size == Image.open(
        io.BytesIO(base64.b64decode(before["image/png"]))).size


def test_retina_keeps_its_size_metadata_and_an_empty_figure_shows_nothing():
    shell = inline_shell({"retina"})
    plotting.show_alt_text(shell)
    figure = small_figure()
    data, metadata = shell.display_formatter.format(figure)
    width, height = Image.open(io.BytesIO(base64.b64decode(data["image/png"]))).size
    assert metadata["image/png"] == {"width": width // 2, "height": height // 2,
                                     "alt": plotting.figure_alt_text(figure)}
    data, metadata = shell.display_formatter.format(plt.figure())
    assert "image/png" not in data and "image/png" not in metadata


def test_without_a_png_printer_nothing_is_wrapped():
    shell = inline_shell({"svg"})
    assert not plotting.show_alt_text(shell)


def test_setup_in_a_notebook_gives_its_figures_alt_text(monkeypatch):
    import IPython

    import coursekit

    shell = inline_shell({"png"})
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    loaded = []  # setup() loads pyplot's backend first (in a kernel, it resets the printers)
    monkeypatch.setattr(plt, "switch_backend", loaded.append)
    monkeypatch.setenv("COURSEKIT_DEVICE", "cpu")
    coursekit.setup()
    assert loaded == [matplotlib.get_backend()]
    _, metadata = shell.display_formatter.format(small_figure())
    assert metadata["image/png"]["alt"].startswith("Loss falls: loss against epoch")
