"""Lesson 9's next-word widget in a real Chromium: train, watch, ask, continue, by keyboard."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.settings import REPO_ROOT
from tests.browser.conftest import ConsoleLog
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LESSON = "/lessons/why-inference-feels-intelligent"
WIDGET = "[data-widget=next-word]"
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Two significant figures, as the server writes them; a doubt is never rounded away.
PERCENT = re.compile(r"^(?P<bound>under |over )?(?P<number>\d+(\.\d+)?)%$")
# Chromium logs every 4xx response on its own; a bad prompt is meant to get a 422.
NETWORK_422 = "the server responded with a status of 422"


def open_lesson(page: Page, server: LiveServer, quick: bool = False) -> None:
    page.goto(server.url + LESSON)
    page.wait_for_function(f"() => document.querySelector('{WIDGET}').widget")
    if quick:  # tests that are not about watching it learn train a short, unpaced run
        page.evaluate(
            f"() => {{ const w = document.querySelector('{WIDGET}').widget;"
            " w.preset = {...w.preset, pace: 'instant', steps: 60}; }"
        )


def chart_data(page: Page) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = page.evaluate(
        "() => document.querySelector('[data-role=perplexity-chart]').data"
        ".map((t) => ({x: t.x, y: t.y, name: t.name}))"
    )
    return data


def wait_until_trained(page: Page, timeout: float = 90_000) -> None:
    # Five seconds when the machine is idle; other test runs on two cores can slow it a lot.
    expect(page.locator("[data-role=phase]")).to_have_text(
        "Phase 2: inference (model frozen)", timeout=timeout
    )


def test_a_reader_trains_watches_then_asks(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_lesson(page, module_server)
    preset = json.loads(page.get_attribute(WIDGET, "data-preset") or "{}")
    assert preset["pace"] == "watch"
    watch_it_train(page)
    fingerprint = first_answer(page)
    ask_about_an_unknown_word(page)
    first = continue_with_a_seed(page)
    same_as_the_api(page, module_server, first, fingerprint)

    # The weights never moved: same fingerprint after every answer.
    expect(page.locator("[data-role=fingerprint-count]")).to_contain_text(
        f"checked after 4 answers so far: {fingerprint} every time"
    )
    expect(page.locator("[data-role=fingerprint]")).to_have_text(fingerprint)
    # The run is recorded for the recap lessons, with the answers.
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('phaselab:v1'))")
    run = stored["runs"][-1]
    assert run["kind"] == "next-word" and run["lesson"] == "why-inference-feels-intelligent"
    assert run["steps"] == 600 and run["flops"] > 0 and run["fingerprint"] == fingerprint
    assert stored["answers"]["count"] == 4
    # The cost panel compares training with the answers.
    expect(page.locator("[data-role=costs] .ratio")).to_contain_text("answers", timeout=10_000)
    assert console.errors == []


def watch_it_train(page: Page) -> None:
    """Start by keyboard, watch the chart fill while training runs, then read what it shows."""
    badge = page.locator("[data-role=phase]")
    expect(badge).to_have_text("Ready to train")
    # Keyboard only: the start button takes focus and Enter presses it.
    page.focus("[data-action=start]")
    page.keyboard.press("Enter")
    expect(badge).to_have_text("Phase 1: training")
    # The corpus size comes from the start event.
    corpus = page.locator("[data-role=corpus-size]")
    expect(corpus).to_contain_text("sentences to learn from", timeout=10_000)
    assert page.locator("[data-role=inference]").is_hidden()
    # The chart fills while training is still going.
    page.wait_for_function(
        "() => document.querySelector('[data-role=perplexity-chart]').data[0].x.length >= 3",
        timeout=20_000,
    )
    wait_until_trained(page)

    traces = chart_data(page)
    perplexity, baseline = traces[0]["y"], traces[1]["y"]
    assert len(perplexity) == 100  # one point a frame
    uniform = baseline[0]
    assert baseline == [uniform, uniform]
    assert perplexity[-1] < uniform / 5  # it learned: far better than blind guessing
    assert re.search(rf"vocabulary of {uniform:,.0f} entries", corpus.inner_text())
    # The text alternative carries the key numbers.
    label = page.get_attribute("[data-role=perplexity-chart]", "aria-label") or ""
    assert "Step 600 of 600" in label and f"{perplexity[-1]:.1f}" in label
    # Babble turned into sentences: samples are shown as text.
    expect(page.locator("[data-role=sample] q")).to_have_text(re.compile(r"^the .+\.$"))
    assert page.locator("[data-role=sample-history] li").count() >= 2


def percent_value(text: str) -> float:
    """A shown probability as a number, for ordering: "12%", "under 1%", "over 99%"."""
    match = PERCENT.match(text)
    assert match, text
    number = float(match.group("number"))
    return {"under ": number - 0.5, "over ": number + 0.5}.get(match.group("bound") or "", number)


def first_answer(page: Page) -> str:
    """The pre-filled prompt is answered at once: five words, likeliest first; its fingerprint."""
    prompt = page.locator("[name=prompt]")
    expect(prompt).to_have_value("the cat sat on the")
    bars = page.locator("[data-role=answer] .nw-bars li")
    expect(bars).to_have_count(5)
    percents = page.locator("[data-role=answer] .nw-percent").all_inner_texts()
    values = [percent_value(p) for p in percents]
    assert values == sorted(values, reverse=True)
    expect(page.locator("[data-role=answer]")).to_contain_text("FLOP")
    fingerprint = page.locator("[data-role=fingerprint]").inner_text()
    assert re.fullmatch(r"[0-9a-f]{16}", fingerprint)
    return fingerprint


def ask_about_an_unknown_word(page: Page) -> None:
    """A word it never saw is named; Enter in the text box asks."""
    prompt = page.locator("[name=prompt]")
    prompt.fill("the zebra sat on the")
    prompt.press("Enter")
    expect(page.locator("[data-role=answer] .nw-unknown")).to_contain_text(
        "It has never seen \u2018zebra\u2019 and treats it as an unknown word"
    )
    expect(page.locator("[data-counter=infer-count]")).to_have_text("2")


def continue_with_a_seed(page: Page) -> str:
    """Continue a sentence, sliders moved by keyboard; the same seed gives the same words."""
    page.locator("[name=prompt]").fill("I drink tea")
    words = page.locator("[name=n_words]")
    words.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.locator("[data-role=words-value]")).to_have_text("12")
    temperature = page.locator("[name=temperature]")
    temperature.focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    expect(page.locator("[data-role=temperature-value]")).to_have_text("0.8")
    page.fill("[name=sample_seed]", "3")
    continued = page.locator("[data-role=continuation] mark")
    page.click("[data-action=continue]")
    expect(continued).not_to_be_empty()
    first = continued.inner_text()
    expect(page.locator("[data-counter=infer-count]")).to_have_text("3")
    page.click("[data-action=continue]")
    expect(page.locator("[data-counter=infer-count]")).to_have_text("4")
    assert continued.inner_text() == first
    expect(page.locator("[data-role=continuation]")).to_contain_text("seed 3")
    return first


def same_as_the_api(page: Page, server: LiveServer, continued: str, fingerprint: str) -> None:
    """The page shows the words the JSON API gives for the same question."""
    run_id = page.evaluate(f"() => document.querySelector('{WIDGET}').widget.runId")
    api = httpx.post(
        f"{server.url}/api/runs/{run_id}/predict",
        json={
            "prompt": "I drink tea",
            "top_k": 5,
            "n_words": 12,
            "temperature": 0.8,
            "sample_seed": 3,
        },
        timeout=10,
    ).json()
    assert api["continuation"] == continued
    assert api["fingerprint"] == fingerprint


def test_bad_prompts_get_the_servers_message(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    open_lesson(page, module_server, quick=True)
    page.click("[data-action=start]")
    wait_until_trained(page)
    answer = page.locator("[data-role=answer]")
    expect(answer.locator(".nw-bars")).to_be_visible()
    for text, message in [
        ("   ", "Type a few words first."),
        ("12345 !!", "Latin letters"),
        ("word " * 50, "200 characters or fewer"),
    ]:
        page.fill("[name=prompt]", text)
        page.click("[data-action=predict]")
        expect(answer.locator(".error[role=alert]")).to_contain_text(message)
    # A bad question is not an answer: nothing is counted.
    expect(page.locator("[data-counter=infer-count]")).to_have_text("1")
    page.fill("[name=prompt]", "the dog")
    page.fill("[name=sample_seed]", "")
    page.click("[data-action=continue]")
    expect(page.locator("[data-role=continuation] .error")).to_contain_text("whole number")
    page.fill("[name=sample_seed]", "1")
    page.click("[data-action=continue]")
    expect(page.locator("[data-role=continuation] mark")).not_to_be_empty()
    assert [e for e in console.errors if NETWORK_422 not in e] == []


def test_fits_a_phone_in_dark_mode(browser: Browser, module_server: LiveServer) -> None:
    # axe is injected as an inline script, which the CSP rightly blocks: let the test tool in.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, color_scheme="dark", bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        open_lesson(page, module_server, quick=True)
        page.click("[data-action=start]")
        wait_until_trained(page)
        expect(page.locator("[data-role=answer] .nw-bars li")).to_have_count(5)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360
        # The chart line uses the dark theme's lighter blue, not the light one.
        colour = page.evaluate(
            "() => document.querySelector('[data-role=perplexity-chart]').data[0].line.color"
        )
        assert colour.lower() == "#6cb0ff"
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            f"async () => (await axe.run(document.querySelector('{WIDGET}'))).violations"
            ".filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => v.id)"
        )
        assert violations == []
        assert errors == []
    finally:
        context.close()
