"""The cost panel's content: what a widget measured, turned into estimates people can read.

The widget posts what it counted and measured (FLOPs, compute time, questions asked) and
the reader's assumptions; this module runs them through the one cost model (estimate,
break_even, scale_up, comparison) and formats every figure with its unit and its source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.costs.break_even import bloomz_break_even, break_even_queries, cumulative_curves
from app.costs.comparison import ComparisonRow, ReaderRun, comparison_table
from app.costs.estimate import Assumptions, Cost, Region, estimate, per_query, regions
from app.costs.figures import FIGURES, Figure
from app.costs.humanize import (
    format_co2,
    format_count,
    format_duration,
    format_energy,
    format_flops,
    format_money,
    format_si,
    format_words,
)
from app.costs.receipt import receipt
from app.costs.scale_up import MIN_FLOPS_PER_SECOND, flops_per_second, scale_to

NOT_YET = "\N{EN DASH}"  # shown until there is something to estimate
BIG = 10**18  # far above any run this server can do; bounds the form's numbers

DEFAULTS = Assumptions.default()


class MeasuredRun(BaseModel):
    """What the widget sends: its counters so far, and the reader's assumptions."""

    model_config = ConfigDict(extra="ignore")

    train_flops: int = Field(0, ge=0, le=BIG)
    train_compute_ns: int = Field(0, ge=0, le=BIG)
    watched_ms: int = Field(0, ge=0, le=BIG)
    n_parameters: int = Field(0, ge=0, le=10**9)
    frozen: bool = False
    queries: int = Field(0, ge=0, le=10**9)
    infer_flops: int = Field(0, ge=0, le=BIG)
    infer_compute_ns: int = Field(0, ge=0, le=BIG)
    last_flops: int = Field(0, ge=0, le=BIG)
    last_compute_ns: int = Field(0, ge=0, le=BIG)
    watts: float = Field(DEFAULTS.watts, ge=0.1, le=1000, allow_inf_nan=False)
    region: str = Field(DEFAULTS.region, max_length=20)
    price_per_hour: float = Field(DEFAULTS.price_per_hour, ge=0, le=100, allow_inf_nan=False)


@dataclass(frozen=True)
class Row:
    label: str
    training: str
    last: str
    total: str


@dataclass(frozen=True)
class Source:
    number: int
    figure: Figure

    @property
    def shown(self) -> str:
        """The figure's value and unit for people: "10,000 GPUs", "24.6 TFLOP/s"."""
        return self.figure.shown


@dataclass
class CostView:
    run: MeasuredRun
    assumptions: Assumptions
    regions: tuple[Region, ...]
    rows: list[Row]
    ratio: str | None
    break_even: str | None
    receipt: list[str]
    truth: str | None
    scale_up: str | None
    published_case: str
    comparison: list[dict[str, str]]
    chart: str  # JSON for the break-even and scale-up charts, read by the widget's JS
    sources: list[Source] = field(default_factory=list)
    summary: str = ""


def _cost_cells(cost: Cost | None) -> tuple[str, str, str]:
    if cost is None:
        return (NOT_YET, NOT_YET, NOT_YET)
    return (
        format_energy(cost.energy_joules),
        format_co2(cost.co2_grams),
        format_money(cost.money_usd),
    )


def _break_even_text(training: Cost, answer: Cost) -> str | None:
    energy = break_even_queries(training, answer, by="energy")
    flops = break_even_queries(training, answer, by="flops")
    if energy is None or flops is None:
        return None
    return (
        f"Inference catches up with training after {format_words(flops)} answers by arithmetic, "
        f"and after {format_words(energy)} answers by measured energy."
    )


def _truth(run: MeasuredRun) -> str | None:
    if not run.frozen or run.train_compute_ns == 0 or run.watched_ms == 0:
        return None
    compute = run.train_compute_ns / 1e9
    watched = run.watched_ms / 1e3
    return (
        f"The arithmetic itself took {format_duration(compute)}; you watched for "
        f"{format_duration(watched)}. The pacing is for your eyes: unpaced, this run is "
        f"about {format_words(max(1, round(watched / compute)))} times faster."
    )


def _scale_up(run: MeasuredRun, assumptions: Assumptions) -> tuple[str | None, Any]:
    if run.train_compute_ns == 0 or run.train_flops == 0:
        return None, None
    rate = flops_per_second(run.train_flops, run.train_compute_ns)
    if rate < MIN_FLOPS_PER_SECOND:
        return None, None
    gpt3 = scale_to(rate, "gpt3", assumptions)
    text = (
        f"This server did your training at {format_si(rate, 'FLOP/s')}. At that pace, "
        f"GPT-3's training ({format_flops(gpt3.flops)}, Brown et al. 2020) would take "
        f"{format_duration(gpt3.seconds_here)} and about {format_energy(gpt3.here.energy_joules)}"
        " on one core. "
    )
    if gpt3.seconds_on_hardware is not None:
        text += (
            f"On 10,000 V100 GPUs at their measured 24.6 TFLOP/s each it takes "
            f"{format_duration(gpt3.seconds_on_hardware)} (Patterson et al. 2021 report 14.8 days)."
        )
    return text, gpt3


def _comparison(run: MeasuredRun, training: Cost, assumptions: Assumptions) -> list[ComparisonRow]:
    return comparison_table(ReaderRun(run.n_parameters, training, assumptions))


def _cell_text(value: float | None, unit: str, formatter: str) -> str:
    if value is None:
        return "not published"
    if formatter == "energy":
        return format_energy(value * 3600.0)  # cells hold Wh
    if formatter == "co2":
        return format_co2(value)
    if formatter == "count":
        return format_words(value) if value >= 1e6 else format_count(value)
    return format_flops(value)


def build(run: MeasuredRun) -> CostView:
    """Everything the panel shows, from one set of counters and assumptions."""
    assumptions = Assumptions(run.watts, run.region, run.price_per_hour)
    training = estimate(run.train_flops, run.train_compute_ns, assumptions)
    last = estimate(run.last_flops, run.last_compute_ns, assumptions) if run.queries else None
    total = estimate(run.infer_flops, run.infer_compute_ns, assumptions) if run.queries else None
    answer = (
        per_query(run.infer_flops, run.infer_compute_ns, run.queries, assumptions)
        if run.queries
        else None
    )
    columns = [_cost_cells(training), _cost_cells(last), _cost_cells(total)]
    rows = [
        Row(label, *(column[i] for column in columns))
        for i, label in enumerate(("Energy (estimate)", "CO2 (estimate)", "Money (estimate)"))
    ]
    ratio = break_even = None
    lines: list[str] = []
    chart: dict[str, Any] = {}
    if answer is not None and run.frozen and answer.energy_joules > 0:
        by_energy = round(training.energy_joules / answer.energy_joules)
        by_flops = round(training.flops / max(answer.flops, 1))
        ratio = (
            f"Training used as much energy as about {format_words(by_energy)} answers, "
            f"and as much arithmetic as about {format_words(by_flops)}."
        )
        break_even = _break_even_text(training, answer)
        lines = receipt(training, answer, run.queries, assumptions, FIGURES)
        horizon = max(100, 10 * (break_even_queries(training, answer) or 10))
        queries, train_line, infer_line = cumulative_curves(
            training, answer, max_queries=horizon, by="energy"
        )
        chart["break_even"] = {
            "queries": queries.tolist(),
            "training_wh": (train_line / 3600.0).tolist(),
            "inference_wh": (infer_line / 3600.0).tolist(),
        }
    bloomz = bloomz_break_even()
    published_case = (
        f"A real case: for {bloomz.model}, {bloomz.cite} measured "
        f"{format_energy((bloomz.training_kwh + bloomz.finetune_kwh) * 3.6e6)} to train and "
        "fine-tune it and "
        f"{format_energy(bloomz.per_query_kwh * 3.6e6)} per answer, so its answers use as much "
        f"energy as its training after about {format_words(bloomz.queries)} of them."
    )
    scale_text, _ = _scale_up(run, assumptions) if run.frozen else (None, None)
    comparison_rows = _comparison(run, training, assumptions) if run.frozen else []
    comparison = [
        {
            "label": row.label,
            "parameters": _cell_text(row.parameters.value, "", "count"),
            "flops": _cell_text(row.training_flops.value, "FLOP", "flops"),
            "energy": _cell_text(row.energy_wh.value, "Wh", "energy"),
            "co2": _cell_text(row.co2_grams.value, "g", "co2"),
            "provenance": row.training_flops.provenance,
        }
        for row in comparison_rows
    ]
    chart["scale"] = [
        {"label": row.label, "flops": row.training_flops.value}
        for row in comparison_rows
        if row.training_flops.value
    ]
    used = [fid for fid in assumptions.figure_ids().values() if fid]
    used += ["gemini_prompt_energy", *bloomz.figure_ids]
    if scale_text:
        used += ["gpt3_training_flops", "gpt3_run_gpus", "gpt3_run_flops_per_gpu", "gpt3_run_days"]
    known = [fid for fid in dict.fromkeys(used) if fid in FIGURES]
    sources = [Source(i + 1, FIGURES[fid]) for i, fid in enumerate(known)]
    summary = (
        f"Training so far: {format_flops(run.train_flops)}, "
        f"{format_energy(training.energy_joules)} estimated."
    )
    return CostView(
        run=run,
        assumptions=assumptions,
        regions=regions(),
        rows=rows,
        ratio=ratio,
        break_even=break_even,
        receipt=lines,
        truth=_truth(run),
        scale_up=scale_text,
        published_case=published_case,
        comparison=comparison,
        chart=json.dumps(chart),
        sources=sources,
        summary=summary,
    )
