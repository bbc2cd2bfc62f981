"""One round: a class of learners against one server, measured around it.

The learners run in load worker processes (``bench_load.py --worker``); the conductor
starts them, reads their results, and measures the server's CPU and memory and the rest
of the machine's load around the round. Everything runs under one hard deadline.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .servers import Server, frame_batches, machine_busy_seconds, proc_cpu_seconds, proc_rss_mib

ENTRY = Path(__file__).resolve().parents[1] / "bench_load.py"  # run with --worker


@dataclass
class Round:
    server: str
    level: int
    index: int
    learners: list[dict[str, Any]]
    server_cpu_s: float
    generator_cpu_s: float
    others_cpu_s: float
    wall_s: float
    rss_mib: float
    mean_batch: float | None = None  # frames per batch the app computed together
    frames_cpu_s: float | None = None  # of server_cpu_s, the app's computing of frames


@dataclass(frozen=True)
class Load:
    """What every round of a run shares: how the learners are driven."""

    workers: int
    ramp: float
    predictions: int
    timeout: float
    round_limit: float


class Conductor:
    """Runs rounds under one hard deadline and keeps every child process it starts."""

    def __init__(self, deadline_s: float) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + deadline_s
        self.children: list[subprocess.Popen[bytes]] = []
        self.servers: list[Server] = []
        self._lock = threading.Lock()
        self._watchdog = threading.Timer(deadline_s, self._expire)
        self._watchdog.daemon = True

    def arm(self) -> None:
        self._watchdog.start()

    def disarm(self) -> None:
        self._watchdog.cancel()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _expire(self) -> None:
        # The last resort, should a round overrun its own deadline: end everything now.
        print("\nhard deadline reached: stopping everything", file=sys.stderr, flush=True)
        self.cleanup()
        os._exit(3)

    def cleanup(self) -> None:
        with self._lock:
            for child in self.children:
                if child.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(child.pid, signal.SIGKILL)
            for server in self.servers:
                server.stop()

    def run_round(
        self, server: Server, level: int, index: int, seeds: list[int], load: Load
    ) -> Round:
        round_deadline = time.time() + min(load.round_limit, self.remaining() - 5)
        configs = _worker_configs(server.port, level, seeds, load, round_deadline)
        batches_before = frame_batches(server.port)
        cpu_before = proc_cpu_seconds(server.pid)
        busy_before = machine_busy_seconds()
        wall_before = time.monotonic()
        procs = [self._spawn(config) for config in configs]
        learners, generator_cpu = _collect(procs, configs, round_deadline)
        wall = time.monotonic() - wall_before
        time.sleep(0.5)  # let the server close connections and finish its tasks
        server_cpu = proc_cpu_seconds(server.pid) - cpu_before
        busy = machine_busy_seconds() - busy_before
        batch, frames_cpu = _batching(batches_before, frame_batches(server.port))
        return Round(
            mean_batch=batch,
            frames_cpu_s=frames_cpu,
            server=server.name,
            level=level,
            index=index,
            learners=learners,
            server_cpu_s=server_cpu,
            generator_cpu_s=generator_cpu,
            others_cpu_s=max(0.0, busy - server_cpu - generator_cpu),
            wall_s=wall,
            rss_mib=proc_rss_mib(server.pid),
        )

    def _spawn(self, config: dict[str, Any]) -> subprocess.Popen[bytes]:
        # The config rides in argv (a few kB), so every worker has it at once.
        proc = subprocess.Popen(
            [sys.executable, str(ENTRY), "--worker", json.dumps(config)],
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        with self._lock:
            self.children.append(proc)
        return proc


def _worker_configs(
    port: int, level: int, seeds: list[int], load: Load, round_deadline: float
) -> list[dict[str, Any]]:
    """Each worker's share of the learners, with the moment each presses Train."""
    start = time.time() + 1.0  # time for the workers to start before the first learner
    offsets = [start + load.ramp * i / max(1, level - 1) for i in range(level)]
    return [
        {
            "port": port,
            "seeds": seeds[w :: load.workers],
            "start_at": offsets[w :: load.workers],
            "predictions": load.predictions,
            "timeout": load.timeout,
            "deadline": round_deadline,
        }
        for w in range(load.workers)
    ]


def _collect(
    procs: list[subprocess.Popen[bytes]], configs: list[dict[str, Any]], round_deadline: float
) -> tuple[list[dict[str, Any]], float]:
    """Every learner's result, and the load generator's CPU seconds."""
    learners: list[dict[str, Any]] = []
    generator_cpu = 0.0
    for proc, config in zip(procs, configs, strict=True):
        try:
            # Past the round deadline plus a grace, a worker is killed: nothing hangs.
            stdout, _ = proc.communicate(timeout=max(1.0, round_deadline - time.time() + 10))
            out = json.loads(stdout or b"null")
        except (subprocess.TimeoutExpired, json.JSONDecodeError):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            out = None
        if out is None:
            learners += [{"errors": ["load worker failed"]} for _ in config["seeds"]]
        else:
            learners += out["learners"]
            generator_cpu += out["cpu_s"]
    return learners, generator_cpu


def _batching(
    before: tuple[float, float, float] | None, after: tuple[float, float, float] | None
) -> tuple[float | None, float | None]:
    """Frames per batch and CPU seconds computing frames over a round (None: no metrics)."""
    if before is None or after is None:
        return None, None
    count = after[0] - before[0]
    batch = (after[1] - before[1]) / count if count else None
    return batch, after[2] - before[2]
