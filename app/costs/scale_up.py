"""Scale it up: a real model's training arithmetic at the reader's measured rate.

The rules of thumb (about 6 x N x D FLOPs to train, 2 x N to answer), the rate a run
achieved, and ``scale_to``: a published model's training FLOPs done on this server, beside
the same FLOPs on the hardware its authors used, where the figures say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app.costs.estimate import Assumptions, Cost, from_seconds
from app.costs.figures import FIGURES, Figure, co2_grams, energy_wh
from app.costs.guards import non_negative, whole
from app.costs.units import SECONDS_PER_DAY


def kaplan_training_flops(
    n_params: float, n_examples: float, figures: Mapping[str, Figure] = FIGURES
) -> float:
    """About 6 x N x D FLOPs to train N parameters on D tokens/examples (Kaplan et al. 2020)."""
    per = figures["kaplan_training_flops_per_param_token"].number
    return per * non_negative("n_params", n_params) * non_negative("n_examples", n_examples)


def kaplan_inference_flops(n_params: float, figures: Mapping[str, Figure] = FIGURES) -> float:
    """About 2 x N FLOPs per token/example answered (forward pass only)."""
    return figures["kaplan_inference_flops_per_param"].number * non_negative("n_params", n_params)


def flops_per_second(flops: int, compute_ns: int) -> float:
    """The arithmetic rate a run achieved: counted FLOPs over measured time."""
    ns = whole("compute_ns", compute_ns)
    if ns == 0:
        raise ValueError("compute_ns must be above 0 to give a rate (the run was too quick)")
    return whole("flops", flops) / (ns / 1e9)


@dataclass(frozen=True)
class _Target:
    label: str
    flops: str
    hardware: str | None = None  # what the chips were, for a sentence: "V100 GPUs"
    chips: str | None = None
    chip_flops: str | None = None
    days: str | None = None
    energy: str | None = None
    co2: str | None = None


_TARGETS: Mapping[str, _Target] = MappingProxyType(
    {
        "gpt3": _Target(
            "GPT-3 175B",
            flops="gpt3_training_flops",
            hardware="V100 GPUs",
            chips="gpt3_run_gpus",
            chip_flops="gpt3_run_flops_per_gpu",
            days="gpt3_run_days",
            energy="gpt3_energy",
            co2="gpt3_co2",
        ),
        "bert_base": _Target("BERT-Base", flops="bert_base_training_flops"),
        "bert_large": _Target("BERT-Large", flops="bert_large_training_flops"),
        "chinchilla": _Target("Chinchilla 70B", flops="chinchilla_training_flops"),
        "llama31_405b": _Target(
            "Llama 3.1 405B", flops="llama31_405b_training_flops", co2="llama31_405b_co2"
        ),
    }
)
SCALE_TARGETS: tuple[str, ...] = tuple(_TARGETS)

# Slower than one FLOP per second is no computer; it would also overflow the seconds.
MIN_FLOPS_PER_SECOND = 1.0


@dataclass(frozen=True)
class Hardware:
    """What a model was trained on, as published: so many chips, each at a measured rate."""

    name: str
    chips: float
    chip_flops_per_second: float
    cite: str

    @property
    def flops_per_second(self) -> float:
        return self.chips * self.chip_flops_per_second


@dataclass(frozen=True)
class ScaleUp:
    """A real model's training arithmetic, at the reader's measured rate and on its own hardware.

    here: the time, energy, CO2 and money of doing all of it at the reader's rate on this
    server, under the reader's assumptions. ``hardware``, ``seconds_on_hardware`` and the
    published_* fields are None where the figures do not say (only GPT-3's run hardware
    is published in our sources).
    """

    target: str
    label: str
    flops: float
    flops_figure: str
    reader_flops_per_second: float
    here: Cost
    hardware: Hardware | None
    published_seconds: float | None
    published_seconds_cite: str | None
    published_energy_wh: float | None
    published_co2_grams: float | None
    figure_ids: tuple[str, ...]

    @property
    def seconds_here(self) -> float:
        return self.here.compute_seconds

    @property
    def seconds_on_hardware(self) -> float | None:
        """The same FLOPs at the published hardware's rate."""
        if self.hardware is None:
            return None
        return self.flops / self.hardware.flops_per_second

    @property
    def ratio_to_published(self) -> float | None:
        """Our time on the published hardware over the published duration (1.0 = exact)."""
        if self.seconds_on_hardware is None or self.published_seconds is None:
            return None
        return self.seconds_on_hardware / self.published_seconds

    @property
    def slowdown(self) -> float | None:
        """How many times longer this server would take than the published hardware."""
        if self.seconds_on_hardware is None:
            return None
        return self.here.compute_seconds / self.seconds_on_hardware


def scale_to(
    model_flops_per_second_measured: float,
    target: str = "gpt3",
    assumptions: Assumptions | None = None,
    figures: Mapping[str, Figure] = FIGURES,
) -> ScaleUp:
    """How long a real model's training arithmetic would take at the reader's measured rate.

    "At GPT-3's size, your training run would take ...": the target's training FLOPs at
    ``model_flops_per_second_measured``, with energy, CO2 and money at the assumptions,
    beside the same FLOPs on the published hardware (GPT-3: 10,000 V100s at 24.6 TFLOP/s
    measured each gives 14.77 days against the published 14.8).
    """
    if target not in _TARGETS:
        raise ValueError(f"target must be one of {', '.join(_TARGETS)}; got {target!r}")
    rate = non_negative("model_flops_per_second_measured", model_flops_per_second_measured)
    if rate < MIN_FLOPS_PER_SECOND:
        raise ValueError(
            f"model_flops_per_second_measured must be at least {MIN_FLOPS_PER_SECOND:g}; "
            f"got {model_flops_per_second_measured!r}"
        )
    spec = _TARGETS[target]
    flops = figures[spec.flops].number
    here = from_seconds(round(flops), flops / rate, assumptions or Assumptions.default())

    ids = [spec.flops]
    hardware = published_seconds = published_cite = None
    if spec.hardware and spec.chips and spec.chip_flops:
        chips, chip_flops = figures[spec.chips], figures[spec.chip_flops]
        hardware = Hardware(spec.hardware, chips.number, chip_flops.number, chip_flops.cite)
        ids += [spec.chips, spec.chip_flops]
    if spec.days:
        published_seconds = figures[spec.days].number * SECONDS_PER_DAY
        published_cite = figures[spec.days].cite
        ids.append(spec.days)
    energy = co2 = None
    if spec.energy:
        energy = energy_wh(figures[spec.energy])
        ids.append(spec.energy)
    if spec.co2:
        co2 = co2_grams(figures[spec.co2])
        ids.append(spec.co2)
    return ScaleUp(
        target=target,
        label=spec.label,
        flops=flops,
        flops_figure=spec.flops,
        reader_flops_per_second=rate,
        here=here,
        hardware=hardware,
        published_seconds=published_seconds,
        published_seconds_cite=published_cite,
        published_energy_wh=energy,
        published_co2_grams=co2,
        figure_ids=tuple(ids),
    )
