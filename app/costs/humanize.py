"""Numbers for people: separators, SI prefixes, FLOPs, durations, money, CO2, percentages.

The rules every formatter here follows:

- Three significant figures, trailing zeros dropped: "26.4 MFLOP", "2.04 s", "2 s".
- Rounding happens before the prefix or unit is chosen, so 999.95 mWh is "1 Wh", never
  "1000 mWh".
- SI prefixes run from pico (1e-12) to exa (1e18); only beyond them does a number switch
  to scientific notation ("1 x 10^-15 J", written with a times sign and a superscript).
- FLOP counts stop at tera: from 10^15 they are always scientific ("1.64 x 10^20 FLOP",
  "3.14 x 10^23 FLOP"), so a column of real models' arithmetic reads in one style and
  nobody has to know what an exa- or a zetta-FLOP is.
- Every result carries its unit. NaN and infinity are refused with ValueError: a counter
  that reaches formatting as NaN is a bug upstream, and "nan" must never reach a reader.
  No result is ever "-0".

static/js/lib/format.js follows the same rules; tests/format_cases.json holds the cases
both must match. Standard library only (and the unit constants in app.costs.units).
"""

from __future__ import annotations

import math
import numbers
from decimal import ROUND_HALF_UP, Decimal

from app.costs.units import JOULES_PER_WH, SECONDS_PER_DAY, SECONDS_PER_HOUR, SECONDS_PER_YEAR

MICRO = "\N{MICRO SIGN}"
TIMES = "\N{MULTIPLICATION SIGN}"
_SUPERSCRIPTS = str.maketrans(
    "-0123456789",
    "\N{SUPERSCRIPT MINUS}\N{SUPERSCRIPT ZERO}\N{SUPERSCRIPT ONE}\N{SUPERSCRIPT TWO}"
    "\N{SUPERSCRIPT THREE}\N{SUPERSCRIPT FOUR}\N{SUPERSCRIPT FIVE}\N{SUPERSCRIPT SIX}"
    "\N{SUPERSCRIPT SEVEN}\N{SUPERSCRIPT EIGHT}\N{SUPERSCRIPT NINE}",
)
SI_PREFIXES = {
    -12: "p",
    -9: "n",
    -6: MICRO,
    -3: "m",
    0: "",
    3: "k",
    6: "M",
    9: "G",
    12: "T",
    15: "P",
    18: "E",
}
# Names a reader knows; beyond a trillion, scientific notation is clearer than "quadrillion".
_SCALE_WORDS = {6: "million", 9: "billion", 12: "trillion"}

SIGNIFICANT = 3
# From this power of ten a FLOP count is written in scientific notation, past tera.
_FLOPS_SCIENTIFIC_FROM = 15


# ----------------------------------------------------------------------------- helpers


def _finite(value: float, name: str = "value", negative: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite to be shown; got {value!r}")
    if result < 0 and not negative:
        raise ValueError(f"{name} must not be negative; got {value!r}")
    return result + 0.0  # -0.0 becomes 0.0


def _sig(value: float, digits: int = SIGNIFICANT) -> Decimal:
    """value rounded to `digits` significant figures (printf's correctly rounded %e)."""
    return Decimal(f"{value:.{digits - 1}e}")


def _plain(number: Decimal, grouping: bool = False) -> str:
    """A Decimal in positional notation, trailing zeros dropped: 26.40 -> "26.4"."""
    if number == 0:
        return "0"
    return format(number.normalize(), ",f" if grouping else "f")


def _scientific(number: Decimal, unit: str) -> str:
    exponent = number.adjusted()
    mantissa = _plain(number.scaleb(-exponent))
    text = f"{mantissa} {TIMES} 10{str(exponent).translate(_SUPERSCRIPTS)}"
    return f"{text} {unit}" if unit else text


def _whole(value: float) -> int:
    """The nearest whole number, halves away from zero (2.5 -> 3), at any magnitude."""
    return int(Decimal(value).to_integral_value(ROUND_HALF_UP))


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def plural(text: str, singular: str, many: str) -> str:
    """A formatted number and its noun, singular only for exactly "1": "1 answer", "2 answers"."""
    return f"{text} {singular if text == '1' else many}"


_DOLLARS = "USD"


def _published_dollars(usd: float) -> str:
    """A price to the cent, or to every digit published below one: "$11.00", "$2.50",
    "$0.05", "$0.0021". To the cent even when whole, so a column of prices reads alike."""
    amount = Decimal(repr(usd)).normalize()
    places = max(2, -int(amount.as_tuple().exponent))
    return f"${amount:,.{places}f}"


def _digits(value: float) -> int:
    """How many significant digits the shortest decimal for value has: 175e9 -> 3, 291.42 -> 5."""
    return max(1, len(Decimal(repr(value)).normalize().as_tuple().digits))


# ---------------------------------------------------------------------------- formatters


def format_count(n: float, unit: str = "") -> str:
    """A whole count with thousands separators: 12002 -> "12,002" (halves round up)."""
    return _with_unit(f"{_whole(_finite(n, 'n', negative=True)):,}", unit)


def format_words(n: float, unit: str = "", digits: int = SIGNIFICANT) -> str:
    """A count in words past a million: "12,002", "26.4 million", "1.29 billion".

    Below a million the count is exact ("999,500"); from a million, three significant
    figures (or ``digits``) and a scale word; past a trillion, scientific notation.
    """
    value = _finite(n, "n", negative=True)
    if abs(_whole(value)) < 10**6:
        return format_count(value, unit)
    rounded = _sig(value, digits)
    scale = rounded.adjusted() // 3 * 3
    if scale not in _SCALE_WORDS:
        return _scientific(rounded, unit)
    return _with_unit(f"{_plain(rounded.scaleb(-scale))} {_SCALE_WORDS[scale]}", unit)


def format_si(value: float, unit: str, digits: int = SIGNIFICANT) -> str:
    """A value with an SI prefix: "26.4 MFLOP", "3.1 µs", "4.2 mWh", "1.29 GWh".

    Prefixes pico to exa; outside them (below 1e-12 or from 1e21) scientific notation:
    "1 x 10^-15 J" (times sign, superscript). Negative values keep their sign; zero is
    "0 <unit>".
    """
    if not unit:
        raise ValueError("unit must be given: every number shown carries its unit")
    number = _finite(value, "value", negative=True)
    if number == 0:
        return f"0 {unit}"
    rounded = _sig(number, digits)
    scale = rounded.adjusted() // 3 * 3
    if scale not in SI_PREFIXES:
        return _scientific(rounded, unit)
    return f"{_plain(rounded.scaleb(-scale))} {SI_PREFIXES[scale]}{unit}"


def format_flops(flops: float, digits: int = SIGNIFICANT) -> str:
    """A count of floating-point operations: "130 FLOP", "26.4 MFLOP", "3.14 x 10^23 FLOP".

    SI prefixes up to tera; from 10^15 (after rounding) always scientific notation, so
    BERT's 1.64 x 10^20 and GPT-3's 3.14 x 10^23 read alike, side by side.
    """
    value = _finite(flops, "flops")
    if value == 0:
        return "0 FLOP"
    rounded = _sig(value, digits)
    if rounded.adjusted() >= _FLOPS_SCIENTIFIC_FROM:
        return _scientific(rounded, "FLOP")
    return format_si(value, "FLOP", digits)


def format_energy(joules: float) -> str:
    """Energy as a person reads it: "0.31 J", "4.2 mJ", "2.4 kWh", "1.29 GWh".

    From 0.01 J up to 1 Wh (3,600 J) in plain joules; above, watt-hours with a prefix
    (the unit on an electricity bill); below 0.01 J, joules with a prefix.
    """
    value = _finite(joules, "joules")
    rounded = _sig(value)
    if rounded >= Decimal(JOULES_PER_WH):
        return format_si(value / JOULES_PER_WH, "Wh")
    if rounded == 0 or rounded >= Decimal("0.01"):
        return f"{_plain(rounded, grouping=True)} J"
    return format_si(value, "J")


def format_duration(seconds: float) -> str:
    """A duration in the largest unit that reads naturally.

    "61.8 ms", "2.04 s", "4.5 minutes", "3 hours", "14.8 days", "3.2 years",
    "10.1 million years". Under a minute with SI prefixes; a year is 365.25 days.
    """
    value = _finite(seconds, "seconds")
    if _sig(value) < 60:
        return format_si(value, "s")
    for per, singular, many, below in (
        (60.0, "minute", "minutes", 60),
        (SECONDS_PER_HOUR, "hour", "hours", 24),
        (SECONDS_PER_DAY, "day", "days", 366),  # 365 days still reads better than 0.999 years
    ):
        rounded = _sig(value / per)
        if rounded < below:
            return plural(_plain(rounded), singular, many)
    years = value / SECONDS_PER_YEAR
    rounded = _sig(years)
    if rounded < 10**6:
        return plural(_plain(rounded, grouping=True), "year", "years")
    return format_words(years, "years")


def format_money(usd: float) -> str:
    """US dollars, honest about amounts too small to pay.

    - from a cent: to the cent, with separators ("$0.05", "$1,234.57"); from a million,
      in words ("$4.36 billion");
    - under a cent: two significant figures, written out ("$0.0021", "$0.0000021");
    - under a millionth of a dollar: "less than $0.000001", because a row of zeros that
      long is unreadable and no one is billed for it;
    - zero: "$0".
    """
    value = _finite(usd, "usd")
    if value == 0:
        return "$0"
    rounded = _sig(value, 2)
    if rounded < Decimal("0.000001"):
        return "less than $0.000001"
    if rounded < Decimal("0.01"):
        return f"${_plain(rounded)}"
    # In whole cents, exactly (Decimal's quantize would overflow its precision here).
    cents = _whole(value * 100)
    if cents < 10**8:
        return f"${cents // 100:,}.{cents % 100:02d}"
    return f"${format_words(value)}"


def format_co2(grams: float) -> str:
    """CO2 (equivalent) by mass: "0.03 g", "4.2 mg", "1.2 kg", "552 t", "8,930 t".

    Plain grams from 0.01 g to 1 kg; smaller with SI prefixes; then kilograms; then
    tonnes (1 t = 1,000 kg), in words past a million tonnes.
    """
    value = _finite(grams, "grams")
    rounded = _sig(value)
    if rounded == 0:
        return "0 g"
    if rounded < Decimal("0.01"):
        return format_si(value, "g")
    if rounded < 1000:
        return f"{_plain(rounded)} g"
    kilograms = _sig(value / 1e3)
    if kilograms < 1000:
        return f"{_plain(kilograms)} kg"
    tonnes = _sig(value / 1e6)
    if tonnes < 10**6:
        return f"{_plain(tonnes, grouping=True)} t"
    return format_words(value / 1e6, "t")


def format_percent(fraction: float) -> str:
    """A share as a percentage, two significant figures: 0.00036 -> "0.036%"."""
    percent = _sig(_finite(fraction, "fraction") * 100, 2)
    if percent == 0:
        return "0%"
    if percent < Decimal("0.0001"):
        return "less than 0.0001%"
    return f"{_plain(percent, grouping=True)}%"


def format_probability(probability: float) -> str:
    """A model's confidence as a percentage that never rounds a doubt away.

    0.996 -> "over 99%" (not "100%", which would say the model is certain), 0.004 ->
    "under 1%", exactly 1 -> "100%"; otherwise as ``format_percent``.
    """
    value = _finite(probability, "probability")
    if 0.99 < value < 1:
        return "over 99%"
    if 0 < value < 0.01:
        return "under 1%"
    return format_percent(value)


def format_ratio(ratio: float) -> str:
    """How many times, for a sentence: "1.5", "42", "11,479", "3.2 million"."""
    value = _finite(ratio, "ratio")
    if value >= 10**6:
        return format_words(value)
    if value >= 100:
        return format_count(value)
    return _plain(_sig(value, 2))


def format_published(value: float, unit: str) -> str:
    """A published figure at the precision it was published, with its unit.

    Every digit the source gave is kept ("291.42 t CO2e", "1,720,320 GPU-hours"); no
    "175000000000.0": big round numbers in words ("175 billion parameters", "30.84
    million GPU-hours"), FLOPs and FLOP/s with prefixes or scientific notation as
    everywhere else ("3.14 x 10^23 FLOP", "24.6 TFLOP/s"), fractions as percentages,
    prices in dollars ("$2.50 per GPU-hour"), a ratio as the bare number ("1.1").
    """
    number = _finite(value, "value")
    digits = _digits(number)
    if unit == "ratio":  # a pure number, such as a data centre's PUE: "1.1", not "1.1 ratio"
        return _plain(Decimal(repr(number)), grouping=True)
    if unit.startswith(f"{_DOLLARS} "):  # a price: "$2.50 per GPU-hour", not "2.5 USD per ..."
        return f"{_published_dollars(number)}{unit.removeprefix(_DOLLARS)}"
    if unit == "FLOP":
        return format_flops(number, digits)
    if unit == "FLOP/s":
        return format_si(number, unit, digits)
    if unit == "fraction":
        return format_percent(number)
    if number >= 10**6 and digits <= 4:
        return format_words(number, unit, digits)
    return _with_unit(_plain(Decimal(repr(number)), grouping=True), unit)
