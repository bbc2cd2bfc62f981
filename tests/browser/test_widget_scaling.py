"""The scaling widget in Chromium: grow data, model and steps; diverge; the article's table.

Its chart has two lines over the runs: the measured compute time (each run timed again
beside the others, its fastest stretches added up) and the counted arithmetic. However busy
the server, a run with at least twice the arithmetic must not be drawn as the quicker one.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.costs.humanize import format_duration, format_flops
from tests.browser.conftest import (
    ConsoleLog,
    phone_and_desktop,
    serious_axe_violations,
    sideways_overflow,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LESSON = "/lessons/why-training-takes-so-long"
TIMEOUT = 60_000  # each press trains every run on the chart again; two shared cores
NOTHING = "\u2013"  # the en dash of a cell not measured yet


def final_event(server: LiveServer, spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Train a run through the API and return its last event (done or diverged)."""
    run_id = httpx.post(f"{server.url}/api/runs", json=spec).json()["run_id"]
    event = ""
    with httpx.stream("GET", f"{server.url}/api/runs/{run_id}/events", timeout=60) as response:
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("done", "diverged"):
                return event, json.loads(line[5:])
    raise AssertionError("the stream ended without a done or diverged event")


def open_widget(page: Page, server: LiveServer) -> None:
    page.goto(server.url + LESSON)
    page.wait_for_function("() => document.querySelector('[data-widget=scaling]').widget")


def preset(page: Page) -> dict[str, Any]:
    """The run the widget starts from: its lesson's preset, trained without pacing."""
    spec: dict[str, Any] = page.evaluate(
        "() => ({...document.querySelector('[data-widget=scaling]').widget.preset, model: 'mlp'})"
    )
    return spec


def run_count(page: Page) -> int:
    count: int = page.evaluate(
        "() => document.querySelectorAll('[data-role=rows] tr:not(.empty)').length"
    )
    return count


def wait_idle(page: Page, runs: int) -> None:
    """Until the table has `runs` rows and the buttons are free again."""
    page.wait_for_function(
        """(n) => document.querySelectorAll('[data-role=rows] tr:not(.empty)').length === n
              && document.querySelector('[data-action=start]').ariaDisabled === 'false'""",
        arg=runs,
        timeout=TIMEOUT,
    )


def chart_lines(page: Page) -> dict[str, dict[str, Any]]:
    """The chart's traces by name: their points and the axis they are drawn against."""
    lines: dict[str, dict[str, Any]] = page.evaluate(
        """() => Object.fromEntries(document.querySelector('[data-role=chart]').data.map(
             (d) => [d.name, {x: [...d.x], y: [...d.y], yaxis: d.yaxis || 'y'}]))"""
    )
    return lines


TIME = "compute time (measured)"
ARITHMETIC = "arithmetic (counted)"


def press(page: Page, action: str) -> None:
    """Press a grow button and wait until its runs are in the table and timed."""
    before = run_count(page)
    page.click(f"[data-action={action}]")
    page.wait_for_function(
        """(n) => document.querySelectorAll('[data-role=rows] tr:not(.empty)').length > n
              && document.querySelector('[data-action=start]').ariaDisabled === 'false'""",
        arg=before,
        timeout=TIMEOUT,
    )


def tick_labels(page: Page) -> list[str]:
    """Every tick label drawn on the chart's two vertical scales."""
    labels: list[str] = page.evaluate(
        """() => [...document.querySelectorAll(
             '[data-role=chart] .ytick text, [data-role=chart] .y2tick text')]
             .map((t) => t.textContent)"""
    )
    return labels


def test_each_button_adds_a_measured_point(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_widget(page, module_server)
    expect(page.locator("[data-role=rows]")).to_contain_text("No runs yet")
    page.click("[data-action=start]")
    wait_idle(page, 1)
    _, done = final_event(module_server, preset(page))
    lines = chart_lines(page)
    assert lines[ARITHMETIC]["y"] == [done["totals"]["flops"]]  # the server's count, not a guess
    assert lines[ARITHMETIC]["yaxis"] == "y2" and lines[TIME]["yaxis"] == "y"
    (time_ns,) = lines[TIME]["y"]
    assert time_ns > 0
    first = page.locator("[data-role=rows] tr").first
    # The table shows the time the chart draws: the fastest stretches of the timings.
    shown = format_duration(time_ns / 1e9)
    expect(first.locator("td[data-label='Compute time']")).to_have_text(shown)
    expect(first).to_contain_text("start")
    expect(first).to_contain_text("354")  # parameters of 16 x 16 units
    expect(first.locator("td[data-label='Steps']")).to_have_text("200")

    page.click("[data-action=steps]")
    wait_idle(page, 2)
    page.click("[data-action=model]")
    wait_idle(page, 3)
    page.click("[data-action=data]")
    wait_idle(page, 4)
    x = chart_lines(page)[ARITHMETIC]["y"]
    assert 1.9 < x[1] / x[0] < 2.1  # twice the steps, twice the arithmetic
    assert 3.0 < x[2] / x[1] < 4.0  # twice the units: more than three times the weights
    assert 1.9 < x[3] / x[2] < 2.1  # twice the dots, each seen as often
    expect(page.locator("[data-role=current]")).to_have_text(
        "600 dots, 32 \u00d7 32 units, 800 steps"
    )
    expect(page.locator("[data-role=status]")).to_contain_text("Against the run before")

    # The article's table gets the last run's numbers and one measured answer.
    expect(page.locator("[data-cell=train-flops]")).to_have_text(format_flops(x[3]))
    expect(page.locator("[data-cell=answer-time]")).to_contain_text("s")
    expect(page.locator("[data-cell=answer-flops]")).not_to_have_text(NOTHING)
    expect(page.locator("[data-cell=train-count]")).to_have_text("4 finished runs on this page")
    expect(page.locator(".resource [data-role=ratio]")).to_contain_text("answers like this one")
    expect(page.locator("[data-role=ms-yours]")).to_contain_text("Your model answered in")
    expect(page.locator("[data-role=costs] .cost-table")).to_contain_text("Energy")
    assert console.errors == []


def test_the_keyboard_alone_grows_the_model_up_to_its_limit(
    page: Page, module_server: LiveServer
) -> None:
    open_widget(page, module_server)
    page.focus("[data-action=model]")
    page.keyboard.press("Enter")  # no run yet: the starting model comes first
    page.wait_for_function(
        "() => document.querySelector('[data-action=model]').ariaDisabled === 'true'"
    )
    # While busy the button keeps its focus (aria-disabled, not disabled).
    assert page.evaluate("() => document.activeElement.dataset.action") == "model"
    wait_idle(page, 2)
    rows = page.locator("[data-role=rows] tr")
    expect(rows.nth(0)).to_contain_text("start")
    expect(rows.nth(1)).to_contain_text("bigger model")
    page.keyboard.press("Space")
    wait_idle(page, 3)
    model = page.locator("[data-action=model]")
    expect(model).to_have_attribute("aria-disabled", "true")  # 64 units per layer at most
    expect(page.locator("[data-role=model-help]")).to_contain_text("stops at 64 units")
    assert page.evaluate("() => document.activeElement.dataset.action") == "model"
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert run_count(page) == 3  # a refused press trains nothing
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.action") == "steps"
    page.focus("[data-action=clear]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-role=rows]")).to_contain_text("No runs yet")
    assert chart_lines(page)[TIME]["y"] == [] and chart_lines(page)[ARITHMETIC]["y"] == []
    expect(page.locator("[data-cell=train-flops]")).to_have_text(NOTHING)


def test_a_far_too_high_learning_rate_diverges_and_restarting_pays_again(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_widget(page, module_server)
    page.click("[data-action=diverge]")
    result = page.locator("[data-role=diverge-result]")
    expect(result).to_have_attribute("data-attempts", "1", timeout=TIMEOUT)
    bad = {**preset(page), "optimizer": "sgd", "learning_rate": 30}
    event, data = final_event(module_server, bad)
    assert event == "diverged"
    step = data["step"]
    expect(result).to_contain_text(f"blew up at step {step} of 200")
    expect(result).to_contain_text(format_flops(data["totals"]["flops"]))
    expect(page.locator("[data-role=phase]")).to_have_text("Diverged: no model")
    expect(page.locator("[data-role=status]")).to_contain_text("learning rate is too high")
    again = page.locator("[data-action=diverge-again]")
    expect(again).to_be_visible()
    again.click()
    expect(result).to_have_attribute("data-attempts", "2", timeout=TIMEOUT)
    expect(result).to_contain_text("Wasted over 2 attempts")
    expect(result).to_contain_text(format_flops(2 * data["totals"]["flops"]))
    wasted = [name for name in chart_lines(page) if "diverged" in name]
    assert wasted == ["diverged run (thrown away)"]
    assert run_count(page) == 0  # a diverged run adds no finished run
    assert console.errors == []


def test_it_fits_a_phone_and_axe_finds_nothing_serious(
    browser: Browser, module_server: LiveServer
) -> None:
    for scheme, page in phone_and_desktop(browser):
        open_widget(page, module_server)
        page.click("[data-action=start]")
        wait_idle(page, 1)
        overflow = sideways_overflow(page)
        assert overflow == 0
        serious = serious_axe_violations(page, "[data-widget=scaling]")
        assert serious == [], scheme


@pytest.mark.parametrize(
    ("seed", "growth"),
    [
        (7, ["steps", "model", "data"]),
        (3, ["model", "model", "steps"]),
        (11, ["data", "model", "steps"]),
    ],
)
def test_the_time_drawn_rises_with_the_arithmetic(
    page: Page, module_server: LiveServer, console: ConsoleLog, seed: int, growth: list[str]
) -> None:
    """Each growth at least doubles the arithmetic; the time drawn for it is never below the
    time drawn for the smaller run, on any seed, whichever thing grows."""
    open_widget(page, module_server)
    page.evaluate(
        """(seed) => { const w = document.querySelector('[data-widget=scaling]').widget;
                       w.preset = {...w.preset, seed}; w.clear(); }""",
        seed,
    )
    for action in growth:
        press(page, action)
        lines = chart_lines(page)
        time, arithmetic = lines[TIME]["y"], lines[ARITHMETIC]["y"]
        assert len(time) == len(arithmetic) == run_count(page)
        for i in range(len(time) - 1):
            assert arithmetic[i + 1] >= 2 * arithmetic[i], (action, arithmetic)
            assert time[i + 1] >= time[i], (action, time)  # every run was timed again, beside
    # Both scales are logarithmic and every tick says its unit: no bare "2" or "5".
    layout = page.evaluate(
        "() => { const l = document.querySelector('[data-role=chart]').layout;"
        " return [l.yaxis.type, l.yaxis2.type]; }"
    )
    assert layout == ["log", "log"]
    labels = tick_labels(page)
    assert len(labels) >= 4
    for label in labels:
        assert label.endswith(("s", "FLOP")) and label[0].isdigit(), labels
    assert console.errors == []
