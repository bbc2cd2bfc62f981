"""Load, validate and render the lesson files in ``lessons/``.

A lesson is Markdown with YAML front matter. A demonstration is declared in the text as a
fenced block whose info string is ``widget``; its YAML is validated by ``WidgetSpec``. Any
problem stops start-up with the file, the line, the field and the reason, so an instructor
who writes a lesson learns what to fix without reading Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from app.content.widgets import WidgetSpec

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
WORDS_PER_MINUTE = 200  # a common estimate for reading plain prose on screen
WIDGET_ADAPTER: TypeAdapter[Any] = TypeAdapter(WidgetSpec)


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120)
    slug: str = Field(pattern=SLUG_PATTERN, max_length=80)
    order: int = Field(ge=1, le=1000)
    summary: str = Field(min_length=1, max_length=160)
    section: str | None = Field(None, max_length=200, description="The article's heading.")


@dataclass(frozen=True)
class WidgetBlock:
    spec: Any  # one of the WidgetSpec kinds
    number: int  # 1-based position among the lesson's widgets, for unique element ids

    @property
    def template(self) -> str:
        return f"widgets/{self.spec.kind}.html"


@dataclass(frozen=True)
class HtmlBlock:
    html: str


@dataclass(frozen=True)
class Lesson:
    meta: FrontMatter
    blocks: tuple[HtmlBlock | WidgetBlock, ...]
    path: Path
    reading_minutes: int

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def widgets(self) -> list[Any]:
        return [b.spec for b in self.blocks if isinstance(b, WidgetBlock)]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a lesson file: where, which field, and why."""

    path: Path
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}" + (f", line {self.line}" if self.line else "")
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.reason}"


class LessonError(Exception):
    """Lesson files that cannot be used: every problem found, each with where and why.

    ``path``, ``line``, ``field`` and ``reason`` describe the first problem.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        self.path, self.line, self.field, self.reason = (
            first.path,
            first.line,
            first.field,
            first.reason,
        )
        super().__init__("\n".join(str(problem) for problem in problems))

    @classmethod
    def one(cls, path: Path, line: int | None, field: str | None, reason: str) -> LessonError:
        return cls([Problem(path, line, field, reason)])


def _markdown() -> MarkdownIt:
    # Raw HTML stays off: lesson text is content, not markup, and is escaped like any input.
    return (
        MarkdownIt("commonmark", {"html": False, "typographer": True})
        .enable(["table", "replacements", "smartquotes"])
        .use(front_matter_plugin)
    )


# libyaml's safe loader when PyYAML was built with it (its wheels are): the same documents,
# several times faster, and every app (each test's too) parses all the lessons at start.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line_of(yaml_text: str, loc: Iterable[int | str], first_line: int) -> int:
    """Best line in the file for a validation error's location in a YAML block."""
    try:
        node: Any = yaml.compose(yaml_text)
    except yaml.YAMLError:
        return first_line
    line = first_line
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == key]
            if not match:
                break
            node = match[0][1]
            line = first_line + match[0][0].start_mark.line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = first_line + node.start_mark.line
        else:
            break
    return line


def _validate(model: Any, text: str, path: Path, first_line: int, prefix: str) -> Any:
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as error:
        # The context mark is where the broken construct began, which is where to look.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        raise LessonError.one(path, line, prefix or None, f"not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise LessonError.one(path, first_line, prefix or None, "expected 'key: value' lines")
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(data)
        return model.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = [p if isinstance(p, int) else str(p) for p in item["loc"]]
            # A tagged union puts the tag in the path (preset.train-classifier.x): drop it.
            loc = [p for p in loc if not (isinstance(p, str) and p == data.get("kind"))]
            field = ".".join(str(p) for p in [prefix, *loc] if p != "")
            reason = item["msg"]
            if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
                # The widget's kind itself is wrong or missing: say which kinds exist.
                loc = ["kind"]
                field = f"{prefix}.kind"
                expected = item.get("ctx", {}).get("expected_tags", "")
                got = item.get("ctx", {}).get("tag")
                reason = f"should be one of {expected}" + (f" (got {got!r})" if got else "")
            elif item["type"] == "literal_error":
                reason += f" (got {item['input']!r})"
            problems.append(Problem(path, _line_of(text, loc, first_line), field, reason))
        raise LessonError(problems) from None


def load_lesson(path: Path, md: MarkdownIt | None = None) -> Lesson:
    md = md or _markdown()
    raw = path.read_bytes()
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        at = raw.count(b"\n", 0, error.start) + 1
        reason = f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        raise LessonError.one(path, at, None, reason) from None
    tokens = md.parse(source)
    if not tokens or tokens[0].type != "front_matter":
        raise LessonError.one(path, 1, None, "missing front matter (a '---' block at the top)")
    problems: list[Problem] = []
    meta: FrontMatter | None = None
    try:
        meta = _validate(FrontMatter, tokens[0].content, path, 2, "")
    except LessonError as error:
        problems += error.problems
    blocks: list[HtmlBlock | WidgetBlock] = []
    pending: list[Token] = []
    env: dict[str, Any] = {}

    def flush() -> None:
        if pending:
            blocks.append(HtmlBlock(md.renderer.render(pending, md.options, env)))
            pending.clear()

    for token in tokens[1:]:
        if token.type == "fence" and token.info.strip() == "widget":
            if token.level != 0:
                line = token.map[0] + 1 if token.map else None
                problems.append(
                    Problem(path, line, "widget", "a widget must not sit inside a list or quote")
                )
                continue
            flush()
            first_line = token.map[0] + 2 if token.map else 1
            try:
                spec = _validate(WIDGET_ADAPTER, token.content, path, first_line, "widget")
            except LessonError as error:
                problems += error.problems  # keep going: report every bad widget at once
                continue
            count = sum(isinstance(b, WidgetBlock) for b in blocks)
            blocks.append(WidgetBlock(spec=spec, number=count + 1))
        else:
            pending.append(token)
    flush()
    if problems or meta is None:
        raise LessonError(problems)
    words = len(re.findall(r"\w+", source))
    return Lesson(meta, tuple(blocks), path, max(1, math.ceil(words / WORDS_PER_MINUTE)))


def load_lessons(folder: Path) -> dict[str, Lesson]:
    """Every ``*.md`` lesson in the folder, keyed by slug, in course order."""
    if not folder.is_dir():
        raise LessonError.one(folder, None, None, "lessons folder not found")
    md = _markdown()
    lessons: dict[str, Lesson] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.md")):
        try:
            lesson = load_lesson(path, md)
        except LessonError as error:
            problems += error.problems
            continue
        if lesson.slug in lessons:
            other = lessons[lesson.slug].path.name
            problems.append(Problem(path, None, "slug", f"'{lesson.slug}' is also used by {other}"))
            continue
        lessons[lesson.slug] = lesson
    if problems:
        raise LessonError(problems)
    return dict(sorted(lessons.items(), key=lambda item: (item[1].meta.order, item[0])))


def presets_over_step_limit(lessons: dict[str, Lesson], max_steps: int) -> list[Problem]:
    """Presets this server would refuse to run, so a lesson cannot ship a broken demo."""
    return [
        Problem(
            lesson.path,
            None,
            "widget.preset.steps",
            f"{widget.preset.steps} is above this server's limit of {max_steps}",
        )
        for lesson in lessons.values()
        for widget in lesson.widgets
        if hasattr(widget, "preset") and widget.preset.steps > max_steps
    ]
