"""What a run cost: arithmetic counted, time measured, energy, CO2 and money estimated.

Three kinds of number, never mixed up:

    counted    FLOPs, from the model's shapes (app.ml.models)
    measured   compute time, timed around the numpy work only (app.ml.training)
    estimated  energy = time x power draw; CO2 = energy x grid intensity;
               money = time x price; each from a named assumption (``Assumptions``)
               whose default and source live in figures.toml

Every published or assumed figure the app shows lives in figures.toml beside this
module, with its source, year, kind and confidence; ``load_figures`` reads and checks it,
so the References page, the tooltips and the arithmetic all use the same numbers.

Units inside: seconds, joules, grams of CO2e and US dollars; Wh and kWh are derived.
"""

from __future__ import annotations

import math
import numbers
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray

FIGURES_PATH = Path(__file__).with_name("figures.toml")

Kind = Literal["measured", "published", "assumed"]
Confidence = Literal["P", "Q", "S", "A"]
KINDS: tuple[str, ...] = get_args(Kind)
CONFIDENCES: tuple[str, ...] = get_args(Confidence)

JOULES_PER_WH = 3600.0
JOULES_PER_KWH = 3.6e6
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0
TIMES = "\N{MULTIPLICATION SIGN}"  # for text people read; ASCII "x" in code comments

# ------------------------------------------------------------------------------- figures


class FigureError(ValueError):
    """figures.toml is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Figure:
    """One published or assumed number, with where it came from."""

    id: str
    label: str
    value: float | str
    unit: str
    source: str
    cite: str
    year: int
    kind: Kind
    confidence: Confidence
    note: str = ""

    @property
    def number(self) -> float:
        """The value as a number (every figure but a region key is one)."""
        if isinstance(self.value, str):
            raise FigureError(f"figure {self.id!r} is text ({self.value!r}), not a number")
        return self.value

    @property
    def text(self) -> str:
        """The value as text (the default region's key)."""
        if not isinstance(self.value, str):
            raise FigureError(f"figure {self.id!r} is a number, not text")
        return self.value


_TEXT_FIELDS = ("id", "label", "unit", "source", "cite", "kind", "confidence")
_REQUIRED = (*_TEXT_FIELDS, "value", "year")
_OPTIONAL = ("note",)
_ID = re.compile(r"[a-z][a-z0-9_]*")


def _figure(entry: Any, position: int) -> Figure:
    """Check one [[figure]] table and build it; errors name the entry and the field."""
    if not isinstance(entry, dict):
        raise FigureError(f"entry #{position}: expected a table, got {type(entry).__name__}")
    raw_id = entry.get("id")
    where = f"entry {raw_id!r}" if isinstance(raw_id, str) and raw_id else f"entry #{position}"

    for key in _REQUIRED:
        if key not in entry:
            raise FigureError(f"{where}: missing field {key!r}")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise FigureError(f"{where}: unknown field {unknown[0]!r}")
    for key in (*_TEXT_FIELDS, *(k for k in _OPTIONAL if k in entry)):
        if not isinstance(entry[key], str) or (key != "note" and not entry[key].strip()):
            raise FigureError(f"{where}: field {key!r} must be non-empty text")
    if not _ID.fullmatch(entry["id"]):
        raise FigureError(f"{where}: field 'id' must be snake_case ascii")

    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FigureError(f"{where}: field 'value' must be a number or text")
    if isinstance(value, str) and not value.strip():
        raise FigureError(f"{where}: field 'value' must not be empty")
    if isinstance(value, int | float) and (not math.isfinite(value) or value < 0):
        raise FigureError(f"{where}: field 'value' must be finite and not negative")
    year = entry["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
        raise FigureError(f"{where}: field 'year' must be a whole year between 1900 and 2100")
    if entry["kind"] not in KINDS:
        raise FigureError(f"{where}: field 'kind' must be one of {', '.join(KINDS)}")
    if entry["confidence"] not in CONFIDENCES:
        raise FigureError(f"{where}: field 'confidence' must be one of {', '.join(CONFIDENCES)}")
    # An assumption is ours (A) and only ours is an assumption: the UI labels one by the other.
    if (entry["kind"] == "assumed") != (entry["confidence"] == "A"):
        raise FigureError(f"{where}: field 'kind' is 'assumed' exactly when confidence is 'A'")

    return Figure(
        id=entry["id"],
        label=entry["label"],
        value=float(value) if isinstance(value, int) else value,
        unit=entry["unit"],
        source=entry["source"],
        cite=entry["cite"],
        year=year,
        kind=entry["kind"],
        confidence=entry["confidence"],
        note=entry.get("note", ""),
    )


def load_figures(path: Path = FIGURES_PATH) -> dict[str, Figure]:
    """Read figures.toml into {id: Figure}; a bad entry raises FigureError naming it."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise FigureError(f"{path.name}: not valid TOML: {error}") from error
    extra = sorted(set(data) - {"figure"})
    if extra:
        raise FigureError(f"{path.name}: unknown top-level key {extra[0]!r}")
    entries = data.get("figure", [])
    if not isinstance(entries, list) or not entries:
        raise FigureError(f"{path.name}: expected [[figure]] entries")
    figures: dict[str, Figure] = {}
    for position, entry in enumerate(entries, start=1):
        figure = _figure(entry, position)
        if figure.id in figures:
            raise FigureError(f"entry {figure.id!r}: duplicate id")
        figures[figure.id] = figure
    return figures


# Read once at import, so a broken data file stops the app at start-up, not mid-lesson.
# Read-only: no caller can change a published figure for everyone else.
FIGURES: Mapping[str, Figure] = MappingProxyType(load_figures())

_WH_PER = {"Wh": 1.0, "kWh": 1e3, "MWh": 1e6, "GWh": 1e9}
_GRAMS_PER = {"g CO2e": 1.0, "kg CO2e": 1e3, "t CO2e": 1e6, "lb CO2e": 453.59237}


def energy_wh(figure: Figure) -> float:
    """An energy figure in watt-hours, whatever unit it was published in."""
    if figure.unit not in _WH_PER:
        raise FigureError(f"figure {figure.id!r}: {figure.unit!r} is not an energy unit")
    return figure.number * _WH_PER[figure.unit]


def co2_grams(figure: Figure) -> float:
    """A CO2 figure in grams, whatever unit it was published in."""
    if figure.unit not in _GRAMS_PER:
        raise FigureError(f"figure {figure.id!r}: {figure.unit!r} is not a CO2 unit")
    return figure.number * _GRAMS_PER[figure.unit]


# ------------------------------------------------------------------------- input guards


def _number(name: str, value: object) -> float:
    """A finite, non-negative float, or a ValueError that names the input."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    if result < 0:
        raise ValueError(f"{name} must not be negative; got {value!r}")
    return result + 0.0  # turns -0.0 into 0.0, so no counter ever shows "-0"


def _count(name: str, value: object) -> int:
    """A non-negative whole number (a float is accepted when it is whole: 3.14e23)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        result = int(value)
    else:
        as_float = _number(name, value)
        if not as_float.is_integer():
            raise ValueError(f"{name} must be a whole number; got {value!r}")
        result = int(as_float)
    if result < 0:
        raise ValueError(f"{name} must not be negative; got {value!r}")
    return result


def _in_range(name: str, value: object, low: float, high: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    result = float(value)
    if not (math.isfinite(result) and low <= result <= high):
        raise ValueError(f"{name} must be between {low:g} and {high:g} {unit}; got {value!r}")
    return result + 0.0


# --------------------------------------------------------------------------- assumptions

# Region key -> its grid-intensity figure. Ember's 2024 figures and the BLOOM paper's
# France figure differ in source and year; each region shows its own.
REGION_FIGURES: Mapping[str, str] = MappingProxyType(
    {
        "world": "grid_world_2024",
        "us": "grid_us_2024",
        "china": "grid_china_2024",
        "india": "grid_india_2024",
        "france": "grid_france_2022",
    }
)

# Bounds wide enough for "what if this ran on a GPU server" (a 700 W H100, a 1 kW box),
# narrow enough that a typo cannot produce a meaningless counter.
WATTS_RANGE = (0.1, 1000.0)
PRICE_RANGE = (0.0, 100.0)


@dataclass(frozen=True)
class Region:
    """An electricity grid the reader can pick, with its carbon intensity and source."""

    key: str
    label: str
    year: int
    g_per_kwh: float
    figure_id: str
    cite: str


def regions(figures: Mapping[str, Figure] = FIGURES) -> tuple[Region, ...]:
    """The grids on offer, in menu order."""
    out = []
    for key, figure_id in REGION_FIGURES.items():
        figure = figures[figure_id]
        out.append(Region(key, figure.label, figure.year, figure.number, figure_id, figure.cite))
    return tuple(out)


@dataclass(frozen=True)
class Assumptions:
    """The three numbers that turn measured time into energy, CO2 and money.

    watts           power drawn while computing, W (default: one busy CPU core)
    region          key into REGION_FIGURES: which grid's CO2 per kWh applies
    price_per_hour  USD per core-hour of computing
    """

    watts: float
    region: str
    price_per_hour: float

    def __post_init__(self) -> None:
        low, high = WATTS_RANGE
        object.__setattr__(self, "watts", _in_range("watts", self.watts, low, high, "W"))
        if self.region not in REGION_FIGURES:
            known = ", ".join(REGION_FIGURES)
            raise ValueError(f"region must be one of {known}; got {self.region!r}")
        low, high = PRICE_RANGE
        price = _in_range("price_per_hour", self.price_per_hour, low, high, "USD per core-hour")
        object.__setattr__(self, "price_per_hour", price)

    @classmethod
    def default(cls, figures: Mapping[str, Figure] = FIGURES) -> Assumptions:
        """5 W per busy core, the world-average grid, $0.05 per core-hour (figures.toml)."""
        return cls(
            watts=figures["cpu_watts_per_core"].number,
            region=figures["default_region"].text,
            price_per_hour=figures["cpu_core_hour_price"].number,
        )

    @property
    def grid_g_per_kwh(self) -> float:
        """Grams of CO2e per kWh of the chosen region's grid."""
        return FIGURES[REGION_FIGURES[self.region]].number

    def figure_ids(self) -> dict[str, str | None]:
        """Which figure backs each assumption; None where the reader chose their own."""
        default = Assumptions.default()
        return {
            "watts": "cpu_watts_per_core" if self.watts == default.watts else None,
            "region": REGION_FIGURES[self.region],
            "price_per_hour": (
                "cpu_core_hour_price" if self.price_per_hour == default.price_per_hour else None
            ),
        }


# ---------------------------------------------------------------------------------- cost

Measure = Literal["flops", "seconds", "energy", "co2", "money"]
MEASURES: tuple[str, ...] = get_args(Measure)


@dataclass(frozen=True)
class Cost:
    """What some computing cost: FLOPs counted, seconds measured, the rest estimated.

    Construct with ``estimate`` or ``per_query``; every field is finite and >= 0.
    """

    flops: int
    compute_seconds: float
    energy_joules: float
    co2_grams: float
    money_usd: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "flops", _count("flops", self.flops))
        for name in ("compute_seconds", "energy_joules", "co2_grams", "money_usd"):
            object.__setattr__(self, name, _number(name, getattr(self, name)))

    @classmethod
    def zero(cls) -> Cost:
        return cls(0, 0.0, 0.0, 0.0, 0.0)

    @property
    def energy_wh(self) -> float:
        return self.energy_joules / JOULES_PER_WH

    @property
    def energy_kwh(self) -> float:
        return self.energy_joules / JOULES_PER_KWH

    def amount(self, by: Measure) -> float:
        """One measure of this cost: FLOPs, seconds, joules, grams of CO2e or USD."""
        if by == "flops":
            return float(self.flops)
        if by == "seconds":
            return self.compute_seconds
        if by == "energy":
            return self.energy_joules
        if by == "co2":
            return self.co2_grams
        if by == "money":
            return self.money_usd
        raise ValueError(f"by must be one of {', '.join(MEASURES)}; got {by!r}")

    def __add__(self, other: Cost) -> Cost:
        if not isinstance(other, Cost):
            return NotImplemented
        return Cost(
            self.flops + other.flops,
            self.compute_seconds + other.compute_seconds,
            self.energy_joules + other.energy_joules,
            self.co2_grams + other.co2_grams,
            self.money_usd + other.money_usd,
        )

    def __mul__(self, count: int) -> Cost:
        """n x this cost: n queries cost n times one query (a whole, non-negative n)."""
        n = _count("count", count)
        return Cost(
            self.flops * n,
            self.compute_seconds * n,
            self.energy_joules * n,
            self.co2_grams * n,
            self.money_usd * n,
        )

    __rmul__ = __mul__


def _from_seconds(flops: object, seconds: float, assumptions: Assumptions) -> Cost:
    """Every estimate, in one place: each is proportional to the measured time."""
    energy = seconds * assumptions.watts
    return Cost(
        flops=_count("flops", flops),
        compute_seconds=seconds,
        energy_joules=energy,
        co2_grams=energy / JOULES_PER_KWH * assumptions.grid_g_per_kwh,
        money_usd=seconds / SECONDS_PER_HOUR * assumptions.price_per_hour,
    )


def estimate(flops: int, compute_ns: int, assumptions: Assumptions | None = None) -> Cost:
    """The cost of work that counted ``flops`` and took ``compute_ns`` of measured time."""
    seconds = _count("compute_ns", compute_ns) / 1e9
    return _from_seconds(flops, seconds, assumptions or Assumptions.default())


def per_query(
    total_flops: int,
    total_compute_ns: int,
    queries: int,
    assumptions: Assumptions | None = None,
) -> Cost:
    """The average cost of one query when ``queries`` were answered (and timed) together.

    Time is divided as a float, so a batch timed at 1 ns per 1,000 queries still gives a
    non-zero per-query time. Our models' FLOP counts are linear in the batch size, so the
    division of FLOPs is exact; rounding to the nearest whole FLOP only guards a model
    that counts a per-batch overhead.
    """
    n = _count("queries", queries)
    if n == 0:
        raise ValueError("queries must be at least 1 to average over")
    flops = _count("total_flops", total_flops)
    seconds = _count("total_compute_ns", total_compute_ns) / 1e9 / n
    return _from_seconds(round(Fraction(flops, n)), seconds, assumptions or Assumptions.default())


# ---------------------------------------------------------------------------- break-even

# Ratios this close to a whole number count as that number. Float inputs carry ~1e-16
# relative error (0.1 x 3 != 0.3), so without it 0.3 J / 0.1 J could say 4 queries, not 3.
_WHOLE_TOLERANCE = Fraction(1, 10**12)


def _amount(name: str, cost: Cost | float, by: Measure) -> float:
    return cost.amount(by) if isinstance(cost, Cost) else _number(name, cost)


def break_even_queries(
    training: Cost | float, per_query: Cost | float, by: Measure = "energy"
) -> int | None:
    """How many queries until inference has cost as much as training.

    The smallest whole n with n x per_query >= training, i.e. ceil(training / per_query),
    worked in exact fractions of the given floats; a ratio within one part in 10^12 of a
    whole number counts as that number. Plain floats are amounts in ``by``'s unit.

    Returns 0 when training cost nothing, and None when a query costs nothing but training
    did not: inference then never catches up (the UI says "never", not infinity).

    Every estimate is proportional to measured time, so for one run the answer is the same
    by seconds, energy, CO2 and money; by FLOPs it differs (the timing overheads differ).
    """
    train = Fraction(_amount("training", training, by))
    query = Fraction(_amount("per_query", per_query, by))
    if train == 0:
        return 0
    if query == 0:
        return None
    ratio = train / query
    whole = math.floor(ratio)
    return whole if ratio - whole <= ratio * _WHOLE_TOLERANCE else whole + 1


def cost_ratio(
    training: Cost | float, per_query: Cost | float, by: Measure = "energy"
) -> float | None:
    """Training over one query, in ``by``; None when a query cost nothing measurable."""
    query = _amount("per_query", per_query, by)
    if query == 0:
        return None
    return _amount("training", training, by) / query


MAX_CHART_QUERIES = 10**15  # well inside int64 and float64's exact integers


def cumulative_curves(
    training: Cost | float,
    per_query: Cost | float,
    max_queries: int,
    points: int = 60,
    by: Measure = "energy",
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """The break-even chart: cumulative inference cost against the one-off training cost.

    queries : (m,) int64, log-spaced from 1 to max_queries (m <= points + 1: duplicates
        from rounding small counts are dropped, and the break-even count is added when in
        range, so the crossing is drawn exactly)
    training_line : (m,) the training cost, flat
    inference_line : (m,) queries x per-query cost
    """
    limit = _count("max_queries", max_queries)
    if not 1 <= limit <= MAX_CHART_QUERIES:
        raise ValueError(f"max_queries must be between 1 and {MAX_CHART_QUERIES:,}; got {limit}")
    steps = _count("points", points)
    if not 2 <= steps <= 10_000:
        raise ValueError(f"points must be between 2 and 10,000; got {steps}")
    train = _amount("training", training, by)
    query = _amount("per_query", per_query, by)

    queries = np.unique(np.rint(np.geomspace(1, limit, steps)).astype(np.int64))
    crossing = break_even_queries(train, query)
    if crossing is not None and 1 <= crossing <= limit:
        queries = np.union1d(queries, np.array([crossing], dtype=np.int64))
    training_line = np.full(queries.shape, train, dtype=np.float64)
    inference_line = queries.astype(np.float64) * query
    return queries, training_line, inference_line


@dataclass(frozen=True)
class PublishedBreakEven:
    """A published break-even case, recomputed from its published parts."""

    model: str
    training_kwh: float
    finetune_kwh: float
    per_query_kwh: float
    queries_training_only: int
    queries: int  # training + fine-tuning, as the published figure counts them
    published_queries: float
    figure_ids: tuple[str, ...]
    cite: str

    @property
    def agreement(self) -> float:
        """Our recomputation over the published figure (1.0 = identical)."""
        return self.queries / self.published_queries


def bloomz_break_even(figures: Mapping[str, Figure] = FIGURES) -> PublishedBreakEven:
    """BLOOMz-7B (Luccioni et al. 2024): inference catches up after about 592 million answers.

    Training alone (51,686 kWh / 0.0001 kWh) gives about 517 million; the published figure
    also counts fine-tuning (7,571 kWh), which gives 592.57 million.
    """
    ids = (
        "bloomz7b_training_energy",
        "bloomz7b_finetune_energy",
        "bloomz7b_inference_energy",
        "bloomz7b_break_even",
    )
    training, finetune, per_answer, published = (figures[i] for i in ids)
    train_kwh = energy_wh(training) / 1e3
    finetune_kwh = energy_wh(finetune) / 1e3
    if per_answer.unit != "kWh per inference":
        raise FigureError(f"figure {per_answer.id!r}: expected kWh per inference")
    query_kwh = per_answer.number
    only = break_even_queries(train_kwh, query_kwh)
    both = break_even_queries(train_kwh + finetune_kwh, query_kwh)
    if only is None or both is None:
        raise FigureError(f"figure {per_answer.id!r}: an answer must cost some energy")
    return PublishedBreakEven(
        model="BLOOMz-7B",
        training_kwh=train_kwh,
        finetune_kwh=finetune_kwh,
        per_query_kwh=query_kwh,
        queries_training_only=only,
        queries=both,
        published_queries=published.number,
        figure_ids=ids,
        cite=published.cite,
    )


# ------------------------------------------------------------------------------ scale-up


def kaplan_training_flops(
    n_params: float, n_examples: float, figures: Mapping[str, Figure] = FIGURES
) -> float:
    """About 6 x N x D FLOPs to train N parameters on D tokens/examples (Kaplan et al. 2020)."""
    per = figures["kaplan_training_flops_per_param_token"].number
    return per * _number("n_params", n_params) * _number("n_examples", n_examples)


def kaplan_inference_flops(n_params: float, figures: Mapping[str, Figure] = FIGURES) -> float:
    """About 2 x N FLOPs per token/example answered (forward pass only)."""
    return figures["kaplan_inference_flops_per_param"].number * _number("n_params", n_params)


def flops_per_second(flops: int, compute_ns: int) -> float:
    """The arithmetic rate a run achieved: counted FLOPs over measured time."""
    ns = _count("compute_ns", compute_ns)
    if ns == 0:
        raise ValueError("compute_ns must be above 0 to give a rate (the run was too quick)")
    return _count("flops", flops) / (ns / 1e9)


@dataclass(frozen=True)
class _Target:
    label: str
    flops: str
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
class ScaleUp:
    """A real model's training arithmetic, at the reader's measured rate and on its own hardware.

    here: the time, energy, CO2 and money of doing all of it at the reader's rate on this
    server, under the reader's assumptions. The published_* fields are None where the
    figures do not say (only GPT-3's run hardware is published in our sources).
    """

    target: str
    label: str
    flops: float
    flops_figure: str
    reader_flops_per_second: float
    here: Cost
    hardware_flops_per_second: float | None
    seconds_on_hardware: float | None
    published_seconds: float | None
    published_energy_wh: float | None
    published_co2_grams: float | None
    figure_ids: tuple[str, ...]

    @property
    def seconds_here(self) -> float:
        return self.here.compute_seconds

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
    rate = _number("model_flops_per_second_measured", model_flops_per_second_measured)
    if rate < MIN_FLOPS_PER_SECOND:
        raise ValueError(
            f"model_flops_per_second_measured must be at least {MIN_FLOPS_PER_SECOND:g}; "
            f"got {model_flops_per_second_measured!r}"
        )
    spec = _TARGETS[target]
    flops = figures[spec.flops].number
    here = _from_seconds(round(flops), flops / rate, assumptions or Assumptions.default())

    ids = [spec.flops]
    hardware_rate = seconds_on_hardware = published_seconds = None
    if spec.chips and spec.chip_flops:
        hardware_rate = figures[spec.chips].number * figures[spec.chip_flops].number
        seconds_on_hardware = flops / hardware_rate
        ids += [spec.chips, spec.chip_flops]
    if spec.days:
        published_seconds = figures[spec.days].number * SECONDS_PER_DAY
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
        hardware_flops_per_second=hardware_rate,
        seconds_on_hardware=seconds_on_hardware,
        published_seconds=published_seconds,
        published_energy_wh=energy,
        published_co2_grams=co2,
        figure_ids=tuple(ids),
    )


# ---------------------------------------------------------------------- comparison table

# counted: from the reader's model's shapes; published: a figure as its source states it;
# estimated: worked out by a stated rule from figures or measurements; unavailable: our
# sources do not give it and no rule applies (shown as a gap, never guessed).
Provenance = Literal["counted", "published", "estimated", "unavailable"]


@dataclass(frozen=True)
class Cell:
    """One number in the comparison table, with how we know it."""

    value: float | None
    unit: str
    provenance: Provenance
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
            float(_count("n_parameters", run.n_parameters)), "parameters", "counted", how=counted
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
