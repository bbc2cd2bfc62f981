// Numbers for people, written the way the server writes them (app/costs/humanize.py):
// - three significant figures, trailing zeros dropped: "26.4 MFLOP", "2.04 s", "2 s";
// - rounding comes before the prefix, so 999,950 FLOP is "1 MFLOP", never "1000 kFLOP";
// - SI prefixes from pico to exa, beyond them scientific notation; FLOP counts stop at tera:
//   from 10^15 they are scientific ("1.64 × 10²⁰ FLOP");
// - counts are whole, with thousands separators: "12,002";
// - every result carries its unit; a missing or non-finite number shows as "–".
// Rounding is exact and halves go to the even digit, as Python's does, so both sides give
// the same text for the same number: tests/format_cases.json holds cases both must match.

const SIGNIFICANT = 3;
const FLOPS_SCIENTIFIC_FROM = 15; // the power of ten past tera
const PREFIXES = new Map([
  [-12, "p"], [-9, "n"], [-6, "µ"], [-3, "m"], [0, ""],
  [3, "k"], [6, "M"], [9, "G"], [12, "T"], [15, "P"], [18, "E"],
]);
// Names a reader knows; beyond a trillion, scientific notation is clearer.
const SCALE_WORDS = new Map([[6, "million"], [9, "billion"], [12, "trillion"]]);
const SUPERSCRIPTS = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
const SECONDS_PER_YEAR = 365.25 * 86400; // the Julian year, as the server counts it
const JOULES_PER_WH = 3600;
const NO_NUMBER = "–";

// ---- exact decimal rounding ---------------------------------------------------------------

// value rounded to `digits` significant figures, halves to even, from the double's exact
// decimal expansion: {negative, digits: "264", exponent: 7} is 2.64 × 10^7. Zero has none.
function significant(value, digits = SIGNIFICANT) {
  const [mantissa, power] = Math.abs(value).toExponential(99).split("e");
  const all = mantissa.replace(".", "");
  let head = all.slice(0, digits);
  const rest = all.slice(digits);
  const tie = rest[0] === "5" && !/[1-9]/.test(rest.slice(1));
  const up = rest[0] > "5" || (rest[0] === "5" && (!tie || Number(head.at(-1)) % 2 === 1));
  let exponent = Number(power);
  if (up) {
    head = String(BigInt(head) + 1n);
    if (head.length > digits) {
      head = head.slice(0, digits);
      exponent += 1;
    }
  }
  return { negative: value < 0, digits: head, exponent };
}

// The rounded number as a plain JS number, for comparing with thresholds.
function valueOf(rounded) {
  const sign = rounded.negative ? -1 : 1;
  return sign * Number(`${rounded.digits}e${rounded.exponent - rounded.digits.length + 1}`);
}

function group(whole) {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// Positional notation of rounded / 10^shift, trailing zeros dropped: "26.4", "0.036", "1,200".
function plain(rounded, shift = 0, grouping = false) {
  const { digits } = rounded;
  const point = rounded.exponent - shift; // the power of ten of the first digit
  let whole;
  let fraction;
  if (point >= digits.length - 1) {
    whole = digits + "0".repeat(point - digits.length + 1);
    fraction = "";
  } else if (point >= 0) {
    whole = digits.slice(0, point + 1);
    fraction = digits.slice(point + 1);
  } else {
    whole = "0";
    fraction = "0".repeat(-point - 1) + digits;
  }
  fraction = fraction.replace(/0+$/, "");
  const text = (grouping ? group(whole) : whole) + (fraction ? `.${fraction}` : "");
  return (rounded.negative && /[1-9]/.test(text) ? "-" : "") + text;
}

function scientific(rounded, unit) {
  const power = String(rounded.exponent).replace(/./g, (c) => SUPERSCRIPTS[c]);
  return withUnit(`${plain(rounded, rounded.exponent)} × 10${power}`, unit);
}

function withUnit(text, unit) {
  return unit ? `${text} ${unit}` : text;
}

function plural(text, singular, many) {
  return `${text} ${text === "1" ? singular : many}`;
}

function finite(value) {
  return typeof value === "number" && Number.isFinite(value);
}

// Past a million: three figures and a scale word ("26.4 million"), or scientific notation.
function inWords(value, unit) {
  const rounded = significant(value);
  const scale = Math.floor(rounded.exponent / 3) * 3;
  if (!SCALE_WORDS.has(scale)) return scientific(rounded, unit);
  return withUnit(`${plain(rounded, scale)} ${SCALE_WORDS.get(scale)}`, unit);
}

// ---- the formatters ------------------------------------------------------------------------

// A whole count with thousands separators: 12002 -> "12,002"; halves round away from zero.
export function formatCount(value, unit = "") {
  if (!finite(value)) return NO_NUMBER;
  const whole = BigInt(Math.sign(value) * Math.round(Math.abs(value)));
  const text = whole < 0n ? `-${group(String(-whole))}` : group(String(whole));
  return withUnit(text, unit);
}

// A count and its noun, singular for exactly one: "1 run", "12,002 answers".
export function formatCountOf(value, singular, many = `${singular}s`) {
  return plural(formatCount(value), singular, many);
}

// A count in words past a million: "12,002", "26.4 million", "1.29 billion".
export function formatWords(value, unit = "") {
  if (!finite(value)) return NO_NUMBER;
  if (Math.round(Math.abs(value)) < 1e6) return formatCount(value, unit);
  return inWords(value, unit);
}

// A value with an SI prefix and its unit: "26.4 MFLOP", "3.1 µs", "0 W".
export function formatSI(value, unit, digits = SIGNIFICANT) {
  if (!finite(value)) return NO_NUMBER;
  if (value === 0) return `0 ${unit}`;
  const rounded = significant(value, digits);
  const scale = Math.floor(rounded.exponent / 3) * 3;
  if (!PREFIXES.has(scale)) return scientific(rounded, unit);
  return `${plain(rounded, scale)} ${PREFIXES.get(scale)}${unit}`;
}

// Floating-point operations: "130 FLOP", "1.43 kFLOP", "26.4 MFLOP"; prefixes stop at tera,
// and from 10^15 (after rounding) the count is scientific, so real models' arithmetic reads
// in one style: "1.64 × 10²⁰ FLOP", "3.14 × 10²³ FLOP".
export function formatFlops(value) {
  if (!finite(value)) return NO_NUMBER;
  if (value === 0) return "0 FLOP";
  const rounded = significant(value);
  if (rounded.exponent >= FLOPS_SCIENTIFIC_FROM) return scientific(rounded, "FLOP");
  return formatSI(value, "FLOP");
}

// A duration given in nanoseconds (the server's unit), in the largest unit that reads
// naturally: "850 ns", "61.8 ms", "2.04 s", "4.5 minutes", "3 hours", "14.8 days", "3.17 years".
export function formatDuration(ns) {
  if (!finite(ns)) return NO_NUMBER;
  const seconds = ns / 1e9;
  if (valueOf(significant(seconds)) < 60) return formatSI(seconds, "s");
  for (const [per, singular, many, below] of [
    [60, "minute", "minutes", 60],
    [3600, "hour", "hours", 24],
    [86400, "day", "days", 366], // 365 days reads better than 0.999 years
  ]) {
    const rounded = significant(seconds / per);
    if (valueOf(rounded) < below) return plural(plain(rounded), singular, many);
  }
  const years = seconds / SECONDS_PER_YEAR;
  const rounded = significant(years);
  if (valueOf(rounded) < 1e6) return plural(plain(rounded, 0, true), "year", "years");
  return formatWords(years, "years");
}

// A share as a percentage, two significant figures: 0.973 -> "97%", 0.00036 -> "0.036%".
export function formatPercent(fraction) {
  if (!finite(fraction)) return NO_NUMBER;
  if (fraction === 0) return "0%";
  const percent = significant(fraction * 100, 2);
  if (!percent.negative && valueOf(percent) < 0.0001) return "less than 0.0001%";
  return `${plain(percent, 0, true)}%`;
}

// A model's confidence, never rounding a doubt away: 0.996 -> "over 99%", 0.004 -> "under 1%",
// exactly 1 -> "100%"; otherwise as formatPercent.
export function formatProbability(probability) {
  if (!finite(probability)) return NO_NUMBER;
  if (probability > 0.99 && probability < 1) return "over 99%";
  if (probability > 0 && probability < 0.01) return "under 1%";
  return formatPercent(probability);
}

// A share of a whole, as a sentence can say it without rounding a count away: "all" only
// when every one is ("100%"), "none" only when none is ("0%"); 599 of 600 is "over 99%"
// (formatPercent would say 100%), 1 of 600 "under 1%", otherwise two figures: "98%".
// part and whole are counts, or a fraction alone (whole 1): an accuracy of 0.9983.
export function formatShare(part, whole = 1) {
  if (!finite(part) || !finite(whole) || whole <= 0 || part < 0 || part > whole) return NO_NUMBER;
  if (part === whole) return "100%";
  return formatProbability(part / whole);
}

// Energy as a person reads it: "0.31 J", "4.2 mJ", "374 J", "2.4 kWh".
export function formatEnergy(joules) {
  if (!finite(joules)) return NO_NUMBER;
  if (joules === 0) return "0 J";
  const rounded = significant(joules);
  if (valueOf(rounded) >= JOULES_PER_WH) return formatSI(joules / JOULES_PER_WH, "Wh");
  if (Math.abs(valueOf(rounded)) >= 0.01) return `${plain(rounded, 0, true)} J`;
  return formatSI(joules, "J");
}

// A plain number to `digits` significant figures, for numbers whose unit the sentence
// gives: a perplexity of "23.4", a distance of "0.42", "12.1 KiB".
export function formatNumber(value, digits = SIGNIFICANT) {
  if (!finite(value)) return NO_NUMBER;
  if (value === 0) return "0";
  return plain(significant(value, digits), 0, true);
}

// A ratio for a sentence (how many times): "1.5", "42", "11,479", "3.2 million".
export function formatRatio(ratio) {
  if (!finite(ratio)) return NO_NUMBER;
  if (ratio >= 1e6) return formatWords(ratio);
  if (ratio >= 100) return formatCount(ratio);
  return formatNumber(ratio, 2);
}

// A round number for "after about … questions": three figures, words past a million:
// "850", "164,000", "592 million".
export function formatAbout(value) {
  if (!finite(value)) return NO_NUMBER;
  if (Math.abs(value) < 1000) return formatCount(value);
  const rounded = significant(value);
  if (rounded.exponent >= 6) return inWords(value, "");
  return plain(rounded, 0, true);
}

// A point on the plane, as the server's answer fragment writes it: two decimals, with a
// true minus sign: "−1.90", "0.25".
export function formatCoordinate(value) {
  if (!finite(value)) return NO_NUMBER;
  const text = value.toFixed(2);
  if (text === "-0.00") return "0.00";
  return text.replace("-", "−");
}
