// The scaling widget's pure parts: how its runs are timed (taking turns, fastest stretch by
// stretch) and how its chart's logarithmic scales are lined up and labelled.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { alignedRanges, logTicks } from "../../static/js/widgets/scaling/chart.js";
import { fastestByStretch, timeOnce, timeTogether, timingOrder } from "../../static/js/widgets/scaling/timing.js";

describe("timing the runs", () => {
  it("takes turns forwards, then backwards", () => {
    assert.deepEqual(timingOrder(3, 0), [0, 1, 2]);
    assert.deepEqual(timingOrder(3, 1), [2, 1, 0]);
    assert.deepEqual(timingOrder(3, 2), [0, 1, 2]);
  });

  it("keeps the fastest timing of each stretch, added up", () => {
    // Each timing was interrupted once, in a different stretch: none of them is the run's time.
    const timings = [
      [10, 90, 10],
      [10, 10, 80],
      [70, 10, 10],
    ];
    assert.equal(fastestByStretch(timings), 30);
    assert.ok(fastestByStretch(timings) < Math.min(...timings.map((t) => t[0] + t[1] + t[2])));
  });

  it("turns a run's frames into the compute time of each stretch", async () => {
    const follow = async (runId, { onFrame }) => {
      for (const ns of [5, 12, 20]) onFrame({ counters: { compute_ns: ns } });
      return { start: { run: runId }, done: { totals: { compute_ns: 20 } }, diverged: null };
    };
    const { start, stretches } = await timeOnce("abc", { follow });
    assert.deepEqual(stretches, [5, 7, 8]);
    assert.deepEqual(start, { run: "abc" });
  });

  it("refuses a timing that diverged", async () => {
    const follow = async () => ({ start: {}, done: null, diverged: { message: "blew up" } });
    await assert.rejects(timeOnce("abc", { follow }), /blew up/);
  });

  it("times every run the same number of times, in turns, and gives each its time", async () => {
    const calls = [];
    const slow = { a: [3, 3], b: [6, 6] };
    let busy = 1; // the load falls during the rounds: the first timings are the slowest
    const time = async (runId) => {
      calls.push(runId);
      const stretches = slow[runId].map((ns) => ns * busy);
      busy = Math.max(1, busy - 0.5);
      return { start: { runId }, done: { runId }, stretches };
    };
    const results = await timeTogether(["a", "b"], { rounds: 3, time, onTiming: () => {} });
    assert.deepEqual(calls, ["a", "b", "b", "a", "a", "b"]);
    assert.deepEqual(results.map((r) => r.ns), [6, 12]);
    assert.deepEqual(results.map((r) => r.done), [{ runId: "a" }, { runId: "b" }]);
  });
});

describe("the chart's scales", () => {
  const ns = (text) => `${text} ns`;

  it("labels 1, 2 and 5 of each power of ten, each with its unit", () => {
    const { tickvals, ticktext } = logTicks(15, 500, ns);
    assert.deepEqual(tickvals, [20, 50, 100, 200, 500]);
    assert.deepEqual(ticktext, ["20 ns", "50 ns", "100 ns", "200 ns", "500 ns"]);
  });

  it("labels fewer ticks per decade over a wider range", () => {
    assert.deepEqual(logTicks(8, 2000, String).tickvals, [10, 30, 100, 300, 1000]);
    assert.deepEqual(logTicks(1, 1e5, String).tickvals, [1, 10, 100, 1000, 10000, 100000]);
  });

  it("writes small values without rounding noise", () => {
    assert.deepEqual(logTicks(0.01, 0.06, String).tickvals, [0.01, 0.02, 0.05]);
  });

  it("lines the two scales up at the first run", () => {
    const times = [1e7, 2e7, 3e7];
    const flops = [1e8, 2e8, 8e8];
    const { time, flops: arithmetic, offset } = alignedRanges(times, flops);
    assert.equal(offset, 1); // ten FLOPs per ns at the first run
    assert.ok(Math.abs(arithmetic[0] - time[0] - 1) < 1e-12 && Math.abs(arithmetic[1] - time[1] - 1) < 1e-12);
    // Every point inside its scale, and at least one decade shown.
    for (const t of times) assert.ok(Math.log10(t) > time[0] && Math.log10(t) < time[1]);
    for (const f of flops) assert.ok(Math.log10(f) > arithmetic[0] && Math.log10(f) < arithmetic[1]);
    assert.ok(time[1] - time[0] >= 1);
  });

  it("has no arithmetic scale before the first finished run", () => {
    assert.equal(alignedRanges([], []).flops, null);
    assert.equal(alignedRanges([5e6], []).flops, null); // a diverged run only
  });
});
