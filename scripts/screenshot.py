"""Screenshot a lesson in headless Chromium after training it and asking one question.

usage: python -m scripts.screenshot URL OUT.png [--width 1280] [--dark]
Used to check the layout by eye and to make the README's picture.
"""

from __future__ import annotations

import argparse

from playwright.sync_api import sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--no-train", action="store_true")
    parser.add_argument("--selector", help="screenshot only this element, e.g. .widget")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(
            viewport={"width": args.width, "height": 900},
            color_scheme="dark" if args.dark else "light",
        )
        page.on("console", lambda m: print("console:", m.type, m.text))
        page.goto(args.url)
        if not args.no_train:
            # Lesson 1 folds its settings; open them to pick the fast pace.
            page.evaluate(
                "() => document.querySelectorAll('details.settings').forEach(d => d.open = true)"
            )
            page.select_option("[name=speed]", "fast")
            page.click("[data-action=start]")
            page.wait_for_selector("[data-role=inference]:not([hidden])", timeout=30_000)
            page.click("[data-role=ask-form] button[type=submit]")
            page.wait_for_selector(".answer .result", timeout=10_000)
            page.locator(".widget").scroll_into_view_if_needed()
        if args.selector:
            page.locator(args.selector).first.screenshot(path=args.out)
        else:
            page.screenshot(path=args.out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
