"""Page weight: what a browser transfers on a cold load of each page, and in how many requests.

Run from the repository root:

    .venv/bin/python bench/page_weight.py                  # home + every lesson
    .venv/bin/python bench/page_weight.py --app-root DIR   # the app of another worktree

Each page is loaded in a fresh Chromium context (its own empty HTTP cache: a reader's
first visit) until the network has been quiet for half a second. Chromium's DevTools
protocol reports, per request, ``Network.loadingFinished.encodedDataLength``: the bytes
that came over the wire, headers included, compressed as the server sent them (DevTools
shows the same figure as "transferred"). Summed per page, split into the document, the
static files (``/static/...``) and everything else (the API and htmx fragments a widget
asks for on load). A repeat visit is measured too, in the same context, seconds later:
what a returning reader still downloads once the static files are cached. A visit after
the short cache (5 minutes) has run out cannot be measured so (Chromium's clock cannot be
moved); the last column counts, from the Cache-Control headers received, the static files
such a visit would ask the server for again.

The app runs as ``python -m app`` on a free loopback port with a temporary data folder;
Chromium is Debian's (``PHASELAB_CHROMIUM`` to change it), the same one the browser tests
drive. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
# The browser tests' Chromium and flags, from the one place they are set.
sys.path.insert(0, str(ROOT))
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


@dataclass
class Request:
    url: str
    kind: str  # CDP's resource type: Document, Script, Stylesheet, Fetch, XHR, EventSource...
    bytes: int = 0  # encodedDataLength: on the wire, headers included, compressed
    status: int = 0
    cache_control: str = ""
    from_cache: bool = False
    finished: bool = False
    failed: bool = False

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def is_static(self) -> bool:
        return self.path.startswith("/static/")


@dataclass
class PageWeight:
    path: str
    requests: list[Request] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.bytes for r in self.requests)

    def bytes_of(self, part: str) -> int:
        return sum(r.bytes for r in self.requests if _part(r) == part)

    def count_of(self, part: str) -> int:
        return sum(1 for r in self.requests if _part(r) == part)

    @property
    def downloaded(self) -> list[Request]:
        """Requests that went to the server (not answered from the browser's cache)."""
        return [r for r in self.requests if not r.from_cache]


def _part(request: Request) -> str:
    if request.kind == "Document":
        return "document"
    return "static" if request.is_static else "other"


def load(context: BrowserContext, url: str, keep_open: bool = False) -> PageWeight:
    """Every request of one load of ``url`` in a new tab of ``context``, until the network
    is quiet; the tab is closed unless ``keep_open`` (to look at the page afterwards)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    requests: dict[str, Request] = {}

    def sent(event: dict[str, Any]) -> None:
        # A redirect reuses the request id: the new hop replaces the old one's record.
        requests[event["requestId"]] = Request(event["request"]["url"], event.get("type", "Other"))

    def responded(event: dict[str, Any]) -> None:
        request = requests.get(event["requestId"])
        if request is not None:
            response = event["response"]
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            request.status = int(response["status"])
            request.cache_control = headers.get("cache-control", "")
            # A new tab reads the context's disk cache; the same tab, its memory cache
            # (requestServedFromCache). Either way, nothing went to the server.
            request.from_cache |= bool(response.get("fromDiskCache"))

    def served_from_cache(event: dict[str, Any]) -> None:
        request = requests.get(event["requestId"])
        if request is not None:
            request.from_cache = True

    def finished(event: dict[str, Any]) -> None:
        request = requests.get(event["requestId"])
        if request is not None:
            request.bytes = int(event["encodedDataLength"])
            request.finished = True

    def failed(event: dict[str, Any]) -> None:
        request = requests.get(event["requestId"])
        if request is not None:
            request.finished = request.failed = True

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", responded)
    cdp.on("Network.requestServedFromCache", served_from_cache)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", failed)
    cdp.send("Network.enable")
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # The browser asks for the icon on its own, which "networkidle" does not wait for:
    # wait (briefly) for every request but a still-open event stream to end.
    for _ in range(100):
        if all(r.finished for r in requests.values() if r.kind != "EventSource"):
            break
        page.wait_for_timeout(50)
    cdp.detach()
    if not keep_open:
        page.close()
    return PageWeight(urlsplit(url).path, list(requests.values()))


def cold_and_repeat(browser: Browser, url: str) -> tuple[PageWeight, PageWeight]:
    """A first visit, then the same page again in the same context (a warm cache)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        return load(context, url), load(context, url)
    finally:
        context.close()


def page_paths(base: str) -> list[str]:
    """Home, then every lesson in course order, read from the running app's home page."""
    with urllib.request.urlopen(base + "/", timeout=10) as answer:
        html = answer.read().decode()
    paths: list[str] = []
    for chunk in html.split('href="/lessons/')[1:]:
        path = "/lessons/" + chunk.split('"', 1)[0]
        if path not in paths:
            paths.append(path)
    return ["/", *paths]


def app_code(root: Path) -> str:
    """The commit served, and whether its files had local edits (read-only git queries)."""
    git = ["git", "-C", str(root)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        return f"{root} (not a git checkout)"
    edits = subprocess.run(
        [*git, "status", "--porcelain", "--", "app", "static", "templates", "lessons"],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    commit = f"commit {head.stdout.strip()}"
    return f"{commit}, {len(edits)} files with local edits" if edits else commit


def kib(n: int) -> str:
    return f"{n / 1024:,.1f}"


def max_age(cache_control: str) -> int:
    for directive in cache_control.replace(" ", "").split(","):
        if directive.startswith("max-age="):
            return int(directive.removeprefix("max-age="))
    return 0


def stale_after(weight: PageWeight, seconds: int) -> int:
    """Static files of a cold load whose Cache-Control lets them go stale within
    ``seconds``: a visit that much later asks the server for each again (a 304 at best).
    Read from the headers received, not measured: Chromium's clock cannot be moved."""
    static = [r for r in weight.requests if r.is_static and r.status]
    return sum(1 for r in static if max_age(r.cache_control) < seconds)


def report(rows: list[tuple[PageWeight, PageWeight]]) -> None:
    print(
        "| page | transferred, KiB | requests | document, KiB | static files, KiB (requests)"
        " | other: API, fragments, KiB (requests) | repeat visit: KiB, requests to the server"
        " | static files stale after 5 min |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for cold, warm in rows:
        print(
            f"| `{cold.path}` | {kib(cold.total)} | {len(cold.requests)}"
            f" | {kib(cold.bytes_of('document'))}"
            f" | {kib(cold.bytes_of('static'))} ({cold.count_of('static')})"
            f" | {kib(cold.bytes_of('other'))} ({cold.count_of('other')})"
            f" | {kib(warm.total)}, {len(warm.downloaded)} | {stale_after(cold, 301)} |"
        )
    unanswered = [
        f"{cold.path} {urlsplit(r.url).path}"
        for cold, warm in rows
        for r in (*cold.requests, *warm.requests)
        if not r.finished and r.kind != "EventSource"
    ]
    if unanswered:
        # The icon, mostly: Chromium asks for it on its own and does not always report it.
        print(f"\nNot reported finished (counted as 0 bytes): {', '.join(unanswered)}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Bytes and requests of a cold load per page.")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the app to serve")
    parser.add_argument("--json", type=Path, default=None, help="also write every request here")
    args = parser.parse_args()

    # bench/load's server helper: a uvicorn process in its own group, stopped whole.
    sys.path.insert(0, str(ROOT / "bench"))
    from load.servers import app_server

    workdir = Path(tempfile.mkdtemp(prefix="phaselab-weight-"))
    server = app_server(workdir, args.app_root, [])
    try:
        server.start()
        base = f"http://127.0.0.1:{server.port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            rows = [cold_and_repeat(browser, base + path) for path in page_paths(base)]
            chromium = browser.version
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"app: {app_code(args.app_root)}; Chromium {chromium}; {platform.platform()}")
    report(rows)
    if args.json:
        dump = {
            cold.path: [r.__dict__ | {"path": r.path} for r in cold.requests] for cold, _ in rows
        }
        args.json.write_text(json.dumps(dump, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
