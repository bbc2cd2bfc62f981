"""The load benchmark's report: the machine, percentiles, one summary per server and level,
the tables with their app/reference ratios, and the targets."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .rounds import Round
from .servers import ROOT

# Targets from the issue, at the highest level.
TARGET_LATENESS_RATIO = 1.5
TARGET_PREDICT_RATIO = 1.5
TARGET_CPU_RATIO = 2.0
# Memory counts as flat when the last round's RSS is within this of the first round's.
# A few MiB is what the bounded model cache (256 runs) legitimately fills between the
# first 200 runs and the next 56; a leak of a stream's state (~0.3 MB of frames each)
# would show as tens of MiB over 400 further runs.
FLAT_MEMORY_MIB = 8.0
FLAT_MEMORY_FRACTION = 0.05


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 100]."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Summary:
    server: str
    level: int
    learners: int
    errors: int
    error_kinds: dict[str, int]
    create_p99_ms: float
    first_frame_p99_ms: float
    late_p50_ms: float
    late_p99_ms: float
    predict_p50_ms: float
    predict_p99_ms: float
    cpu_per_learner_ms: float
    generator_cpu_per_learner_ms: float
    others_cpu_s: float
    wall_s: float
    rss_mib: list[float]


def summarize(rounds: list[Round]) -> Summary:
    learners = [learner for r in rounds for learner in r.learners]
    errors = [learner["errors"][0] for learner in learners if learner["errors"]]
    kinds: dict[str, int] = {}
    for error in errors:
        kinds[error] = kinds.get(error, 0) + 1
    count = len(learners)

    def ms(key: str, q: float) -> float:
        values: list[float] = []
        for learner in learners:
            value = learner.get(key)
            if isinstance(value, list):
                values += value
            elif value is not None:
                values.append(value)
        return percentile(values, q) * 1000

    return Summary(
        server=rounds[0].server,
        level=rounds[0].level,
        learners=count,
        errors=len(errors),
        error_kinds=kinds,
        create_p99_ms=ms("create_s", 99),
        first_frame_p99_ms=ms("first_frame_s", 99),
        late_p50_ms=ms("lateness_s", 50),
        late_p99_ms=ms("lateness_s", 99),
        predict_p50_ms=ms("predict_s", 50),
        predict_p99_ms=ms("predict_s", 99),
        cpu_per_learner_ms=sum(r.server_cpu_s for r in rounds) / count * 1000,
        generator_cpu_per_learner_ms=sum(r.generator_cpu_s for r in rounds) / count * 1000,
        others_cpu_s=sum(r.others_cpu_s for r in rounds),
        wall_s=max(r.wall_s for r in rounds),
        rss_mib=[r.rss_mib for r in rounds],
    )


def summarize_all(rounds: list[Round]) -> list[Summary]:
    """One summary per (server, level), the rounds at a level pooled."""
    groups: dict[tuple[str, int], list[Round]] = {}
    for r in rounds:
        groups.setdefault((r.server, r.level), []).append(r)
    return [summarize(group) for group in groups.values()]


def ratio(app: float, ref: float) -> float:
    if ref > 0:
        return app / ref
    return 1.0 if app <= 0 else float("inf")  # 0 against 0 is a tie, not infinity


def versions(app_root: Path = ROOT) -> list[tuple[str, str]]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    rows = [
        ("platform", platform.platform()),
        ("cpu", cpu),
        ("cores", str(os.cpu_count())),
        ("python", platform.python_version()),
    ]
    for package in ("numpy", "fastapi", "starlette", "uvicorn", "h11", "uvloop", "httptools"):
        try:
            rows.append((package, importlib.metadata.version(package)))
        except importlib.metadata.PackageNotFoundError:
            rows.append((package, "not installed"))
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        rows.append(("app code", _app_code(app_root)))
    rows.append(("load average at start", Path("/proc/loadavg").read_text().split(" ", 3)[2]))
    return rows


def _app_code(app_root: Path) -> str:
    """The commit of the app measured (``--app-root``), and how many app files had local edits."""
    # Read-only git queries: which code was measured, and whether it had local edits.
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=app_root, capture_output=True, text=True
    ).stdout.strip()
    if not head:
        return f"{app_root} (not a git checkout)"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "app"],
        cwd=app_root,
        capture_output=True,
        text=True,
    ).stdout.count("\n")
    return f"{head}" + (f" + {dirty} modified app files" if dirty else "")


def print_tables(summaries: list[Summary], top_level: int, rounds_at_top: int) -> list[bool]:
    """Print the table per level, errors and memory, then the targets; one bool per target."""
    by = {(s.server, s.level): s for s in summaries}
    _print_levels(by, sorted({s.level for s in summaries}))
    for s in summaries:
        if s.error_kinds:
            kinds = ", ".join(f"{k} x{n}" for k, n in sorted(s.error_kinds.items()))
            print(f"errors, {s.server} at {s.level}: {kinds}")
    print()
    for name in ("app", "reference"):
        top = by.get((name, top_level))
        if top:
            rss = ", ".join(f"{v:.1f}" for v in top.rss_mib)
            print(f"RSS after each round at {top_level} learners, {name}: {rss} MiB")

    app, ref = by.get(("app", top_level)), by.get(("reference", top_level))
    if not (app and ref):
        print("\nno complete pair of rounds at the top level: no verdict")
        return []
    return _print_targets(app, ref, top_level, rounds_at_top)


def _print_levels(by: dict[tuple[str, int], Summary], levels: list[int]) -> None:
    print()
    header = (
        f"{'learners':>8} {'server':<9} {'errors':>6} {'create':>7} {'1st frame':>9} "
        f"{'late p50':>8} {'late p99':>8} {'pred p50':>8} {'pred p99':>8} "
        f"{'cpu/lrn':>8} {'gen cpu':>8} {'others':>7} {'wall':>6}"
    )
    print("times in ms (create and 1st frame: p99); cpu/lrn = server CPU ms per learner;")
    print("gen cpu = load generator CPU ms per learner; others = other processes' CPU s")
    print(header)
    print("-" * len(header))
    for level in levels:
        for name in ("app", "reference"):
            s = by.get((name, level))
            if s is None:
                continue
            print(
                f"{level:>8} {name:<9} {s.errors:>6} {s.create_p99_ms:>7.1f} "
                f"{s.first_frame_p99_ms:>9.1f} {s.late_p50_ms:>8.1f} {s.late_p99_ms:>8.1f} "
                f"{s.predict_p50_ms:>8.2f} {s.predict_p99_ms:>8.2f} "
                f"{s.cpu_per_learner_ms:>8.1f} {s.generator_cpu_per_learner_ms:>8.1f} "
                f"{s.others_cpu_s:>7.1f} {s.wall_s:>6.1f}"
            )
        app, ref = by.get(("app", level)), by.get(("reference", level))
        if app and ref:
            print(
                f"{level:>8} {'app/ref':<9} {'':>6} "
                f"{ratio(app.create_p99_ms, ref.create_p99_ms):>6.1f}x "
                f"{ratio(app.first_frame_p99_ms, ref.first_frame_p99_ms):>8.1f}x "
                f"{ratio(app.late_p50_ms, ref.late_p50_ms):>7.1f}x "
                f"{ratio(app.late_p99_ms, ref.late_p99_ms):>7.1f}x "
                f"{ratio(app.predict_p50_ms, ref.predict_p50_ms):>7.1f}x "
                f"{ratio(app.predict_p99_ms, ref.predict_p99_ms):>7.1f}x "
                f"{ratio(app.cpu_per_learner_ms, ref.cpu_per_learner_ms):>7.1f}x"
            )


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _print_targets(app: Summary, ref: Summary, top_level: int, rounds_at_top: int) -> list[bool]:
    results: list[bool] = []
    print(f"\ntargets at {top_level} learners ({rounds_at_top} round(s) each, pooled):")
    ok = app.errors == 0
    results.append(ok)
    note = "" if ref.errors == 0 else f" (reference had {ref.errors}: the bench is suspect)"
    print(f"  no errors: app {app.errors} of {app.learners} learners{note}  -> {_verdict(ok)}")
    rows = [
        ("frame lateness p99", app.late_p99_ms, ref.late_p99_ms, TARGET_LATENESS_RATIO, "ms"),
        ("predict latency p99", app.predict_p99_ms, ref.predict_p99_ms, TARGET_PREDICT_RATIO, "ms"),
        (
            "server CPU per learner",
            app.cpu_per_learner_ms,
            ref.cpu_per_learner_ms,
            TARGET_CPU_RATIO,
            "ms",
        ),
    ]
    for label, a, r, limit, unit in rows:
        ok = ratio(a, r) <= limit
        results.append(ok)
        print(
            f"  {label}: app {a:.1f} {unit}, reference {r:.1f} {unit}, "
            f"{ratio(a, r):.2f}x (target <= {limit}x)  -> {_verdict(ok)}"
        )
    if len(app.rss_mib) >= 3:
        growth = app.rss_mib[-1] - app.rss_mib[0]
        allowed = max(FLAT_MEMORY_MIB, FLAT_MEMORY_FRACTION * app.rss_mib[0])
        ok = growth <= allowed
        results.append(ok)
        print(
            f"  memory flat over {len(app.rss_mib)} rounds: app RSS "
            f"{app.rss_mib[0]:.1f} -> {app.rss_mib[-1]:.1f} MiB ({growth:+.1f}; "
            f"flat = within {allowed:.1f})  -> {_verdict(ok)}"
        )
    else:
        print("  memory flat: needs three rounds at the top level (not run with --quick)")
    return results
