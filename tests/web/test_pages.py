"""The HTML pages, checked through parsed selectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.content.lessons import load_lessons
from app.main import create_app
from app.runs.specs import FRAMES_PER_SECOND, frame_steps, parse_spec
from app.settings import Settings


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


def test_the_home_page_trains_a_tiny_run_only_when_asked(client: TestClient) -> None:
    soup = soup_of(client, "/")
    demo = soup.select_one("[data-role=home-demo]")
    assert demo is not None
    spec = parse_spec(json.loads(str(demo["data-spec"])))
    # A few seconds to watch: its frames at its pace, well inside the five the page promises.
    seconds = len(frame_steps(spec.steps)) / FRAMES_PER_SECOND[spec.speed]
    assert spec.pace == "watch" and 2 <= seconds <= 5
    # Nothing trains on load: a button starts it, and a live region says what happens.
    assert demo.select_one("button[data-action=start]") is not None
    assert demo.select_one("[data-role=status][role=status]") is not None
    assert demo.select_one("svg [data-role=curve]") is not None
    scripts = [str(s.get("src", "")) for s in soup.select("script")]
    assert any("/static/js/home.js" in src for src in scripts)
    assert not any("plotly" in src for src in scripts)  # the curve is our own SVG
    styles = [str(link["href"]) for link in soup.select("link[rel=stylesheet]")]
    assert any("/static/css/home.css" in href for href in styles)


def test_every_lesson_is_a_card_with_its_title_promise_and_picture(client: TestClient) -> None:
    lessons = load_lessons(Settings().lessons_dir)
    cards = soup_of(client, "/").select(".course-map.cards > li.card")
    assert [card["data-slug"] for card in cards] == list(lessons)
    for card, lesson in zip(cards, lessons.values(), strict=True):
        link = card.select_one(".card-title a")
        assert link.get_text() == lesson.meta.title
        assert link["href"] == f"/lessons/{lesson.slug}"
        assert card.select_one(".card-promise").get_text() == lesson.meta.summary
        picture = card.select_one("svg.lesson-picture")
        assert picture["aria-hidden"] == "true"
        assert picture.select("path, circle, rect")  # something drawn, not an empty box
        assert card.select_one("[data-role=finished]") is not None  # course.js marks it
    # Each of the course's lessons has a picture of its own.
    pictures = [card.select_one("svg.lesson-picture")["data-picture"] for card in cards]
    assert len(set(pictures)) == len(pictures)
    assert "text" not in pictures


def test_an_instructors_lesson_gets_its_widgets_picture_or_a_page(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    for order, slug, body in [
        (1, "my-own-demo", "```widget\nkind: sources\n```\n"),
        (2, "just-reading", "Plain words, no demo.\n"),
    ]:
        front = f"title: Lesson {order}\nslug: {slug}\norder: {order}\nsummary: A promise."
        (lessons / f"{order}.md").write_text(f"---\n{front}\n---\n\n# Lesson\n\n{body}")
    app = create_app(Settings(data_dir=tmp_path / "data", lessons_dir=lessons))
    with TestClient(app) as client:
        soup = soup_of(client, "/")
    pictures = {
        str(card["data-slug"]): card.select_one("svg.lesson-picture")["data-picture"]
        for card in soup.select("li.card")
    }
    assert pictures == {"my-own-demo": "sources", "just-reading": "text"}
