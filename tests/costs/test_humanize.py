"""Formatting numbers for people, and the plain-language receipt."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest

from app.costs.costs import FIGURES, Assumptions, Cost, estimate, per_query
from app.costs.humanize import (
    format_co2,
    format_count,
    format_duration,
    format_energy,
    format_money,
    format_percent,
    format_si,
    format_words,
    receipt,
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


# ---------------------------------------------------------------------------------- receipt

WORLD = Assumptions(watts=5.0, region="world", price_per_hour=0.05)
TRAINING = estimate(26_400_000, 61_800_000, WORLD)  # 61.8 ms: 0.309 J
ONE_QUERY = per_query(2_300_000, 12_000_000, 1000, WORLD)  # 12 us: 60 uJ each


def test_receipt_training_sentence_is_hand_worked() -> None:
    first = receipt(TRAINING, ONE_QUERY, 5, WORLD, FIGURES)[0]
    # 0.309 J against 0.24 Wh = 864 J: 0.0358%, two significant figures 0.036%
    assert first == (
        "Training this model took 26.4 million arithmetic operations and 61.8 ms of "
        "computing, about 0.309 J of energy: about 0.036% of the energy of one chatbot "
        "prompt (0.24 Wh, Google 2025)."
    )


def test_receipt_names_assumptions_and_their_sources() -> None:
    second = receipt(TRAINING, ONE_QUERY, 5, WORLD, FIGURES)[1]
    # 0.309 J = 8.583e-8 kWh x 473 g = 40.6 ug; 61.8 ms x $0.05/h = $8.6e-7
    assert "5 W while computing (our assumption)" in second
    assert "World grid's 473 g of CO2 per kWh (Ember 2025, for 2024)" in second
    assert "$0.05 per core-hour (our assumption)" in second
    assert f"40.6 {MU}g of CO2" in second
    assert "less than $0.000001" in second


def test_receipt_compares_answers_to_training() -> None:
    lines = receipt(TRAINING, ONE_QUERY, 5, WORLD, FIGURES)
    text = " ".join(lines)
    assert f"Answering one question took 2,300 arithmetic operations and 12 {MU}s" in text
    # 26.4e6 / 2,300 = 11,478 answers of arithmetic; 0.309 J / 60 uJ = 5,150 of energy
    assert "as much arithmetic as about 11,478 answers" in text
    assert "money as about 5,150 answers" in text
    # 5 x 60 uJ = 300 uJ, 300e-6 / 0.309 = 0.097%
    assert f"Your 5 answers together used about 300 {MU}J, 0.097% of what training used" in text
    assert "After 5,150 answers, answering will have used as much energy as training" in text
    assert "already passed" not in text
    assert lines[-1].endswith("after about 592 million answers (Luccioni et al. 2024).")


def test_receipt_after_passing_break_even() -> None:
    text = " ".join(receipt(TRAINING, ONE_QUERY, 6000, WORLD, FIGURES))
    assert "You have already passed that point." in text


def test_receipt_before_any_question_and_with_unmeasurable_answers() -> None:
    instant = estimate(2_300, 0, WORLD)
    lines = receipt(TRAINING, instant, 0, WORLD, FIGURES)
    text = " ".join(lines)
    assert "too quick for the clock to measure its time" in text
    assert "You have not asked it anything yet" in text
    # 26.4e6 / 2,300 = 11,478.3 -> the 11,479th answer catches up by arithmetic
    assert "catches up with training after 11,479 answers" in text


def test_receipt_when_training_outweighs_a_prompt() -> None:
    long_run = estimate(10**12, 3_600 * 10**9, WORLD)  # an hour at 5 W = 5 Wh
    first = receipt(long_run, ONE_QUERY, 1, WORLD, FIGURES)[0]
    assert "about 21 times the energy of one chatbot prompt (0.24 Wh, Google 2025)" in first


def test_receipt_marks_the_readers_own_choices() -> None:
    mine = Assumptions(watts=20, region="france", price_per_hour=0.1)
    second = receipt(estimate(10, 10**9, mine), ONE_QUERY, 1, mine, FIGURES)[1]
    assert "20 W while computing (your choice)" in second
    assert "France grid's 57 g of CO2 per kWh (Luccioni et al. 2022, for 2022)" in second
    assert "$0.10 per core-hour (your choice)" in second


def test_receipt_never_shows_nan_or_unitless_zero() -> None:
    for training in (Cost.zero(), TRAINING):
        for query in (Cost.zero(), ONE_QUERY):
            for line in receipt(training, query, 3, WORLD, FIGURES):
                assert "nan" not in line.lower() and "inf" not in line.lower()


def test_receipt_refuses_negative_queries() -> None:
    with pytest.raises(ValueError):
        receipt(TRAINING, ONE_QUERY, -1, WORLD, FIGURES)


def test_receipt_counts_one_answer_in_the_singular() -> None:
    text = " ".join(receipt(TRAINING, ONE_QUERY, 1, WORLD, FIGURES))
    assert f"Your 1 answer used about 60 {MU}J, 0.019% of what training used." in text
