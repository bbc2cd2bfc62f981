"""Every published or assumed figure the app shows, read from figures.toml and checked.

figures.toml beside this module holds each figure with its source, year, provenance
(the TOML field ``kind``: measured, published or assumed) and confidence. ``FIGURES`` is
read once at import, so the References page, the tooltips and the arithmetic all use the
same numbers, and a broken entry stops the app at start-up rather than mid-lesson.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

from app.costs.humanize import format_published
from app.costs.units import GRAMS_PER, WH_PER

FIGURES_PATH = Path(__file__).with_name("figures.toml")

# How a figure came to be: measured on real hardware by its source, published (stated or
# estimated) by its source, or assumed by us. Not to be confused with a model's kind.
FigureProvenance = Literal["measured", "published", "assumed"]
Confidence = Literal["P", "Q", "S", "A"]
FIGURE_PROVENANCES: tuple[str, ...] = get_args(FigureProvenance)
CONFIDENCES: tuple[str, ...] = get_args(Confidence)


class FigureError(ValueError):
    """figures.toml is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Figure:
    """One published or assumed number, with where it came from.

    ``kind`` is the figure's provenance (one of FIGURE_PROVENANCES), named as in the TOML.
    """

    id: str
    label: str
    value: float | str
    unit: str
    source: str
    cite: str
    year: int
    kind: FigureProvenance
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

    @property
    def shown(self) -> str:
        """Value and unit as a reader should see them: "175 billion parameters", not
        "175000000000.0 parameters"; every published digit kept ("291.42 t CO2e")."""
        if isinstance(self.value, str):
            return f"{self.value} ({self.unit})"
        return format_published(self.value, self.unit)


def energy_wh(figure: Figure) -> float:
    """An energy figure in watt-hours, whatever unit it was published in."""
    if figure.unit not in WH_PER:
        raise FigureError(f"figure {figure.id!r}: {figure.unit!r} is not an energy unit")
    return figure.number * WH_PER[figure.unit]


def co2_grams(figure: Figure) -> float:
    """A CO2 figure in grams, whatever unit it was published in."""
    if figure.unit not in GRAMS_PER:
        raise FigureError(f"figure {figure.id!r}: {figure.unit!r} is not a CO2 unit")
    return figure.number * GRAMS_PER[figure.unit]


# ------------------------------------------------------------------------------ loading

_TEXT_FIELDS = ("id", "label", "unit", "source", "cite", "kind", "confidence")
_REQUIRED = (*_TEXT_FIELDS, "value", "year")
_OPTIONAL = ("note",)
_ID = re.compile(r"[a-z][a-z0-9_]*")


def _check_fields(entry: dict[str, Any], where: str) -> None:
    """Every required field present, no unknown one, every text field non-empty text."""
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


def _check_value_and_year(entry: dict[str, Any], where: str) -> None:
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


def _check_provenance(entry: dict[str, Any], where: str) -> None:
    if entry["kind"] not in FIGURE_PROVENANCES:
        raise FigureError(f"{where}: field 'kind' must be one of {', '.join(FIGURE_PROVENANCES)}")
    if entry["confidence"] not in CONFIDENCES:
        raise FigureError(f"{where}: field 'confidence' must be one of {', '.join(CONFIDENCES)}")
    # An assumption is ours (A) and only ours is an assumption: the UI labels one by the other.
    if (entry["kind"] == "assumed") != (entry["confidence"] == "A"):
        raise FigureError(f"{where}: field 'kind' is 'assumed' exactly when confidence is 'A'")


def _figure(entry: Any, position: int) -> Figure:
    """Check one [[figure]] table and build it; errors name the entry and the field."""
    if not isinstance(entry, dict):
        raise FigureError(f"entry #{position}: expected a table, got {type(entry).__name__}")
    raw_id = entry.get("id")
    where = f"entry {raw_id!r}" if isinstance(raw_id, str) and raw_id else f"entry #{position}"
    _check_fields(entry, where)
    _check_value_and_year(entry, where)
    _check_provenance(entry, where)
    value = entry["value"]
    return Figure(
        id=entry["id"],
        label=entry["label"],
        value=float(value) if isinstance(value, int) else value,
        unit=entry["unit"],
        source=entry["source"],
        cite=entry["cite"],
        year=entry["year"],
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
