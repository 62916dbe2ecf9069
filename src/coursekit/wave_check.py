"""Lesson 00's check that sliders and plots work: a slider redraws a sine wave.

It uses the same machinery as the lessons' explorers (a slider linked in the
browser to a canvas widget), so if it works, they work.
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from .browser_explorer import BrowserExplorer, esm
from .plotting import new_figure


class WaveView(anywidget.AnyWidget):
    _esm = esm("wave")
    frequency = traitlets.Float(1.0).tag(sync=True)


class WaveCheck(BrowserExplorer):
    """A slider `frequency f` and the curve sin(f·x); the verdict line names f."""

    title = "Slider check"

    def __init__(self, frequency: float = 1.0):
        slider = widgets.FloatSlider(value=1.0, min=0.5, max=5.0, step=0.05,
                                     description="frequency f")
        super().__init__({"frequency": slider}, WaveView())
        self.set(frequency=frequency)

    def describe(self, frequency):
        return f"drawing sin({frequency:g}·x)"

    def static_figure(self, frequency):
        figure, axes = new_figure(height=2.8)
        x = np.linspace(0, 2 * np.pi, 200)
        axes.plot(x, np.sin(frequency * x))
        axes.set(xlabel="x", ylabel="sin(f·x)", title=f"Move the slider: {self.verdict}")
        return figure
