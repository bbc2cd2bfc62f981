// lib/format.js against the cases the server's formatter must also produce exactly
// (tests/format_cases.json), and the formatters only the browser needs.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import {
  formatAbout,
  formatCoordinate,
  formatCount,
  formatCountOf,
  formatDuration,
  formatEnergy,
  formatFlops,
  formatNumber,
  formatPercent,
  formatProbability,
  formatRatio,
  formatSI,
  formatShare,
  formatWords,
} from "../../static/js/lib/format.js";

const CASES = JSON.parse(readFileSync(new URL("../format_cases.json", import.meta.url), "utf8"));
const BY_NAME = { flops: formatFlops, count: formatCount, duration_ns: formatDuration, percent: formatPercent, probability: formatProbability };

describe("the cases shared with the server", () => {
  it("covers every formatter the file names", () => {
    assert.deepEqual(new Set(CASES.map((c) => c.fn)), new Set(Object.keys(BY_NAME)));
    assert.ok(CASES.length >= 40);
  });

  for (const { fn, value, text } of CASES) {
    it(`${fn}(${value}) is ${JSON.stringify(text)}`, () => {
      assert.equal(BY_NAME[fn](value), text);
    });
  }
});

describe("rounding", () => {
  it("sends exact halves to the even digit, as the server does", () => {
    assert.equal(formatFlops(1005), "1 kFLOP");
    assert.equal(formatFlops(1015), "1.02 kFLOP");
    assert.equal(formatPercent(0.0125), "1.2%");
  });

  it("rounds before it picks the prefix", () => {
    assert.equal(formatFlops(999_950), "1 MFLOP");
    assert.equal(formatDuration(999_999), "1 ms");
  });

  it("reads the double's exact value, not its shortest spelling", () => {
    // 1.0049999999999999 is the double nearest 1.005: it rounds down.
    assert.equal(formatSI(1.005, "J"), "1 J");
    assert.equal(formatSI(2.675, "J", 3), "2.67 J");
  });

  it("never prints a minus zero", () => {
    assert.equal(formatCount(-0.4), "0");
    assert.equal(formatCoordinate(-0.001), "0.00");
  });
});

describe("the browser-only formatters", () => {
  it("writes counts in words past a million", () => {
    assert.equal(formatWords(999_500), "999,500");
    assert.equal(formatWords(26_400_000), "26.4 million");
    assert.equal(formatWords(1.29e9), "1.29 billion");
    assert.equal(formatWords(3.14e15), "3.14 × 10¹⁵");
  });

  it("writes energy in joules up to a watt-hour, then in watt-hours", () => {
    assert.equal(formatEnergy(0.31), "0.31 J");
    assert.equal(formatEnergy(0.0042), "4.2 mJ");
    assert.equal(formatEnergy(374), "374 J");
    assert.equal(formatEnergy(3600 * 2400), "2.4 kWh");
    assert.equal(formatEnergy(0), "0 J");
  });

  it("rounds an 'about' to three figures", () => {
    assert.equal(formatAbout(850), "850");
    assert.equal(formatAbout(163_872), "164,000");
    assert.equal(formatAbout(592_400_000), "592 million");
    assert.equal(formatAbout(999_950), "1 million");
  });

  it("writes ratios with two figures below a hundred", () => {
    assert.equal(formatRatio(1.53), "1.5");
    assert.equal(formatRatio(42.4), "42");
    assert.equal(formatRatio(11_478.6), "11,479");
    assert.equal(formatRatio(3.2e6), "3.2 million");
  });

  it("writes plain numbers, counts with nouns, and points", () => {
    assert.equal(formatNumber(23.456), "23.5");
    assert.equal(formatNumber(12_345.6), "12,300");
    assert.equal(formatNumber(8, 2), "8");
    assert.equal(formatCountOf(1, "run"), "1 run");
    assert.equal(formatCountOf(2500, "answer"), "2,500 answers");
    assert.equal(formatCoordinate(-1.9), "−1.90");
    assert.equal(formatCoordinate(0.25), "0.25");
  });

  it("writes a share of a whole without rounding some into all or none", () => {
    assert.equal(formatShare(600, 600), "100%");
    assert.equal(formatShare(599, 600), "over 99%"); // formatPercent would say "100%"
    assert.equal(formatPercent(599 / 600), "100%");
    assert.equal(formatShare(1, 600), "under 1%");
    assert.equal(formatShare(0, 600), "0%");
    assert.equal(formatShare(88, 90), "98%");
    assert.equal(formatShare(0.9983), "over 99%"); // an accuracy, as a fraction
    assert.equal(formatShare(1), "100%");
    assert.equal(formatShare(3, 0), "–");
    assert.equal(formatShare(7, 5), "–");
  });

  it("shows a dash, never NaN, for a number that is missing", () => {
    for (const format of [formatCount, formatFlops, formatDuration, formatPercent, formatEnergy, formatNumber, formatShare]) {
      assert.equal(format(Number.NaN), "–");
      assert.equal(format(undefined), "–");
      assert.equal(format(Infinity), "–");
    }
  });
});
