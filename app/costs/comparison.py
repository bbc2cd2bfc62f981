"""The reader's model beside real ones: parameters, training FLOPs, energy and CO2.

Each cell says how it is known (``CellProvenance``): counted from the reader's model,
published by a source, estimated by a stated rule, or unavailable; gaps stay gaps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from app.costs.estimate import REGION_FIGURES, Assumptions, Cost
from app.costs.figures import FIGURES, Figure, co2_grams, energy_wh
from app.costs.guards import whole
from app.costs.humanize import TIMES
from app.costs.scale_up import kaplan_training_flops

# counted: from the reader's model's shapes; published: a figure as its source states it;
# estimated: worked out by a stated rule from figures or measurements; unavailable: our
# sources do not give it and no rule applies (shown as a gap, never guessed).
CellProvenance = Literal["counted", "published", "estimated", "unavailable"]


@dataclass(frozen=True)
class Cell:
    """One number in the comparison table, with how we know it."""

    value: float | None
    unit: str
    provenance: CellProvenance
    figure_ids: tuple[str, ...] = ()
    how: str = ""


@dataclass(frozen=True)
class ComparisonRow:
    key: str
    label: str
    parameters: Cell
    training_flops: Cell
    energy_wh: Cell
    co2_grams: Cell


@dataclass(frozen=True)
class ReaderRun:
    """What the comparison needs from the reader's own training run."""

    n_parameters: int
    training: Cost
    assumptions: Assumptions
    label: str = "Your model"


@dataclass(frozen=True)
class _Published:
    key: str
    label: str
    params: str | None = None
    tokens: str | None = None
    flops: str | None = None
    energy: str | None = None
    gpu_hours: str | None = None
    gpu_watts: str | None = None
    co2: str | None = None


# Roughly by training compute (BLOOM's is not in our sources). Llama 3.1's card gives
# GPU-hours but not the GPU's power; Meta's Llama 3 card states 700 W per H100 for the same
# family, so we use it (the cell's `how` says so).
_PUBLISHED_MODELS: tuple[_Published, ...] = (
    _Published("bert_base", "BERT-Base", flops="bert_base_training_flops"),
    _Published("bert_large", "BERT-Large", flops="bert_large_training_flops"),
    _Published(
        "gpt3",
        "GPT-3 175B",
        params="gpt3_params",
        tokens="gpt3_tokens",
        flops="gpt3_training_flops",
        energy="gpt3_energy",
        co2="gpt3_co2",
    ),
    _Published(
        "bloom",
        "BLOOM 176B",
        params="bloom_params",
        energy="bloom_energy",
        co2="bloom_co2",
    ),
    _Published(
        "chinchilla",
        "Chinchilla 70B",
        params="chinchilla_params",
        tokens="chinchilla_tokens",
        flops="chinchilla_training_flops",
    ),
    _Published(
        "llama3_8b",
        "Llama 3 8B",
        params="llama3_8b_params",
        tokens="llama3_tokens",
        gpu_hours="llama3_8b_gpu_hours",
        gpu_watts="llama3_gpu_watts",
        co2="llama3_8b_co2",
    ),
    _Published(
        "llama2_70b",
        "Llama 2 70B",
        params="llama2_70b_params",
        tokens="llama2_tokens",
        gpu_hours="llama2_70b_gpu_hours",
        gpu_watts="llama2_gpu_watts",
        co2="llama2_70b_co2",
    ),
    _Published(
        "llama3_70b",
        "Llama 3 70B",
        params="llama3_70b_params",
        tokens="llama3_tokens",
        gpu_hours="llama3_70b_gpu_hours",
        gpu_watts="llama3_gpu_watts",
        co2="llama3_70b_co2",
    ),
    _Published(
        "llama31_405b",
        "Llama 3.1 405B",
        params="llama31_405b_params",
        flops="llama31_405b_training_flops",
        gpu_hours="llama31_405b_gpu_hours",
        gpu_watts="llama3_gpu_watts",
        co2="llama31_405b_co2",
    ),
)


def _published_row(spec: _Published, figures: Mapping[str, Figure]) -> ComparisonRow:
    def published(figure_id: str | None, unit: str, scale: float = 1.0) -> Cell | None:
        if figure_id is None:
            return None
        return Cell(figures[figure_id].number * scale, unit, "published", (figure_id,))

    missing = "not in our sources"
    params = published(spec.params, "parameters") or Cell(None, "parameters", "unavailable")

    flops = published(spec.flops, "FLOP")
    if flops is None and spec.params and spec.tokens:
        rule_id = "kaplan_training_flops_per_param_token"
        value = kaplan_training_flops(
            figures[spec.params].number, figures[spec.tokens].number, figures
        )
        flops = Cell(value, "FLOP", "estimated", (spec.params, spec.tokens, rule_id), "6 · N · D")
    flops = flops or Cell(None, "FLOP", "unavailable", how=missing)

    energy: Cell | None = None
    if spec.energy:
        energy = Cell(energy_wh(figures[spec.energy]), "Wh", "published", (spec.energy,))
    elif spec.gpu_hours and spec.gpu_watts:
        hours, watts = figures[spec.gpu_hours].number, figures[spec.gpu_watts].number
        how = f"GPU-hours {TIMES} {watts:g} W per GPU (rated maximum; no cooling overhead)"
        energy = Cell(hours * watts, "Wh", "estimated", (spec.gpu_hours, spec.gpu_watts), how)
    energy = energy or Cell(None, "Wh", "unavailable", how=missing)

    co2 = Cell(None, "g CO2e", "unavailable", how=missing)
    if spec.co2:
        co2 = Cell(co2_grams(figures[spec.co2]), "g CO2e", "published", (spec.co2,))
    return ComparisonRow(spec.key, spec.label, params, flops, energy, co2)


def _reader_row(run: ReaderRun) -> ComparisonRow:
    a = run.assumptions
    sources = a.figure_ids()
    watts_ids = tuple(i for i in (sources["watts"],) if i)
    grid_id = REGION_FIGURES[a.region]
    counted = "counted from the model's shapes"
    return ComparisonRow(
        key="reader",
        label=run.label,
        parameters=Cell(
            float(whole("n_parameters", run.n_parameters)), "parameters", "counted", how=counted
        ),
        training_flops=Cell(float(run.training.flops), "FLOP", "counted", how=counted),
        energy_wh=Cell(
            run.training.energy_wh,
            "Wh",
            "estimated",
            watts_ids,
            f"measured compute time {TIMES} {a.watts:g} W",
        ),
        co2_grams=Cell(
            run.training.co2_grams,
            "g CO2e",
            "estimated",
            (*watts_ids, grid_id),
            f"energy {TIMES} {a.grid_g_per_kwh:g} g CO2e per kWh",
        ),
    )


def comparison_table(
    reader_run: ReaderRun, figures: Mapping[str, Figure] = FIGURES
) -> list[ComparisonRow]:
    """The reader's model first, then real ones: parameters, training FLOPs, energy, CO2.

    Each cell says whether it was counted, published or estimated (and by which rule),
    with the figure ids it came from; gaps stay gaps rather than guesses.
    """
    return [_reader_row(reader_run), *(_published_row(s, figures) for s in _PUBLISHED_MODELS)]
