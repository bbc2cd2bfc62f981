"""Static assets: served from our own origin, compressed, cached long under versioned URLs."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient


def asset_urls(client: TestClient, path: str) -> list[str]:
    soup = BeautifulSoup(client.get(path).text, "html.parser")
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
