"""Kernel-drawn explorers: each change renders a matplotlib PNG in the kernel.

The lessons' explorers (00, 04, 05) now draw in the browser instead
(`coursekit.browser_explorer`: no kernel round trip per frame, 60 frames a
second while a slider is dragged). This class stays for explorers whose frames
need the kernel (for instance a live training run); prefer the browser one
when the frames can be computed from data sent once.

An explorer is a few controls, one matplotlib figure and one line of verdict.
The figure is built once; each change of a control updates its artists and
renders it to PNG into an `Image` widget. That choice avoids `Output` widgets
(which flicker and leak output under nbval), works in every front end that has
ipywidgets (JupyterLab, VS Code, Colab), and gives static viewers such as GitHub
a picture of the current state through `_repr_mimebundle_`.
"""

from __future__ import annotations

import base64
import contextlib
import html
import warnings

import ipywidgets as widgets
from matplotlib.figure import Figure

from .plotting import figure_png


class Explorer:
    """Base class: subclasses build `self.figure` and implement `draw(**values)`.

    `draw` updates the figure for the current control values and returns the
    verdict line. Whatever goes wrong in it is shown on screen, never raised
    into the void of a widget callback.
    """

    title = "Explorer"

    def __init__(self, controls: dict[str, widgets.ValueWidget], figure: Figure, dpi: int = 80):
        self.controls = controls
        self.figure = figure
        self.dpi = dpi
        self.verdict = ""
        self.problems: list[str] = []
        self._holding = False
        self.image = widgets.Image(format="png")
        self.status = widgets.HTML()
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.ui = widgets.VBox([widgets.VBox(list(controls.values())), self.status, self.image])
        self.refresh()

    def draw(self, **values) -> str:
        raise NotImplementedError

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values) -> str:
        """Move several controls at once (one redraw); returns the new verdict."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"no control named {sorted(unknown)}; controls: {sorted(self.controls)}")
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.refresh()
        return self.verdict

    def refresh(self) -> None:
        """Redraw for the current control values, catching every failure."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                self.verdict = self.draw(**self.values())
                self.problems = []
            except Exception as exc:  # shown to the student, not swallowed
                self.verdict = f"Could not draw this setting ({type(exc).__name__}: {exc})"
                self.problems = [self.verdict]
            self.problems += [f"warning: {w.message}" for w in caught]
            self.image.value = figure_png(self.figure, self.dpi)
        self.status.value = self._status_html()

    def _status_html(self) -> str:
        text = f"<b>{html.escape(self.verdict)}</b>"
        if self.problems:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
            text += f"<ul style='color:#b00'>{items}</ul>"
        return text

    def _on_change(self, _change) -> None:
        if not self._holding:
            self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        # Live front ends render the widget; GitHub and nbviewer fall back to the
        # PNG of the current state; nbval compares the one-line text.
        bundle = self.ui._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        bundle["text/plain"] = f"{self.title}: {self.verdict}"
        return bundle

    def __repr__(self) -> str:
        return f"{self.title}: {self.verdict}"


@contextlib.contextmanager
def quiet_numpy():
    """Overflow to inf/NaN is a result to show here, not a warning to print."""
    import numpy as np

    with np.errstate(all="ignore"):
        yield
