"""The break-even widget in Chromium: a measured answer, a slider of questions, BLOOMz-7B."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    ConsoleLog,
    phone_and_desktop,
    serious_axe_violations,
    sideways_overflow,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


LESSON = "/lessons/education-vs-performance"
ROOT = "[data-widget=break-even]"
VERDICT = f"{ROOT} [data-role=verdict]"
CHART = f"{ROOT} [data-role=chart]"


def role(name: str) -> str:
    return f"{ROOT} [data-role={name}]"


def traces(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(f"() => document.querySelector('{CHART}').data")


def open_measured(page: Page, server: LiveServer) -> None:
    page.goto(server.url + LESSON)
    expect(page.locator(VERDICT)).to_contain_text(
        "answering has cost as much as training did", timeout=15_000
    )


def count(text: str) -> float:
    """A count as the page writes it, "164,213" or "1.64 million", as a number."""
    number, _, scale = text.partition(" ")
    return float(number.replace(",", "")) * {"": 1, "million": 1e6, "billion": 1e9}[scale]


def test_the_crossing_is_the_servers_break_even(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_measured(page, module_server)
    expect(page.locator(role("how"))).to_contain_text("one question at a time, 31 times")
    expect(page.locator(role("answer-flops"))).to_have_text(re.compile(r"^[\d.]+ [kMGT]?FLOP$"))
    expect(page.locator(role("train-energy"))).to_have_text(re.compile(r"\d .?J$"))

    # The ring on the chart sits at the server's own break-even count (by measured energy).
    panel = page.locator(f"{ROOT} [data-role=costs]").inner_text()
    words = r"([\d,.]+(?: million| billion)?)"
    server = count(re.search(rf"CO2 and money\) as {words} answers", panel).group(1))
    crossing = next(t for t in traces(page) if t["name"] == "Your model: break-even")
    assert crossing["x"][0] == pytest.approx(server, rel=0.005)  # exact below a million
    said = re.search(rf"After about {words} questions", page.locator(VERDICT).inner_text())
    assert count(said.group(1)) == pytest.approx(server, rel=0.005)  # three figures
    assert "Your model" in page.locator(CHART).get_attribute("aria-label")
    assert console.errors == []


def test_the_slider_moves_the_count_and_the_estimates(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_measured(page, module_server)
    slider = page.locator(f"{ROOT} [name=questions]")
    expect(slider).to_be_enabled()
    slider.focus()
    page.keyboard.press("End")
    expect(page.locator(role("queries-value"))).to_have_text("1,000,000,000")
    assert slider.get_attribute("aria-valuetext") == "1,000,000,000 questions"
    # The panel is asked about a billion answers, each costing the measured one.
    form = page.locator(f"{ROOT} [data-role=cost-form]")
    expect(form.locator("[name=queries]")).to_have_value("1000000000", timeout=5_000)
    flops = int(form.locator("[name=infer_flops]").input_value())
    per_answer = int(form.locator("[name=last_flops]").input_value())
    assert flops == per_answer * 1_000_000_000
    at_n = page.locator(role("at-n"))
    expect(at_n).to_contain_text("1,000,000,000 questions: all the answers together about")
    expect(at_n).to_contain_text("answering has now cost more than training")
    layout_x = page.evaluate(f"() => document.querySelector('{CHART}').layout.shapes[0].x0")
    assert layout_x == 1_000_000_000

    page.keyboard.press("Home")
    expect(page.locator(role("queries-value"))).to_have_text("1")
    expect(at_n).to_contain_text("still below what training cost")
    assert console.errors == []


def test_bloomz_is_drawn_from_the_published_figures(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_measured(page, module_server)
    page.check(f"{ROOT} [name=case][value=bloomz]")
    expect(page.locator(VERDICT)).to_contain_text("BLOOMz-7B: after about 592 million questions")
    names = [t["name"] for t in traces(page)]
    assert names == [
        "BLOOMz-7B: training (once)",
        "BLOOMz-7B: all answers",
        "BLOOMz-7B: your number",
        "BLOOMz-7B: break-even",
    ]
    training = traces(page)[0]["y"][0]
    assert training == pytest.approx((51_686 + 7_571) * 1e3)  # Wh: training + fine-tuning
    crossing = traces(page)[3]["x"][0]
    assert crossing == pytest.approx(592.57e6, rel=1e-3)
    # One count in words everywhere: the chart's description says the paper's 592 million too.
    assert "after about 592 million questions" in page.locator(CHART).get_attribute("aria-label")
    page.check(f"{ROOT} [name=case][value=both]")
    assert len(traces(page)) == 8
    assert console.errors == []


def test_it_fits_a_phone_and_axe_finds_nothing_serious(
    browser: Browser, module_server: LiveServer
) -> None:
    for scheme, page in phone_and_desktop(browser):
        open_measured(page, module_server)
        overflow = sideways_overflow(page)
        assert overflow == 0, scheme
        serious = serious_axe_violations(page, ROOT)
        assert serious == [], scheme
