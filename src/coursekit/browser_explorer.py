"""Explorers drawn in the browser: ipywidgets sliders linked to a small canvas widget.

An explorer is one *view*, an anywidget that draws its own controls (range
inputs with a box to type into, radio buttons for a choice) and a <canvas>
with its own JavaScript (coursekit/js/, no build step). Moving a slider
redraws the picture in the same animation frame, without a round trip to the
kernel: the view got everything it needs once, when it was displayed, and
computes each frame itself. The kernel hears of a value when the thumb is let
go or has rested 400 ms (each message makes JupyterLab redraw its busy/idle
indicators, work a slow laptop cannot spare while the picture follows the
thumb). In Python, each control is an ipywidgets control that is never
displayed: it describes the slider (range, label, format) and holds its value,
linked to the view's trait (`traitlets.link`).
The view reads its colours and text size from the page's CSS variables
(`--ck-*`, else JupyterLab's `--jp-*`), and its words from `text`, a dict of
translated templates (coursekit.i18n).

The Python side keeps the same state: it computes the same verdict line for
the current values (`explorer.verdict`, the one line nbval compares), validates `set(...)`,
and renders a matplotlib picture of the current state once per display, the
static fallback that GitHub and other viewers without a kernel show.
"""

from __future__ import annotations

import base64
import math
import numbers
from pathlib import Path

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.figure import Figure

from .i18n import _
from .plotting import figure_alt_text, figure_png

JS = Path(__file__).with_name("js")


def esm(name: str) -> str:
    """The ES module of one view: the shared helpers followed by `js/<name>.js`."""
    return (JS / "common.js").read_text(encoding="utf-8") + (JS / f"{name}.js").read_text(
        encoding="utf-8")


def plain(x: float, digits: int = 3) -> str:
    """`x` to `digits` significant digits, written out for a beginner: 1,900; 0.0000534.

    Python's "g" format (1.9e+12) only where writing it out would be very long
    (1e9 and above, below 1e-7). The view's `plain` (js/common.js) is the same.
    """
    x = float(x)
    if not math.isfinite(x) or x == 0:
        return f"{x:.{digits}g}"
    exponent = int(f"{x:.{digits - 1}e}".split("e")[1])
    if exponent >= 9 or exponent < -7:
        return f"{x:.{digits}g}"
    rounded = abs(float(f"{x:.{digits - 1}e}"))  # to `digits` significant digits first
    text = f"{rounded:,.{max(digits - 1 - exponent, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("-" if x < 0 else "") + text


class ExplorerError(ValueError):
    """A bad value for an explorer: one line in Jupyter, no traceback into coursekit."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


def clean(value: float) -> float:
    """A slider value rounded to 12 significant digits (as the view's `clean` does).

    A log slider's front end sends back 10**log10(v), which is v only to about
    1e-16: rounding keeps a typed 0.3 exactly 0.3 on both sides.
    """
    return float(f"{value:.12g}")


def slider_bounds(control: widgets.ValueWidget) -> tuple[float, float]:
    """The smallest and largest value a slider takes (a log slider's in real units)."""
    if isinstance(control, widgets.FloatLogSlider):
        return control.base**control.min, control.base**control.max
    return control.min, control.max


CHOICES = (widgets.ToggleButtons, widgets.Dropdown, widgets.SelectionSlider)


def synced(control: widgets.ValueWidget) -> str:
    """The attribute that carries a control's value in the browser (a choice's is its index)."""
    return "index" if isinstance(control, CHOICES) else "value"


def choice_values(control) -> list:
    """A choice's values: its options, or the value of each (label, value) option."""
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def choice_labels(control) -> list[str]:
    return [str(o[0] if isinstance(o, tuple) else o) for o in control.options]


def control_spec(name: str, control: widgets.ValueWidget) -> dict:
    """What the view needs to draw a control: its kind, label and range (a log slider's
    as powers of ten), the significant digits of its readout."""
    spec = {"name": name, "label": _(control.description)}
    if isinstance(control, widgets.ToggleButtons):
        return {**spec, "kind": "buttons", "options": choice_labels(control)}
    if isinstance(control, CHOICES):
        return {**spec, "kind": "choice", "options": choice_labels(control)}
    kind = ("log" if isinstance(control, widgets.FloatLogSlider)
            else "int" if isinstance(control, widgets.IntSlider) else "linear")
    digits = 3
    fmt = getattr(control, "readout_format", None)
    if isinstance(fmt, str) and any(c.isdigit() for c in fmt):
        digits = int("".join(c for c in fmt if c.isdigit()))
        if fmt.endswith("f") and kind == "linear":  # decimals: add the whole part's digits
            digits += len(str(int(abs(max(control.max, -control.min)))))
    step = control.step if kind != "log" or control.step else None
    return {**spec, "kind": kind, "min": float(control.min), "max": float(control.max),
            "step": None if step is None else float(step), "digits": digits}


# The words every view may show, as English templates (translated when sent).
COMMON_WORDS = (
    "value of {label}",
    "{typed} is not a number from {lo} to {hi}",
    "{typed} is outside {lo} to {hi}: using {value}",
    "Could not draw this setting ({error})",
    "{n} epoch", "{n} epochs",
    "diverges at epoch {epoch}",
    "converges: loss {loss} after {span}",
    "too slow: loss still {loss} after {span} (best possible {best})",
    "neither converges nor diverges: at exactly 2/λ_max the steep direction oscillates at "
    "constant amplitude; loss {loss} after {span}",
)


class ExplorerView(anywidget.AnyWidget):
    """The base of every explorer's view: its controls' specs and its words."""

    controls = traitlets.List().tag(sync=True)
    text = traitlets.Dict().tag(sync=True)


class BrowserExplorer:
    """Base class: controls (name → ipywidgets control) + a canvas view with a trait per control.

    A choice (ToggleButtons, Dropdown, SelectionSlider) reaches the view as its index.
    Subclasses implement `describe(**values)` (the verdict line, the same words
    the view shows) and `static_figure(**values)` (a matplotlib picture of that
    state, rendered only for the static fallback).
    """

    title = "Explorer"
    # English templates of the words this explorer's view shows (besides COMMON_WORDS),
    # and "picture": the canvas's text alternative ({verdict} is the verdict line).
    words: tuple[str, ...] = ()
    picture = "A plot of what the line above says: {verdict}"

    def __init__(self, controls: dict[str, widgets.ValueWidget], view: anywidget.AnyWidget):
        self.controls = controls
        self.view = view
        self._described: dict | None = None  # the values the verdict below is for
        self._verdict = ""
        if not view.has_trait("controls"):  # a view that is not an ExplorerView
            view.add_traits(controls=traitlets.List().tag(sync=True),
                            text=traitlets.Dict().tag(sync=True))
        view.controls = [control_spec(name, control) for name, control in controls.items()]
        view.text = self.text()
        self.links = []
        for name, control in controls.items():
            setattr(view, name, getattr(control, synced(control)))
            # In the kernel: the view's value (sent by the browser) moves the control, and
            # a control moved in Python moves the view.
            self.links.append(widgets.link((control, synced(control)), (view, name)))
        self.ui = view

    def text(self) -> dict:
        """The view's words: English template → its translation, plus the verdicts' tones."""
        words = {word: _(word) for word in (*COMMON_WORDS, *self.words)}
        words["picture"] = _(self.picture)
        words["tones"] = {_("converges"): "good", _("diverges"): "bad", _("too slow"): "warn",
                          _("neither"): "warn", _("overfits"): "warn"}
        return words

    @property
    def verdict(self) -> str:
        """The verdict line for the controls' current values (what the view shows).

        Computed when asked for, not on every change: while a thumb is dragged,
        the kernel only stores the values the browser sends.
        """
        values = self.values()
        if values != self._described:
            self._verdict = self.describe(**values)
            self._described = values
        return self._verdict

    def describe(self, **values) -> str:
        raise NotImplementedError

    def static_figure(self, **values) -> Figure:
        raise NotImplementedError

    def values(self) -> dict:
        """The controls' current values, as the view uses them."""
        return {name: self._clean(control.value) for name, control in self.controls.items()}

    @staticmethod
    def _clean(value):
        return clean(value) if isinstance(value, float) else value

    def check(self, name: str, value):
        """`value` converted for control `name`, or a ValueError that says what is valid."""
        control = self.controls[name]
        if isinstance(control, CHOICES):
            if value not in choice_values(control):
                choices = ", ".join(repr(option) for option in choice_values(control))
                raise ExplorerError(_("{name} must be one of {choices}; got {value}").format(
                    name=name, choices=choices, value=repr(value)))
            return value
        whole = isinstance(control, widgets.IntSlider)
        lo, hi = slider_bounds(control)
        template = (_("{name} must be a whole number from {lo} to {hi}; got {value}") if whole
                    else _("{name} must be a number from {lo} to {hi}; got {value}"))
        wrong = ExplorerError(template.format(name=name, lo=plain(lo, 3), hi=plain(hi, 3),
                                              value=repr(value)))
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise wrong
        if not math.isfinite(value) or (whole and value != int(value)):
            raise wrong
        if not lo * (1 - 1e-12) <= value <= hi * (1 + 1e-12):
            raise wrong
        return int(value) if whole else min(max(float(value), lo), hi)

    def set(self, **values) -> str:
        """Move several controls at once; returns the new verdict.

        Every value is checked before any control moves: a bad one raises a
        ValueError naming the valid range and leaves everything as it was.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ExplorerError(_("no control named {unknown}; the controls are {names}").format(
                unknown=", ".join(unknown), names=", ".join(self.controls)))
        checked = {name: self.check(name, value) for name, value in values.items()}
        for name, value in checked.items():
            control = self.controls[name]
            control.value = value
            setattr(self.view, name, getattr(control, synced(control)))
        return self.verdict

    def static_png(self) -> bytes:
        return figure_png(self.static_figure(**self.values()), dpi=72)

    def _repr_mimebundle_(self, **kwargs):
        # Live front ends render the widgets; GitHub and nbviewer fall back to a
        # picture of the current state (its alt text in the output's metadata, where
        # nbconvert reads it); nbval compares the one-line text.
        bundle = self.ui._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):  # (data, metadata)
            bundle = bundle[0]
        figure = self.static_figure(**self.values())
        bundle["image/png"] = base64.b64encode(figure_png(figure, dpi=72)).decode("ascii")
        bundle["text/plain"] = f"{_(self.title)}: {self.verdict}"
        return bundle, {"image/png": {"alt": figure_alt_text(figure)}}

    def __repr__(self) -> str:
        return f"{self.title}: {self.verdict}"


def cut_at_ceiling(losses, ceiling: float):
    """(epochs, values, ✗ position or None): a loss curve cut where it leaves the plot
    (inf, NaN or above `ceiling`), its last point on the ceiling, for the static
    picture; the browser's drawing code cuts its curves the same way."""
    losses = np.asarray(losses, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(losses) | (losses > ceiling)
    epochs = np.arange(len(losses))
    if not bad.any():
        return epochs, losses, None
    k = int(np.argmax(bad))
    return epochs[: k + 1], np.append(losses[:k], ceiling), (k, ceiling)
