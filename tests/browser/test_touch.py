"""A tap, a mouse click and a pen touch on a decision map each ask the frozen model once,
about the spot under the finger (issue 12: on a phone, a tap on the map asked nothing).

The lessons come from the lesson files: every lesson whose widget wires the shared tap
helper (``onMapTap`` in static/js/widgets/<kind>.js) is tapped. Each widget kind says here
how it gets a frozen model and where it writes its answer; a new kind with a map fails
until it is described.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, expect

from app.content.lessons import load_lessons
from app.settings import REPO_ROOT, Settings
from tests.browser.conftest import ConsoleLog, watch
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

TIMEOUT = 20_000
WIDGETS = REPO_ROOT / "static" / "js" / "widgets"
PHONE = {"width": 390, "height": 844}


def kinds_with_a_map() -> set[str]:
    return {path.stem for path in WIDGETS.glob("*.js") if "onMapTap(" in path.read_text()}


MAP_LESSONS = [
    (slug, spec.kind)
    for slug, lesson in load_lessons(Settings().lessons_dir).items()
    for spec in lesson.widgets
    if spec.kind in kinds_with_a_map()
]


def start_training(root: Locator) -> None:
    root.locator("[data-action=start]").click()


def instant_then_start(root: Locator) -> None:
    # The speed control may sit in a folded settings panel: set it as a form value.
    root.locator("[name=speed]").evaluate("select => (select.value = 'instant')")
    start_training(root)


@dataclass(frozen=True)
class MapWidget:
    train: Callable[[Locator], None]  # from a fresh page to a model being trained
    ready: str  # present once the model is frozen and questions are open
    chart: str  # the map
    answer: str  # where the widget writes "At (x, y) ..."
    question: str  # the URL of one question's request (a POST)
    snap: float  # the widget rounds a tapped spot to a multiple of this


KINDS: dict[str, MapWidget] = {
    "train-classifier": MapWidget(
        train=instant_then_start,
        ready="[data-role=inference]:not([hidden])",
        chart="[data-role=surface-chart]",
        answer=".answer .result",
        question=r"/widgets/runs/[^/]+/ask$",
        snap=0.01,
    ),
    "query-model": MapWidget(
        train=lambda root: None,  # it trains itself when the page opens
        ready="[data-role=point]:not([disabled])",
        chart="[data-role=map]",
        answer="[data-role=verdict]",
        question=r"/api/runs/[^/]+/predict$",
        snap=0.05,
    ),
    "blind-spot": MapWidget(
        train=start_training,
        ready="[data-role=ask-fields]:not([disabled])",
        chart="[data-role=map]",
        answer=".bs-where",
        question=r"/api/runs/[^/]+/predict$",
        snap=0.01,
    ),
}

# Where training dots are drawn on the map, on screen: [{x, y, px, py}], x and y from the
# chart's data, px and py the centre of the dot Plotly drew for it, well inside the plot.
# Input goes to the visual viewport, which a phone may have moved within the page's layout.
DOTS_ON_SCREEN = """
chart => {
  chart.scrollIntoView({ block: "center", behavior: "instant" });
  const area = chart.querySelector(".nsewdrag").getBoundingClientRect();
  // Plotly draws a group of marks for each scatter trace that has points, in trace order.
  const drawn = (t) => (t.type || "scatter") === "scatter" && t.x && t.x.length;
  const scatter = chart.data.filter(drawn);
  const groups = [...chart.querySelectorAll(".scatterlayer .trace")];
  const dots = [];
  const perPixel = (chart.layout.xaxis.range[1] - chart.layout.xaxis.range[0]) / area.width;
  if (groups.length !== scatter.length) return { dots, perPixel };
  scatter.forEach((trace, k) => {
    const marks = groups[k].querySelectorAll(".points path");
    if (marks.length !== trace.x.length) return;
    marks.forEach((mark, i) => {
      const r = mark.getBoundingClientRect();
      const px = r.left + r.width / 2 - visualViewport.offsetLeft;
      const py = r.top + r.height / 2 - visualViewport.offsetTop;
      const fx = (r.left + r.width / 2 - area.left) / area.width;
      const fy = (r.top + r.height / 2 - area.top) / area.height;
      const inside = fx > 0.15 && fx < 0.85 && fy > 0.15 && fy < 0.85;
      if (inside) dots.push({ x: trace.x[i], y: trace.y[i], px, py });
    });
  });
  return { dots, perPixel };
}
"""

AT = re.compile(r"At \(([\u2212\-0-9.]+), ([\u2212\-0-9.]+)\)")


def number(text: str) -> float:
    return float(text.replace("\N{MINUS SIGN}", "-"))


def answered_at(answer: Locator) -> tuple[float, float] | None:
    match = AT.search(answer.inner_text()) if answer.count() else None
    return (number(match.group(1)), number(match.group(2))) if match else None


class Questions:
    """The question requests a page sends, as they go out."""

    def __init__(self, page: Page, pattern: str) -> None:
        self.pattern = re.compile(pattern)
        self.sent: list[str] = []
        page.on("request", self.record)

    def record(self, request: Request) -> None:
        if request.method == "POST" and self.pattern.search(request.url):
            self.sent.append(request.url)


def tap_with_pen(page: Page, x: float, y: float) -> None:
    """A pen touching down and lifting at (x, y): Chromium's own input path, as a stylus."""
    session = page.context.new_cdp_session(page)
    for kind, buttons in (("mousePressed", 1), ("mouseReleased", 0)):
        session.send(
            "Input.dispatchMouseEvent",
            {
                "type": kind,
                "x": x,
                "y": y,
                "button": "left",
                "buttons": buttons,
                "clickCount": 1,
                "pointerType": "pen",
            },
        )
    session.detach()


TAPS: dict[str, Callable[[Page, float, float], None]] = {
    "touch": lambda page, x, y: page.touchscreen.tap(x, y),
    "mouse": lambda page, x, y: page.mouse.click(x, y),
    "pen": tap_with_pen,
}


@pytest.fixture
def phone(browser: Browser, console: ConsoleLog) -> Iterator[Page]:
    context = browser.new_context(has_touch=True, is_mobile=True, viewport=PHONE)
    yield watch(context.new_page(), console)
    context.close()


def test_every_map_lesson_is_tapped() -> None:
    kinds = kinds_with_a_map()
    assert kinds <= set(KINDS), f"describe the map of {kinds - set(KINDS)} in KINDS"
    assert len({slug for slug, _ in MAP_LESSONS}) >= 3  # found from the lessons, not listed


@pytest.mark.parametrize(("slug", "kind"), MAP_LESSONS)
def test_a_tap_a_click_and_a_pen_each_ask_once_about_that_spot(
    phone: Page, module_server: LiveServer, console: ConsoleLog, slug: str, kind: str
) -> None:
    widget = KINDS[kind]
    phone.goto(f"{module_server.url}/lessons/{slug}")
    root = phone.locator(f"[data-widget={kind}]").first
    questions = Questions(phone, widget.question)
    widget.train(root)
    expect(root.locator(widget.ready)).to_have_count(1, timeout=TIMEOUT)
    chart = root.locator(widget.chart)
    expect(chart.locator(".scatterlayer .points path").first).to_be_attached(timeout=TIMEOUT)
    answer = root.locator(widget.answer)
    asked: list[tuple[float, float]] = []
    for way, tap in TAPS.items():
        found: Any = chart.evaluate(DOTS_ON_SCREEN)
        assert found and found["dots"], "no training dot drawn inside the map"
        # A different dot each time, so each answer is told apart from the one before.
        dot = next(
            d
            for d in found["dots"]
            if all(abs(d["x"] - x) + abs(d["y"] - y) > 0.2 for x, y in asked)
        )
        before = len(questions.sent)
        tap(phone, dot["px"], dot["py"])
        near = widget.snap / 2 + 2 * found["perPixel"]  # the widget's rounding, 2 px of aim

        def answered_here(dot: Any = dot, near: float = near) -> bool:
            at = answered_at(answer)
            return (
                at is not None and abs(at[0] - dot["x"]) <= near and abs(at[1] - dot["y"]) <= near
            )

        expect_within(
            answered_here,
            f"{way}: no answer for the spot tapped at {dot}; shown: {answer.all_inner_texts()}",
        )
        phone.wait_for_timeout(300)  # room for a second, synthesized question to go out
        assert len(questions.sent) - before == 1, (
            f"{way}: {len(questions.sent) - before} questions for one tap"
        )
        asked.append((dot["x"], dot["y"]))
    assert console.errors == []


def expect_within(condition: Callable[[], bool], message: str, seconds: float = 10) -> None:
    """Polls condition (a page read) until it holds; fails with message after seconds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)
