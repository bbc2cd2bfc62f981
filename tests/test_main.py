"""`python -m app` refuses a bad start in one line per fault, never with a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import REPO_ROOT


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    settings = {"PHASELAB_DATA_DIR": str(tmp_path / "data"), "PHASELAB_PORT": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "app"],
        cwd=REPO_ROOT,
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
        timeout=60,
    )


def refused(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()


@pytest.mark.parametrize(
    ("name", "value"),
    [("PHASELAB_PORT", "abc"), ("PHASELAB_WORKERS", "0"), ("PHASELAB_MAX_STEPS", "-5")],
)
def test_a_bad_setting_is_named(tmp_path: Path, name: str, value: str) -> None:
    lines = refused(start(tmp_path, **{name: value}))
    assert len(lines) == 1 and lines[0].startswith(f"{name}: ") and repr(value) in lines[0]


def test_a_data_folder_that_is_a_file_is_named(tmp_path: Path) -> None:
    occupied = tmp_path / "taken"
    occupied.write_text("not a folder")
    lines = refused(start(tmp_path, PHASELAB_DATA_DIR=str(occupied)))
    assert len(lines) == 1 and lines[0].startswith("PHASELAB_DATA_DIR: cannot keep the run")


def test_a_lesson_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    folder.mkdir()
    lesson = (REPO_ROOT / "lessons" / "01-introduction.md").read_bytes()
    (folder / "01-introduction.md").write_bytes(b"\n".join([*lesson.split(b"\n")[:5], b"caf\xe9"]))
    lines = refused(start(tmp_path, PHASELAB_LESSONS_DIR=str(folder)))
    assert lines == [
        f"{folder / '01-introduction.md'}, line 6: not UTF-8 text (byte 0xe9); "
        "save the file as UTF-8"
    ]
