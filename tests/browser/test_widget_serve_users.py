"""The serve-users widget in Chromium: one batched call for the crowd, timed single asks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from app.costs.humanize import format_flops
from tests.browser.conftest import (
    ConsoleLog,
    phone_and_desktop,
    serious_axe_violations,
    sideways_overflow,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


LESSON = "/lessons/business-implications"
ROOT = "[data-widget=serve-users]"
USERS = f"{ROOT} [name=users]"


def role(name: str) -> str:
    return f"{ROOT} [data-role={name}]"


def test_bad_numbers_get_a_message_and_no_request(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(module_server.url + LESSON)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/" in r.url else None)
    assert page.locator(USERS).input_value() == "100"  # widget.users from the lesson
    for value, message in [
        ("5000", "Choose between 1 and 1,000 users."),
        ("2.5", "whole number"),
        ("", "Type a number of users"),
    ]:
        page.fill(USERS, value)
        page.click(f"{ROOT} [data-action=start]")
        expect(page.locator(role("users-error"))).to_contain_text(message)
        expect(page.locator(USERS)).to_have_attribute("aria-invalid", "true")
    assert requests == []
    expect(page.locator(role("results"))).to_be_hidden()
    page.fill(USERS, "3")
    expect(page.locator(role("users-error"))).to_be_hidden()
    assert console.errors == []


def test_a_crowd_is_served_in_one_batched_call(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(module_server.url + LESSON)
    sizes: list[int] = []

    def count(request: Request) -> None:
        if request.url.endswith("/predict"):
            sizes.append(len(request.post_data_json["inputs"]))

    page.on("request", count)
    page.fill(USERS, "250")
    page.press(USERS, "Enter")  # keyboard: Enter in the field serves
    expect(page.locator(role("results"))).to_be_visible(timeout=15_000)
    assert sizes == [250, 1, 1, 1, 1, 1]  # the crowd in one call, then five timed singles

    expect(page.locator(role("served"))).to_have_text("250 (one batched call)")
    expect(page.locator(role("per-answer-flops"))).to_have_text(re.compile(r"^[\d.]+ [kMGT]?FLOP$"))
    expect(page.locator(role("round-trip"))).to_contain_text("middle of 5")
    expect(page.locator(role("summary"))).to_contain_text("serving changed nothing in it")

    # The cost panel was sent the batch: 250 answers, and per answer a 250th of it.
    form = page.locator(f"{ROOT} [data-role=cost-form]")
    assert form.locator("[name=queries]").input_value() == "250"
    per_answer = int(form.locator("[name=last_flops]").input_value())
    assert int(form.locator("[name=infer_flops]").input_value()) == per_answer * 250
    assert page.locator(role("per-answer-flops")).inner_text() == format_flops(per_answer)
    # ...and the run, so it prices each answer as every lesson does: asked alone.
    assert len(form.locator("[name=run_id]").input_value()) == 16
    assert form.locator("[name=answers]").input_value() == "250"

    # Who pays: the energy cells are the panel's own estimates.
    energy_row = page.locator(f"{ROOT} [data-role=costs] .cost-table tbody tr").first
    expect(page.locator(role("who-user-energy"))).to_contain_text("per user", timeout=5_000)
    training_energy = energy_row.locator("td").nth(0).inner_text()
    user_energy = energy_row.locator("td").nth(1).inner_text()
    assert page.locator(role("who-train-energy")).inner_text() == training_energy
    assert page.locator(role("who-user-energy")).inner_text().startswith(f"{user_energy} per user")

    bars = page.evaluate(f"() => document.querySelector('{role('chart')}').data[0].y")
    assert bars == ["Training (once)", "All 250 answers", "One user's answer (in the batch)"]

    # A second crowd reuses the trained model: no new training run.
    runs: list[str] = []
    page.on("request", lambda r: runs.append(r.url) if r.url.endswith("/api/runs") else None)
    page.fill(USERS, "1000")
    page.click(f"{ROOT} [data-action=start]")
    expect(page.locator(role("served"))).to_have_text("1,000 (one batched call)", timeout=15_000)
    assert runs == []
    assert console.errors == []


def test_it_fits_a_phone_and_axe_finds_nothing_serious(
    browser: Browser, module_server: LiveServer
) -> None:
    for scheme, page in phone_and_desktop(browser):
        page.goto(module_server.url + LESSON)
        page.click(f"{ROOT} [data-action=start]")
        expect(page.locator(role("results"))).to_be_visible(timeout=15_000)
        overflow = sideways_overflow(page)
        assert overflow == 0, scheme
        serious = serious_axe_violations(page, ROOT)
        assert serious == [], scheme
