"""Explorers drawn in the browser: ipywidgets sliders linked to a small canvas widget.

An explorer is a few ipywidgets controls and one *view*, an anywidget that
draws on a <canvas> with its own JavaScript (coursekit/js/, no build step). The
controls are linked to the view in the browser (`ipywidgets.jslink`), so
moving a slider redraws the picture in the same animation frame, without a
round trip to the kernel: the view got everything it needs once, when it was
displayed, and computes each frame itself.

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
from matplotlib.figure import Figure

from .plotting import figure_png

JS = Path(__file__).with_name("js")


def esm(name: str) -> str:
    """The ES module of one view: the shared helpers followed by `js/<name>.js`."""
    return (JS / "common.js").read_text(encoding="utf-8") + (JS / f"{name}.js").read_text(
        encoding="utf-8")


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


class BrowserExplorer:
    """Base class: controls (name → ipywidgets control) + a canvas view with a trait per control.

    A choice (ToggleButtons, Dropdown, SelectionSlider) reaches the view as its index.
    Subclasses implement `describe(**values)` (the verdict line, the same words
    the view shows) and `static_figure(**values)` (a matplotlib picture of that
    state, rendered only for the static fallback).
    """

    title = "Explorer"

    def __init__(self, controls: dict[str, widgets.ValueWidget], view: anywidget.AnyWidget):
        self.controls = controls
        self.view = view
        self._described: dict | None = None  # the values the verdict below is for
        self._verdict = ""
        self.links = []
        for name, control in controls.items():
            setattr(view, name, getattr(control, synced(control)))
            # Front end only: the browser moves the view with the slider, no kernel in between.
            self.links.append(widgets.jslink((control, synced(control)), (view, name)))
        self.ui = widgets.VBox([*controls.values(), view])

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
                raise ValueError(f"{name} must be one of {choices}; got {value!r}")
            return value
        whole = isinstance(control, widgets.IntSlider)
        lo, hi = slider_bounds(control)
        kind = "a whole number" if whole else "a number"
        wrong = ValueError(f"{name} must be {kind} from {lo:g} to {hi:g}; got {value!r}")
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
            raise ValueError(f"no control named {', '.join(unknown)}; "
                             f"the controls are {', '.join(self.controls)}")
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
        # picture of the current state; nbval compares the one-line text.
        bundle = self.ui._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.static_png()).decode("ascii")
        bundle["text/plain"] = f"{self.title}: {self.verdict}"
        return bundle

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
