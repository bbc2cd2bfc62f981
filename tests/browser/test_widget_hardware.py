"""The hardware widget in a real Chromium: train, draw and read; batching; the 8-bit copy."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.costs.humanize import format_flops, format_percent
from tests.browser.conftest import (
    ConsoleLog,
    phone_and_desktop,
    serious_axe_violations,
    sideways_overflow,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LESSON = "/lessons/hardware-and-infrastructure"
PRESET = {"model": "digits", "pace": "instant"}  # the widget's default preset
TIMEOUT = 30_000  # two shared cores: allow for other test runs
EMPTY_422 = "the server responded with a status of 422"  # Chromium logs the refused request


def open_widget(page: Page, server: LiveServer) -> None:
    page.goto(server.url + LESSON)
    page.wait_for_function("() => document.querySelector('[data-widget=hardware]').widget")


def wait_trained(page: Page) -> None:
    expect(page.locator("[data-role=phase]")).to_have_text(
        "Phase 2: inference (model frozen)", timeout=TIMEOUT
    )


def ink(page: Page) -> float:
    total: float = page.evaluate(
        "() => document.querySelector('[data-widget=hardware]').widget.grid"
        ".reduce((a, b) => a + b, 0)"
    )
    return total


def read(page: Page) -> None:
    before = page.evaluate(
        "() => document.querySelector('[data-widget=hardware]').widget.queries.count"
    )
    page.click("[data-action=read]")
    page.wait_for_function(
        "(n) => document.querySelector('[data-widget=hardware]').widget.queries.count > n",
        arg=before,
        timeout=TIMEOUT,
    )


def test_train_then_draw_with_the_mouse_and_read(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_widget(page, module_server)
    page.click("[data-action=start]")
    wait_trained(page)
    expect(page.locator("[data-role=status]")).to_contain_text("of drawings it never saw")
    expect(page.locator("[data-role=trained]")).to_contain_text("17,098 weights")

    # A vertical stroke down the middle of the grid, with the mouse: a 1.
    box = page.locator("[data-role=pad]").bounding_box()
    assert box is not None
    x = box["x"] + box["width"] * 0.5
    page.mouse.move(x, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    page.mouse.move(x, box["y"] + box["height"] * 0.85, steps=12)
    page.mouse.up()
    assert ink(page) > 10
    read(page)
    result = page.locator("[data-role=read-result]")
    expect(result.locator(".digit-read strong")).to_have_text("1")
    expect(result.locator(".top3 li")).to_have_count(3)
    run_id = httpx.post(f"{module_server.url}/api/runs", json=PRESET).json()["run_id"]
    flops = httpx.post(
        f"{module_server.url}/api/runs/{run_id}/predict",
        json={"drawings": [[[1.0 if c == 8 else 0.0 for c in range(16)] for _ in range(16)]]},
    ).json()["flops"]
    expect(result).to_contain_text(format_flops(flops))  # the server's count, as it writes it
    expect(result).to_contain_text("s of compute")

    # The example digits the page draws for keyboard users are read right.
    for digit in ("7", "0"):
        page.select_option("[data-role=example]", digit)
        read(page)
        expect(result.locator(".digit-read strong")).to_have_text(digit)
    expect(result).to_contain_text("Questions asked so far: 3")
    assert console.errors == []


def test_an_empty_drawing_gets_the_servers_message(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_widget(page, module_server)
    page.click("[data-action=read]")  # trains first, then asks about a blank grid
    error = page.locator("[data-role=read-result] .error")
    expect(error).to_have_text("The drawing is empty: draw a digit first.", timeout=TIMEOUT)
    expect(error).to_have_attribute("role", "alert")
    wait_trained(page)
    assert [e for e in console.errors if EMPTY_422 not in e] == []


def test_the_keyboard_draws_and_reads(page: Page, module_server: LiveServer) -> None:
    open_widget(page, module_server)
    pad = page.locator("[data-role=pad]")
    pad.focus()
    page.keyboard.press("ArrowUp")
    for _ in range(5):
        page.keyboard.press("ArrowUp")  # to row 2, column 8
    for _ in range(11):
        page.keyboard.press("Shift+ArrowDown")  # a line down to row 13
    assert ink(page) == 12
    expect(page.locator("[data-role=pad-say]")).to_have_text("Row 13, column 8: ink.")
    page.keyboard.press("Space")  # rubs out the square under the cursor
    assert ink(page) == 11
    page.keyboard.press("Tab")  # on to the examples, then to "Read it"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.action") == "read"
    page.keyboard.press("Enter")
    expect(page.locator("[data-role=read-result] .digit-read strong")).to_have_text(
        "1", timeout=TIMEOUT
    )
    page.focus("[data-action=clear]")
    page.keyboard.press("Enter")
    assert ink(page) == 0
    expect(page.locator("[data-role=read-result]")).to_be_empty()


def test_batching_and_the_8_bit_copy(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_widget(page, module_server)
    page.click("[data-action=batch]")  # trains first
    expect(page.locator("[data-role=batch-result]")).to_be_visible(timeout=TIMEOUT)
    rows = page.locator("[data-role=batch-rows] tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("th")).to_have_text("1 question")
    expect(rows.nth(1).locator("th")).to_have_text("1,000 questions")
    expect(rows.nth(1).locator("td").nth(2)).to_contain_text("s")
    expect(page.locator("[data-role=batch-summary]")).to_contain_text("times as many")
    bars: list[float] = page.evaluate(
        "() => [...document.querySelector('[data-role=throughput-chart]').data[0].y]"
    )
    assert len(bars) == 2 and all(b > 0 for b in bars)
    waits: list[float] = page.evaluate(
        "() => [...document.querySelector('[data-role=wait-chart]').data[0].y]"
    )
    assert waits[1] > waits[0]  # in a batch, each answer waits for all of it

    page.click("[data-action=shrink]")
    expect(page.locator("[data-role=shrink-result]")).to_be_visible(timeout=TIMEOUT)
    run_id = httpx.post(f"{module_server.url}/api/runs", json=PRESET).json()["run_id"]
    shrunk: dict[str, Any] = httpx.post(f"{module_server.url}/api/runs/{run_id}/quantize").json()
    sizes = page.locator("[data-role=size-rows] tr")
    expect(sizes).to_have_count(3)
    expect(sizes.nth(0)).to_contain_text(f"{shrunk['size_bytes_float64']:,} bytes")
    expect(sizes.nth(2)).to_contain_text(f"{shrunk['size_bytes_int8']:,} bytes")
    share = shrunk["size_bytes_int8"] / shrunk["size_bytes_float64"]
    expect(sizes.nth(2)).to_contain_text(format_percent(share))
    checked = shrunk["checked_inputs"]
    same = round(shrunk["agreement"] * checked)
    agreement = page.locator("[data-role=agreement]")
    if same == checked:  # "all 600", not "100% of 600 (600 of them)"
        expect(agreement).to_contain_text(f"on all {checked:,} held-out drawings.")
    else:
        expect(agreement).to_contain_text(f"on {same:,} of {checked:,} held-out drawings")
        expect(agreement).to_contain_text(f"({format_percent(shrunk['agreement'])})")
    expect(page.locator("[data-role=shrink-times]")).to_contain_text("for the 8-bit copy")
    assert console.errors == []


def test_a_phone_draws_by_touch_and_axe_finds_nothing_serious(
    browser: Browser, module_server: LiveServer
) -> None:
    for scheme, page in phone_and_desktop(browser, has_touch=True):
        open_widget(page, module_server)
        page.locator("[data-role=pad]").scroll_into_view_if_needed()
        box = page.locator("[data-role=pad]").bounding_box()
        assert box is not None
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert ink(page) > 0  # a finger inks the grid
        page.select_option("[data-role=example]", "4")
        read(page)
        page.click("[data-action=batch]")
        expect(page.locator("[data-role=batch-result]")).to_be_visible(timeout=TIMEOUT)
        page.click("[data-action=shrink]")
        expect(page.locator("[data-role=shrink-result]")).to_be_visible(timeout=TIMEOUT)
        overflow = sideways_overflow(page)
        assert overflow == 0
        serious = serious_axe_violations(page, "[data-widget=hardware]")
        assert serious == [], scheme
