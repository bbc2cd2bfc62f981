"""Where run specs are kept: a small interface, and the embedded SQLite store behind it.

Specs are all that needs keeping: everything else a run produced can be replayed from its
spec. The interface is two methods so that a server database can stand in later.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Protocol


class RunStore(Protocol):
    def put(self, run_id: str, spec_json: str) -> None:
        """Keep a spec under its id; keeping the same one twice is harmless."""

    def get(self, run_id: str) -> str | None:
        """The spec stored under this id, or None."""


class SqliteRunStore:
    """Run specs in one SQLite file; safe to share between threads of one process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection behind a lock: writes are tiny and rare next to training work.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            # WAL survives an abrupt kill without losing committed rows, and readers never block.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS runs ("
                " run_id TEXT PRIMARY KEY,"
                " spec TEXT NOT NULL,"
                " created TEXT NOT NULL DEFAULT (datetime('now')))"
            )

    def put(self, run_id: str, spec_json: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO runs (run_id, spec) VALUES (?, ?)", (run_id, spec_json)
            )

    def get(self, run_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT spec FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
