"""A real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleLog:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def __call__(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


def watch(page: Page, console: ConsoleLog) -> Page:
    """Record the page's console errors and uncaught exceptions in ``console``."""
    page.on("console", console)
    page.on("pageerror", lambda error: console.errors.append(f"page error: {error}"))
    return page


@pytest.fixture
def page(browser: Browser, console: ConsoleLog) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield watch(context.new_page(), console)
    context.close()


SCHEMES: tuple[tuple[Literal["light", "dark"], int], ...] = (("light", 360), ("dark", 1280))


def phone_and_desktop(browser: Browser, **options: Any) -> Iterator[tuple[str, Page]]:
    """(scheme, page): a light 360 px phone, then a dark 1280 px desktop, each in its own
    context, closed when the loop moves on. bypass_csp lets axe's inline script in; the
    pages run the same either way."""
    for scheme, width in SCHEMES:
        context = browser.new_context(
            viewport={"width": width, "height": 740},
            color_scheme=scheme,
            bypass_csp=True,
            **options,
        )
        try:
            yield scheme, context.new_page()
        finally:
            context.close()


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than its window (0 when nothing scrolls sideways)."""
    overflow: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


def serious_axe_violations(page: Page, selector: str | None = None) -> list[Any]:
    """axe-core's serious and critical findings, for the page or the element at selector.

    axe is injected as an inline script: the page's context needs bypass_csp=True.
    """
    assert AXE.is_file(), "run `make setup` to install axe-core"
    page.add_script_tag(path=str(AXE))
    target = f"document.querySelector({selector!r})" if selector else "document"
    result: dict[str, Any] = page.evaluate(f"async () => await axe.run({target})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
