"""The cost panel's content: what a widget measured, turned into estimates people can read.

The widget posts what it counted and measured (FLOPs, compute time, questions asked) and
the reader's assumptions; this module runs them through the one cost model (estimate,
break_even, scale_up, comparison) and formats every figure with its unit and its source.
Every published number in the text comes from figures.toml, through ``FIGURES``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.costs.break_even import (
    PublishedBreakEven,
    bloomz_break_even,
    break_even_queries,
    cumulative_curves,
)
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
    format_published,
    format_si,
    format_words,
)
from app.costs.receipt import receipt
from app.costs.scale_up import MIN_FLOPS_PER_SECOND, flops_per_second, scale_to
from app.costs.units import JOULES_PER_KWH, JOULES_PER_WH

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
    # The assumptions as text for the sources note: watts "5 W", grid "473" (g CO2e per
    # kWh), region "World", price "$0.05" (per core-hour).
    assumed: dict[str, str] = field(default_factory=dict)


ESTIMATES = ("Energy (estimate)", "CO2 (estimate)", "Money (estimate)")


def _cost_cells(cost: Cost | None) -> tuple[str, str, str]:
    if cost is None:
        return (NOT_YET, NOT_YET, NOT_YET)
    return (
        format_energy(cost.energy_joules),
        format_co2(cost.co2_grams),
        format_money(cost.money_usd),
    )


def _rows(run: MeasuredRun, training: Cost, assumptions: Assumptions) -> list[Row]:
    """Energy, CO2 and money of training, of the last question and of all questions."""
    last = estimate(run.last_flops, run.last_compute_ns, assumptions) if run.queries else None
    total = estimate(run.infer_flops, run.infer_compute_ns, assumptions) if run.queries else None
    columns = [_cost_cells(training), _cost_cells(last), _cost_cells(total)]
    return [Row(label, *(column[i] for column in columns)) for i, label in enumerate(ESTIMATES)]


def _ratio_text(training: Cost, answer: Cost) -> str:
    by_energy = round(training.energy_joules / answer.energy_joules)
    by_flops = round(training.flops / max(answer.flops, 1))
    return (
        f"Training used as much energy as about {format_words(by_energy)} answers, "
        f"and as much arithmetic as about {format_words(by_flops)}."
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


def _ratio_chart(training: Cost, answer: Cost) -> dict[str, list[Any]]:
    """The break-even chart's lines in Wh, out to ten times the break-even count."""
    horizon = max(100, 10 * (break_even_queries(training, answer) or 10))
    queries, train_line, infer_line = cumulative_curves(
        training, answer, max_queries=horizon, by="energy"
    )
    return {
        "queries": queries.tolist(),
        "training_wh": (train_line / JOULES_PER_WH).tolist(),
        "inference_wh": (infer_line / JOULES_PER_WH).tolist(),
    }


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


def _scale_up(run: MeasuredRun, assumptions: Assumptions) -> tuple[str | None, tuple[str, ...]]:
    """GPT-3's training at this run's rate, and on its published hardware; the figure ids."""
    if run.train_compute_ns == 0 or run.train_flops == 0:
        return None, ()
    rate = flops_per_second(run.train_flops, run.train_compute_ns)
    if rate < MIN_FLOPS_PER_SECOND:
        return None, ()
    gpt3 = scale_to(rate, "gpt3", assumptions)
    text = (
        f"This server did your training at {format_si(rate, 'FLOP/s')}. At that pace, "
        f"{gpt3.label}'s training ({format_flops(gpt3.flops)}, "
        f"{FIGURES[gpt3.flops_figure].cite}) would take {format_duration(gpt3.seconds_here)} "
        f"and about {format_energy(gpt3.here.energy_joules)} on one core."
    )
    hardware = gpt3.hardware
    if hardware is not None and gpt3.seconds_on_hardware is not None:
        text += (
            f" On {format_count(hardware.chips)} {hardware.name} at their measured "
            f"{format_si(hardware.chip_flops_per_second, 'FLOP/s')} each it takes "
            f"{format_duration(gpt3.seconds_on_hardware)}"
        )
        if gpt3.published_seconds is not None:
            text += (
                f" ({gpt3.published_seconds_cite} report {format_duration(gpt3.published_seconds)})"
            )
        text += "."
    return text, gpt3.figure_ids


def _cell_text(value: float | None, unit: str, formatter: str) -> str:
    if value is None:
        return "not published"
    if formatter == "energy":
        return format_energy(value * JOULES_PER_WH)  # cells hold Wh
    if formatter == "co2":
        return format_co2(value)
    if formatter == "count":
        return format_words(value)
    return format_flops(value)


def _comparison_cells(rows: list[ComparisonRow]) -> list[dict[str, str]]:
    """The comparison table as text: one style per column, gaps as "not published"."""
    return [
        {
            "label": row.label,
            "parameters": _cell_text(row.parameters.value, "parameters", "count"),
            "flops": _cell_text(row.training_flops.value, "FLOP", "flops"),
            "energy": _cell_text(row.energy_wh.value, "Wh", "energy"),
            "co2": _cell_text(row.co2_grams.value, "g", "co2"),
            "provenance": row.training_flops.provenance,
        }
        for row in rows
    ]


def _scale_chart(rows: list[ComparisonRow]) -> list[dict[str, Any]]:
    return [
        {"label": row.label, "flops": row.training_flops.value}
        for row in rows
        if row.training_flops.value
    ]


def _published_case(bloomz: PublishedBreakEven) -> str:
    training_only = bloomz.training_kwh / bloomz.per_query_kwh
    return (
        f"A real case: for {bloomz.model}, {bloomz.cite} estimated "
        f"{format_energy(bloomz.training_kwh * JOULES_PER_KWH)} to train it and "
        f"{format_energy(bloomz.finetune_kwh * JOULES_PER_KWH)} to fine-tune it (from chip-hours "
        "and the chips' rated power), and measured "
        f"{format_energy(bloomz.per_query_kwh * JOULES_PER_KWH)} per short answer (a few "
        "word-pieces, not a chat reply). Its answers use as much energy as its training after "
        f"about {format_words(training_only)} of them, or {format_words(bloomz.published_queries)} "
        "counting the fine-tuning too, as the paper does."
    )


def _assumed(assumptions: Assumptions) -> dict[str, str]:
    region = next(r for r in regions() if r.key == assumptions.region)
    return {
        "watts": format_si(assumptions.watts, "W"),
        "grid": format_published(assumptions.grid_g_per_kwh, ""),
        "region": region.label,
        "price": format_money(assumptions.price_per_hour),
    }


def _sources(assumptions: Assumptions, *quoted: tuple[str, ...]) -> list[Source]:
    """Every figure the panel quotes, numbered in order of first use, each once."""
    used = [fid for fid in assumptions.figure_ids().values() if fid]
    used += ["gemini_prompt_energy"]
    for ids in quoted:
        used += ids
    known = [fid for fid in dict.fromkeys(used) if fid in FIGURES]
    return [Source(i + 1, FIGURES[fid]) for i, fid in enumerate(known)]


def build(run: MeasuredRun) -> CostView:
    """Everything the panel shows, from one set of counters and assumptions."""
    assumptions = Assumptions(run.watts, run.region, run.price_per_hour)
    training = estimate(run.train_flops, run.train_compute_ns, assumptions)
    answer = (
        per_query(run.infer_flops, run.infer_compute_ns, run.queries, assumptions)
        if run.queries
        else None
    )
    ratio = break_even = None
    lines: list[str] = []
    chart: dict[str, Any] = {}
    if answer is not None and run.frozen and answer.energy_joules > 0:
        ratio = _ratio_text(training, answer)
        break_even = _break_even_text(training, answer)
        lines = receipt(training, answer, run.queries, assumptions, FIGURES)
        chart["break_even"] = _ratio_chart(training, answer)
    scale_text, scale_ids = _scale_up(run, assumptions) if run.frozen else (None, ())
    reader = ReaderRun(run.n_parameters, training, assumptions)
    rows = comparison_table(reader) if run.frozen else []
    chart["scale"] = _scale_chart(rows)
    bloomz = bloomz_break_even()
    return CostView(
        run=run,
        assumptions=assumptions,
        regions=regions(),
        rows=_rows(run, training, assumptions),
        ratio=ratio,
        break_even=break_even,
        receipt=lines,
        truth=_truth(run),
        scale_up=scale_text,
        published_case=_published_case(bloomz),
        comparison=_comparison_cells(rows),
        chart=json.dumps(chart),
        sources=_sources(assumptions, bloomz.figure_ids, scale_ids),
        summary=(
            f"Training so far: {format_flops(run.train_flops)}, "
            f"{format_energy(training.energy_joules)} estimated."
        ),
        assumed=_assumed(assumptions),
    )
