"""Every page, with its demo run to the end as a reader would: no number a person cannot read.

What the reader sees (document.body.innerText) must never hold a computer's spelling of a
number: an exponent ("2.81e+7"), a float's ".0" on a whole number ("175000000000.0
parameters", "100.0%"), JavaScript's "undefined", "NaN", "Infinity" or "[object ...]", or a
FLOP count past tera with a prefix ("164 EFLOP" where the rest of the course writes
"1.64 x 10^20 FLOP", with a times sign and a superscript). And one number must not read two
ways on one page: training's arithmetic counted in answers, a count of practice drawings, a
share beside its count.
Each lesson is driven the fastest honest way: its own buttons, the unpaced speed where the
widget offers one, one question where there is a question form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.content.lessons import load_lessons
from app.settings import Settings
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

TIMEOUT = 30_000  # two shared cores: allow for other test runs
FROZEN = "Phase 2: inference (model frozen)"
NOT_YET = "\N{EN DASH}"  # a cell before its number arrives

# A computer's spelling of a number, as a reader must never see it. The exponent may not
# sit inside a longer word, so a hex fingerprint such as "a2e41b" is not one.
RAW = {
    "exponent": re.compile(r"(?<![\w.])\d+(\.\d+)?e[+-]?\d+(?![\w.])", re.IGNORECASE),
    # A version number ("MLPerf Inference v5.0", "version 5.0") is a name, not a quantity.
    "'.0' on a whole number": re.compile(
        r"(?<![\d.,v])(?<!version )\d[\d,]*\.0(?=\s|%|[^\W\d_]|[)\N{MULTIPLICATION SIGN}]|$)",
        re.MULTILINE,
    ),
    "undefined": re.compile(r"\bundefined\b"),
    "NaN": re.compile(r"\bNaN\b"),
    "Infinity": re.compile(r"\bInfinity\b"),
    "[object": re.compile(r"\[object\b"),
    # FLOP counts stop at tera (app/costs/humanize.py): past it, one scientific style.
    "FLOP count past tera with a prefix": re.compile(r"\d [PEZY]FLOP\b(?!/s)"),
}

# The same quantity, written more than once on a page, must read the same every time.
ANSWERS = r"([\d,.]+(?: million| billion| trillion)?)"
SAME_NUMBER = {
    # The counters' line and the cost panel's both count training in answers.
    "training's arithmetic in answers": re.compile(
        rf"as much arithmetic as (?:about )?{ANSWERS} answers"
    ),
    # The text says how many practice drawings there are; so may the line about training.
    "practice drawings": re.compile(r"(\d[\d,]*) practice drawings"),
    # The fingerprint note and the summary count the questions the first model answered.
    "questions the frozen model answered": re.compile(
        r"(?:unchanged after|never moved in) (\d[\d,]*) questions"
    ),
}

# A share beside its count ("100% (599 of 600)", "599 of 600 drawings (100%)"): all or none
# only when the count says so.
SHARE_BESIDE_COUNT = (
    re.compile(r"(?P<share>\d+)% \((?P<part>\d[\d,]*) of (?P<whole>\d[\d,]*)\)"),
    re.compile(r"(?P<part>\d[\d,]*) of (?P<whole>\d[\d,]*)[^()\n]{0,60}\((?P<share>\d+)%\)"),
)


def raw_numbers(text: str) -> list[str]:
    """Each raw spelling in text, named, with the words around it to find it by."""
    found = []
    for name, pattern in RAW.items():
        for match in pattern.finditer(text):
            around = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " | ")
            found.append(f"{name}: {match.group(0)!r} in {around!r}")
    return found


def two_readings(text: str) -> list[str]:
    """Each quantity the page writes two ways, and each share at odds with its count."""
    found = []
    for name, pattern in SAME_NUMBER.items():
        readings = sorted({match.group(1) for match in pattern.finditer(text)})
        if len(readings) > 1:
            found.append(f"{name}: {' and '.join(readings)}")
    for pattern in SHARE_BESIDE_COUNT:
        for match in pattern.finditer(text):
            share = int(match["share"])
            part, whole = (int(match[g].replace(",", "")) for g in ("part", "whole"))
            if (share == 100) != (part == whole) or (share == 0) != (part == 0):
                found.append(f"share at odds with its count: {match.group(0)!r}")
    return found


def visible_text(page: Page) -> str:
    text: str = page.evaluate("() => document.body.innerText")
    return text


def settle(page: Page) -> None:
    """Until the page has stopped talking to the server (cost panels, last answers)."""
    page.wait_for_load_state("networkidle")


# ------------------------------------------------------------------ one reader per widget


def choose_speed(page: Page, speed: str) -> None:
    """Pick the training speed, opening the widget's settings first if they are folded away."""
    select = page.locator("[data-widget=train-classifier] [name=speed]")
    if not select.is_visible():
        page.click("[data-widget=train-classifier] details:has([name=speed]) > summary")
    select.select_option(speed)


def train_classifier(page: Page) -> None:
    choose_speed(page, "instant")  # "no pacing": the widget's own fastest option
    page.click("[data-widget=train-classifier] [data-action=start]")
    expect(page.locator("[data-role=phase]")).to_have_text(FROZEN, timeout=TIMEOUT)
    page.click("[data-role=ask-form] button[type=submit]")
    expect(page.locator("[data-counter=infer-count]")).to_have_text("1", timeout=TIMEOUT)
    expect(page.locator(".answer .result")).to_be_visible()
    settle(page)
    expect(page.locator("[data-role=costs] .ratio")).not_to_be_empty(timeout=TIMEOUT)


def query_model(page: Page) -> None:
    root = "[data-widget=query-model]"
    status = page.locator(f"{root} [data-role=fp-status]")
    expect(status).to_contain_text("Questions asked: 1", timeout=TIMEOUT)  # it trains itself
    page.click(f"{root} [data-action=start]")  # once trained, it asks about a random spot
    expect(status).to_contain_text("Questions asked: 2", timeout=TIMEOUT)
    settle(page)


def break_even(page: Page) -> None:
    root = "[data-widget=break-even]"
    verdict = page.locator(f"{root} [data-role=verdict]")
    expect(verdict).to_contain_text("answering has cost as much", timeout=TIMEOUT)
    slider = page.locator(f"{root} [name=questions]")
    expect(slider).to_be_enabled()
    slider.focus()
    page.keyboard.press("End")  # the most questions the slider offers
    expect(page.locator(f"{root} [data-role=at-n]")).to_contain_text("answering has now cost")
    page.check(f"{root} [name=case][value=both]")
    settle(page)


def scaling(page: Page) -> None:
    root = "[data-widget=scaling]"

    def finished(runs: int) -> None:
        page.wait_for_function(
            """([root, n]) => document.querySelectorAll(`${root} [data-role=rows] tr:not(.empty)`)
                 .length === n
               && document.querySelector(`${root} [data-action=start]`).ariaDisabled === 'false'""",
            arg=[root, runs],
            timeout=TIMEOUT,
        )

    for runs, action in enumerate(("start", "data", "model", "steps"), start=1):
        page.click(f"{root} [data-action={action}]")
        finished(runs)
    page.click(f"{root} [data-action=diverge]")
    expect(page.locator(f"{root} [data-role=diverge-result]")).to_have_attribute(
        "data-attempts", "1", timeout=TIMEOUT
    )
    settle(page)


def hardware(page: Page) -> None:
    root = "[data-widget=hardware]"
    page.click(f"{root} [data-action=start]")
    expect(page.locator(f"{root} [data-role=phase]")).to_have_text(FROZEN, timeout=TIMEOUT)
    page.select_option(f"{root} [data-role=example]", "3")  # a drawing to read
    page.click(f"{root} [data-action=read]")
    expect(page.locator(f"{root} [data-role=read-result] .digit-read strong")).not_to_be_empty(
        timeout=TIMEOUT
    )
    page.click(f"{root} [data-action=batch]")
    expect(page.locator(f"{root} [data-role=batch-result]")).to_be_visible(timeout=TIMEOUT)
    page.click(f"{root} [data-action=shrink]")
    expect(page.locator(f"{root} [data-role=shrink-result]")).to_be_visible(timeout=TIMEOUT)
    settle(page)


def world_shift(page: Page) -> None:
    root = "[data-widget=world-shift]"

    def cell(row: str, name: str = "right") -> None:
        locator = page.locator(f'{root} [data-row="{row}"] [data-cell="{name}"]')
        expect(locator).not_to_have_text(NOT_YET, timeout=TIMEOUT)

    page.click(f"{root} [data-action=start]")
    cell("old-old")
    page.click(f"{root} [data-action=shift]")
    cell("old-new")
    page.click(f"{root} [data-action=ask-more]")
    expect(page.locator(f"{root} [data-role=asking-note]")).not_to_be_empty(timeout=TIMEOUT)
    page.click(f"{root} [data-action=fine-tune]")
    expect(page.locator(f"{root} [data-action=scratch]")).to_be_enabled(timeout=TIMEOUT)
    page.click(f"{root} [data-action=scratch]")
    expect(page.locator(f"{root} [data-compare=scratch-steps]")).not_to_have_text(
        NOT_YET, timeout=TIMEOUT
    )
    expect(page.locator(f"{root} [data-role=compare-summary]")).not_to_be_empty(timeout=TIMEOUT)
    settle(page)


def next_word(page: Page) -> None:
    root = "[data-widget=next-word]"
    # No unpaced option here: the reader watches its five seconds of training.
    page.click(f"{root} [data-action=start]")
    expect(page.locator(f"{root} [data-role=phase]")).to_have_text(FROZEN, timeout=TIMEOUT)
    expect(page.locator(f"{root} [data-counter=infer-count]")).to_have_text("1", timeout=TIMEOUT)
    page.click(f"{root} [data-action=continue]")
    expect(page.locator(f"{root} [data-role=continuation]")).not_to_be_empty(timeout=TIMEOUT)
    settle(page)
    expect(page.locator(f"{root} [data-role=costs] .ratio")).not_to_be_empty(timeout=TIMEOUT)


def serve_users(page: Page) -> None:
    root = "[data-widget=serve-users]"
    page.click(f"{root} [data-action=start]")
    expect(page.locator(f"{root} [data-role=results]")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(f"{root} [data-role=who-user-energy]")).to_contain_text(
        "per user", timeout=TIMEOUT
    )
    settle(page)


def blind_spot(page: Page) -> None:
    root = "[data-widget=blind-spot]"
    answers = page.locator(f"{root} [data-role=answer] .bs-answers li")
    page.click(f"{root} [data-action=start]")
    expect(page.locator(f"{root} [data-role=phase]")).to_have_text(FROZEN, timeout=TIMEOUT)
    page.click(f"{root} [data-action=ask-gap]")
    expect(answers).to_have_count(1, timeout=TIMEOUT)
    page.click(f"{root} [data-action=ask-far]")
    expect(page.locator(f"{root} [data-role=answer] .bs-where")).to_contain_text("off this map")
    page.click(f"{root} [data-action=retrain]")
    expect(page.locator(f"{root} [data-role=summary]")).to_contain_text(
        "only training on new data", timeout=TIMEOUT
    )
    settle(page)


def recap(page: Page) -> None:
    # A newcomer with no runs of their own: the widget trains one and asks it.
    page.click("[data-role=empty] [data-action=start]")
    expect(page.locator("[data-role=filled]")).to_be_visible(timeout=TIMEOUT)
    settle(page)


def quiz(page: Page) -> None:
    forms = page.locator("[data-widget=quiz] form")
    for index in range(forms.count()):
        form = forms.nth(index)
        form.locator("input[type=radio]").first.check()
        form.locator("button[type=submit]").click()
        expect(form.locator(".verdict")).to_be_visible(timeout=TIMEOUT)
    settle(page)


def nothing_to_run(page: Page) -> None:
    settle(page)


READERS: dict[str, Callable[[Page], None]] = {
    "train-classifier": train_classifier,
    "query-model": query_model,
    "break-even": break_even,
    "scaling": scaling,
    "hardware": hardware,
    "world-shift": world_shift,
    "next-word": next_word,
    "serve-users": serve_users,
    "blind-spot": blind_spot,
    "recap": recap,
    "quiz": quiz,
    "sources": nothing_to_run,
}

LESSONS = load_lessons(Settings().lessons_dir)
PAGES = {"/": nothing_to_run} | {
    f"/lessons/{slug}": READERS[lesson.widgets[0].kind] for slug, lesson in LESSONS.items()
}


@pytest.fixture
def reader(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_the_patterns_find_what_the_tour_saw_and_pass_what_reads_well() -> None:
    seen = (
        "28.06 megaFLOPs (2.81e+7) | 175000000000.0 parameters | 100.0% of 600 |"
        " Paused after step undefined. | NaN% | Infinity s | [object Object] | 164 EFLOP"
    )
    assert len(raw_numbers(seen)) == 8
    fine = (
        "2.81 \N{MULTIPLICATION SIGN} 10\N{SUPERSCRIPT SEVEN} FLOP | 175 billion parameters |"
        " 100% | 0.50 | 3.05 | fingerprint 3e41ab2e9 | MLPerf Inference v5.0 | 1 EFLOP/s"
    )
    assert raw_numbers(fine) == []
    twice = (
        "It learns from 2,000 practice drawings. | 500 steps over 32,000 practice drawings. |"
        " as much arithmetic as 80,213 answers like this one | as much arithmetic as 80,214 answers"
        " | on 599 of 600 held-out drawings (100%) | 0% (1 of 90)"
    )
    assert len(two_readings(twice)) == 4
    once = (
        "32,000 practice drawings | 32,000 practice drawings | 100% (90 of 90) | 99% (89 of 90)"
        " | as much arithmetic as 39,185 answers like the last one | as much arithmetic as 39,185"
        " answers | 591 of 600 held-out drawings (98%)"
    )
    assert two_readings(once) == []


@pytest.mark.parametrize("path", PAGES, ids=[p.rsplit("/", 1)[-1] or "home" for p in PAGES])
def test_a_finished_demo_shows_only_numbers_for_people(
    reader: Page, module_server: LiveServer, path: str
) -> None:
    errors: list[str] = []
    reader.on("pageerror", lambda error: errors.append(str(error)))
    reader.goto(module_server.url + path)
    reader.wait_for_load_state("networkidle")
    PAGES[path](reader)
    text = visible_text(reader)
    assert raw_numbers(text) == []
    assert two_readings(text) == []
    assert errors == []


def test_pausing_a_run_says_which_step_it_stopped_at(
    reader: Page, module_server: LiveServer
) -> None:
    reader.goto(module_server.url + "/lessons/what-training-means")
    choose_speed(reader, "normal")  # 100 frames at 20 a second: 5 s
    reader.click("[data-action=start]")
    reader.wait_for_function(
        "() => document.querySelector('[data-role=loss-chart]').data[0].x.length >= 5",
        timeout=TIMEOUT,
    )
    reader.click("[data-action=pause]")
    expect(reader.locator("[data-role=phase]")).to_have_text("Paused")
    status = reader.locator("[data-widget=train-classifier] [data-role=status]")
    expect(status).to_have_text(re.compile(r"^Paused after step \d[\d,]*\. "))
    shown = int(re.sub(r"\D", "", status.inner_text().split(".")[0]))
    assert shown == int(reader.locator("[data-counter=train-steps]").inner_text().replace(",", ""))
    assert raw_numbers(visible_text(reader)) == []
