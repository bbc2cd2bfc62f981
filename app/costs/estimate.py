"""What some computing cost: arithmetic counted, time measured, energy, CO2 and money estimated.

Three kinds of number, never mixed up:

    counted    FLOPs, from the model's shapes (app.ml.models)
    measured   compute time, timed around the numpy work only (app.ml.training)
    estimated  energy = time x power draw; CO2 = energy x grid intensity;
               money = time x price; each from a named assumption (``Assumptions``)
               whose default and source live in figures.toml

Units inside: seconds, joules, grams of CO2e and US dollars; Wh and kWh are derived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Literal, get_args

from app.costs.figures import FIGURES, Figure
from app.costs.guards import in_range, non_negative, whole
from app.costs.units import JOULES_PER_KWH, JOULES_PER_WH, SECONDS_PER_HOUR

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
        object.__setattr__(self, "watts", in_range("watts", self.watts, low, high, "W"))
        if self.region not in REGION_FIGURES:
            known = ", ".join(REGION_FIGURES)
            raise ValueError(f"region must be one of {known}; got {self.region!r}")
        low, high = PRICE_RANGE
        price = in_range("price_per_hour", self.price_per_hour, low, high, "USD per core-hour")
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
        object.__setattr__(self, "flops", whole("flops", self.flops))
        for name in ("compute_seconds", "energy_joules", "co2_grams", "money_usd"):
            object.__setattr__(self, name, non_negative(name, getattr(self, name)))

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
        n = whole("count", count)
        return Cost(
            self.flops * n,
            self.compute_seconds * n,
            self.energy_joules * n,
            self.co2_grams * n,
            self.money_usd * n,
        )

    __rmul__ = __mul__


def from_seconds(flops: object, seconds: float, assumptions: Assumptions) -> Cost:
    """The cost of ``seconds`` of computing that counted ``flops``: every estimate, in one
    place, and each proportional to the time."""
    energy = seconds * assumptions.watts
    return Cost(
        flops=whole("flops", flops),
        compute_seconds=seconds,
        energy_joules=energy,
        co2_grams=energy / JOULES_PER_KWH * assumptions.grid_g_per_kwh,
        money_usd=seconds / SECONDS_PER_HOUR * assumptions.price_per_hour,
    )


def estimate(flops: int, compute_ns: int, assumptions: Assumptions | None = None) -> Cost:
    """The cost of work that counted ``flops`` and took ``compute_ns`` of measured time."""
    seconds = whole("compute_ns", compute_ns) / 1e9
    return from_seconds(flops, seconds, assumptions or Assumptions.default())


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
    n = whole("queries", queries)
    if n == 0:
        raise ValueError("queries must be at least 1 to average over")
    flops = whole("total_flops", total_flops)
    seconds = whole("total_compute_ns", total_compute_ns) / 1e9 / n
    return from_seconds(round(Fraction(flops, n)), seconds, assumptions or Assumptions.default())
