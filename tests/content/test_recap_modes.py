"""The recap widget's `mode`: two spellings, a clear error for any other, one per lesson."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.content import check as check_lessons
from app.content.lessons import load_lessons
from app.content.widgets import RecapWidget
from app.settings import Settings

LESSON = """\
---
title: A recap
slug: a-recap
order: 1
summary: One line about it.
---

Some text.

```widget
kind: recap
mode: {mode}
notice: Look at your runs.
```
"""


def test_the_modes_are_runs_and_receipt_and_runs_is_the_default() -> None:
    modes = typing.get_args(RecapWidget.model_fields["mode"].annotation)
    assert modes == ("runs", "receipt")
    assert RecapWidget(kind="recap", notice="x").mode == "runs"
    assert RecapWidget(kind="recap", notice="x", mode="receipt").mode == "receipt"


@pytest.mark.parametrize("mode", ["takeaways", "Receipt", "", 1])
def test_any_other_mode_is_refused_naming_the_two(mode: object) -> None:
    with pytest.raises(ValidationError) as caught:
        RecapWidget(kind="recap", notice="x", mode=mode)  # type: ignore[arg-type]
    assert "'runs' or 'receipt'" in str(caught.value)


def test_the_check_command_names_the_file_line_and_field_of_a_bad_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.md").write_text(LESSON.format(mode="takeaways"), encoding="utf-8")
    assert check_lessons.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "a.md, line 12: widget.mode: Input should be 'runs' or 'receipt'" in out


def test_the_takeaways_and_the_conclusion_use_different_modes() -> None:
    lessons = load_lessons(Settings().lessons_dir)
    modes = {
        slug: [w.mode for w in lessons[slug].widgets if isinstance(w, RecapWidget)]
        for slug in ("takeaways", "conclusion")
    }
    assert modes == {"takeaways": ["runs"], "conclusion": ["receipt"]}
