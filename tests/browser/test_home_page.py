"""The home page in Chromium: a tiny model trains live, then answers; the course as cards."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from app.content.lessons import load_lessons
from app.runs.specs import frame_steps
from app.settings import Settings
from tests.browser.conftest import (
    ConsoleLog,
    phone_and_desktop,
    serious_axe_violations,
    sideways_overflow,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LESSONS = load_lessons(Settings().lessons_dir)
# A measured time as lib/format.js writes one: "36.8 ms", "99.5 µs", "1.2 s".
DURATION = re.compile(r"^(\d+(?:\.\d+)?) (ns|µs|ms|s)$")
NS_PER = {"ns": 1, "µs": 1e3, "ms": 1e6, "s": 1e9}
TRAIN_TIMEOUT_MS = 20_000


def nanoseconds(text: str) -> float:
    match = DURATION.match(text)
    assert match, f"not a measured time: {text!r}"
    return float(match[1]) * NS_PER[match[2]]


def curve_points(page: Page) -> int:
    points: str = page.get_attribute("[data-role=curve]", "data-points") or "0"
    return int(points)


def test_the_home_page_trains_a_model_live_then_the_frozen_model_answers(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(module_server.url + "/")
    demo = page.locator("[data-role=home-demo]")
    status = demo.locator("[data-role=status]")
    expect(status).to_have_attribute("role", "status")  # a live region: read aloud as it changes
    expect(status).to_contain_text("Nothing is trained yet")
    assert curve_points(page) == 0
    spec = json.loads(demo.get_attribute("data-spec") or "{}")

    button = demo.locator("[data-action=start]")
    button.focus()
    page.keyboard.press("Enter")  # the keyboard starts it like a click
    expect(demo).to_have_attribute("data-state", "training")
    expect(status).to_contain_text("Training:")
    # The curve gets points while it trains, not all at once at the end.
    page.wait_for_function(
        "() => Number(document.querySelector('[data-role=curve]').dataset.points) > 0"
    )
    during = curve_points(page)
    assert during < len(frame_steps(spec["steps"]))
    assert demo.get_attribute("data-state") == "training"

    expect(demo).to_have_attribute("data-state", "done", timeout=TRAIN_TIMEOUT_MS)
    expect(status).to_contain_text("Done")
    assert curve_points(page) == len(frame_steps(spec["steps"]))
    assert page.get_attribute("[data-role=curve]", "d")
    expect(demo.locator("[data-role=dots] circle").first).to_be_visible()

    # The frozen model's one answer, its measured time beside training's.
    split = demo.locator("[data-role=split]")
    expect(split).to_be_visible()
    answer_ns = nanoseconds(split.locator("[data-role=answer-time]").inner_text())
    training_ns = nanoseconds(split.locator("[data-role=train-time]").inner_text())
    assert 0 < answer_ns < training_ns
    expect(status).to_contain_text(re.compile(r"it answered (blue|orange)"))
    expect(button).to_be_focused()  # pressing it never dropped the reader's focus
    expect(button).to_have_text("Train it again")
    assert page.evaluate("typeof window.Plotly") == "undefined"  # the curve is our own SVG
    assert console.errors == []


def test_every_lesson_has_a_card_that_leads_to_it(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(module_server.url + "/")
    cards = page.locator(".course-map.cards > li.card")
    expect(cards).to_have_count(len(LESSONS))
    for card, lesson in zip(cards.all(), LESSONS.values(), strict=True):
        link = card.locator(".card-title a")
        expect(link).to_have_text(lesson.meta.title)
        expect(link).to_have_attribute("href", f"/lessons/{lesson.slug}")
        expect(card.locator(".card-promise")).to_have_text(lesson.meta.summary)
        picture = card.locator("svg.lesson-picture")
        expect(picture).to_be_visible()
        box = picture.bounding_box()
        assert box is not None and box["width"] > 40 and box["height"] > 30
    # The whole card leads to its lesson: a click on its picture (the card's top left)
    # opens it, though the title is the one link a screen reader lists.
    third = list(LESSONS.values())[2]
    cards.nth(2).click(position={"x": 30, "y": 30})
    expect(page).to_have_url(f"{module_server.url}/lessons/{third.slug}")
    assert console.errors == []


def test_a_card_shows_the_readers_progress(browser: Browser, module_server: LiveServer) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(module_server.url + "/")
    finished = page.locator("li.card[data-slug=limits] [data-role=finished]")
    expect(finished).to_be_hidden()
    page.evaluate("localStorage.setItem('phaselab:v1', JSON.stringify({lessons: {limits: true}}))")
    page.reload()
    expect(finished).to_be_visible()
    expect(page.locator("li.card[data-slug=limits]")).to_have_class(re.compile(r"\bfinished\b"))
    expect(page.locator("li.card[data-slug=faq] [data-role=finished]")).to_be_hidden()
    context.close()


def test_the_home_page_fits_a_phone_and_passes_axe_light_and_dark(
    browser: Browser, module_server: LiveServer
) -> None:
    for scheme, page in phone_and_desktop(browser):
        page.goto(module_server.url + "/")
        page.click("[data-role=home-demo] [data-action=start]")
        expect(page.locator("[data-role=home-demo]")).to_have_attribute(
            "data-state", "done", timeout=TRAIN_TIMEOUT_MS
        )
        assert sideways_overflow(page) == 0, scheme
        lefts = {round(box["x"]) for box in card_boxes(page)}
        if page.viewport_size and page.viewport_size["width"] <= 360:
            assert len(lefts) == 1, "on a phone the cards stack in one column"
        else:
            assert len(lefts) > 1, "on a desktop the cards sit side by side"
        assert serious_axe_violations(page) == [], scheme


def card_boxes(page: Page) -> list[dict[str, float]]:
    boxes = [card.bounding_box() for card in page.locator("li.card").all()]
    assert boxes and all(box is not None for box in boxes)
    return [box for box in boxes if box is not None]
