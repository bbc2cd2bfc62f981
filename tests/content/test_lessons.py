"""The lesson loader: the real lessons load; a bad file names its file, line, field, reason."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from app.content import check as check_lessons
from app.content.lessons import (
    FrontMatter,
    HtmlBlock,
    LessonError,
    WidgetBlock,
    load_lesson,
    load_lessons,
)
from app.content.widgets import WidgetSpec
from app.settings import Settings

GOOD = """\
---
title: A lesson
slug: a-lesson
order: 3
summary: One line about it.
---

Some *text* with <script>alert(1)</script> in it.

```widget
kind: train-classifier
notice: Watch the lines.
preset:
  dataset: spiral
  steps: 120
```

After the demo.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_lessons_load() -> None:
    lessons = load_lessons(Settings().lessons_dir)
    assert "what-training-means" in lessons
    lesson = lessons["what-training-means"]
    assert len(lesson.widgets) == 1
    assert lesson.widgets[0].preset.dataset == "moons"


def test_a_good_lesson_splits_around_its_widget(tmp_path: Path) -> None:
    lesson = load_lesson(write(tmp_path, "a.md", GOOD))
    kinds = [type(block) for block in lesson.blocks]
    assert kinds == [HtmlBlock, WidgetBlock, HtmlBlock]
    widget = lesson.blocks[1]
    assert isinstance(widget, WidgetBlock)
    assert widget.spec.preset.dataset == "spiral"
    assert widget.spec.preset.steps == 120
    assert widget.spec.preset.hidden == (16, 16)  # unspecified fields take the defaults
    assert lesson.reading_minutes == 1


def test_raw_html_in_a_lesson_is_escaped(tmp_path: Path) -> None:
    lesson = load_lesson(write(tmp_path, "a.md", GOOD))
    first = lesson.blocks[0]
    assert isinstance(first, HtmlBlock)
    soup = BeautifulSoup(first.html, "html.parser")
    assert soup.find("script") is None
    assert "<script>" in soup.get_text()


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        (GOOD.replace("title: A lesson\n", ""), 2, "title", "Field required"),
        (GOOD.replace("order: 3", "order: first"), 4, "order", "valid integer"),
        (GOOD.replace("slug: a-lesson", "slug: A Lesson!"), 3, "slug", "should match pattern"),
        (
            GOOD.replace("steps: 120", "steps: 0"),
            15,
            "widget.preset.steps",
            "greater than or equal to 1",
        ),
        (GOOD.replace("dataset: spiral", "dataset: waves"), 14, "widget.preset.dataset", "'waves'"),
        (
            GOOD.replace("kind: train-classifier", "kind: slideshow"),
            11,
            "widget.kind",
            "'slideshow'",
        ),
        (
            GOOD.replace("notice: Watch the lines.\n", "notice: Watch the lines.\ncolour: red\n"),
            13,
            "widget.colour",
            "Extra inputs are not permitted",
        ),
        (GOOD.replace("  steps: 120", "  steps: [120"), 15, "widget", "not valid YAML"),
    ],
)
def test_a_bad_lesson_says_where_and_why(
    tmp_path: Path, text: str, line: int, field: str, reason: str
) -> None:
    path = write(tmp_path, "bad.md", text)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    error = caught.value
    assert error.path == path
    assert error.line == line
    assert error.field == field
    assert reason in error.reason
    assert str(path) in str(error) and f"line {line}" in str(error)


def test_missing_front_matter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match="missing front matter"):
        load_lesson(write(tmp_path, "x.md", "# Just a heading\n"))


def test_a_widget_inside_a_list_is_refused(tmp_path: Path) -> None:
    text = (
        GOOD.split("```widget")[0]
        + "- item\n\n  ```widget\n  kind: train-classifier\n  notice: n\n  ```\n"
    )
    with pytest.raises(LessonError, match="inside a list"):
        load_lesson(write(tmp_path, "x.md", text))


def test_two_lessons_with_one_slug_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "01-a.md", GOOD)
    write(tmp_path, "02-b.md", GOOD)
    with pytest.raises(LessonError, match=r"also used by 01-a\.md"):
        load_lessons(tmp_path)


def test_lessons_come_in_course_order(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD.replace("order: 3", "order: 9"))
    write(
        tmp_path,
        "b.md",
        GOOD.replace("slug: a-lesson", "slug: b-lesson").replace("order: 3", "order: 1"),
    )
    assert list(load_lessons(tmp_path)) == ["b-lesson", "a-lesson"]


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match="lessons folder not found"):
        load_lessons(tmp_path / "nope")


def test_every_problem_in_a_folder_is_reported_at_once(tmp_path: Path) -> None:
    write(
        tmp_path, "01-a.md", GOOD.replace("order: 3", "order: 0").replace("steps: 120", "steps: -1")
    )
    write(tmp_path, "02-b.md", GOOD.replace("slug: a-lesson", "slug: Bad Slug"))
    with pytest.raises(LessonError) as caught:
        load_lessons(tmp_path)
    found = {(p.path.name, p.line, p.field) for p in caught.value.problems}
    assert found == {
        ("01-a.md", 4, "order"),
        ("01-a.md", 15, "widget.preset.steps"),
        ("02-b.md", 3, "slug"),
    }


def test_the_check_command_lists_problems_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "a.md", GOOD.replace("dataset: spiral", "dataset: waves"))
    assert check_lessons.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "a.md, line 14: widget.preset.dataset: Input should be" in out


def test_the_check_command_passes_the_shipped_lessons(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_lessons.main([]) == 0
    assert "all valid" in capsys.readouterr().out


def test_the_lesson_writing_guide_documents_every_field_and_kind() -> None:
    guide = (Settings().lessons_dir.parent / "docs" / "writing-lessons.md").read_text()
    for name in FrontMatter.model_fields:
        assert f"`{name}`" in guide, name
    for kind in typing.get_args(typing.get_args(WidgetSpec)[0]):
        tag = typing.get_args(kind.model_fields["kind"].annotation)[0]
        assert f"| `{tag}` |" in guide, tag
