"""Lessons 12 and 13 in Chromium: the reader's own runs told lesson by lesson, then the whole
course as one receipt of training against answering. Two pages, two different texts."""

from __future__ import annotations

import re
import typing
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.content.lessons import load_lessons
from app.content.widgets import MlpPreset, WidgetSpec
from app.costs.humanize import format_count, format_energy, format_words
from app.settings import Settings
from tests.browser.conftest import ConsoleLog, watch
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LESSONS = load_lessons(Settings().lessons_dir)
FIRST = next(iter(LESSONS.values()))
WIDGET = "[data-widget=recap]"
# Every widget kind, and the kinds of record the widgets write to the browser's progress
# (lib/progress.js recordRun): none of them is words for a reader.
WIDGET_KINDS = [
    typing.get_args(cls.model_fields["kind"].annotation)[0]
    for cls in typing.get_args(typing.get_args(WidgetSpec)[0])
]
RECORD_KINDS = ["scaling-diverged", "batching", "quantize", "serve-users: serving"]
PLAIN_WORDS = {"quiz"}  # a kind that is also the reader's word: "You answered the quiz"
# A plural noun after exactly "1" (but "1 of 5 right" is fine).
BAD_PLURAL = re.compile(
    r"(?<![\d.,])1 (calculations|questions|answers|runs|models|weights|users|lessons|dots)\b"
)


def _create_run(server: LiveServer, spec: dict[str, Any]) -> str:
    """A real run id, so the recap can look up what the run learned from."""
    response = httpx.post(server.url + "/api/runs", json={**spec, "pace": "instant"}, timeout=10)
    response.raise_for_status()
    run_id: str = response.json()["run_id"]
    return run_id


def _trained(lesson: str, kind: str, run_id: str, flops: int, **extra: Any) -> dict[str, Any]:
    return {
        "lesson": lesson,
        "kind": kind,
        "run_id": run_id,
        "steps": 400,
        "flops": flops,
        "compute_ns": flops // 400,
        "n_parameters": 337,
        "flops_per_answer": 1100,
        **extra,
    }


@pytest.fixture(scope="module")
def seeded(module_server: LiveServer) -> dict[str, Any]:
    """What the browser would keep after demos in five lessons (shaped as the widgets write
    it); the counts are made up, the run ids are real."""
    small = _create_run(module_server, {"model": "mlp"})
    grown = _create_run(module_server, {"model": "mlp", "n_samples": 800})
    digits = _create_run(module_server, {"model": "digits", "steps": 50})
    runs = [
        _trained("introduction", "train-classifier", small, 28_000_000, watched_ms=9000),
        _trained("why-training-takes-so-long", "scaling", small, 28_000_000, change="start"),
        _trained("why-training-takes-so-long", "scaling", grown, 96_000_000, change="more data"),
        {
            "lesson": "why-training-takes-so-long",
            "kind": "scaling-diverged",
            "diverged": True,
            "steps": 12,
            "flops": 900_000,
            "compute_ns": 2_000_000,
        },
        _trained("hardware-and-infrastructure", "hardware", digits, 2_300_000_000, model="digits"),
        {
            "lesson": "hardware-and-infrastructure",
            "kind": "batching",
            "run_id": digits,
            "sizes": [1, 1000],
            "per_second": [20_000, 900_000],
            "one_at_a_time_per_second": [20_000, 31_000],
        },
        {
            "lesson": "hardware-and-infrastructure",
            "kind": "quantize",
            "run_id": digits,
            "size_bytes_float64": 135_000,
            "size_bytes_int8": 17_000,
            "agreement": 0.98,
        },
        _trained("business-implications", "serve-users: training", small, 28_000_000),
        {
            "lesson": "business-implications",
            "kind": "serve-users: serving",
            "run_id": small,
            "users": 1,
            "queries": 1,
            "infer_flops": 1100,
            "infer_compute_ns": 4000,
        },
        {"lesson": "faq", "kind": "quiz", "right": 4, "total": 5},
    ]
    return {
        "lessons": {},
        "runs": runs,
        "answers": {"count": 41, "flops": 45_100, "compute_ns": 400_000},
    }


def _open(page: Page, server: LiveServer, slug: str, progress: dict[str, Any] | None) -> None:
    page.goto(server.url + "/")
    page.evaluate(
        "(data) => data ? localStorage.setItem('phaselab:v1', JSON.stringify(data))"
        " : localStorage.clear()",
        progress,
    )
    page.goto(server.url + f"/lessons/{slug}")
    page.wait_for_function(f"() => document.querySelector('{WIDGET}').widget")


def _visible_text(page: Page) -> str:
    text: str = page.locator(WIDGET).inner_text()
    return text


def _no_internal_names(text: str) -> None:
    for slug in LESSONS:
        assert slug not in text, slug
    for kind in set(WIDGET_KINDS + RECORD_KINDS) - PLAIN_WORDS:
        assert kind not in text, kind
    for word in ("(s)", "undefined", "NaN", "null"):
        assert word not in text, word
    assert not BAD_PLURAL.search(text), BAD_PLURAL.search(text)


def test_the_takeaways_tell_each_lesson_in_plain_sentences_under_its_title(
    page: Page, module_server: LiveServer, console: ConsoleLog, seeded: dict[str, Any]
) -> None:
    _open(page, module_server, "takeaways", seeded)
    widget = page.locator(WIDGET)
    expect(widget.locator("[data-role=filled]")).to_be_visible()
    # The runs' specs are looked up once the page has shown them: then the data appears.
    dots = f"on {format_count(MlpPreset().n_samples)} dots"
    expect(widget.locator(".by-lesson li").first).to_contain_text(dots)

    slugs = list(dict.fromkeys(r["lesson"] for r in seeded["runs"]))
    in_course_order = sorted(slugs, key=lambda s: LESSONS[s].meta.order)
    headings = widget.locator(".by-lesson h3")
    expect(headings).to_have_count(len(slugs))
    for i, slug in enumerate(in_course_order):
        lesson = LESSONS[slug]
        expect(headings.nth(i)).to_have_text(f"Lesson {lesson.meta.order} {lesson.meta.title}")
        assert headings.nth(i).locator("a").get_attribute("href") == f"/lessons/{slug}"

    paragraphs = widget.locator(".by-lesson p").all_inner_texts()
    assert all(p.startswith("You ") for p in paragraphs), paragraphs
    intro = paragraphs[0]
    assert f"{format_words(28_000_000)} calculations" in intro  # written by format.js
    assert "You watched it learn for" in intro
    serving = paragraphs[in_course_order.index("business-implications")]
    assert "Then it served 1 simulated user:" in serving
    _no_internal_names(_visible_text(page))
    assert console.errors == []


def test_the_conclusion_adds_the_course_up_as_n_runs_never_as_one_model(
    page: Page, module_server: LiveServer, console: ConsoleLog, seeded: dict[str, Any]
) -> None:
    _open(page, module_server, "conclusion", seeded)
    widget = page.locator(WIDGET)
    training = [r for r in seeded["runs"] if r.get("flops", 0) > 0]
    lessons = {r["lesson"] for r in training}
    flops = sum(r["flops"] for r in training)
    answers = seeded["answers"]
    expect(widget.locator("[data-role=training-what]")).to_contain_text(
        f"{len(training)} training runs in {len(lessons)} lessons"
    )
    expect(widget.locator("[data-role=training-arithmetic]")).to_have_text(
        f"{format_words(flops)} calculations"
    )
    expect(widget.locator("[data-role=ratio]")).to_have_text(
        f"All {len(training)} training runs together did "
        f"{format_count(flops / answers['flops'])} times the arithmetic of all "
        f"{answers['count']} answers together."
    )
    # Energy is the measured time times the power assumed beneath; a new power, a new line.
    seconds = sum(r["compute_ns"] for r in training) / 1e9
    energy = widget.locator("[data-role=training-energy]")
    watts = widget.locator("[name=watts]")
    expect(energy).to_have_text(f"about {format_energy(seconds * float(watts.input_value()))}")
    folded = widget.locator("details:has([name=watts]):not([open]) > summary")
    if folded.count():  # the assumptions may sit behind a disclosure
        folded.click()
    watts.fill("50")
    expect(energy).to_have_text(f"about {format_energy(seconds * 50)}")
    # The cost panel beneath prices all that training, and nothing in it is "your model".
    expect(widget.locator(".cost-table")).to_be_visible()
    expect(widget.locator(".comparison")).to_have_count(0)
    text = _visible_text(page)
    assert "your model" not in text.lower()
    assert "this model" not in text.lower()
    assert "The one idea:" in text
    _no_internal_names(text)
    assert console.errors == []


def test_the_two_pages_say_different_things_about_the_same_runs(
    page: Page, module_server: LiveServer, seeded: dict[str, Any]
) -> None:
    _open(page, module_server, "takeaways", seeded)
    expect(page.locator(".by-lesson li").first).to_contain_text("dots")
    takeaways = {line.strip() for line in _visible_text(page).splitlines() if line.strip()}
    _open(page, module_server, "conclusion", seeded)
    expect(page.locator("[data-role=ratio]")).not_to_be_empty()
    conclusion = {line.strip() for line in _visible_text(page).splitlines() if line.strip()}
    assert takeaways & conclusion == {"Forget my runs"}
    assert page.locator(".by-lesson").count() == 0


@pytest.mark.parametrize("slug", ["takeaways", "conclusion"])
def test_a_newcomer_is_pointed_to_the_first_lesson(
    page: Page, module_server: LiveServer, console: ConsoleLog, slug: str
) -> None:
    _open(page, module_server, slug, None)
    widget = page.locator(WIDGET)
    empty = widget.locator("[data-role=empty]")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("You haven't run a demo yet: start with")
    link = empty.locator(f"a[href='/lessons/{FIRST.slug}']")
    expect(link).to_contain_text(FIRST.meta.title)
    expect(widget.locator("[data-role=filled]")).to_be_hidden()
    expect(widget.locator("[data-role=costs]")).to_have_count(1 if slug == "conclusion" else 0)
    if slug == "conclusion":
        expect(widget.locator("[data-role=costs]")).to_be_hidden()
    assert console.errors == []


def test_a_newcomer_can_train_one_model_here_and_see_it_told_then_added_up(
    browser: Browser, module_server: LiveServer, console: ConsoleLog
) -> None:
    context = browser.new_context()
    page = watch(context.new_page(), console)
    _open(page, module_server, "takeaways", None)
    page.click("[data-role=empty] [data-action=start]")
    widget = page.locator(WIDGET)
    expect(widget.locator("[data-role=filled]")).to_be_visible(timeout=30_000)
    here = LESSONS["takeaways"]
    expect(widget.locator(".by-lesson h3")).to_have_text(
        f"Lesson {here.meta.order} {here.meta.title}"
    )
    story = widget.locator(".by-lesson p")
    expect(story).to_contain_text(f"on {format_count(MlpPreset(pace='instant').n_samples)} dots")
    expect(story).to_contain_text("Then you asked it 5 questions, each answered in about")
    _no_internal_names(_visible_text(page))

    page.goto(module_server.url + "/lessons/conclusion")
    expect(widget.locator("[data-role=training-what]")).to_have_text(
        "1 training run in 1 lesson: the bill for that one run."
    )
    expect(widget.locator("[data-role=answering-what]")).to_have_text(
        "5 answers from those models, added up."
    )
    expect(widget.locator("[data-role=ratio]")).to_contain_text("The training run did")
    page.click("[data-action=forget]")
    expect(widget.locator("[data-role=empty]")).to_be_visible()
    assert console.errors == []
    context.close()
