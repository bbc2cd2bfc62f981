"""What a reader's browser downloads on a first visit: every request of a cold load, seen
through Chromium's DevTools protocol (bench/page_weight.py measures the same way)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser

from app.content.lessons import load_lessons
from app.settings import Settings
from bench.page_weight import PageWeight, load
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LESSONS = load_lessons(Settings().lessons_dir)
PAGES = ["/", *(f"/lessons/{slug}" for slug in LESSONS), "/lessons/no-such-lesson"]
FIRST_LESSON = "/lessons/" + min(LESSONS.values(), key=lambda lesson: lesson.meta.order).slug
BUDGET = 600_000  # bytes on the wire for the first lesson page, cold, compressed
YEAR = "public, max-age=31536000, immutable"


@dataclass
class Visit:
    weight: PageWeight
    errors: list[str]
    plotly_defined: bool


def cold_visit(browser: Browser, url: str) -> Visit:
    """A first visit: a fresh context, so an empty cache."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    context.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    context.on("weberror", lambda e: errors.append(str(e.error)))
    try:
        weight = load(context, url, keep_open=True)
        plotly = bool(context.pages[0].evaluate("typeof Plotly !== 'undefined'"))
        return Visit(weight, errors, plotly)
    finally:
        context.close()


@pytest.fixture(scope="module")
def visits(browser: Browser, module_server: LiveServer) -> dict[str, Visit]:
    return {path: cold_visit(browser, module_server.url + path) for path in PAGES}


def test_every_page_loads_without_errors(visits: dict[str, Visit]) -> None:
    # A blocked import map (CSP) or a missing Plotly shows here as a console error; the
    # missing lesson's page reports its own 404, and only that.
    own_404 = "the server responded with a status of 404"
    found = {
        path: [e for e in visit.errors if not (path == PAGES[-1] and own_404 in e)]
        for path, visit in visits.items()
    }
    assert {path: errors for path, errors in found.items() if errors} == {}


def test_plotly_is_fetched_only_by_pages_that_draw_a_chart(visits: dict[str, Visit]) -> None:
    fetched = {
        path: any(r.path.endswith("/plotly.min.js") for r in visit.weight.requests)
        for path, visit in visits.items()
    }
    expected = {path: False for path in PAGES}
    for slug, lesson in LESSONS.items():
        expected[f"/lessons/{slug}"] = any(
            block.spec.draws_charts for block in lesson.blocks if hasattr(block, "spec")
        )
    assert fetched == expected
    assert not fetched["/lessons/faq"] and not fetched["/lessons/references"]
    assert fetched[FIRST_LESSON]
    assert {path: visit.plotly_defined for path, visit in visits.items()} == expected


def test_every_asset_and_import_comes_by_a_versioned_url_cached_for_a_year(
    visits: dict[str, Visit],
) -> None:
    for path, visit in visits.items():
        static = [r for r in visit.weight.requests if r.is_static]
        assert static, path
        for request in static:
            assert "?v=" in request.url, f"{path} asked for {request.url} unversioned"
        # Chromium does not always report the icon's answer (the browser asks for it on
        # its own); every script and stylesheet it does.
        answered = [r for r in static if r.status]
        assert {r.kind for r in static if not r.status} <= {"Other"}, path
        for request in answered:
            assert request.status == 200, request.url
            assert request.cache_control == YEAR, request.url
    # The lessons' modules import others: those imports were fetched, and versioned too.
    scripts = [r for r in visits[FIRST_LESSON].weight.requests if r.path.startswith("/static/js/")]
    imported = [r for r in scripts if r.path.startswith("/static/js/lib/")]
    assert len(imported) > 5, [r.url for r in scripts]


def test_the_first_lesson_page_fits_its_budget(visits: dict[str, Visit]) -> None:
    weight = visits[FIRST_LESSON].weight
    # Every byte the page asked for is counted (the icon and an open stream aside).
    assert all(r.finished for r in weight.requests if r.kind not in ("EventSource", "Other"))
    assert weight.bytes_of("static") > 0 and weight.bytes_of("document") > 0
    assert weight.total <= BUDGET, f"{FIRST_LESSON}: {weight.total:,} bytes on a cold load"
