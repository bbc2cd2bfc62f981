"""Spec lookup: specs served from memory, least recently used forgotten first, the store behind."""

from __future__ import annotations

from pathlib import Path

from app.runs.spec_cache import SpecCache
from app.runs.specs import AnySpec, DigitsSpec, LanguageSpec, LinearSpec, MlpSpec, run_id_for
from app.runs.store import SqliteRunStore


class CountingStore:
    """A store in a dict that counts the questions asked of it."""

    def __init__(self) -> None:
        self.specs: dict[str, str] = {}
        self.gets: list[str] = []
        self.puts: list[str] = []

    def put(self, run_id: str, spec_json: str) -> None:
        self.puts.append(run_id)
        self.specs.setdefault(run_id, spec_json)

    def get(self, run_id: str) -> str | None:
        self.gets.append(run_id)
        return self.specs.get(run_id)


SPECS: list[AnySpec] = [
    MlpSpec(model="mlp", seed=3),
    LinearSpec(model="linear", steps=50),
    DigitsSpec(model="digits", hidden=(32, 16)),
    LanguageSpec(model="language", steps=100),
    MlpSpec(model="mlp", seed=4, dataset="spiral", hidden=(8, 8, 8)),
]
IDS = [run_id_for(spec) for spec in SPECS]


def test_an_unknown_id_is_none() -> None:
    store = CountingStore()
    lookup = SpecCache(lambda: store, capacity=4)
    assert lookup.get("0123456789abcdef") is None
    assert store.gets == ["0123456789abcdef"]
    # Not remembered as anything: asked again, it asks the store again.
    assert lookup.get("0123456789abcdef") is None
    assert len(store.gets) == 2


def test_put_then_get_is_the_same_spec_without_asking_the_store() -> None:
    store = CountingStore()
    lookup = SpecCache(lambda: store, capacity=4)
    for run_id, spec in zip(IDS, SPECS[:4], strict=False):
        lookup.put(run_id, spec)
        assert store.specs[run_id] == spec.canonical_json()
    for run_id, spec in zip(IDS, SPECS[:4], strict=False):
        found = lookup.get(run_id)
        assert found == spec and type(found) is type(spec)
    assert store.gets == []


def test_the_oldest_spec_is_forgotten_and_read_back_from_the_store() -> None:
    store = CountingStore()
    lookup = SpecCache(lambda: store, capacity=3)
    for run_id, spec in zip(IDS[:4], SPECS[:4], strict=True):
        lookup.put(run_id, spec)
    # The first of four went out of a memory of three: the store answers, once.
    assert lookup.get(IDS[0]) == SPECS[0]
    assert store.gets == [IDS[0]]
    assert lookup.get(IDS[0]) == SPECS[0]
    assert store.gets == [IDS[0]]  # parsed once, remembered again
    # Reading IDS[0] back pushed out the least recently used, IDS[1].
    assert lookup.get(IDS[1]) == SPECS[1]
    assert store.gets == [IDS[0], IDS[1]]


def test_a_get_keeps_a_spec_in_memory_longer() -> None:
    store = CountingStore()
    lookup = SpecCache(lambda: store, capacity=2)
    lookup.put(IDS[0], SPECS[0])
    lookup.put(IDS[1], SPECS[1])
    assert lookup.get(IDS[0]) == SPECS[0]  # now IDS[1] is the least recently used
    lookup.put(IDS[2], SPECS[2])
    assert lookup.get(IDS[0]) == SPECS[0]
    assert store.gets == []
    assert lookup.get(IDS[1]) == SPECS[1]
    assert store.gets == [IDS[1]]


def test_a_spec_stored_by_an_earlier_process_is_found(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    earlier = SqliteRunStore(path)
    for run_id, spec in zip(IDS, SPECS, strict=True):
        earlier.put(run_id, spec.canonical_json())
    earlier.close()

    store = SqliteRunStore(path)
    try:
        lookup = SpecCache(lambda: store)
        for run_id, spec in zip(IDS, SPECS, strict=True):
            found = lookup.get(run_id)
            assert found == spec and type(found) is type(spec)
            assert run_id_for(found) == run_id
        assert lookup.get("fedcba9876543210") is None
    finally:
        store.close()


def test_put_writes_through_to_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    store = SqliteRunStore(path)
    lookup = SpecCache(lambda: store, capacity=1)
    lookup.put(IDS[0], SPECS[0])
    lookup.put(IDS[1], SPECS[1])
    store.close()
    reopened = SqliteRunStore(path)
    try:
        assert reopened.get(IDS[0]) == SPECS[0].canonical_json()
        assert SpecCache(lambda: reopened).get(IDS[1]) == SPECS[1]
    finally:
        reopened.close()
