"""Every page in real Chromium: loads without console errors, passes axe, fits a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from app.content.lessons import load_lessons
from app.settings import REPO_ROOT, Settings
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", *(f"/lessons/{slug}" for slug in load_lessons(Settings().lessons_dir))]


def serious(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_page_passes_axe_without_console_errors(
    browser: Browser, module_server: LiveServer, dark: bool
) -> None:
    # axe is injected as an inline script, which our CSP rightly blocks: let the tool in.
    context = browser.new_context(color_scheme="dark" if dark else "light", bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    found = {}
    for path in PAGES:
        page.goto(module_server.url + path)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=str(AXE))
        violations = serious(page.evaluate("async () => await axe.run()"))
        if violations:
            found[path] = violations
    context.close()
    assert found == {}
    assert errors == []


def test_every_page_fits_a_phone(browser: Browser, module_server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    too_wide = {}
    for path in PAGES:
        page.goto(module_server.url + path)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            too_wide[path] = overflow
    context.close()
    assert too_wide == {}


@pytest.mark.parametrize(
    "slug",
    [s for s in load_lessons(Settings().lessons_dir) if s != "references"],
)
def test_every_demo_responds_to_its_first_click(
    browser: Browser, module_server: LiveServer, slug: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{module_server.url}/lessons/{slug}")
    page.wait_for_load_state("networkidle")
    widget = page.locator("[data-widget]").first
    before = widget.inner_text()
    start = widget.locator("[data-action=start]").first
    if slug == "faq":
        widget.locator("input[type=radio]").first.check()
    start.click()
    # The demo answers: something in it changes (a phase, a status, a chart, an answer).
    page.wait_for_function(
        "([el, text]) => el.innerText !== text",
        arg=[widget.element_handle(), before],
        timeout=20_000,
    )
    page.wait_for_load_state("networkidle")
    context.close()
    assert errors == []
