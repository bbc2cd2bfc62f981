"""Presenter mode on a projector, in Chromium: every demo fits one screen, type reads from the
back of a room, the theme is light whatever the reader's scheme, text slides use the width.

Sizes are checked against the screen: the room sees a 720p projector's slide as it sees a
1080p one, so every size here scales with the window's height (28 px body type on 1080p).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from app.content.lessons import load_lessons
from app.settings import Settings
from tests.browser.conftest import ConsoleLog, serious_axe_violations, watch
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SCREENS = [(1920, 1080), (1280, 720)]
BODY_PX = 28  # body type on a 1080p screen
CHART_PX = 18  # chart labels on a 1080p screen


@dataclass(frozen=True)
class Demo:
    """Where a kind of demo keeps what the room must see on its first screen, and how a
    presenter asks its trained model once. Selectors are inside the widget."""

    counters: str | None
    ask: str | None = None
    charts: str | None = None
    finished: str = "[data-phase=inference]"
    # ("click", selector), ("select", selector, value) or ("key", key)
    question: tuple[tuple[str, ...], ...] = ()
    answer: str | None = None


DEMOS = {
    "train-classifier": Demo(
        counters=".counters",
        ask="[data-role=ask-form]",
        charts=".charts .js-plotly-plot",
        question=(("click", "[data-role=ask-form] button[type=submit]"),),
        answer=".answer .result",
    ),
    "query-model": Demo(
        counters=".counters",
        ask="[data-role=point]",
        charts=".qm-map .js-plotly-plot",
        answer="[data-role=confidence]",
    ),
    "break-even": Demo(
        counters=".be-ledger", ask="[data-role=controls]", charts=".be-figure .js-plotly-plot"
    ),
    "scaling": Demo(
        counters=".scaling-table", ask=".scaling-buttons", charts=".scaling-figure .js-plotly-plot"
    ),
    "hardware": Demo(
        counters="[data-role=trained]",
        ask="[data-role=pad]",
        question=(("select", "[data-role=example]", "3"), ("click", "[data-action=read]")),
        answer="[data-role=read-result] .digit-read",
    ),
    "world-shift": Demo(counters=".ws-scores", ask=".ws-steps", charts=".charts .js-plotly-plot"),
    "next-word": Demo(
        counters=".counters",
        ask="[data-role=ask-form]",
        charts=".nw-training .js-plotly-plot",
        question=(("click", "[data-action=predict]"),),
        answer="[data-role=answer] .nw-bars",
    ),
    "serve-users": Demo(
        counters=".su-facts", ask="[data-role=controls]", charts=".su-figure .js-plotly-plot"
    ),
    "blind-spot": Demo(
        counters=".bs-scores",
        ask="[data-role=ask-form]",
        charts=".bs-map .js-plotly-plot",
        question=(("click", "[data-action=ask-gap]"),),
        answer=".bs-answers",
    ),
    "recap": Demo(counters="[data-role=filled]", finished="[data-role=filled]:not([hidden])"),
    "quiz": Demo(
        counters=None,
        ask="form.question[data-present-current]",
        finished="form.question[data-present-current]",
        # A choice, then "s" checks it.
        question=(("click", "form.question[data-present-current] .choice input"), ("key", "s")),
        answer="form.question[data-present-current] .verdict",
    ),
}

LESSONS = load_lessons(Settings().lessons_dir)
WITH_DEMO = {
    slug: lesson.widgets[0].kind
    for slug, lesson in LESSONS.items()
    if any(spec.kind != "sources" for spec in lesson.widgets)
}

# What the slide shows that the window does not: the page scrolling either way, elements of
# the slide out of the window, and boxes inside it that scroll. Plotly's own drawing and
# the contents of folded <details> are left out: the chart's box stands for the first.
FIT = """() => {
  const slide = document.querySelector("[data-slide]:not([hidden])");
  const seen = (el) => el.getClientRects().length > 0 && !el.closest(".js-plotly-plot > *")
    && !(el.closest("details:not([open])") && !el.closest("summary"));
  const name = (el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`
    + (el.dataset.role ? `[${el.dataset.role}]` : "");
  const out = [];
  const scrolls = [];
  for (const el of [slide, ...slide.querySelectorAll("*")]) {
    if (!seen(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 && r.height <= 1) continue;  // visually hidden, for screen readers
    if (r.top < -1 || r.left < -1 || r.bottom > innerHeight + 1 || r.right > innerWidth + 1) {
      const at = [r.left, r.top, r.right, r.bottom].map(Math.round).join(", ");
      out.push(`${name(el)} at ${at}`);
    }
    const style = getComputedStyle(el);
    const scrollable = (o) => o === "auto" || o === "scroll";
    if ((scrollable(style.overflowY) && el.scrollHeight > el.clientHeight + 1)
        || (scrollable(style.overflowX) && el.scrollWidth > el.clientWidth + 1)) {
      scrolls.push(name(el));
    }
  }
  const root = document.documentElement;
  return {
    page: [root.scrollWidth - innerWidth, root.scrollHeight - innerHeight],
    out: out.slice(0, 8),
    scrolls,
  };
}"""

# Font sizes of each chart's text, by part: each axis's tick labels (a log axis draws its
# in-between digits at 3/4 size, so an axis counts by its largest), axis titles, legends.
CHART_TYPE = """(chart) => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const axes = [...chart.querySelectorAll(".xaxislayer-above, .yaxislayer-above, .overaxes-above")]
    .map((axis) => [...axis.querySelectorAll("text")].map(px))
    .filter((sizes) => sizes.length)
    .map((sizes) => Math.max(...sizes));
  const labels = [...chart.querySelectorAll(".g-xtitle text, .g-ytitle text, .legendtext")].map(px);
  return { axes, labels };
}"""


# A text slide's blocks of text: the font size of each, and how far across they reach.
TEXT = ":scope > p:not(.meta), :scope > ul, :scope > ol"
TEXT_SIZES = (
    f"(s) => [...s.querySelectorAll('{TEXT}')].map((p) => parseFloat(getComputedStyle(p).fontSize))"
)
TEXT_SPAN = f"""(s) => {{
  const rs = [...s.querySelectorAll('{TEXT}')].flatMap((p) => [...p.getClientRects()]);
  return [Math.min(...rs.map((r) => r.left)), Math.max(...rs.map((r) => r.right))];
}}"""
COLOURS = """() => {
  const style = getComputedStyle(document.body);
  return [style.backgroundColor, style.color];
}"""
PAPER_AND_TICKS = """(c) => [
  c._fullLayout.paper_bgcolor,
  getComputedStyle(c.querySelector('.xtick text')).fill,
]"""
LARGEST_TICK = """(c) => Math.max(
  ...[...c.querySelectorAll('.xtick text')].map((t) => parseFloat(getComputedStyle(t).fontSize))
)"""


def settle(page: Page) -> None:
    """Waits for the requests in flight and two animation frames: present.js re-marks a
    screen and fits its charts on the next frame after a change."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def to_demo(page: Page) -> None:
    """Pages forward with the arrow key until the slide shows a demo."""
    for _ in range(len(page.locator("[data-slide]").all())):
        if page.locator("[data-slide]:not([hidden]) > [data-widget]").count():
            return
        page.keyboard.press("ArrowRight")
    raise AssertionError("no slide with a demo")


def assert_fits(page: Page, where: str) -> None:
    fit = page.evaluate(FIT)
    assert fit["page"][0] <= 0 and fit["page"][1] <= 0, f"{where}: the page scrolls {fit}"
    assert fit["out"] == [], f"{where}: parts of the slide lie outside the window"
    assert fit["scrolls"] == [], f"{where}: boxes that scroll inside the slide"


def assert_inside(page: Page, box: dict[str, float] | None, what: str) -> None:
    size = page.viewport_size
    assert box and size, f"{what} is not shown"
    assert box["width"] > 0 and box["height"] > 0, f"{what} is not shown"
    assert box["x"] >= -1 and box["y"] >= -1, f"{what} starts outside the window: {box}"
    assert box["x"] + box["width"] <= size["width"] + 1, f"{what} runs off the right: {box}"
    assert box["y"] + box["height"] <= size["height"] + 1, f"{what} runs off the bottom: {box}"


def px(page: Page, selector: str) -> float:
    size: float = page.locator(selector).first.evaluate(
        "(el) => parseFloat(getComputedStyle(el).fontSize)"
    )
    return size


@pytest.fixture(params=SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def projector(request: Any, browser: Browser, console: ConsoleLog) -> Iterator[Page]:
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    yield watch(context.new_page(), console)
    context.close()


@pytest.mark.parametrize("slug", list(WITH_DEMO))
def test_each_demo_fits_one_screen_with_type_for_a_room(
    projector: Page, module_server: LiveServer, console: ConsoleLog, slug: str
) -> None:
    page = projector
    size = page.viewport_size
    assert size
    scale = size["height"] / 1080
    page.goto(f"{module_server.url}/lessons/{slug}?present=1")
    to_demo(page)
    widget = page.locator("[data-slide]:not([hidden]) > [data-widget]")
    demo = DEMOS[WITH_DEMO[slug]]
    page.keyboard.press("s")
    expect(widget.locator(demo.finished).first).to_be_visible(timeout=30_000)
    settle(page)
    for action, target, *value in demo.question:
        if action == "key":
            page.keyboard.press(target)
        elif action == "select":
            widget.locator(target).first.select_option(value[0])
        else:
            widget.locator(target).first.click()
    if demo.answer:
        expect(widget.locator(demo.answer).first).to_be_visible(timeout=15_000)
    settle(page)

    assert_fits(page, slug)
    assert_inside(page, page.locator("[data-slide]:not([hidden])").bounding_box(), "the slide")
    for what, selector in [("the counters", demo.counters), ("the ask form", demo.ask)]:
        if selector:
            assert_inside(page, widget.locator(selector).first.bounding_box(), what)
    charts = widget.locator(demo.charts).all() if demo.charts else []
    assert bool(demo.charts) == bool(charts), "the demo's charts are not on its first screen"
    for chart in charts:
        box = chart.bounding_box()
        assert_inside(page, box, "a chart")
        assert box and box["width"] >= 0.2 * size["width"] and box["height"] >= 0.3 * size["height"]
        type_ = chart.evaluate(CHART_TYPE)
        assert type_["axes"] and min(type_["axes"]) >= CHART_PX * scale, type_
        assert all(label >= CHART_PX * scale for label in type_["labels"]), type_

    assert px(page, "body") >= BODY_PX * scale - 0.5
    if widget.locator(".notice").count():
        assert px(page, "[data-slide]:not([hidden]) .notice") >= BODY_PX * scale - 0.5
    if demo.counters:
        numbers = widget.locator(demo.counters).first.evaluate(
            "(el) => Math.max(...[el, ...el.querySelectorAll('td, dd, li, p')]"
            ".map((c) => parseFloat(getComputedStyle(c).fontSize)))"
        )
        assert numbers >= 0.75 * BODY_PX * scale, "the counters' numbers are too small"
    assert console.errors == []


def test_text_slides_use_the_width_in_large_type(
    projector: Page, module_server: LiveServer
) -> None:
    page = projector
    size = page.viewport_size
    assert size
    scale = size["height"] / 1080
    for slug in LESSONS:
        page.goto(f"{module_server.url}/lessons/{slug}?present=1")
        total = page.locator("[data-slide]").count()
        for number in range(1, total + 1):
            slide = page.locator("[data-slide]:not([hidden])")
            expect(slide).to_have_attribute("data-slide", str(number))
            # A demo is checked above; the references' table of every figure is for reading.
            if not slide.locator(":scope > [data-widget], .sources-list").count():
                where = f"{slug}, slide {number}"
                assert_fits(page, where)
                sizes = slide.evaluate(TEXT_SIZES)
                assert sizes and min(sizes) >= BODY_PX * scale - 0.5, where
                # The text spans most of the width: a wide measure or two columns.
                left, right = slide.evaluate(TEXT_SPAN)
                assert right - left >= 0.7 * size["width"], f"{where}: text {left}..{right}"
            while number < total and slide.get_attribute("data-slide") == str(number):
                page.keyboard.press("ArrowRight")  # a demo's screens, then the next slide


def luminance(colour: str) -> float:
    """Relative brightness, 0 to 1, of a CSS rgb() colour."""
    channels = [float(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def test_the_projector_theme_is_light_and_stark_in_dark_mode(
    browser: Browser, module_server: LiveServer
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, color_scheme="dark")
    page = context.new_page()
    page.goto(f"{module_server.url}/lessons/introduction")
    background, text = page.evaluate(COLOURS)
    assert luminance(background) < 0.2  # the reader's dark scheme, before presenting
    page.keyboard.press("p")
    to_demo(page)
    settle(page)
    background, text = page.evaluate(COLOURS)
    assert luminance(background) > 0.95 and luminance(text) < 0.05
    chart = page.locator("[data-slide]:not([hidden]) .js-plotly-plot").first
    paper, ticks = chart.evaluate(PAPER_AND_TICKS)
    assert paper.lower() in ("#fff", "#ffffff", "white") and luminance(ticks) < 0.05
    context.close()


def test_charts_are_relaid_when_presenter_mode_toggles(
    browser: Browser, module_server: LiveServer, console: ConsoleLog
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = watch(context.new_page(), console)
    page.goto(f"{module_server.url}/lessons/introduction")
    page.wait_for_load_state("networkidle")
    chart = page.locator("[data-role=loss-chart]")
    small = chart.evaluate(LARGEST_TICK)
    assert 0 < small < CHART_PX  # drawn for a page
    page.keyboard.press("p")
    to_demo(page)
    settle(page)
    assert chart.evaluate(LARGEST_TICK) >= CHART_PX  # drawn before presenting, relaid for the room
    page.keyboard.press("Escape")
    settle(page)
    assert chart.evaluate(LARGEST_TICK) == small
    assert console.errors == []
    context.close()


def test_a_demo_pages_through_its_screens_and_s_returns_to_the_first(
    browser: Browser, module_server: LiveServer, console: ConsoleLog
) -> None:
    # bypass_csp lets axe's inline script in; the page runs the same either way.
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    page = watch(context.new_page(), console)
    page.goto(f"{module_server.url}/lessons/introduction?present=1")
    to_demo(page)
    widget = page.locator("[data-slide]:not([hidden]) > [data-widget]")
    slide = page.evaluate("() => document.body.dataset.currentSlide")
    expect(widget).to_have_attribute("data-screen", "demo")
    assert serious_axe_violations(page) == []
    screens = page.locator("[data-role=slide-screens] button")
    count = screens.count()
    assert count >= 2
    expect(screens.first).to_have_attribute("aria-current", "step")
    # Right pages through the demo's screens, each fitting the window, then to the next slide.
    seen = ["demo"]
    for _ in range(count - 1):
        page.keyboard.press("ArrowRight")
        settle(page)
        name = widget.get_attribute("data-screen")
        assert name and name not in seen
        seen.append(name)
        assert_fits(page, f"screen {name}")
    assert "costs" in seen
    assert page.evaluate("() => document.body.dataset.currentSlide") == slide
    # s from another screen goes back to the demo itself and starts it.
    page.keyboard.press("s")
    expect(widget).to_have_attribute("data-screen", "demo")
    phase = widget.locator("[data-role=phase]")
    expect(phase).not_to_have_attribute("data-phase", "ready")
    expect(phase).to_have_attribute("data-phase", "inference", timeout=30_000)
    settle(page)
    # The trained model's receipt may add screens; past the last one comes the next slide,
    # and Left from there comes back to the demo's last screen.
    count = screens.count()
    for _ in range(count):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.body.dataset.currentSlide") != slide
    page.keyboard.press("ArrowLeft")
    expect(screens.last).to_have_attribute("aria-current", "step")
    assert console.errors == []
    context.close()
