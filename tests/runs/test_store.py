"""The SQLite run store: specs by id, kept once, still there after the file is reopened."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.runs.specs import LinearSpec, MlpSpec, run_id_for
from app.runs.store import SqliteRunStore

SPEC = MlpSpec(model="mlp", seed=3).canonical_json()
OTHER = LinearSpec(model="linear", steps=50).canonical_json()
SPEC_ID = run_id_for(MlpSpec(model="mlp", seed=3))
OTHER_ID = run_id_for(LinearSpec(model="linear", steps=50))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "new" / "folder" / "runs.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteRunStore]:
    opened = SqliteRunStore(path)
    yield opened
    opened.close()


def rows(path: Path) -> list[tuple[str, str]]:
    database = sqlite3.connect(path)
    try:
        return database.execute("SELECT run_id, spec FROM runs ORDER BY run_id").fetchall()
    finally:
        database.close()


def test_the_file_is_made_in_a_new_folder(store: SqliteRunStore, path: Path) -> None:
    assert path.is_file()
    assert rows(path) == []


def test_a_spec_put_is_the_spec_got(store: SqliteRunStore) -> None:
    store.put(SPEC_ID, SPEC)
    store.put(OTHER_ID, OTHER)
    assert store.get(SPEC_ID) == SPEC
    assert store.get(OTHER_ID) == OTHER


def test_an_unknown_id_is_none(store: SqliteRunStore) -> None:
    assert store.get("0123456789abcdef") is None
    store.put(SPEC_ID, SPEC)
    assert store.get("0123456789abcdef") is None


def test_putting_a_spec_twice_keeps_one_row(store: SqliteRunStore, path: Path) -> None:
    store.put(SPEC_ID, SPEC)
    store.put(SPEC_ID, SPEC)
    store.put(SPEC_ID, OTHER)  # the first spec under an id stays (ids are digests of specs)
    assert store.get(SPEC_ID) == SPEC
    assert rows(path) == [(SPEC_ID, SPEC)]


def test_specs_survive_closing_and_reopening(path: Path) -> None:
    first = SqliteRunStore(path)
    first.put(SPEC_ID, SPEC)
    first.put(OTHER_ID, OTHER)
    first.close()
    again = SqliteRunStore(path)
    try:
        assert again.get(SPEC_ID) == SPEC
        assert again.get(OTHER_ID) == OTHER
        assert again.get("0123456789abcdef") is None
    finally:
        again.close()
    assert rows(path) == sorted([(SPEC_ID, SPEC), (OTHER_ID, OTHER)])


def test_threads_share_one_store(store: SqliteRunStore) -> None:
    ids = [f"{n:016x}" for n in range(40)]

    def put_some(start: int) -> None:
        for run_id in ids[start::4]:
            store.put(run_id, f'{{"n": "{run_id}"}}')

    workers = [threading.Thread(target=put_some, args=(start,)) for start in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [store.get(run_id) for run_id in ids] == [f'{{"n": "{run_id}"}}' for run_id in ids]


def test_the_store_writes_ahead(store: SqliteRunStore, path: Path) -> None:
    database = sqlite3.connect(path)
    try:
        assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        database.close()
