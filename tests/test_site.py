"""The course website (`course.py site`): offline pages, live explorers, working links.

The site is built once for the whole module (about 20 s) into the git-ignored
_site/, then served on loopback and opened in headless Chromium, which blocks
and records every request that does not go to the site itself. Every lesson
and solution page must load with 0 blocked requests and 0 console errors; each
explorer is dragged by the pointer and set to the values the JupyterLab browser
tests use, where it must say what Python's `set(...)` says.

Needs node_modules/ (npm ci; `course.py test` makes it) and Chromium; without
them the tests skip, except on CI (CI set), where they fail instead.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytest.importorskip("playwright", reason="playwright is not installed")
pytest.importorskip("sphinx", reason="the site's packages are not installed")

import browser_harness as bh  # noqa: E402
import site_harness as sh  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402
from test_browser import (  # noqa: E402 (the JupyterLab tests' settings, reused)
    AXE,
    DIGITS_SETTINGS,
    LR_SETTINGS,
    OPTIM_SETTINGS,
    choice_control,
    choose,
    lr_verdict,
    move_batch_size,
    optim_verdict,
)

from course_tools import site  # noqa: E402

pytestmark = pytest.mark.browser
TIMEOUT = 30_000


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must build and test the site")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def built() -> Path:
    """The site, built once for every test here; its html folder."""
    try:
        site.check_node_modules()
    except site.SiteError as exc:
        unavailable(str(exc))
    return site.build(quiet=True).parent


@pytest.fixture(scope="module")
def browser():
    executable = bh.find_chromium()
    if executable is None:
        unavailable("no Chromium found (install Debian's chromium or set COURSEKIT_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = bh.launch_browser(playwright, executable)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(built):
    with sh.SiteServer(built) as running:
        yield running


def pages(built: Path) -> list[str]:
    return sorted(str(p.relative_to(built)) for p in built.rglob("*.html")
                  if not {"_static", "_vendor", "_sources"} & set(p.parts))


# --- every lesson and solution, every link -------------------------------------------------

def test_every_lesson_and_solution_has_a_page(built):
    edition = site.editions()[0]
    for path in edition.lessons:
        assert (built / f"{path.stem}.html").is_file(), path.stem
        assert (built / "_sources" / path.name).read_bytes() == path.read_bytes()  # download
    for path in edition.solutions:
        assert (built / "solutions" / f"{path.stem}.html").is_file(), path.stem
    assert len(edition.lessons) >= 8 and len(edition.solutions) >= 7


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "a" and name == "src"):
                self.links.append(attrs[name])


def test_every_internal_link_resolves(built):
    parsed = {}
    for page in pages(built):
        parser = Links()
        parser.feed((built / page).read_text(encoding="utf-8"))
        parsed[page] = parser
    broken = []
    for page, parser in parsed.items():
        for link in parser.links:
            url = urlparse(link)
            if url.scheme or link.startswith("//"):
                continue  # data: pictures; Colab, Binder, GitHub (a reader's own click)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page),
                                                       unquote(url.path))) if url.path else page
            if not (built / target).exists():
                broken.append(f"{page}: {link}")
            elif url.fragment and target in parsed and url.fragment not in parsed[target].ids:
                broken.append(f"{page}: {link} (no such anchor)")
    assert not broken, "\n".join(broken[:20])


class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[tuple[str, str | None]] = []  # (src, alt)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            attrs = dict(attrs)
            self.images.append((attrs.get("src") or "", attrs.get("alt")))


def lesson_pages(built: Path) -> list[str]:
    return [page for page in pages(built) if re.match(r"\d\d_", posixpath.basename(page))]


def pictures_without_alt(html: str) -> list[str]:
    """The <img>s of a page with no alt text, or only a file name (Sphinx's fallback)."""
    parser = Images()
    parser.feed(html)
    return [f"<img src={posixpath.basename(src)[:60]}> alt={alt!r}" for src, alt in parser.images
            if not (alt or "").strip() or posixpath.basename(alt) == posixpath.basename(src)]


def test_a_picture_without_alt_text_is_caught():
    assert pictures_without_alt('<img alt="Loss falls: loss against epoch" src="_images/a.png">'
                                '<img src="b.png"><img alt=" " src="c.png">'
                                '<img alt="../_images/d.png" src="../_images/d.png" />') == [
        "<img src=b.png> alt=None", "<img src=c.png> alt=' '",
        "<img src=d.png> alt='../_images/d.png'"]


def test_every_picture_on_a_lesson_page_says_what_it_shows(built):
    """Each <img> has the alt text its notebook stores (the site's conf.py puts it there)."""
    found, problems = 0, []
    for page in lesson_pages(built):
        html = (built / page).read_text(encoding="utf-8")
        found += html.count("<img")
        problems += [f"{page}: {problem}" for problem in pictures_without_alt(html)]
    assert not problems, "\n".join(problems[:20])
    assert found >= 40, f"only {found} pictures on the lesson pages: the scan is broken"


def test_no_page_names_another_site_for_a_script_style_or_font(built):
    remote = re.compile(r"""<(?:script|link|img)\b[^>]*(?:src|href)=["']?(?:https?:)?//""")
    offenders = [page for page in pages(built)
                 if remote.search((built / page).read_text(encoding="utf-8"))]
    assert not offenders, offenders


# --- every page in a real browser: nothing from elsewhere, no error ------------------------

def audit(page, rules: list[str]) -> list[str]:
    """axe-core's violations of `rules` (its rule ids) on the whole page."""
    if not AXE.exists():
        return ["axe-core is not in node_modules/ (npm ci --ignore-scripts)"]
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async rules => {
        const result = await axe.run(document, {runOnly: {type: 'rule', values: rules}});
        return result.violations.map(v => `${v.id}: ${v.help} (${v.nodes.length}×, e.g. `
                                          + `${v.nodes[0].html.slice(0, 120)})`);
    }""", rules)


def test_every_page_loads_only_from_the_site_without_errors(built, browser, server):
    problems = []
    # axe's check of pictures' text alternatives on the English lesson pages (solutions have
    # no pictures; test_every_picture_on_a_lesson_page_says_what_it_shows reads every
    # edition's): 0.3 to 1.7 s a page on a busy 2-core machine, mostly loading axe itself.
    audited = {f"{path.stem}.html" for path in site.editions()[0].lessons}
    for page_path in pages(built):
        if page_path in {"genindex.html", "search.html"}:
            continue
        page, watch = sh.open_page(browser, server, page_path)
        explorers = page.locator(".ck-explorer")
        if explorers.count():  # wait until every explorer is drawn
            expect(page.locator(".ck-explorer canvas.ck-picture")).to_have_count(explorers.count(),
                                                                      timeout=TIMEOUT)
        else:
            page.wait_for_load_state("networkidle")
        if watch.blocked or watch.errors:
            problems.append(f"{page_path}: blocked {watch.blocked[:3]} errors {watch.errors[:3]}")
        if page_path in audited:
            problems += [f"{page_path}: axe {v}" for v in audit(page, ["image-alt"])]
        page.context.close()
    assert not problems, "\n".join(problems)


def test_search_finds_a_lesson(browser, server):
    page, watch = sh.open_page(browser, server, "search.html?q=backpropagation")
    results = page.locator("#search-results li a")
    expect(results.first).to_be_visible(timeout=TIMEOUT)
    assert any("04_backprop_by_hand" in (a.get_attribute("href") or "")
               for a in results.all()), results.all_inner_texts()
    assert not watch.blocked and not watch.errors


def test_still_picture_without_scripts(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url("04_backprop_by_hand.html"))
    still = page.locator(".ck-explorer img.ck-still")
    expect(still).to_be_visible()
    assert "Learning-rate explorer" in still.get_attribute("alt")
    assert page.evaluate("document.querySelector('.ck-explorer img').naturalWidth") > 300
    context.close()


# --- the explorers, alive with no kernel ---------------------------------------------------

def open_explorer(browser, server, lesson: str, width: int = 1300):
    page, watch = sh.open_page(browser, server, f"{lesson}.html",
                               viewport={"width": width, "height": 900})
    box = page.locator(".ck-explorer").first
    expect(box.locator("canvas.ck-picture")).to_have_count(1, timeout=TIMEOUT)
    expect(box.locator("img.ck-still")).to_be_hidden()  # the live explorer replaced it
    return page, box, watch


@pytest.mark.parametrize("lesson, description, dx", [
    ("00_setup_check", "frequency f", 100),
    ("04_backprop_by_hand", "learning rate", 80),
    ("05_nn_and_optim", "learning rate", 80),
    ("07_training_for_real", "learning rate", -250),
])
def test_dragging_a_slider_redraws_the_picture(browser, server, lesson, description, dx):
    page, box, watch = open_explorer(browser, server, lesson)
    control = bh.slider(page, description)
    readout = bh.readout(control)
    frames, picture = bh.frames(box), bh.canvas_digest(box)
    bh.drag_thumb(page, control, dx=dx, steps=30)  # the pointer moves the view's own thumb
    assert bh.readout(control) != readout
    assert bh.frames(box) > frames, "the picture did not follow the thumb"
    assert bh.canvas_digest(box) != picture
    assert not watch.blocked and not watch.errors, (watch.blocked, watch.errors)
    page.context.close()


def test_on_a_phone_a_finger_scrolling_past_a_slider_leaves_it_and_a_swipe_moves_it(
        browser, server):
    """The explorer takes a touch's value only when the finger moves sideways (or taps):
    a finger that starts on a track to scroll the page must not set the value there."""
    page, watch = sh.open_page(browser, server, "04_backprop_by_hand.html", has_touch=True,
                               is_mobile=True, viewport={"width": 390, "height": 800})
    box = page.locator(".ck-explorer").first
    expect(box.locator("canvas.ck-picture")).to_have_count(1, timeout=TIMEOUT)
    control = bh.slider(page, "learning rate")
    bh.thumb(control).scroll_into_view_if_needed()
    bh.settle_layout(page)
    track = bh.thumb(control).bounding_box()
    value, scrolled = bh.readout(control), page.evaluate("scrollY")
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    x, y = track["x"] + track["width"] * 0.85, track["y"] + track["height"] / 2
    touch("touchStart", x, y)  # far from the thumb, then up the page: a scroll
    for step in range(1, 11):
        touch("touchMove", x, y - 30 * step)
    touch("touchEnd", x, y - 300)
    page.wait_for_function("""() => new Promise(done => { const y = scrollY;  // at rest
        setTimeout(() => done(scrollY === y), 250); })""", polling=300)
    assert page.evaluate("scrollY") > scrolled, "the page did not scroll"
    assert bh.readout(control) == value, "a scrolling finger moved the slider"
    bh.thumb(control).scroll_into_view_if_needed()
    bh.settle_layout(page)
    track = bh.thumb(control).bounding_box()
    x, y = track["x"] + track["width"] * 0.5, track["y"] + track["height"] / 2
    touch("touchStart", x, y)  # along the track: a swipe moves the thumb
    for step in range(1, 11):
        touch("touchMove", x + 12 * step, y)
    touch("touchEnd", x + 120, y)
    expect(control.locator(".ck-readout")).not_to_have_value(value)
    assert not watch.blocked and not watch.errors, (watch.blocked, watch.errors)
    page.context.close()


def test_lesson_04_training_diverges_past_the_threshold(browser, server):
    """The issue's reader: drag the learning rate up past 2/λ_max and watch it diverge."""
    from coursekit.data import REGRESSION_X, REGRESSION_Y
    from coursekit.linear_gd import LinearFit

    threshold = LinearFit(REGRESSION_X, REGRESSION_Y, 1.0).threshold
    page, box, watch = open_explorer(browser, server, "04_backprop_by_hand", width=390)
    control = bh.slider(page, "learning rate")
    bh.type_into_readout(page, control, 0.004)
    verdict = box.locator(bh.VERDICT)
    expect(verdict).not_to_contain_text("diverges", timeout=TIMEOUT)
    bh.drag_thumb(page, control, dx=60, steps=30)
    shown = bh.readout(control)  # the dragged value, to the readout's 3 digits
    assert float(shown) > threshold
    expect(verdict).to_contain_text("diverges")
    expect(verdict).to_contain_text(f"lr = {shown} is")
    # The value itself is 10**(the range input's value) to 12 digits (the view's toValue):
    # there the page says what Python says.
    from coursekit.browser_explorer import clean

    lr = clean(10 ** float(bh.thumb(control).input_value()))
    scale, epochs = (float(bh.readout(bh.slider(page, name)))
                     for name in ("input scale", "epochs"))
    expect(verdict).to_have_text(lr_verdict(lr, scale, int(epochs)))
    box.screenshot(path=bh.ARTIFACTS / "site-04-diverges-phone.png")
    page.context.close()


def test_lesson_04_verdicts_are_pythons(browser, server):
    from coursekit.data import REGRESSION_X, REGRESSION_Y
    from coursekit.linear_gd import LinearFit

    threshold = LinearFit(REGRESSION_X, REGRESSION_Y, 1.0).threshold
    page, box, watch = open_explorer(browser, server, "04_backprop_by_hand")
    verdict = box.locator(bh.VERDICT)
    for lr, scale, epochs in LR_SETTINGS:
        lr = threshold if lr == "threshold" else lr
        for description, value in {"epochs": epochs, "input scale": scale,
                                   "learning rate": f"{lr:.15g}"}.items():
            bh.type_into_readout(page, bh.slider(page, description), value)
        expect(verdict).to_have_text(lr_verdict(lr, scale, epochs), timeout=TIMEOUT)
    page.context.close()


def test_lesson_05_verdicts_are_pythons(browser, server):
    from coursekit.optim_explorer import PROBLEM

    page, box, watch = open_explorer(browser, server, "05_nn_and_optim")
    verdict = box.locator(bh.VERDICT)
    optimizer = choice_control(page, "optimizer")
    learning_rate = bh.slider(page, "learning rate")
    for name, lr in OPTIM_SETTINGS:
        lr = PROBLEM.sgd_threshold if lr == "threshold" else lr
        choose(optimizer, name)
        bh.type_into_readout(page, learning_rate, f"{lr:.15g}")
        expect(verdict).to_have_text(optim_verdict(name, lr), timeout=TIMEOUT)
    page.context.close()


def stored_widget_state(lesson: str) -> dict:
    """The widget state `refresh` stored in a lesson (model id -> its state)."""
    notebook = json.loads((bh.NOTEBOOKS / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    stored = notebook["metadata"]["widgets"][site.WIDGET_STATE]["state"]
    return {model_id: model["state"] for model_id, model in stored.items()}


def stored_digits_verdict(batch_size: int, lr: float) -> str:
    """What Python's `set(batch_size=..., lr=...)` says, without training the 35 runs again.

    DigitsExplorer.describe reads the verdict line from its view's `verdicts`,
    which the kernel computed during `refresh` and stored in the lesson (nbval
    and tests/test_digits_explorer.py check those runs); Python's own grid
    lookup (Runs.index) picks the line.
    """
    import numpy as np

    from coursekit.digits_explorer import Runs

    view, = (s for s in stored_widget_state("07_training_for_real").values() if "verdicts" in s)
    empty = np.empty(0)
    runs = Runs(tuple(view["batch_sizes"]), tuple(view["learning_rates"]), empty, empty, empty)
    b, r = runs.index(batch_size, lr)
    return view["verdicts"][b][r]


def test_lesson_07_verdicts_are_pythons(browser, server):
    page, box, watch = open_explorer(browser, server, "07_training_for_real")
    verdict = box.locator(bh.VERDICT)
    learning_rate = bh.slider(page, "learning rate")
    batch_size = bh.slider(page, "batch size")
    for size, lr in DIGITS_SETTINGS:
        move_batch_size(batch_size, size)
        bh.type_into_readout(page, learning_rate, f"{lr:g}")
        expect(verdict).to_have_text(stored_digits_verdict(size, lr), timeout=TIMEOUT)
    page.context.close()


def test_lesson_00_wave_is_pythons(browser, server):
    page, box, watch = open_explorer(browser, server, "00_setup_check")
    bh.type_into_readout(page, bh.slider(page, "frequency f"), 3)
    expect(box.locator(bh.VERDICT)).to_have_text("drawing sin(3·x)", timeout=TIMEOUT)
    page.context.close()


def test_pages_read_on_a_phone_without_sideways_scrolling(browser, server):
    page, box, watch = open_explorer(browser, server, "04_backprop_by_hand", width=390)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than a phone's screen"
    page.context.close()


def test_the_dark_theme_reaches_the_canvas(browser, server):
    """The site sets --ck-*/--jp-* for its dark theme; the canvas draws with them."""
    page, watch = sh.open_page(browser, server, "04_backprop_by_hand.html",
                               viewport={"width": 360, "height": 800}, color_scheme="dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    box = page.locator(".ck-explorer").first
    canvas = box.locator("canvas.ck-picture")
    expect(canvas).to_have_count(1, timeout=TIMEOUT)
    site_bg = page.evaluate("getComputedStyle(document.documentElement)"
                            ".getPropertyValue('--ck-bg').trim()")
    expect(canvas).to_have_attribute("data-theme", re.compile(f'"bg":"{site_bg}"', re.I))
    # The picture itself: its top-left pixel is the dark background.
    pixel = canvas.evaluate("c => [...c.getContext('2d').getImageData(1, 1, 1, 1).data]")
    assert "#{:02x}{:02x}{:02x}".format(*pixel[:3]) == site_bg.lower(), (pixel, site_bg)
    grid = page.evaluate("getComputedStyle(document.documentElement)"
                         ".getPropertyValue('--ck-grid').trim()")
    assert grid.startswith("#"), f"--ck-grid {grid}: a translucent colour would draw white lines"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the dark page is {overflow} px wider than a 360 px screen"
    box.scroll_into_view_if_needed()
    page.screenshot(path=bh.ARTIFACTS / "site-04-dark-360.png")
    assert not watch.blocked and not watch.errors, (watch.blocked, watch.errors)
    page.context.close()


# --- editions (language switch), without a second build ------------------------------------

def test_a_translation_with_lessons_becomes_an_edition(tmp_path):
    (tmp_path / "zh-CN" / "solutions").mkdir(parents=True)
    (tmp_path / "01_tensors.ipynb").write_text("{}")
    assert [e.language for e in site.editions(tmp_path)] == ["en"]
    (tmp_path / "zh-CN" / "01_tensors.ipynb").write_text("{}")
    found = site.editions(tmp_path)
    assert [(e.language, e.prefix) for e in found] == [("en", ""), ("zh-CN", "zh-CN")]
    assert [p.name for p in found[1].lessons] == ["01_tensors.ipynb"]


def test_pages_deploy_only_from_pushes_to_main():
    import yaml

    workflow = yaml.safe_load((site.ROOT / ".github" / "workflows" / "site.yml").read_text())
    events = workflow[True]  # YAML reads the key `on` as True
    assert "push" in events and "pull_request" in events  # built on every push and PR
    jobs = workflow["jobs"]
    assert "course.py site" in str(jobs["build"]["steps"])
    deploy = jobs["deploy"]
    assert "github.event_name == 'push'" in deploy["if"]
    assert "github.ref == 'refs/heads/main'" in deploy["if"]
    # Only the deploy job may write to Pages; the build job (PRs too) reads only.
    assert workflow["permissions"] == {"contents": "read"}
    assert "permissions" not in jobs["build"]
    assert deploy["permissions"]["pages"] == "write"


def test_without_npm_course_py_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_cli", site.ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    (tmp_path / "package-lock.json").write_text("{}")
    monkeypatch.setattr(course, "ROOT", tmp_path)
    monkeypatch.setattr(course.shutil, "which", lambda name: None)
    course.ensure_node_modules()  # no exception, no npm run
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "no npm found" in lines[0], lines
    assert not (tmp_path / "node_modules").exists()
