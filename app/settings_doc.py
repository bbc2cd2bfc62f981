"""The settings table for the docs, written from the settings class itself.

``python -m app.settings_doc`` prints it; a test checks that the README holds it verbatim,
so the documentation cannot drift from the code.
"""

from __future__ import annotations

from app.settings import REPO_ROOT, Settings


def _default(name: str) -> str:
    value = Settings.model_fields[name].default
    text = str(value)
    if text.startswith(str(REPO_ROOT)):
        text = "./" + text[len(str(REPO_ROOT)) + 1 :]  # show repo paths as the reader sees them
    return f"`{text}`"


def settings_table() -> str:
    rows = [
        "| variable | default | what it does |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `PHASELAB_{name.upper()}` | {_default(name)} | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
