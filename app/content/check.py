"""``python -m app.content.check [FOLDER]``: validate a lessons folder, reporting every problem.

Each problem is printed as ``file, line N: field: reason``; the exit status is 1 when there
is any, so the command can guard a folder in CI. FOLDER defaults to PHASELAB_LESSONS_DIR.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.content.lessons import LessonError, load_lessons, presets_over_step_limit
from app.settings import Settings


def main(argv: list[str]) -> int:
    settings = Settings()
    folder = Path(argv[0]) if argv else settings.lessons_dir
    try:
        lessons = load_lessons(folder)
        problems = presets_over_step_limit(lessons, settings.max_steps)
    except LessonError as error:
        problems = error.problems
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(f"{len(lessons)} lesson(s) in {folder}: all valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
