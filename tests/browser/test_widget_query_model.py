"""The query-model widget in Chromium: trained on load, asked by sliders, map and curl."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from app.costs.humanize import format_flops
from tests.browser.conftest import (
    ConsoleLog,
    phone_and_desktop,
    serious_axe_violations,
    sideways_overflow,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


LESSON = "/lessons/what-inference-looks-like"
ROOT = "[data-widget=query-model]"


def role(name: str) -> str:
    return f"{ROOT} [data-role={name}]"


def open_ready(page: Page, server: LiveServer) -> None:
    page.goto(server.url + LESSON)
    expect(page.locator(role("phase"))).to_have_text(re.compile("Phase 2"), timeout=15_000)
    expect(page.locator(role("fp-status"))).to_contain_text("Questions asked: 1")


def test_sliders_ask_the_model_and_the_curl_line_asks_the_same(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_ready(page, module_server)
    fingerprint = page.locator(role("fingerprint")).inner_text()
    assert re.fullmatch(r"[0-9a-f]{8,}", fingerprint)
    expect(page.locator(role("verdict"))).to_contain_text("At (0.50, 0.25) the model says")

    # Keyboard only: three steps right on x, then one step up on y.
    page.focus("#w1-x")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.focus("#w1-y")
    page.keyboard.press("ArrowRight")
    expect(page.locator(role("x-value"))).to_have_text("0.65")
    expect(page.locator(role("verdict"))).to_contain_text("At (0.65, 0.30)")
    status = page.locator(role("fp-status")).inner_text()
    asked = int(re.search(r"Questions asked: (\d+)", status).group(1))
    assert 2 <= asked <= 5  # debounced: a burst of key presses is not a burst of questions
    assert "fingerprint unchanged" in status
    expect(page.locator(role("compute"))).to_contain_text("µs")
    expect(page.locator(role("flops"))).to_have_text(re.compile(r"^[\d.]+ [kMGT]?FLOP$"))
    marker = page.evaluate(f"() => document.querySelector('{role('map')}').data[3]")
    assert (marker["x"], marker["y"]) == ([0.65], [0.3])

    # The curl line names this page's origin, the run and the current point ...
    curl = page.locator(role("curl")).inner_text()
    match = re.search(r"POST (\S+/api/runs/[0-9a-f]{16}/predict)", curl)
    assert match and match.group(1).startswith(module_server.url)
    body = json.loads(re.search(r"-d '(.+)'", curl).group(1))
    assert body == {"inputs": [[0.65, 0.3]]}
    # ... and asking it gives the widget's answer, from the same weights.
    answer = httpx.post(match.group(1), json=body, timeout=10).json()
    name = ["blue", "orange"][answer["predictions"][0]]
    expect(page.locator(role("verdict"))).to_contain_text(f"the model says {name}")
    assert answer["fingerprint"] == fingerprint
    assert page.locator(role("flops")).inner_text() == format_flops(answer["flops"])

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click(f"{ROOT} [data-action=copy]")
    expect(page.locator(role("copy-status"))).to_contain_text(re.compile("Copied|Selected"))
    assert console.errors == []


def test_map_clicks_and_far_points(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_ready(page, module_server)
    page.locator(role("map")).scroll_into_view_if_needed()
    area = page.locator(f"{role('map')} .nsewdrag").bounding_box()
    assert area is not None
    # Near the top-left corner, (-1.9, 1.9): far from every moon-shaped dot.
    page.mouse.click(area["x"] + area["width"] * 0.025, area["y"] + area["height"] * 0.025)
    expect(page.locator(role("x-value"))).to_have_text("\u22121.90")
    expect(page.locator(role("y-value"))).to_have_text("1.90")
    expect(page.locator(role("verdict"))).to_contain_text("At (\u22121.90, 1.90)")
    expect(page.locator(role("outside"))).to_be_visible()
    # Back in the middle of the data, the warning goes.
    page.mouse.click(area["x"] + area["width"] * 0.5, area["y"] + area["height"] * 0.5)
    expect(page.locator(role("verdict"))).to_contain_text("At (0.00, 0.00)")
    expect(page.locator(role("outside"))).to_be_hidden()
    # "s" in presenter mode clicks the start button: once trained, it asks a random spot.
    before = page.locator(role("fp-status")).inner_text()
    page.click(f"{ROOT} [data-action=start]")
    expect(page.locator(role("fp-status"))).not_to_have_text(before)
    assert console.errors == []


def test_a_changed_fingerprint_is_reported_loudly(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_ready(page, module_server)

    def tampered(route: Route) -> None:
        response = route.fetch()
        data = response.json()
        data["fingerprint"] = "0000000000000000"
        route.fulfill(response=response, json=data)

    page.route("**/predict", tampered)
    page.focus("#w1-x")
    page.keyboard.press("ArrowLeft")
    status = page.locator(role("fp-status"))
    expect(status).to_contain_text("CHANGED to 0000000000000000")
    expect(status).to_have_attribute("role", "alert")
    assert console.errors == []


def test_it_fits_a_phone_and_axe_finds_nothing_serious(
    browser: Browser, module_server: LiveServer
) -> None:
    for scheme, page in phone_and_desktop(browser):
        open_ready(page, module_server)
        overflow = sideways_overflow(page)
        assert overflow == 0, scheme
        serious = serious_axe_violations(page, ROOT)
        assert serious == [], scheme
