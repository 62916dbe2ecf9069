import ipywidgets as widgets
import numpy as np
import pytest

from coursekit.explorer import Explorer
from coursekit.plotting import new_figure


class Demo(Explorer):
    title = "Demo"

    def __init__(self):
        figure, self.axes = new_figure()
        self.x = np.linspace(0, 1, 50)
        (self.line,) = self.axes.plot(self.x, self.x)
        self.draws = 0
        controls = {
            "power": widgets.FloatSlider(value=1.0, min=-2, max=3, description="power"),
            "shift": widgets.FloatSlider(value=0.0, min=-1, max=1, description="shift"),
        }
        super().__init__(controls, figure)

    def draw(self, power, shift):
        self.draws += 1
        if shift > 0.9:
            raise ValueError("shift too large")
        if shift < -0.9:
            import warnings

            warnings.warn("careful", stacklevel=1)
        self.line.set_ydata(self.x**power + shift)
        return f"x^{power:g} + {shift:g}"


def test_first_draw_and_png():
    demo = Demo()
    assert demo.verdict == "x^1 + 0"
    assert bytes(demo.image.value).startswith(b"\x89PNG")
    assert demo.problems == []


def test_moving_a_slider_redraws():
    demo = Demo()
    demo.controls["power"].value = 2.0
    assert demo.verdict == "x^2 + 0"
    np.testing.assert_allclose(demo.line.get_ydata(), demo.x**2)


def test_set_moves_several_controls_with_one_redraw():
    demo = Demo()
    before = demo.draws
    assert demo.set(power=3.0, shift=0.5) == "x^3 + 0.5"
    assert demo.draws == before + 1


def test_set_rejects_unknown_control():
    with pytest.raises(KeyError, match="no control named"):
        Demo().set(speed=1)


def test_exceptions_are_shown_not_raised():
    demo = Demo()
    demo.set(shift=1.0)
    assert demo.verdict.startswith("Could not draw this setting (ValueError: shift too large)")
    assert "shift too large" in demo.status.value


def test_warnings_are_captured_as_problems(recwarn):
    demo = Demo()
    demo.set(shift=-1.0)
    assert demo.problems == ["warning: careful"]
    assert len(recwarn) == 0


def test_static_fallback_bundle():
    bundle = Demo()._repr_mimebundle_()
    assert bundle["text/plain"] == "Demo: x^1 + 0"
    assert "image/png" in bundle
    assert "application/vnd.jupyter.widget-view+json" in bundle
