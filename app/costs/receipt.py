"""The plain-language receipt: what training and answering cost, one sentence each.

What training took (against one chatbot prompt), the assumptions behind the estimates,
what one answer took, what the reader's answers added up to, when answering catches up
with training, and a real model's published case. Every comparison is to a sourced
figure in figures.toml, and names its source.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.costs.estimate import REGION_FIGURES, Assumptions, Cost
from app.costs.figures import Figure, energy_wh
from app.costs.humanize import (
    format_co2,
    format_duration,
    format_energy,
    format_money,
    format_percent,
    format_published,
    format_ratio,
    format_si,
    format_words,
    plural,
)
from app.costs.side_by_side import SideBySide
from app.costs.units import JOULES_PER_WH


def _operations(flops: int) -> str:
    return plural(format_words(flops), "arithmetic operation", "arithmetic operations")


def _answers(n: int) -> str:
    """A whole number of answers: "1 answer", "5,150 answers", "592 million answers"."""
    return plural(format_words(n), "answer", "answers")


def _training_line(training: Cost, figures: Mapping[str, Figure]) -> str:
    opening = (
        f"Training this model took {_operations(training.flops)} and "
        f"{format_duration(training.compute_seconds)} of computing"
    )
    if training.energy_joules == 0:
        return f"{opening}: too quick for the clock to measure its energy."
    prompt = figures["gemini_prompt_energy"]
    share = training.energy_joules / (energy_wh(prompt) * JOULES_PER_WH)
    one_prompt = f"one chatbot prompt ({prompt.shown}, {prompt.cite})"
    if share < 1:
        comparison = f"about {format_percent(share)} of the energy of {one_prompt}"
    else:
        comparison = f"about {format_ratio(share)} times the energy of {one_prompt}"
    return f"{opening}, about {format_energy(training.energy_joules)} of energy: {comparison}."


def _assumptions_line(
    training: Cost, assumptions: Assumptions, figures: Mapping[str, Figure]
) -> str:
    """Every assumption behind the estimates, each with its source or "your choice"."""

    def source(figure_id: str, value: float) -> str:
        figure = figures[figure_id]
        return figure.cite if value == figure.number else "your choice"

    grid = figures[REGION_FIGURES[assumptions.region]]
    return (
        f"At {format_si(assumptions.watts, 'W')} while computing "
        f"({source('cpu_watts_per_core', assumptions.watts)}), the {grid.label} grid's "
        f"{format_published(grid.number, 'g of CO2 per kWh')} ({grid.cite}, for {grid.year}) and "
        f"{format_money(assumptions.price_per_hour)} per core-hour "
        f"({source('cpu_core_hour_price', assumptions.price_per_hour)}), training emitted "
        f"about {format_co2(training.co2_grams)} of CO2 and cost "
        f"{format_money(training.money_usd)}."
    )


def _answer_lines(side: SideBySide) -> list[str]:
    """One answer's cost, and training counted in answers: the break-even counts, so a
    count said here is the same count the panel and the API give."""
    per_query = side.per_answer
    answer = f"Answering one question took {_operations(per_query.flops)}"
    by_flops, by_time = side.break_even_by_arithmetic, side.break_even_by_time
    if by_time is None:
        lines = [f"{answer}, too quick for the clock to measure its time."]
    else:
        million = side.million_answers
        lines = [
            f"{answer} and {format_duration(per_query.compute_seconds)} asked on its own "
            f"(the middle of {side.answer_timings} timings), about "
            f"{format_energy(per_query.energy_joules)}; a million such answers would use "
            f"{format_energy(million.energy_joules)}, emit {format_co2(million.co2_grams)} of "
            f"CO2 and cost {format_money(million.money_usd)}."
        ]
    if by_flops is not None and by_time is not None:
        lines.append(
            f"So training took as much arithmetic as {_answers(by_flops)}, and as much "
            f"computing time, energy, CO2 and money as {_answers(by_time)}."
        )
    elif by_flops is not None:
        lines.append(f"So training took as much arithmetic as {_answers(by_flops)}.")
    return lines


def _queries_line(training: Cost, per_query: Cost, queries: int) -> str:
    if queries == 0:
        return "You have not asked it anything yet: so far, all of its cost is training."
    used = per_query * queries
    together = " together" if queries > 1 else ""
    line = f"Your {_answers(queries)}{together} used about {format_energy(used.energy_joules)}"
    if training.energy_joules > 0:
        line += (
            f", {format_percent(used.energy_joules / training.energy_joules)} of what training used"
        )
    return f"{line}."


def _break_even_lines(side: SideBySide, queries: int) -> list[str]:
    crossing = side.break_even_by_time
    if crossing is None or crossing == 0:
        return []
    passed = " You have already passed that point." if queries >= crossing else ""
    return [
        f"After {_answers(crossing)}, answering will have used as much energy as training: "
        f"from then on, using this model costs more than making it did.{passed}"
    ]


def _published_line(figures: Mapping[str, Figure]) -> str:
    published = figures["bloomz7b_break_even"]
    return (
        "For comparison, a real model: BLOOMz-7B's answers used as much energy as training "
        f"and fine-tuning it after about {_answers(round(published.number))} ({published.cite})."
    )


def receipt(side: SideBySide, queries: int, figures: Mapping[str, Figure]) -> list[str]:
    """The plain-language receipt, one sentence per item: what training cost (against one
    chatbot prompt), the assumptions behind it, what one answer cost, what the reader's
    answers added up to, when inference catches up, and a real model's case.

    Comparisons are only to sourced figures in figures.toml, each naming its source.
    """
    if isinstance(queries, bool) or not isinstance(queries, int) or queries < 0:
        raise ValueError(f"queries must be a whole number, 0 or more; got {queries!r}")
    return [
        _training_line(side.training, figures),
        _assumptions_line(side.training, side.assumptions, figures),
        *_answer_lines(side),
        _queries_line(side.training, side.per_answer, queries),
        *_break_even_lines(side, queries),
        _published_line(figures),
    ]
