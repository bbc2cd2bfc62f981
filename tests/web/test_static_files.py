"""Static assets: served from our own origin, compressed, cached long under versioned URLs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.content.lessons import load_lessons
from app.content.widgets import WidgetSpec
from app.settings import REPO_ROOT, Settings

HTML = {"Accept": "text/html"}  # as a browser asks: the 404 is a page, not JSON


def asset_urls(client: TestClient, path: str) -> list[str]:
    soup = BeautifulSoup(client.get(path, headers=HTML).text, "html.parser")
    urls = [tag["src"] for tag in soup.select("script[src]")]
    urls += [tag["href"] for tag in soup.select("link[href]")]
    return [str(url) for url in urls]


def test_pages_load_nothing_from_other_origins(client: TestClient) -> None:
    urls = asset_urls(client, "/lessons/what-training-means")
    assert urls, "the lesson page links its scripts and styles"
    assert all(url.startswith("/static/") for url in urls), urls
    assert any("vendor/plotly.min.js" in url for url in urls)
    assert any("vendor/htmx.min.js" in url for url in urls)


def test_versioned_assets_are_cached_for_a_year_and_compressed(client: TestClient) -> None:
    for url in asset_urls(client, "/lessons/what-training-means"):
        assert "?v=" in url
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        if int(response.headers.get("content-length", "2000")) > 1024 or url.endswith(".js"):
            assert response.headers.get("content-encoding") == "gzip", url


def test_unversioned_assets_are_cached_briefly(client: TestClient) -> None:
    response = client.get("/static/css/app.css")
    assert response.headers["cache-control"] == "public, max-age=300"


def test_a_changed_file_gets_a_new_url(client: TestClient) -> None:
    urls = asset_urls(client, "/lessons/what-training-means")
    versions = {url.split("?v=")[1] for url in urls}
    assert len(versions) == len(urls)  # each file's version is its own content hash


def test_the_lesson_page_reads_without_javascript(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/lessons/what-training-means").text, "html.parser")
    assert soup.select_one("h1").get_text() == "What training really means"
    assert len(soup.select("article p")) > 8
    assert soup.select_one("noscript") is not None


# -- Plotly only where a chart is drawn ------------------------------------------------

JS = REPO_ROOT / "static" / "js"
IMPORT = re.compile(r"""\b(?:from|import)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")


def imports_of(module: Path) -> set[Path]:
    """Every module ``module`` imports, directly or not (relative imports are all we use)."""
    seen: set[Path] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        for target in IMPORT.findall(current.read_text()):
            found = (current.parent / target).resolve()
            if found not in seen:
                seen.add(found)
                todo.append(found)
    return seen


def calls_plotly(kind: str) -> bool:
    """Whether the kind's script, or any module it imports, calls the Plotly global."""
    script = JS / "widgets" / f"{kind}.js"
    if not script.is_file():
        return False  # a server-rendered kind (sources)
    modules = {script, *imports_of(script)}
    return any(re.search(r"\bPlotly\.", m.read_text()) for m in modules)


WIDGET_CLASSES = get_args(get_args(WidgetSpec)[0])


@pytest.mark.parametrize("cls", WIDGET_CLASSES, ids=lambda cls: cls.__name__)
def test_a_widget_says_it_draws_charts_exactly_when_its_script_calls_plotly(cls: type) -> None:
    # Declared on the class itself: one inherited by mistake would load Plotly, or not, silently.
    assert "draws_charts" in vars(cls), f"{cls.__name__} must say whether it draws charts"
    kind = get_args(cls.model_fields["kind"].annotation)[0]
    assert cls.draws_charts == calls_plotly(kind), kind


def loads_plotly(client: TestClient, path: str) -> bool:
    return any("vendor/plotly.min.js" in url for url in asset_urls(client, path))


def test_plotly_is_loaded_only_by_pages_that_draw_a_chart(client: TestClient) -> None:
    lessons = load_lessons(Settings().lessons_dir)
    drawing = {
        slug: any(block.spec.draws_charts for block in lesson.blocks if hasattr(block, "spec"))
        for slug, lesson in lessons.items()
    }
    assert {slug: loads_plotly(client, f"/lessons/{slug}") for slug in lessons} == drawing
    assert not drawing["faq"] and not drawing["references"]  # a quiz and a table
    assert drawing["introduction"]
    assert not loads_plotly(client, "/")
    assert client.get("/lessons/no-such-lesson", headers=HTML).status_code == 404
    assert not loads_plotly(client, "/lessons/no-such-lesson")


# -- every module import by a versioned URL ----------------------------------------------


def import_map(client: TestClient, path: str) -> dict[str, str]:
    soup = BeautifulSoup(client.get(path, headers=HTML).text, "html.parser")
    maps = soup.select('script[type="importmap"]')
    assert len(maps) == 1, path  # browsers before 2025 read only the first
    first_module = soup.select_one('script[type="module"]')
    assert first_module is not None
    # A map after a module script is ignored: it must come first in the document.
    assert maps[0].sourceline < first_module.sourceline  # type: ignore[operator]
    imports: dict[str, str] = json.loads(maps[0].string or "")["imports"]
    return imports


def test_every_page_maps_every_module_to_its_versioned_url(client: TestClient) -> None:
    modules = sorted(f"/static/js/{p.relative_to(JS).as_posix()}" for p in JS.rglob("*.js"))
    for path in ["/", "/lessons/introduction", "/lessons/faq", "/lessons/no-such-lesson"]:
        imports = import_map(client, path)
        assert sorted(imports) == modules, path
        for plain, versioned in imports.items():
            assert versioned.startswith(plain + "?v="), versioned
    # The page's own module scripts use the same URLs, so each module is loaded once.
    soup = BeautifulSoup(client.get("/lessons/hardware-and-infrastructure").text, "html.parser")
    for tag in soup.select("script[type=module][src]"):
        assert str(tag["src"]) in imports.values()


def test_every_import_resolves_to_a_mapped_module_served_for_a_year(client: TestClient) -> None:
    imports = import_map(client, "/lessons/introduction")
    imported = {module for script in JS.rglob("*.js") for module in imports_of(script)}
    # The reader follows imports through modules (recap draws through the cost panel's).
    assert JS / "lib" / "costs.js" in imports_of(JS / "widgets" / "recap.js")
    assert len(imported) > 10
    for module in imported:
        plain = f"/static/js/{module.relative_to(JS).as_posix()}"
        assert plain in imports, f"{plain} is imported but not in the import map"
        response = client.get(imports[plain])
        assert response.status_code == 200, plain
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_pages_hash_no_file_again_once_served(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = ["/", "/lessons/introduction", "/lessons/faq", "/lessons/no-such-lesson"]
    for path in pages:
        client.get(path, headers=HTML)
    reads: list[Path] = []
    real = Path.read_bytes

    def counted(self: Path) -> bytes:
        reads.append(self)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    for path in pages:
        assert "importmap" in client.get(path, headers=HTML).text
    assert reads == []
