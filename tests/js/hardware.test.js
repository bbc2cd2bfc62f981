// The hardware widget's pure parts: the drawing grid's geometry and the 8-bit summary.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { agreementText } from "../../static/js/widgets/hardware/shrinking.js";
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
});
