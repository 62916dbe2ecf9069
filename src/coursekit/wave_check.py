"""Lesson 00's check that sliders and plots work: a slider redraws a sine wave.

It uses the same machinery as the lessons' explorers (a slider linked in the
browser to a canvas widget), so if it works, they work.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets

from .browser_explorer import BrowserExplorer, ExplorerView, esm
from .i18n import _
from .plotting import new_figure

LINE = "drawing sin({f}·x)"


class WaveView(ExplorerView):
    _esm = esm("wave")
    frequency = traitlets.Float(1.0).tag(sync=True)


class WaveCheck(BrowserExplorer):
    """A slider `frequency f` and the curve sin(f·x); the verdict line names f."""

    title = "Slider check"
    words = (LINE, "Move the slider", "Move the slider: {verdict}")
    picture = "A plot of the wave sin(f·x) for x from 0 to 2π. {verdict}"

    def __init__(self, frequency: float = 1.0):
        slider = widgets.FloatSlider(value=1.0, min=0.5, max=5.0, step=0.05,
                                     description=_("frequency f"))
        super().__init__({"frequency": slider}, WaveView())
        self.set(frequency=frequency)

    def describe(self, frequency):
        return _(LINE).format(f=f"{frequency:g}")

    def static_figure(self, frequency):
        figure, axes = new_figure(height=2.8)
        x = np.linspace(0, 2 * np.pi, 200)
        axes.plot(x, np.sin(frequency * x))
        title = _("Move the slider: {verdict}").format(verdict=self.verdict)
        axes.set(xlabel="x", ylabel="sin(f·x)", title=title)
        return figure
