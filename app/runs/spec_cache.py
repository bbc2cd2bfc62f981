"""Run specs by id: parsed once, then served from memory; the store stays the record.

Every question to a model and every stream starts by finding its run's spec. A spec never
changes (the run id is derived from it), so the parsed spec can be kept: that saves a
database query and a validation per request. The memory is bounded (least recently used
first out); anything it forgets is read back from the store.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from app.runs.specs import AnySpec, parse_spec_json
from app.runs.store import RunStore

DEFAULT_CAPACITY = 4096  # about 1 KB each


class SpecCache:
    def __init__(self, store: Callable[[], RunStore], capacity: int = DEFAULT_CAPACITY) -> None:
        self._store = store  # the store opens with the server, after this is made
        self.capacity = capacity
        self._specs: OrderedDict[str, AnySpec] = OrderedDict()

    def get(self, run_id: str) -> AnySpec | None:
        spec = self._specs.get(run_id)
        if spec is None:
            spec_json = self._store().get(run_id)
            if spec_json is None:
                return None
            spec = parse_spec_json(spec_json)
        self._remember(run_id, spec)
        return spec

    def put(self, run_id: str, spec: AnySpec) -> None:
        """Keep a new run's spec in the store, and in memory for the requests that follow."""
        self._store().put(run_id, spec.canonical_json())
        self._remember(run_id, spec)

    def _remember(self, run_id: str, spec: AnySpec) -> None:
        self._specs[run_id] = spec
        self._specs.move_to_end(run_id)
        while len(self._specs) > self.capacity:
            self._specs.popitem(last=False)
