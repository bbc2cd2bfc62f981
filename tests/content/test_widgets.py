"""A widget kind has one spelling, and it names every part of its widget."""

from __future__ import annotations

import re
import typing

import pytest

from app.content.widgets import WidgetSpec
from app.settings import REPO_ROOT

SPEC_CLASSES = typing.get_args(typing.get_args(WidgetSpec)[0])
KINDS = {typing.get_args(cls.model_fields["kind"].annotation)[0]: cls for cls in SPEC_CLASSES}
NO_SCRIPT = {"sources"}  # a list of figures, rendered on the server, with nothing to drive


def pascal(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("-"))


def test_every_kind_is_spelled_in_kebab_case() -> None:
    assert len(KINDS) == len(SPEC_CLASSES) >= 12
    for kind in KINDS:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", kind), kind


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_kind_names_its_spec_template_script_and_styles(kind: str) -> None:
    name = f"{pascal(kind)}Widget"
    assert KINDS[kind].__name__ == name
    assert (REPO_ROOT / "templates" / "widgets" / f"{kind}.html").is_file()
    assert (REPO_ROOT / "static" / "css" / "widgets" / f"{kind}.css").is_file()
    script = REPO_ROOT / "static" / "js" / "widgets" / f"{kind}.js"
    if kind in NO_SCRIPT:
        assert not script.exists()
        return
    source = script.read_text(encoding="utf-8")
    assert re.search(rf"^export class {name}\b", source, re.MULTILINE), f"{script}: {name}"
    assert re.search(r"^export function mount\(root\)", source, re.MULTILINE)


def test_nothing_is_left_over_for_a_kind_that_does_not_exist() -> None:
    for folder, suffix in (("templates/widgets", ".html"), ("static/css/widgets", ".css")):
        names = {p.name.removesuffix(suffix) for p in (REPO_ROOT / folder).glob(f"*{suffix}")}
        assert names - set(KINDS) <= {"_widget_head", "_counters"}, folder
    scripts = {p.stem for p in (REPO_ROOT / "static/js/widgets").glob("*.js")}
    assert scripts == set(KINDS) - NO_SCRIPT
