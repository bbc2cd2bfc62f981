"""Settings come from PHASELAB_* variables, and the README's table is the one the code makes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import REPO_ROOT, Settings
from app.settings_doc import settings_table


def test_environment_variables_set_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASELAB_PORT", "9123")
    monkeypatch.setenv("PHASELAB_LESSONS_DIR", "/tmp/my-lessons")
    monkeypatch.setenv("PHASELAB_MAX_STEPS", "100")
    settings = Settings()
    assert settings.port == 9123
    assert settings.lessons_dir == Path("/tmp/my-lessons")
    assert settings.max_steps == 100


def test_the_defaults_serve_locally_with_the_shipped_lessons() -> None:
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.lessons_dir == REPO_ROOT / "lessons"


def test_a_bad_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASELAB_PORT", "99999")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_every_setting_is_described() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_the_readme_holds_the_generated_settings_table() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- settings-table:start -->\n") + len("<!-- settings-table:start -->\n")
    end = readme.index("<!-- settings-table:end -->")
    assert readme[start:end].strip() == settings_table()
