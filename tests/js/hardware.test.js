// The hardware widget's pure parts: the drawing grid's geometry, what it says about training
// and the 8-bit summary.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { decadeTicks } from "../../static/js/widgets/hardware/batching.js";
import { agreementText, shrinkStatus } from "../../static/js/widgets/hardware/shrinking.js";
import { trainedStatus, trainedText } from "../../static/js/widgets/hardware/training.js";
import {
  distanceToSegment,
  drawExampleDigit,
  drawingRows,
  EXAMPLES,
  inkSegment,
  SIDE,
  strokePoints,
} from "../../static/js/widgets/hardware/strokes.js";

describe("the drawing grid", () => {
  it("measures the distance to a segment, its ends included", () => {
    assert.equal(distanceToSegment(1, 1, 0, 0, 2, 0), 1);
    assert.equal(distanceToSegment(3, 0, 0, 0, 2, 0), 1);
    assert.equal(distanceToSegment(0, 2, 0, 0, 0, 0), 2);
  });

  it("turns a line into its two ends and an arc into a polyline", () => {
    assert.deepEqual(strokePoints(["line", 0.1, 0.2, 0.3, 0.4]), [[0.1, 0.2], [0.3, 0.4]]);
    const circle = strokePoints(["arc", 0.5, 0.5, 0.25, 0.25, 0, 360]);
    assert.equal(circle.length, 33);
    assert.deepEqual(circle[0], [0.75, 0.5]);
  });

  it("inks squares near the pen, only ever darker", () => {
    const grid = new Float64Array(SIDE * SIDE);
    inkSegment(grid, [7.5, 7.5], [7.5, 7.5]); // a dot at the centre of row 7, column 7
    assert.equal(grid[7 * SIDE + 7], 1);
    assert.ok(Math.abs(grid[7 * SIDE + 8] - 0.4) < 1e-12); // a square away: the pen's fading edge
    assert.equal(grid[0], 0);
    const before = Array.from(grid);
    inkSegment(grid, [6.9, 7.5], [6.9, 7.5]); // a fainter dot nearby lightens nothing
    assert.ok(grid.every((v, i) => v >= before[i]));
    assert.equal(grid[7 * SIDE + 7], 1);
    const again = Array.from(grid);
    inkSegment(grid, [6.9, 7.5], [6.9, 7.5]);
    assert.deepEqual(Array.from(grid), again);
  });

  it("draws every example digit, and hands the server rows of rounded numbers", () => {
    const grid = new Float64Array(SIDE * SIDE);
    for (const digit of Object.keys(EXAMPLES)) {
      drawExampleDigit(grid, digit);
      const ink = grid.reduce((a, b) => a + b, 0);
      assert.ok(ink > 10 && ink < 120, `digit ${digit}: ${ink}`);
    }
    grid.fill(0);
    grid[3] = 0.123456;
    const rows = drawingRows(grid);
    assert.equal(rows.length, SIDE);
    assert.equal(rows[0].length, SIDE);
    assert.equal(rows[0][3], 0.123);
  });
});

describe("the 8-bit copy's agreement", () => {
  it("says 'all' rather than 100% and the count again", () => {
    assert.equal(
      agreementText({ agreement: 1, checked_inputs: 600 }),
      "The 8-bit copy gives the same answer as the original on all 600 held-out drawings.",
    );
  });

  it("gives the count once, then the share", () => {
    assert.equal(
      agreementText({ agreement: 0.985, checked_inputs: 600 }),
      "The 8-bit copy gives the same answer as the original on 591 of 600 held-out drawings (98%); " +
        "the few that flip sit near the border between two digits.",
    );
  });

  it("never rounds one flipped answer into 'the same on 100%'", () => {
    const q = { agreement: 599 / 600, checked_inputs: 600, size_bytes_int8: 17_328, size_bytes_float64: 136_784 };
    assert.match(agreementText(q), /on 599 of 600 held-out drawings \(over 99%\)/);
    assert.equal(shrinkStatus(q), "8-bit copy: 13% of the size, over 99% of answers the same.");
    assert.equal(shrinkStatus({ ...q, agreement: 1 }), "8-bit copy: 13% of the size, every answer the same.");
  });
});

describe("what it says about training", () => {
  const done = {
    n_parameters: 17_098,
    inference_flops_per_query: 34_196,
    final: { val_accuracy: 599 / 600 },
    totals: { steps: 500, examples_seen: 32_000, flops: 3.4e9, compute_ns: 1.2e9 },
  };

  it("counts looks at the drawings, never more drawings than the server made", () => {
    const text = trainedText(done, 2000);
    assert.equal(
      text,
      "The trained model: 17,098 weights. 500 steps, each looking at 64 practice drawings: 32,000 looks in all, " +
        "so each practice drawing came round again and again. One answer costs 34.2 kFLOP.",
    );
    assert.doesNotMatch(text, /32,000 (practice )?drawings/);
    assert.doesNotMatch(trainedText(done, 50_000), /again and again/);
  });

  it("gives the accuracy without rounding a miss away", () => {
    assert.match(trainedStatus(done), /^Trained: it reads over 99% of drawings it never saw correctly\./);
  });
});

describe("the wait chart's axis", () => {
  it("labels each power of ten as a duration, covering both bars", () => {
    assert.deepEqual(decadeTicks([24_400, 18.1e6]), {
      tickvals: [10, 100, 1000, 10_000, 100_000],
      ticktext: ["10 µs", "100 µs", "1 ms", "10 ms", "100 ms"],
    });
    assert.deepEqual(decadeTicks([]), {});
  });
});
