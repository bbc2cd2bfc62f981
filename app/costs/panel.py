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
    MAX_CHART_QUERIES,
    PublishedBreakEven,
    bloomz_break_even,
    cumulative_curves,
)
from app.costs.comparison import ComparisonRow, ReaderRun, comparison_table
from app.costs.estimate import Assumptions, Cost, Region, estimate, regions
from app.costs.figures import FIGURES, Figure
from app.costs.humanize import (
    format_co2,
    format_count,
    format_duration,
    format_energy,
    format_flops,
    format_money,
    format_percent,
    format_published,
    format_ratio,
    format_si,
    format_words,
    plural,
)
from app.costs.receipt import receipt
from app.costs.scale_up import MIN_FLOPS_PER_SECOND, flops_per_second, scale_to
from app.costs.side_by_side import MILLION, SideBySide, side_by_side
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
    # How many answers the reader wants priced: the "how much use" control.
    answers: int = Field(MILLION, ge=1, le=10**12)
    watts: float = Field(DEFAULTS.watts, ge=0.1, le=1000, allow_inf_nan=False)
    region: str = Field(DEFAULTS.region, max_length=20)
    price_per_hour: float = Field(DEFAULTS.price_per_hour, ge=0, le=100, allow_inf_nan=False)


@dataclass(frozen=True)
class Row:
    label: str
    training: str
    one_answer: str
    answers: str


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
    answers_label: str  # the third column's heading: "1 million answers"
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


# Row labels stay one word: the caption says all three are our estimates, and from what.
ESTIMATES = ("Energy", "CO2", "Money")


def _cost_cells(cost: Cost | None) -> tuple[str, str, str]:
    if cost is None:
        return (NOT_YET, NOT_YET, NOT_YET)
    return (
        format_energy(cost.energy_joules),
        format_co2(cost.co2_grams),
        format_money(cost.money_usd),
    )


def _one_answer_cells(side: SideBySide | None) -> tuple[str, str, str]:
    """One answer's CO2 and money are too small to picture (nanograms, millionths of a
    cent), so they are said per million answers too, or only so where one would read
    "less than $0.000001"."""
    if side is None:
        return _cost_cells(None)
    one, million = side.per_answer, side.million_answers
    money = format_money(one.money_usd)
    per_million = f"{format_money(million.money_usd)} per million"
    return (
        format_energy(one.energy_joules),
        f"{format_co2(one.co2_grams)}; {format_co2(million.co2_grams)} per million",
        per_million if money.startswith("less than") else f"{money}; {per_million}",
    )


def _rows(training: Cost, side: SideBySide | None, answers: int) -> list[Row]:
    """Energy, CO2 and money of training, of one answer and of ``answers`` answers."""
    many = side.answers(answers) if side else None
    columns = [_cost_cells(training), _one_answer_cells(side), _cost_cells(many)]
    return [Row(label, *(column[i] for column in columns)) for i, label in enumerate(ESTIMATES)]


def _ratio_text(side: SideBySide) -> str | None:
    """Training counted in answers, by arithmetic and by measured time: the break-even
    counts themselves, so the panel, its receipt and the API say the same numbers."""
    by_flops, by_time = side.break_even_by_arithmetic, side.break_even_by_time
    if by_flops is None:
        return None
    text = f"Training took as much arithmetic as {format_words(by_flops)} answers"
    if by_time is None:
        return f"{text}."
    return (
        f"{text}, and as much computing time (so energy, CO2 and money) as "
        f"{format_words(by_time)} answers, each asked on its own and timed on this server."
    )


def _use_text(side: SideBySide, answers: int) -> str | None:
    """The "how much use" control's sentence: do this many answers pass training?"""
    crossing = side.break_even_by_time
    if crossing is None:
        return None
    used = side.answers(answers)
    share = used.energy_joules / side.training.energy_joules if side.training.energy_joules else 0
    count = plural(format_words(answers), "answer", "answers")
    if answers >= crossing:
        verdict = (
            f"more than training did ({format_ratio(share)} times as much): answering has "
            f"passed training at {format_words(crossing)} answers"
        )
    else:
        verdict = (
            f"{format_percent(share)} of what training did; answering passes training at "
            f"{format_words(crossing)} answers"
        )
    return (
        f"{count} would use {format_energy(used.energy_joules)}, "
        f"{format_co2(used.co2_grams)} of CO2 and {format_money(used.money_usd)}: {verdict}."
    )


def _ratio_chart(side: SideBySide, answers: int) -> dict[str, list[Any]]:
    """The break-even chart's lines in Wh, out to ten times the break-even count (or the
    reader's number of answers, if that is further)."""
    training, answer = side.training, side.per_answer
    horizon = min(MAX_CHART_QUERIES, max(100, answers, 10 * (side.break_even_by_time or 10)))
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


def comparison_from_counters(run: MeasuredRun, assumptions: Assumptions) -> SideBySide | None:
    """The comparison worked out from a widget's own counters: for widgets whose answers
    are not one run's (a recap of many runs), and used only when no run id is given."""
    if not run.queries or not run.frozen:
        return None
    answer_ns = run.infer_compute_ns / run.queries
    return side_by_side(
        run.train_flops,
        run.train_compute_ns,
        round(run.infer_flops / run.queries),
        round(answer_ns),
        assumptions,
        answer_timings=run.queries,
    )


def build(run: MeasuredRun, side: SideBySide | None = None) -> CostView:
    """Everything the panel shows: the run's one comparison (``side``, from the server's
    measurement of the run) or, without one, the comparison from the posted counters."""
    assumptions = Assumptions(run.watts, run.region, run.price_per_hour)
    if side is None:
        side = comparison_from_counters(run, assumptions)
    training = (
        side.training if side else estimate(run.train_flops, run.train_compute_ns, assumptions)
    )
    ratio = use = None
    lines: list[str] = []
    chart: dict[str, Any] = {}
    if side is not None and side.per_answer.energy_joules > 0:
        ratio = _ratio_text(side)
        use = _use_text(side, run.answers)
        lines = receipt(side, run.queries, FIGURES)
        chart["break_even"] = _ratio_chart(side, run.answers)
    scale_text, scale_ids = _scale_up(run, assumptions) if run.frozen else (None, ())
    reader = ReaderRun(run.n_parameters, training, assumptions)
    rows = comparison_table(reader) if run.frozen else []
    chart["scale"] = _scale_chart(rows)
    bloomz = bloomz_break_even()
    return CostView(
        run=run,
        assumptions=assumptions,
        regions=regions(),
        rows=_rows(training, side, run.answers),
        answers_label=plural(format_words(run.answers), "answer", "answers"),
        ratio=ratio,
        break_even=use,
        receipt=lines,
        truth=_truth(run),
        scale_up=scale_text,
        published_case=_published_case(bloomz),
        comparison=_comparison_cells(rows),
        chart=json.dumps(chart),
        sources=_sources(assumptions, bloomz.figure_ids, scale_ids),
        summary=(
            f"Training so far: {format_flops(training.flops)}, "
            f"{format_energy(training.energy_joules)} estimated."
        ),
        assumed=_assumed(assumptions),
    )
