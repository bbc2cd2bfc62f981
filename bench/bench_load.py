"""Classroom load: simulated learners against the real app and a canned reference server.

Run from the repository root:

    .venv/bin/python bench/bench_load.py            # 50, 100 and 200 learners (~4 minutes)
    .venv/bin/python bench/bench_load.py --quick    # 20 learners, one round (~30 s)

Each simulated learner does what one person in a class does in a minute: create a run with
its own seed (model "mlp", the run spec's defaults, pace "watch", speed "normal": 100 frames at
20 a second), read its event stream to the end while stamping each frame's arrival, then ask
20 predictions, one point each, one after the other. All learners of a round press Train
within ``--ramp`` seconds of each other.

The same load goes to two servers started here, each its own uvicorn process on a free
loopback port: the app (``python -m app``, on a temporary data folder) and
``bench/reference_server.py``, which answers the same API with canned payloads of the same
shape and size, the same pacing and the same SSE mechanism, but trains nothing. On two cores
the load generator takes much of the CPU, so absolute latencies say little; the reference
measured under the same load, in the same run, is the yardstick. Rounds alternate between
the two servers (ABBA order) so that both see the same machine state.

Measured per server and level: errors (non-2xx, broken streams, missing or out-of-order
frames, a predict whose fingerprint differs from the stream's), frame lateness (frame i's
arrival minus (frame 1's arrival + (i - 1) / 20 s), negative counted as 0, over frames
2..100), predict latency, the server's CPU time per learner (utime + stime of its process
tree from /proc/PID/stat, around the round) and its resident memory (VmRSS) after each round.

Everything is bounded: every read has a timeout, every round has a deadline, and the whole
run stops by itself at ``--deadline`` seconds, killing both servers and any load worker.
Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from load.learners import run_worker
from load.report import print_tables, summarize_all, versions
from load.rounds import Conductor, Load, Round
from load.servers import ROOT, Server, app_server, proc_rss_mib, reference_server


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Classroom load: the app against a reference.")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--learners", default=None, help="levels, comma-separated (50,100,200)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 learners, 1 round")
    parser.add_argument(
        "--app-root", type=Path, default=ROOT, help="where to run `python -m app` (a worktree)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds at the top level")
    parser.add_argument("--workers", type=int, default=2, help="load generator processes")
    parser.add_argument("--ramp", type=float, default=1.5, help="seconds to start all learners")
    parser.add_argument("--predictions", type=int, default=20, help="predict calls per learner")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-read timeout, s")
    parser.add_argument("--round-limit", type=float, default=120.0, help="per-round limit, s")
    parser.add_argument("--deadline", type=float, default=None, help="whole run, s (600)")
    parser.add_argument(
        "--app-env", action="append", default=[], metavar="KEY=VALUE", help="extra app env"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the summaries here")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.worker is not None:
        run_worker(args.worker)
        return 0
    levels = sorted(
        int(v) for v in (args.learners or ("20" if args.quick else "50,100,200")).split(",")
    )
    rounds_at_top = 1 if args.quick else args.rounds
    deadline = args.deadline or (180.0 if args.quick else 600.0)
    load = Load(args.workers, args.ramp, args.predictions, args.timeout, args.round_limit)

    for key, value in versions(args.app_root.resolve()):
        print(f"{key:>22}: {value}")
    print(
        f"{'load':>22}: levels {levels}, {rounds_at_top} round(s) at {levels[-1]}, "
        f"{args.workers} generator process(es), ramp {args.ramp} s, "
        f"{args.predictions} predictions each, deadline {deadline:.0f} s",
        flush=True,
    )

    conductor = Conductor(deadline)
    # SIGTERM and SIGHUP unwind through the finally below like Ctrl-C, so servers stop.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.default_int_handler)
    data_dir = Path(tempfile.mkdtemp(prefix="phaselab-load-"))
    app = app_server(data_dir, args.app_root, args.app_env)
    ref = reference_server(data_dir)
    conductor.servers = [app, ref]
    try:
        conductor.arm()
        for server in (app, ref):
            server.start()
        warm_up(conductor, (app, ref), args.timeout)
        schedule = [
            (level, index)
            for level in levels
            for index in range(rounds_at_top if level == levels[-1] else 1)
        ]
        rounds, incomplete = run_schedule(conductor, app, ref, schedule, load)
    finally:
        conductor.cleanup()
        conductor.disarm()
        shutil.rmtree(data_dir, ignore_errors=True)

    summaries = summarize_all(rounds)
    results = print_tables(summaries, levels[-1], rounds_at_top)
    if args.json is not None:
        args.json.write_text(json.dumps([s.__dict__ for s in summaries], indent=2))
    if incomplete:
        print(f"\nthe run stopped early ({incomplete}): figures cover the rounds that ran")
    print(
        f"\ntotal {time.monotonic() - conductor.started:.0f} s; "
        f"{sum(results)} of {len(results)} targets met"
    )
    return 0


def warm_up(conductor: Conductor, servers: tuple[Server, Server], timeout: float) -> None:
    """A small round per server, not measured: first-request imports, caches and allocator
    growth; then each server's memory as the baseline."""
    for server in servers:
        conductor.run_round(server, 5, -1, list(range(5)), Load(1, 0.2, 2, timeout, 30))
    baseline = {s.name: proc_rss_mib(s.pid) for s in servers}
    print(
        "RSS after warm-up: "
        + ", ".join(f"{name} {mib:.1f} MiB" for name, mib in baseline.items()),
        flush=True,
    )


def run_schedule(
    conductor: Conductor, app: Server, ref: Server, schedule: list[tuple[int, int]], load: Load
) -> tuple[list[Round], str | None]:
    """Every round of the schedule, both servers in ABBA order; and why the run stopped
    before its schedule ended, if it did."""
    rounds: list[Round] = []
    incomplete: str | None = None
    longest = 20.0
    for number, (level, index) in enumerate(schedule):
        # Different seeds every round: every run is new to the app, as in a real class.
        seeds = [1000 + number * 1000 + i for i in range(level)]
        pair = (app, ref) if number % 2 == 0 else (ref, app)  # ABBA: drift cancels
        for server in pair:
            if conductor.remaining() < longest * 1.5 + 10:
                incomplete = "not enough time left before the deadline"
                break
            r = conductor.run_round(server, level, index, seeds, load)
            longest = max(longest, r.wall_s)
            rounds.append(r)
            crash = server.exited()
            if crash is not None:
                # Its learners already count the errors; later rounds would only repeat them.
                print(crash, flush=True)
                incomplete = f"the {server.name} server exited"
                break
            print_round(number, len(schedule), r)
        if incomplete:
            print(f"{incomplete}: stopping early", flush=True)
            break
    return rounds, incomplete


def print_round(number: int, rounds: int, r: Round) -> None:
    bad = sum(1 for learner in r.learners if learner["errors"])
    # Other engineers' builds and tests share these two cores: say when they ran.
    busy_others = r.others_cpu_s / r.wall_s
    noisy = f", others used {busy_others:.0%} of a core" if busy_others > 0.2 else ""
    batched = ""
    if r.mean_batch is not None and r.frames_cpu_s is not None:
        batched = (
            f", {r.mean_batch:.1f} frames a batch, computing frames "
            f"{r.frames_cpu_s / r.level * 1000:.1f} ms/learner"
        )
    print(
        f"round {number + 1}/{rounds}: {r.server:<9} {r.level:>4} learners, "
        f"{r.wall_s:5.1f} s, {bad} with errors, server CPU {r.server_cpu_s:.1f} s, "
        f"RSS {r.rss_mib:.1f} MiB{batched}{noisy}",
        flush=True,
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # main's finally has already stopped both servers and every load worker.
        print("\ninterrupted: servers and load workers stopped", file=sys.stderr)
        sys.exit(130)
