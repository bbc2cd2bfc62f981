"""The model cache: least recently used out first, one shared rebuild, the base of a fine-tune."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import app.runs.model_cache
from app.runs.execution import TrainedRun, train_to_end
from app.runs.model_cache import BaseRunError, ModelCache
from app.runs.specs import AnySpec, LinearSpec, MlpSpec, run_id_for
from tests.conftest import run_on_own_loop

BASE = MlpSpec(model="mlp", steps=20, n_samples=60, seed=3)
BASE_ID = run_id_for(BASE)
TUNED = MlpSpec(
    model="mlp", steps=10, n_samples=60, seed=3, variant="drift", fine_tune_from=BASE_ID
)
DIVERGING = MlpSpec(model="mlp", optimizer="sgd", learning_rate=90, steps=200, n_samples=60)


class Trainer:
    """Stands in for train_to_end: counts its calls and, when gated, holds each one until
    the test lets it finish (so that requests can pile up behind one rebuild)."""

    def __init__(self, gated: bool = False, fails: bool = False) -> None:
        self.calls: list[tuple[AnySpec, Any]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        if not gated:
            self.release.set()
        self.fails = fails

    def __call__(self, spec: AnySpec, base: Any = None) -> TrainedRun:
        self.calls.append((spec, base))
        self.started.set()
        assert self.release.wait(5), "the test never released the rebuild"
        if self.fails:
            raise ValueError("the rebuild failed")
        return TrainedRun(model=object(), divergence=None, final=None)

    async def building(self) -> None:
        """Until a rebuild has begun on its worker thread."""
        while not self.started.is_set():
            await asyncio.sleep(0.001)


@pytest.fixture
def trainer(monkeypatch: pytest.MonkeyPatch) -> Trainer:
    fake = Trainer(gated=True)
    monkeypatch.setattr(app.runs.model_cache, "train_to_end", fake)
    return fake


def specs(*known: AnySpec) -> dict[str, AnySpec]:
    return {run_id_for(spec): spec for spec in known}


def cache_of(*known: AnySpec, capacity: int = 4) -> ModelCache:
    found = specs(*known)
    return ModelCache(capacity, found.get)


def trained(name: str) -> TrainedRun:
    return TrainedRun(model=name, divergence=None, final=None)


async def settle() -> None:
    """Let every task started so far run up to its first real wait."""
    for _ in range(5):
        await asyncio.sleep(0)


Tasks = list[asyncio.Task[TrainedRun]]


async def pile_up(cache: ModelCache, trainer: Trainer, waiters: int) -> tuple[Tasks, Tasks]:
    """A request that starts the base run's rebuild, then ``waiters`` more behind it."""
    first = [asyncio.create_task(cache.get(BASE_ID, BASE))]
    await trainer.building()
    behind = [asyncio.create_task(cache.get(BASE_ID, BASE)) for _ in range(waiters)]
    await settle()
    return first, behind


def test_put_then_get_is_the_same_run_without_training(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = Trainer()
    monkeypatch.setattr(app.runs.model_cache, "train_to_end", fake)
    cache = cache_of(BASE)
    kept = trained("kept")
    cache.put(BASE_ID, kept)

    async def scenario() -> None:
        assert await cache.get(BASE_ID, BASE) is kept

    run_on_own_loop(scenario)
    assert fake.calls == []
    assert len(cache) == 1


def test_the_least_recently_used_run_goes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = Trainer()
    monkeypatch.setattr(app.runs.model_cache, "train_to_end", fake)
    cache = cache_of(capacity=2)
    a, b, c = trained("a"), trained("b"), trained("c")
    cache.put("a", a)
    cache.put("b", b)

    async def scenario() -> None:
        assert await cache.get("a", BASE) is a  # a is now the most recently used
        cache.put("c", c)  # over capacity: b, the least recently used, goes
        assert len(cache) == 2
        assert await cache.get("a", BASE) is a
        assert await cache.get("c", BASE) is c
        assert fake.calls == []
        rebuilt = await cache.get("b", BASE)  # b was evicted: it is trained again
        assert rebuilt is not b
        assert [spec for spec, _ in fake.calls] == [BASE]
        assert len(cache) == 2

    run_on_own_loop(scenario)


def test_putting_a_run_again_refreshes_it() -> None:
    cache = cache_of(capacity=2)
    cache.put("a", trained("a"))
    cache.put("b", trained("b"))
    newer = trained("a again")
    cache.put("a", newer)
    cache.put("c", trained("c"))  # b goes, not a
    assert len(cache) == 2

    async def scenario() -> None:
        assert await cache.get("a", BASE) is newer

    run_on_own_loop(scenario)


def test_concurrent_requests_share_one_rebuild(trainer: Trainer) -> None:
    cache = cache_of(BASE)

    async def scenario() -> None:
        first, others = await pile_up(cache, trainer, 4)
        trainer.release.set()
        results = await asyncio.gather(*first, *others)
        assert all(result is results[0] for result in results)
        assert await cache.get(BASE_ID, BASE) is results[0]  # kept for the next question

    run_on_own_loop(scenario)
    assert len(trainer.calls) == 1
    assert len(cache) == 1


def test_a_rebuild_equals_the_original_run() -> None:
    original = train_to_end(BASE)
    cache = cache_of(BASE)

    async def scenario() -> None:
        rebuilt = await cache.get(BASE_ID, BASE)
        assert rebuilt is not original
        assert rebuilt.model.fingerprint() == original.model.fingerprint()
        assert rebuilt.final is not None and original.final is not None
        assert rebuilt.final.metrics == original.final.metrics
        assert rebuilt.setup is not None
        assert rebuilt.setup.data.x_train.tolist() == original.setup.data.x_train.tolist()

    run_on_own_loop(scenario)


def test_a_cancelled_waiter_leaves_the_rebuild_to_the_others(trainer: Trainer) -> None:
    cache = cache_of(BASE)

    async def scenario() -> None:
        [builder], [leaving, staying] = await pile_up(cache, trainer, 2)
        leaving.cancel()
        await settle()
        assert leaving.cancelled()
        assert not builder.done() and not staying.done()
        trainer.release.set()
        assert await staying is await builder

    run_on_own_loop(scenario)
    assert len(trainer.calls) == 1
    assert len(cache) == 1


def test_a_cancelled_first_request_leaves_the_rebuild_to_the_others(trainer: Trainer) -> None:
    cache = cache_of(BASE)

    async def scenario() -> None:
        [builder], [staying] = await pile_up(cache, trainer, 1)
        builder.cancel()  # e.g. the stream of a fine-tune whose reader closed the page
        await settle()
        trainer.release.set()
        (outcome,) = await asyncio.gather(staying, return_exceptions=True)
        assert isinstance(outcome, TrainedRun), outcome

    try:
        run_on_own_loop(scenario)
    finally:
        trainer.release.set()
    assert len(trainer.calls) == 1


def test_a_failed_rebuild_fails_every_waiter_and_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = Trainer(gated=True, fails=True)
    monkeypatch.setattr(app.runs.model_cache, "train_to_end", fake)
    cache = cache_of(BASE)

    async def scenario() -> None:
        first, second = await pile_up(cache, fake, 1)
        fake.release.set()
        outcomes = await asyncio.gather(*first, *second, return_exceptions=True)
        assert [str(outcome) for outcome in outcomes] == ["the rebuild failed"] * 2
        assert all(isinstance(outcome, ValueError) for outcome in outcomes)
        assert len(cache) == 0
        with pytest.raises(ValueError, match="the rebuild failed"):
            await cache.get(BASE_ID, BASE)  # not remembered as failed: tried again

    run_on_own_loop(scenario)
    assert len(fake.calls) == 2


def test_only_a_fine_tuning_spec_has_a_base_model(trainer: Trainer) -> None:
    cache = cache_of(BASE)

    async def scenario() -> None:
        assert await cache.base_model(BASE) is None
        assert await cache.base_model(LinearSpec(model="linear", steps=5)) is None

    run_on_own_loop(scenario)
    assert trainer.calls == []


def test_a_fine_tune_trains_from_its_base_kept_in_the_cache() -> None:
    base_alone = train_to_end(BASE)
    cache = cache_of(BASE, TUNED)

    async def scenario() -> None:
        base = await cache.base_model(TUNED)
        assert base.fingerprint() == base_alone.model.fingerprint()
        assert len(cache) == 1  # the base run is now cached under its own id
        assert (await cache.get(BASE_ID, BASE)).model is base
        tuned = await cache.get(run_id_for(TUNED), TUNED)
        assert tuned.model.fingerprint() == train_to_end(TUNED, base).model.fingerprint()
        assert tuned.model.fingerprint() != base.fingerprint()
        assert base.fingerprint() == base_alone.model.fingerprint()  # the base is untouched

    run_on_own_loop(scenario)
    assert len(cache) == 2


def test_a_fine_tune_gets_the_base_it_names(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = Trainer()
    monkeypatch.setattr(app.runs.model_cache, "train_to_end", fake)
    cache = cache_of(BASE, TUNED)
    base = trained("the base model")
    cache.put(BASE_ID, base)

    async def scenario() -> None:
        await cache.get(run_id_for(TUNED), TUNED)

    run_on_own_loop(scenario)
    assert fake.calls == [(TUNED, "the base model")]


def test_a_missing_base_run_is_a_base_run_error(trainer: Trainer) -> None:
    cache = cache_of(TUNED)  # the base spec is unknown

    async def scenario() -> None:
        with pytest.raises(BaseRunError) as raised:
            await cache.base_model(TUNED)
        assert str(raised.value) == f"There is no run '{BASE_ID}' to fine-tune from."
        with pytest.raises(BaseRunError):
            await cache.get(run_id_for(TUNED), TUNED)
        assert len(cache) == 0

    run_on_own_loop(scenario)
    assert trainer.calls == []


def test_a_diverged_base_run_is_a_base_run_error() -> None:
    diverged_id = run_id_for(DIVERGING)
    tuned = TUNED.model_copy(update={"fine_tune_from": diverged_id})
    cache = cache_of(DIVERGING, tuned)
    divergence = train_to_end(DIVERGING).divergence
    assert divergence is not None

    async def scenario() -> None:
        with pytest.raises(BaseRunError) as raised:
            await cache.base_model(tuned)
        assert str(raised.value) == (
            f"Run '{diverged_id}' diverged at step {divergence.step}: it has no model to fine-tune."
        )

    run_on_own_loop(scenario)
    assert len(cache) == 1  # the diverged run is kept: asking again costs no training
