"""Moving through the course in Chromium: progress, presenter mode and the quiz.

The recap (lessons 12 and 13) has its own file, test_widget_recap.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleLog
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_a_finished_lesson_is_marked_on_the_course_map(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(module_server.url + "/")
    expect(page.locator("li[data-slug=faq] [data-role=finished]")).to_be_hidden()
    page.goto(module_server.url + "/lessons/faq")
    page.locator("[data-role=lesson-end]").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.goto(module_server.url + "/")
    expect(page.locator("li[data-slug=faq] [data-role=finished]")).to_be_visible()
    expect(page.locator("li[data-slug=limits] [data-role=finished]")).to_be_hidden()
    assert console.errors == []


def test_presenter_mode_pages_with_the_keyboard(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(module_server.url + "/lessons/what-training-means")
    page.keyboard.press("p")
    expect(page.locator("body")).to_have_class("presenting")
    visible = page.locator("[data-slide]:not([hidden])")
    expect(visible).to_have_count(1)
    total = page.locator("[data-slide]").count()
    assert total >= 4
    expect(page.locator("[data-role=slide-counter]")).to_have_text(f"1 / {total}")
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-role=slide-counter]")).to_have_text(f"2 / {total}")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-role=slide-counter]")).to_have_text(f"1 / {total}")
    # Page forward to the demo's slide and start it with one key.
    for _ in range(total):
        if page.locator("[data-slide]:not([hidden]) .widget").count():
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("s")
    expect(page.locator("[data-role=phase]")).not_to_have_text("Ready to train")
    assert "present=1" in page.url
    page.keyboard.press("Escape")
    expect(page.locator("body")).not_to_have_class("presenting")
    expect(page.locator("[data-slide][hidden]")).to_have_count(0)
    assert console.errors == []


def test_presenter_mode_is_reachable_from_every_page(page: Page, module_server: LiveServer) -> None:
    for path in ["/", "/lessons/introduction", "/lessons/references"]:
        page.goto(module_server.url + path)
        page.click("[data-action=present]")
        expect(page.locator("body")).to_have_class("presenting")


def test_the_quiz_answers_first_then_explains(
    page: Page, module_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(module_server.url + "/lessons/faq")
    questions = page.locator("form.question")
    count = questions.count()
    assert count == 5
    first = questions.nth(0)
    first.locator("button[type=submit]").click()  # nothing picked: the browser asks first
    expect(first.locator(".feedback")).to_be_empty()
    for i in range(count):
        form = questions.nth(i)
        form.locator("input[type=radio]").first.check()
        form.locator("button[type=submit]").click()
        expect(form.locator(".verdict")).to_be_visible()
    expect(page.locator("[data-role=status]")).to_contain_text("answered right so far (5 in all)")
    link = first.locator(".verdict a")
    expect(link).to_have_attribute("href", "/lessons/what-inference-looks-like")
    assert console.errors == []
