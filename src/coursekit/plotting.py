"""Plot defaults shared by every lesson, and small figure helpers."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": "medium",
    "legend.frameon": False,
}


# Chinese characters in pictures. Matplotlib's own DejaVu Sans has no CJK glyphs,
# and a student's laptop may have no CJK font matplotlib finds: the course
# depends on paperang-p2-fonts-cjk (2.3 MB download, 5.2 MB installed), which
# ships WenQuanYi Micro Hei (Apache-2.0; byte-identical to Debian's
# fonts-wqy-microhei). It is only a fallback: a glyph DejaVu Sans has keeps its
# DejaVu shape, so English pictures are drawn exactly as without it.
CJK_FAMILY = "WenQuanYi Micro Hei"
# Used when the shipped font is missing (an older install): the first one found.
SYSTEM_CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
                       "PingFang SC", "WenQuanYi Zen Hei", "SimHei")


def shipped_cjk_font() -> Path | None:
    """The CJK font file the course installs (None if its package is missing)."""
    try:
        import paperang_p2_fonts_cjk
    except ModuleNotFoundError:
        return None
    path = Path(paperang_p2_fonts_cjk.__file__).with_name("fonts") / "wqy-microhei.ttc"
    return path if path.is_file() else None


@cache
def cjk_family() -> str | None:
    """A font family with Chinese glyphs, registered with matplotlib (None: none found)."""
    from matplotlib import font_manager

    path = shipped_cjk_font()
    if path is not None:
        font_manager.fontManager.addfont(str(path))  # every face of the .ttc, ~20 ms
        return CJK_FAMILY
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in SYSTEM_CJK_FAMILIES if name in installed), None)


def use_course_style() -> None:
    """Apply the course's matplotlib defaults (labelled, gridded, readable)."""
    matplotlib.rcParams.update(STYLE)
    family = cjk_family()
    if family is not None:
        # Per-glyph fallback: what the sans-serif font lacks comes from the CJK font.
        matplotlib.rcParams["font.family"] = ["sans-serif", family]


def new_figure(ncols: int = 1, *, width: float = 6.4, height: float = 3.6):
    """A figure not registered with pyplot, so it is only shown when we say so.

    Returns (figure, axes) with one axes per column.
    """
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, axes


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """Render a figure to PNG bytes (for an Image widget or a static fallback)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def figure_alt_text(fig: Figure) -> str:
    """A text alternative for a figure, from its own words: the overall title, then each
    plot's title, axis labels and legend ("Loss falls: loss against epoch; legend:
    training, validation"). Empty plots (a grid's unused cells) are left out."""
    from .i18n import _

    parts = []
    if fig._suptitle is not None and fig._suptitle.get_text():
        lines = [" ".join(line.split()) for line in fig._suptitle.get_text().splitlines()]
        lines = [line for line in lines if line]
        # A title's lines read as one sentence: "setting:" runs on, others end with ";".
        parts.append(" ".join(line if line.endswith((":", ";")) or i == len(lines) - 1
                              else line + ";" for i, line in enumerate(lines)
                              ).rstrip(" .:;。：；"))
    plots = [ax for ax in fig.get_axes() if ax.get_visible() and ax.get_label() != "<colorbar>"
             and (ax.has_data() or ax.get_title() or ax.get_xlabel() or ax.get_ylabel())]
    for i, ax in enumerate(plots, 1):
        title = " ".join(ax.get_title().split()) or _("plot {i}").format(i=i)
        x, y = axis_label(ax, "x"), axis_label(ax, "y")
        axes = _("{y} against {x}").format(x=x, y=y) if x and y else (x or y)
        described = f"{title}: {axes}" if axes else title
        parts.append("; ".join([described, *legend_text(ax.get_legend())]))
    parts += legend_text(*fig.legends)
    return ". ".join(parts) or _("a figure")


def axis_label(ax, which: str) -> str:
    """The x or y axis's label; on a plot sharing that axis with others (subplots with
    sharey=True label only one of them), the one they show."""
    shared = ax.get_shared_x_axes() if which == "x" else ax.get_shared_y_axes()
    labels = [getattr(other, f"get_{which}label")() for other in [ax, *shared.get_siblings(ax)]]
    return " ".join(next(filter(None, labels), "").split())


def legend_text(*legends) -> list[str]:
    """"legend: a, b" for each legend that is drawn (its entries as shown)."""
    from .i18n import _

    said = []
    for legend in legends:
        if legend is None or not legend.get_visible():
            continue
        labels = [" ".join(text.get_text().split()) for text in legend.get_texts()]
        if any(labels):
            said.append(_("legend: {labels}").format(labels=", ".join(filter(None, labels))))
    return said


def with_alt_text(print_png):
    """IPython's PNG printer of figures, its result carrying the figure's alt text.

    The picture is the one `print_png` makes, unchanged; IPython stores the
    metadata beside it in the output, where nbconvert and the website read it.
    """
    if getattr(print_png, "adds_alt_text", False):
        return print_png

    def print_png_with_alt_text(fig):
        printed = print_png(fig)
        if printed is None:  # an empty figure shows nothing
            return None
        data, metadata = printed if isinstance(printed, tuple) else (printed, {})
        return data, {**metadata, "alt": figure_alt_text(fig)}

    print_png_with_alt_text.adds_alt_text = True
    return print_png_with_alt_text


def show_alt_text(shell) -> bool:
    """Make every figure `shell` (an IPython shell) shows as a PNG carry its alt text.

    False when figures are not shown as PNGs there (another backend, SVG). A
    later change of the inline backend's formats (`%config
    InlineBackend.figure_formats`) replaces the printer: setup() again restores it.
    """
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        print_png = formatter.lookup_by_type(Figure)
    except KeyError:
        return False
    formatter.for_type(Figure, with_alt_text(print_png))
    return True


def alt_text_in_notebooks() -> bool:
    """In a notebook's kernel, give the figures it shows alt text (see show_alt_text)."""
    try:
        from IPython import get_ipython
    except ModuleNotFoundError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    import matplotlib.pyplot as plt

    # pyplot loads its backend at the first figure, and the inline backend then sets
    # IPython's figure printers afresh: load it now, so that ours wraps the one it sets.
    try:
        plt.switch_backend(matplotlib.get_backend())
    except ImportError:  # a backend this machine cannot load: the first plot will say so
        return False
    return show_alt_text(shell)
