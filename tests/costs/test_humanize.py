"""Formatting numbers for people: one set of rules, shared with static/js/lib/format.js."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.costs.humanize import (
    format_co2,
    format_count,
    format_duration,
    format_energy,
    format_flops,
    format_money,
    format_percent,
    format_probability,
    format_published,
    format_ratio,
    format_si,
    format_words,
    plural,
)

MU = "\N{MICRO SIGN}"
X = "\N{MULTIPLICATION SIGN}"


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (7, "7"), (12002, "12,002"), (1_234_567, "1,234,567"), (2.5, "3"), (-0.0, "0"),
     (-1500, "-1,500")],
)  # fmt: skip
def test_format_count(n: float, text: str) -> None:
    assert format_count(n) == text


def test_format_count_with_unit() -> None:
    assert format_count(12002, "steps") == "12,002 steps"


@pytest.mark.parametrize(
    ("n", "text"),
    [(999_500, "999,500"), (999_999.6, "1 million"), (26_400_000, "26.4 million"),
     (1.287e9, "1.29 billion"), (592e6, "592 million"), (4.5e12, "4.5 trillion"),
     (3.14e23, f"3.14 {X} 10²³")],
)  # fmt: skip
def test_format_words(n: float, text: str) -> None:
    assert format_words(n) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (26.4e6, "FLOP", "26.4 MFLOP"),
        (3.1e-6, "s", f"3.1 {MU}s"),
        (4.2e-3, "Wh", "4.2 mWh"),
        (1.287e9, "Wh", "1.29 GWh"),
        (0, "J", "0 J"),
        (-0.0, "J", "0 J"),
        (1, "W", "1 W"),
        (2.04, "s", "2.04 s"),
        (999.4, "W", "999 W"),
        (999.95, "W", "1 kW"),  # rounds up into the next prefix, never "1000 W"
        (999.95e-3, "Wh", "1 Wh"),
        (0.00099995, "W", "1 mW"),
        (1e-12, "J", "1 pJ"),
        (1e18, "FLOP", "1 EFLOP"),
        (1e-15, "J", f"1 {X} 10⁻¹⁵ J"),  # below pico: scientific
        (1e25, "FLOP", f"1 {X} 10²⁵ FLOP"),  # beyond exa: scientific
        (3.14e23, "FLOP", f"3.14 {X} 10²³ FLOP"),
        (9.9995e20, "FLOP", f"1 {X} 10²¹ FLOP"),  # rounding runs out of prefixes
        (-2.5e-7, "s", "-250 ns"),
    ],
)
def test_format_si(value: float, unit: str, text: str) -> None:
    assert format_si(value, unit) == text


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_formatters_refuse_nan_and_infinity(bad: float) -> None:
    for formatter in (format_count, format_words, format_duration, format_money, format_co2):
        with pytest.raises(ValueError):
            formatter(bad)
    with pytest.raises(ValueError):
        format_si(bad, "J")


def test_format_si_needs_a_unit() -> None:
    with pytest.raises(ValueError, match="unit"):
        format_si(1.0, "")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (0.0618, "61.8 ms"),
        (2.04, "2.04 s"),
        (59.99, "1 minute"),  # 60.0 s reads as a minute
        (270, "4.5 minutes"),
        (3599, "1 hour"),
        (3 * 3600, "3 hours"),
        (23.99 * 3600, "1 day"),
        (14.8 * 86400, "14.8 days"),
        (1_276_423, "14.8 days"),  # GPT-3 on 10,000 V100s
        (364.9 * 86400, "365 days"),
        (3.2 * 365.25 * 86400, "3.2 years"),
        (12_345 * 365.25 * 86400, "12,300 years"),
        (3.14e14, "9.95 million years"),  # GPT-3 at 1 GFLOP/s
        (1e-15, f"1 {X} 10⁻¹⁵ s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("usd", "text"),
    [
        (0, "$0"),
        (2.1e-6, "$0.0000021"),
        (2.14e-6, "$0.0000021"),  # two significant figures under a cent
        (9e-7, "less than $0.000001"),
        (1.6e-10, "less than $0.000001"),
        (0.0021, "$0.0021"),
        (0.00999, "$0.01"),
        (0.05, "$0.05"),
        (1234.567, "$1,234.57"),
        (999_999.999, "$1 million"),
        (4.3611e9, "$4.36 billion"),
    ],
)
def test_format_money(usd: float, text: str) -> None:
    assert format_money(usd) == text


@pytest.mark.parametrize(
    ("grams", "text"),
    [
        (0, "0 g"),
        (0.03, "0.03 g"),
        (0.01, "0.01 g"),
        (4.2e-3, "4.2 mg"),
        (4.06e-5, f"40.6 {MU}g"),
        (12.34, "12.3 g"),
        (999.6, "1 kg"),
        (1234, "1.23 kg"),
        (552.1e6, "552 t"),
        (8930e6, "8,930 t"),
        (37.4e15, "37.4 billion t"),
        (1e-15, f"1 {X} 10⁻¹⁵ g"),
    ],
)
def test_format_co2(grams: float, text: str) -> None:
    assert format_co2(grams) == text


@pytest.mark.parametrize(
    ("joules", "text"),
    [
        (0, "0 J"),
        (0.309, "0.309 J"),
        (0.31, "0.31 J"),
        (10, "10 J"),
        (1234, "1,230 J"),
        (4.2e-3, "4.2 mJ"),
        (3599.9, "1 Wh"),
        (3600, "1 Wh"),
        (864, "864 J"),
        (1.287e9 * 3600, "1.29 GWh"),
    ],
)
def test_format_energy(joules: float, text: str) -> None:
    assert format_energy(joules) == text


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(0, "0%"), (0.000357, "0.036%"), (0.5, "50%"), (1.5, "150%"), (1e-9, "less than 0.0001%")],
)
def test_format_percent(fraction: float, text: str) -> None:
    assert format_percent(fraction) == text


@pytest.mark.parametrize(
    "formatter", [format_duration, format_money, format_co2, format_energy, format_percent]
)
def test_non_negative_quantities_refuse_negatives(formatter: Callable[[float], str]) -> None:
    with pytest.raises(ValueError, match="negative"):
        formatter(-1.0)


SWEEP = [0.0] + [m * 10.0**e for e in range(-20, 31) for m in (1.0, 2.5, 9.9996)]
UNITS: list[tuple[Callable[[float], str], str]] = [
    (lambda v: format_si(v, "FLOP"), r"FLOP$"),
    (format_duration, r"(s|minutes?|hours?|days?|years?)$"),
    (format_money, r"^(\$|less than \$)"),
    (format_co2, r"(g|kg|t)$"),
    (format_energy, r"(J|Wh)$"),
    (format_percent, r"%$"),
]


@pytest.mark.parametrize(("formatter", "unit"), UNITS)
def test_sweep_never_nan_negative_or_unitless(formatter: Callable[[float], str], unit: str) -> None:
    for value in SWEEP:
        text = formatter(value)
        assert re.search(unit, text), (value, text)
        assert not re.search(r"nan|inf|-0\b|^-", text, re.IGNORECASE), (value, text)
        assert re.search(r"\d", text), (value, text)
        assert "e+" not in text and "e-" not in text, (value, text)  # never raw 1e-05


@pytest.mark.parametrize(
    ("flops", "text"),
    [
        (0, "0 FLOP"),
        (130, "130 FLOP"),
        (26.4e6, "26.4 MFLOP"),
        (2.5e9, "2.5 GFLOP"),
        (999e12, "999 TFLOP"),
        (999.95e12, f"1 {X} 10¹⁵ FLOP"),  # rounds past tera: scientific, never "1000 TFLOP"
        (1.5e18, f"1.5 {X} 10¹⁸ FLOP"),  # never "1.5 EFLOP"
        (1.64e20, f"1.64 {X} 10²⁰ FLOP"),  # BERT-Base, never "164 EFLOP"
        (3.14e23, f"3.14 {X} 10²³ FLOP"),  # GPT-3: the same style in the same column
    ],
)
def test_format_flops(flops: float, text: str) -> None:
    assert format_flops(flops) == text


def test_format_flops_refuses_negatives_and_nan() -> None:
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError):
            format_flops(bad)


@pytest.mark.parametrize(
    ("ratio", "text"),
    [(0, "0"), (1.5, "1.5"), (42.4, "42"), (11_478.3, "11,478"), (3.2e6, "3.2 million")],
)
def test_format_ratio(ratio: float, text: str) -> None:
    assert format_ratio(ratio) == text


def test_plural_is_singular_only_for_one() -> None:
    assert plural("1", "answer", "answers") == "1 answer"
    assert [plural(n, "day", "days") for n in ("0", "1.5", "2")] == ["0 days", "1.5 days", "2 days"]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (175e9, "parameters", "175 billion parameters"),
        (125e12, "FLOP/s", "125 TFLOP/s"),
        (626_155.0, "lb CO2e", "626,155 lb CO2e"),
        (291.42, "t CO2e", "291.42 t CO2e"),  # every published digit kept
        (1_720_320.0, "GPU-hours", "1,720,320 GPU-hours"),  # too many digits for words
        (30.84e6, "GPU-hours", "30.84 million GPU-hours"),
        (1.4e12, "tokens", "1.4 trillion tokens"),
        (5.33e20, "FLOP", f"5.33 {X} 10²⁰ FLOP"),
        (3 / 5, "fraction", "60%"),
        (1e-4, "kWh per inference", "0.0001 kWh per inference"),
        (6.0, "FLOP per parameter per token", "6 FLOP per parameter per token"),
        (0.0, "t CO2e", "0 t CO2e"),
        (57.0, "", "57"),
        (1.1, "ratio", "1.1"),  # a pure number: "1.1", never "1.1 ratio"
        (11.0, "USD per GPU-hour", "$11.00 per GPU-hour"),  # in dollars, to the cent: a column
        (1234.5, "USD per year", "$1,234.50 per year"),  # of prices reads alike
        (2.5, "USD per GPU-hour", "$2.50 per GPU-hour"),
        (0.05, "USD per core-hour", "$0.05 per core-hour"),
        (0.0021, "USD per answer", "$0.0021 per answer"),  # every published digit kept
    ],
)
def test_format_published(value: float, unit: str, text: str) -> None:
    assert format_published(value, unit) == text


# ------------------------------------------------- the cases static/js/lib/format.js shares

FORMAT_CASES = Path(__file__).parents[1] / "format_cases.json"
FORMATTERS: dict[str, Callable[[float], str]] = {
    "flops": format_flops,
    "count": format_count,
    "duration_ns": lambda ns: format_duration(ns / 1e9),  # the browser counts nanoseconds
    "percent": format_percent,
    "probability": format_probability,
}


def _shared_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(FORMAT_CASES.read_text(encoding="utf-8"))
    return cases


def test_shared_cases_cover_every_formatter() -> None:
    cases = _shared_cases()
    assert cases and {case["fn"] for case in cases} == set(FORMATTERS)


@pytest.mark.parametrize(
    "case", _shared_cases(), ids=lambda case: f"{case['fn']}({case['value']!r})"
)
def test_python_gives_the_shared_text(case: dict[str, Any]) -> None:
    """The same number reads the same in the server's HTML and in the browser's counters."""
    assert FORMATTERS[case["fn"]](case["value"]) == case["text"]
