"""Every lesson on a 360 px phone (issue 12): the lesson's title is on the first screen
(the list of lessons starts folded), nothing is wider than the screen, no table breaks a
word, and no chart's title or legend sits on its tick labels or runs off the chart.

One pass loads each lesson, runs its demos (at no pacing), opens every folded panel so
what is inside is measured too, and measures; the tests below read that pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from app.content.lessons import load_lessons
from app.settings import Settings
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SLUGS = list(load_lessons(Settings().lessons_dir))

FIRST_SCREEN = """
() => ({
  titleBottom: document.querySelector("h1").getBoundingClientRect().bottom,
  screen: window.innerHeight,
  listOpen: document.querySelector(".toc details")?.open ?? null,
})
"""

# Every demo starts, at no pacing (the speed control may be folded: set as a form value).
RUN_DEMOS = """
() => {
  for (const select of document.querySelectorAll("[name=speed]")) select.value = "instant";
  for (const button of document.querySelectorAll(".widget [data-action=start]")) {
    if (!button.disabled && button.offsetParent) button.click();
  }
}
"""

# Every panel folded behind a <details> in the lesson (not the list of lessons) opens.
UNFOLD = """
() => {
  for (const details of document.querySelectorAll(".lesson details")) details.open = true;
}
"""

MEASURE = """
() => {
  const width = document.documentElement.clientWidth;
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const name = (el) => {
    const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
    const cls = classes.filter(Boolean).map((c) => "." + c).join("");
    const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return `${el.tagName.toLowerCase()}${cls} "${text}"`;
  };
  // Inside a box that scrolls or clips sideways, being wider than the screen is that box's job.
  const inScrollBox = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const overflow = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    // Entirely off to the left is the skip link's and Plotly's hidden measuring: no scrollbar.
    if (r.right > width + 0.5 && r.left < width && !inScrollBox(el)) overflow.push(name(el));
  }

  // A word is broken when its letters sit on more than one line. A break right after a
  // hyphen, a dash or a slash is a fine place to break, so each such piece counts alone.
  const brokenWords = (cell) => {
    const broken = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s\\-\\u2010-\\u2014/]+[\\-\\u2010-\\u2014/]?/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((q) => q.width > 0);
        const lines = new Set(rects.map((q) => Math.round(q.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
    return broken;
  };
  const brokenHeaders = [];
  const brokenCells = [];
  let cells = 0;
  for (const cell of document.querySelectorAll("th, td")) {
    if (!shown(cell)) continue;
    cells += 1;
    const into = cell.tagName === "TH" ? brokenHeaders : brokenCells;
    into.push(...brokenWords(cell));
  }

  // Chart titles (.gtitle, .xtitle, .ytitle) and legends against the tick labels, each
  // other and the chart's own edges, as drawn in its SVG.
  const charts = [];
  const E = 0.5; // half a pixel of rounding
  const hit = (a, b) =>
    a.left < b.right - E && b.left < a.right - E && a.top < b.bottom - E && b.top < a.bottom - E;
  const within = (b, box) =>
    b.left >= box.left - E && b.right <= box.right + E &&
    b.top >= box.top - E && b.bottom <= box.bottom + E;
  for (const plot of document.querySelectorAll(".js-plotly-plot")) {
    if (!shown(plot)) continue;
    const svg = plot.querySelector(".main-svg").getBoundingClientRect();
    const marks = (selector, kind) =>
      [...plot.querySelectorAll(selector)]
        .filter((el) => shown(el) && el.textContent.trim())
        .map((el) => ({
          what: `${kind} "${el.textContent.trim().slice(0, 40)}"`,
          box: el.getBoundingClientRect(),
        }));
    const labels = [
      ...marks(".gtitle", "title"),
      ...marks(".xtitle, .ytitle", "axis title"),
      ...marks(".legend", "legend"),
    ];
    const ticks = marks(".xtick text, .ytick text", "tick");
    const problems = [];
    for (const m of [...labels, ...ticks]) {
      if (!within(m.box, svg)) problems.push(`${m.what} runs off the chart`);
    }
    labels.forEach((m, i) => {
      for (const t of ticks) if (hit(m.box, t.box)) problems.push(`${m.what} on ${t.what}`);
      for (const other of labels.slice(i + 1)) {
        if (hit(m.box, other.box)) problems.push(`${m.what} on ${other.what}`);
      }
    });
    charts.push({
      chart: plot.dataset.role || plot.className,
      labels: labels.map((m) => m.what),
      problems: [...new Set(problems)],
    });
  }
  return {
    sideways: document.documentElement.scrollWidth - width,
    overflow,
    cells,
    brokenHeaders,
    brokenCells,
    charts,
  };
}
"""


def measure(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(MEASURE)
    return result


@pytest.fixture(scope="module")
def lessons(browser: Browser, module_server: LiveServer) -> Iterator[dict[str, dict[str, Any]]]:
    """For each lesson: its first screen, and its measures as it opened (charts still
    empty) and after its demos ran with every panel open."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    seen: dict[str, dict[str, Any]] = {}
    for slug in SLUGS:
        page.goto(f"{module_server.url}/lessons/{slug}")
        first = page.evaluate(FIRST_SCREEN)
        opened = measure(page)
        page.evaluate(RUN_DEMOS)
        page.wait_for_load_state("networkidle")
        page.evaluate(UNFOLD)
        page.wait_for_timeout(150)  # a chart that was folded fits its box on the next frame
        seen[slug] = {"first": first, "opened": opened, "ran": measure(page)}
    yield seen
    context.close()


def test_the_lesson_title_is_on_the_first_screen(lessons: dict[str, dict[str, Any]]) -> None:
    late = {
        slug: m["first"]
        for slug, m in lessons.items()
        if m["first"]["titleBottom"] > m["first"]["screen"]
    }
    assert late == {}
    assert {slug for slug, m in lessons.items() if m["first"]["listOpen"] is not False} == set()


def test_the_folded_list_opens_on_a_tap_and_stays_open_on_a_wide_screen(
    browser: Browser, module_server: LiveServer
) -> None:
    url = f"{module_server.url}/lessons/{SLUGS[0]}"
    for viewport, open_at_start in ((PHONE, False), ({"width": 1280, "height": 800}, True)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(url)
        details = page.locator(".toc details")
        assert details.evaluate("d => d.open") is open_at_start
        links = page.locator(".toc li a")
        assert links.first.is_visible() is open_at_start
        if not open_at_start:
            page.click(".toc summary")
            assert links.first.is_visible()
        context.close()


def test_nothing_is_wider_than_the_phone(lessons: dict[str, dict[str, Any]]) -> None:
    wide = {
        f"{slug} ({when})": (m[when]["sideways"], m[when]["overflow"][:5])
        for slug, m in lessons.items()
        for when in ("opened", "ran")
        if m[when]["sideways"] > 0 or m[when]["overflow"]
    }
    assert wide == {}


def test_no_table_breaks_a_word(lessons: dict[str, dict[str, Any]]) -> None:
    assert sum(m["ran"]["cells"] for m in lessons.values()) > 0  # there were tables to read
    broken = {
        slug: {"headers": m["ran"]["brokenHeaders"], "cells": m["ran"]["brokenCells"]}
        for slug, m in lessons.items()
        if m["ran"]["brokenHeaders"] or m["ran"]["brokenCells"]
    }
    assert broken == {}


def test_chart_titles_and_legends_clear_the_ticks(lessons: dict[str, dict[str, Any]]) -> None:
    charts = [
        (slug, when, c)
        for slug, m in lessons.items()
        for when in ("opened", "ran")
        for c in m[when]["charts"]
    ]
    labelled = [label for _, _, c in charts for label in c["labels"]]
    # Something to check: axis titles and legends were drawn.
    assert any(label.startswith("axis title") for label in labelled)
    assert any(label.startswith("legend") for label in labelled)
    problems = {
        f"{slug} {c['chart']} ({when})": c["problems"] for slug, when, c in charts if c["problems"]
    }
    assert problems == {}
