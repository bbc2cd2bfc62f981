"""The load worker: one asyncio process driving a share of the learners over raw sockets.

A learner does what one person in a class does in a minute: create a run with its own
seed, read its event stream to the end while stamping each frame's arrival, then ask
predictions one point at a time, one after the other.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import secrets
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from .client import Connection, HttpError, sse_events

FRAME_INTERVAL = 1 / 20  # speed "normal"


@dataclass
class LearnerResult:
    errors: list[str] = field(default_factory=list)
    create_s: float | None = None
    first_frame_s: float | None = None  # from sending the GET to frame 1's arrival
    lateness_s: list[float] = field(default_factory=list)
    predict_s: list[float] = field(default_factory=list)
    frames: int = 0


async def learner(
    port: int, seed: int, start_at: float, predictions: int, timeout: float
) -> LearnerResult:
    result = LearnerResult()
    await asyncio.sleep(max(0.0, start_at - time.time()))
    # Each learner is its own browser: the app's pages give every browser a random client
    # cookie, and its rate limits count per cookie, so a class behind one address is not
    # throttled as one client. The reference ignores it.
    conn = Connection(port, timeout, f"phaselab_client={secrets.token_hex(16)}")
    try:
        await _learn(conn, seed, predictions, result)
    except HttpError as error:
        result.errors.append(str(error))
    except TimeoutError:
        result.errors.append("timed out")
    except Exception as error:  # a malformed answer is that learner's error, not a crash
        result.errors.append(f"{type(error).__name__}: {error}")
    finally:
        await conn.close()
    return result


async def _learn(conn: Connection, seed: int, predictions: int, result: LearnerResult) -> None:
    run = await _create(conn, seed, result)
    fingerprint = await _watch(conn, run["links"]["events"], result)
    await _ask(conn, run["links"]["predict"], seed, predictions, fingerprint, result)


async def _create(conn: Connection, seed: int, result: LearnerResult) -> dict[str, Any]:
    """Press Train: create the run and time the answer."""
    spec = {"model": "mlp", "seed": seed, "pace": "watch", "speed": "normal"}
    began = time.perf_counter()
    status, headers = await conn.request("POST", "/api/runs", json.dumps(spec).encode())
    body = await conn.read_body(headers)
    if status != 201:
        raise HttpError(f"create answered {status}")
    result.create_s = time.perf_counter() - began
    run: dict[str, Any] = json.loads(body)
    return run


async def _watch(conn: Connection, events_path: str, result: LearnerResult) -> str:
    """Read the run's stream to the end, stamping each frame; the run's fingerprint."""
    began = time.perf_counter()
    status, headers = await conn.request("GET", events_path, accept="text/event-stream")
    if status != 200:
        await conn.read_body(headers)
        raise HttpError(f"events answered {status}")
    expected: int | None = None
    arrivals: list[float] = []
    fingerprint: str | None = None
    async for arrived, event, event_id, data in sse_events(conn.chunks(headers)):
        if event == "start":
            expected = int(json.loads(data)["frames"])
        elif event == "frame":
            if event_id != str(len(arrivals) + 1):
                raise HttpError(f"frame {event_id} after {len(arrivals)} frames")
            if not arrivals:
                result.first_frame_s = arrived - began
            arrivals.append(arrived)
        elif event == "done":
            fingerprint = json.loads(data)["fingerprint"]
        elif event == "queued":
            pass  # the app's admission queue: waiting shows in the first frame's time
        elif event is not None:
            raise HttpError(f"unexpected event '{event}'")
    result.frames = len(arrivals)
    if expected is None or fingerprint is None:
        raise HttpError("stream ended without its start or done event")
    if len(arrivals) != expected:
        raise HttpError(f"{len(arrivals)} of {expected} frames")
    first = arrivals[0]
    result.lateness_s = [
        max(0.0, arrival - (first + i * FRAME_INTERVAL))
        for i, arrival in enumerate(arrivals)
        if i > 0
    ]
    return fingerprint


async def _ask(
    conn: Connection,
    predict_path: str,
    seed: int,
    predictions: int,
    fingerprint: str,
    result: LearnerResult,
) -> None:
    """Ask one-point questions one after the other; each must come from the streamed run."""
    rng = random.Random(seed)
    for _ in range(predictions):
        point = [round(rng.uniform(-2, 2), 3), round(rng.uniform(-2, 2), 3)]
        began = time.perf_counter()
        status, headers = await conn.request(
            "POST", predict_path, json.dumps({"inputs": [point]}).encode()
        )
        body = await conn.read_body(headers)
        if status != 200:
            raise HttpError(f"predict answered {status}")
        result.predict_s.append(time.perf_counter() - began)
        answer = json.loads(body)
        if len(answer["predictions"]) != 1 or answer["fingerprint"] != fingerprint:
            raise HttpError("predict answer does not match the streamed run")


async def worker_main(config: dict[str, Any]) -> dict[str, Any]:
    deadline = float(config["deadline"])
    tasks = [
        learner(
            config["port"],
            seed,
            start_at,
            config["predictions"],
            config["timeout"],
        )
        for seed, start_at in zip(config["seeds"], config["start_at"], strict=True)
    ]
    try:
        async with asyncio.timeout(max(1.0, deadline - time.time())):
            results = await asyncio.gather(*tasks)
    except TimeoutError:
        results = [LearnerResult(errors=["round deadline"]) for _ in tasks]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "learners": [r.__dict__ for r in results],
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def run_worker(config_json: str) -> None:
    config = json.loads(config_json)
    json.dump(asyncio.run(worker_main(config)), sys.stdout)
