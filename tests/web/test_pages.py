"""The HTML pages, checked through parsed selectors."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient


def soup_of(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def test_the_course_map_links_every_lesson(client: TestClient) -> None:
    soup = soup_of(client, "/")
    links = [a["href"] for a in soup.select(".course-map a")]
    assert "/lessons/what-training-means" in links
    for href in links:
        assert client.get(str(href)).status_code == 200
    assert "min read" in soup.select_one(".course-map .meta").get_text()


def test_a_lesson_embeds_its_widget_with_its_preset(client: TestClient) -> None:
    soup = soup_of(client, "/lessons/what-training-means")
    widget = soup.select_one("[data-widget=train-classifier]")
    assert widget is not None
    preset = json.loads(str(widget["data-preset"]))
    assert preset["dataset"] == "moons" and preset["learning_rate"] == 0.1
    assert widget.select_one("[name=steps]")["value"] == str(preset["steps"])
    assert widget.select_one("[name=dataset] option[selected]")["value"] == "moons"
    assert widget.select_one(".notice").get_text().startswith("Compare the two lines")
    for action in ("start", "pause", "resume", "reset"):
        assert widget.select_one(f"button[data-action={action}]") is not None


def test_every_control_has_a_label(client: TestClient) -> None:
    soup = soup_of(client, "/lessons/what-training-means")
    for control in soup.select(".widget select, .widget input:not([type=hidden])"):
        assert control.find_parent("label") is not None, control


def test_an_unknown_lesson_is_a_404_page(client: TestClient) -> None:
    response = client.get("/lessons/no-such-lesson", headers={"accept": "text/html"})
    assert response.status_code == 404
    soup = BeautifulSoup(response.text, "html.parser")
    assert "no lesson called 'no-such-lesson'" in soup.select_one("main").get_text()


def test_lesson_slugs_cannot_reach_outside_the_folder(client: TestClient) -> None:
    for path in ["/lessons/..%2F..%2Fpyproject", "/lessons/%2e%2e", "/lessons/../README"]:
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/lessons/introduction/", "/lessons/introduction"),
        ("/api/runs/?a=1", "/api/runs?a=1"),
        ("http://testserver//elsewhere.example/", "/elsewhere.example"),  # never "//host"
    ],
)
def test_a_trailing_slash_is_redirected_without_the_host(
    client: TestClient, path: str, location: str
) -> None:
    response = client.get(path, headers={"host": "elsewhere.example"}, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == location


@pytest.mark.parametrize("path", ["/api/runs/%0A", "/lessons/%09/"])
def test_a_path_with_control_characters_is_not_redirected(client: TestClient, path: str) -> None:
    """Found by the fuzzer: urllib drops a newline from the parsed URL, which once turned
    "/api/runs/%0A" into a redirect to "/api/runs" and a 405."""
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 404


def test_a_redirected_lesson_opens(client: TestClient) -> None:
    response = client.get("/lessons/introduction/")
    assert response.status_code == 200 and response.url.path == "/lessons/introduction"
