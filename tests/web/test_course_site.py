"""The whole course, server side: every lesson renders, every link resolves, every quiz answers."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.content.lessons import load_lessons
from app.content.widgets import QuizWidget
from app.costs.figures import FIGURES
from app.settings import Settings

LESSONS = load_lessons(Settings().lessons_dir)


def test_the_course_has_the_articles_fifteen_sections_in_order() -> None:
    orders = [lesson.meta.order for lesson in LESSONS.values()]
    assert orders == list(range(1, 16))


@pytest.mark.parametrize("slug", list(LESSONS))
def test_every_lesson_renders_with_its_demo(client: TestClient, slug: str) -> None:
    response = client.get(f"/lessons/{slug}")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("article.lesson h1").get_text() == LESSONS[slug].meta.title
    widgets = soup.select("[data-widget]")
    if slug == "references":
        assert widgets == [] and len(soup.select("table.figures tbody tr")) == len(FIGURES)
    else:
        assert len(widgets) == 1, slug
        assert widgets[0].select_one(".notice").get_text().strip()
    assert soup.select_one("nav.toc a[aria-current=page]")["href"] == f"/lessons/{slug}"


def internal_links(html: str) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    links = set()
    for tag in soup.select("a[href]"):
        href = str(tag["href"])
        if href.startswith("/") and not href.startswith("//"):
            links.add(urlparse(href).path)
    return links


def test_every_internal_link_resolves(client: TestClient) -> None:
    pages = ["/", *(f"/lessons/{slug}" for slug in LESSONS)]
    links: set[str] = set()
    for page in pages:
        links |= internal_links(client.get(page).text)
    for quiz in (
        w for lesson in LESSONS.values() for w in lesson.widgets if isinstance(w, QuizWidget)
    ):
        links |= {f"/lessons/{q.lesson}" for q in quiz.questions if q.lesson}
    assert links, "pages link to each other"
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_previous_and_next_walk_the_whole_course(client: TestClient) -> None:
    path, seen = "/lessons/introduction", []
    while path:
        soup = BeautifulSoup(client.get(path).text, "html.parser")
        seen.append(path.rsplit("/", 1)[1])
        following = soup.select_one("a[rel=next]")
        path = str(following["href"]) if following else ""
    assert seen == list(LESSONS)


def test_each_quiz_answer_gives_its_feedback(client: TestClient) -> None:
    quiz = next(w for w in LESSONS["faq"].widgets if isinstance(w, QuizWidget))
    assert len(quiz.questions) == 5
    for index, question in enumerate(quiz.questions):
        for choice in range(len(question.choices)):
            response = client.post(f"/widgets/quiz/faq/1/{index}", data={"choice": str(choice)})
            assert response.status_code == 200
            verdict = BeautifulSoup(response.text, "html.parser").select_one(".verdict")
            expected = "yes" if choice == question.answer else "no"
            assert verdict["data-correct"] == expected
            assert question.why in verdict.get_text()


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/widgets/quiz/faq/1/0", {}, 422),
        ("/widgets/quiz/faq/1/0", {"choice": "9"}, 422),
        ("/widgets/quiz/faq/1/0", {"choice": "²"}, 422),  # a digit to str.isdigit only
        ("/widgets/quiz/faq/1/99", {"choice": "0"}, 404),
        ("/widgets/quiz/no-such-lesson/1/0", {"choice": "0"}, 404),
        ("/widgets/quiz/introduction/1/0", {"choice": "0"}, 404),
    ],
)
def test_a_bad_quiz_answer_gets_a_message(
    client: TestClient, path: str, data: dict[str, str], status: int
) -> None:
    response = client.post(path, data=data)
    assert response.status_code == status
    assert BeautifulSoup(response.text, "html.parser").select_one(".error").get_text()


def test_the_course_map_lists_every_lesson_with_reading_time(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/").text, "html.parser")
    items = soup.select(".course-map li[data-slug]")
    assert [item["data-slug"] for item in items] == list(LESSONS)
    for item in items:
        assert "min read" in item.get_text()
