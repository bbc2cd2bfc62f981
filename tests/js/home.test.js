import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { axisTop, curvePath, questionDot, scaleColour, surfacePixels } from "../../static/js/home/drawing.js";
import { SURFACE_SCALE } from "../../static/js/lib/plot.js";

describe("the home demo's loss axis", () => {
  it("rounds the highest loss up to two significant figures", () => {
    assert.equal(axisTop(0.8), 0.8);
    assert.equal(axisTop(0.7153), 0.72);
    assert.equal(axisTop(2.43), 2.5);
    assert.equal(axisTop(0.0501), 0.051);
  });

  it("falls back to 1 with no loss to show", () => {
    assert.equal(axisTop(Number.NaN), 1);
    assert.equal(axisTop(-Infinity), 1);
    assert.equal(axisTop(0), 1);
  });
});

describe("the home demo's curve", () => {
  const box = { width: 300, height: 160, steps: 80, top: 0.8 };

  it("runs steps left to right and losses bottom to top", () => {
    const d = curvePath([{ step: 0, loss: 0.8 }, { step: 40, loss: 0.4 }, { step: 80, loss: 0 }], box);
    assert.equal(d, "M0.0 0.0L150.0 80.0L300.0 160.0");
  });

  it("breaks the line where a loss is missing and clips one above the top", () => {
    const d = curvePath(
      [{ step: 0, loss: 2 }, { step: 20, loss: null }, { step: 40, loss: 0.4 }, { step: 60, loss: 0.2 }],
      box,
    );
    assert.equal(d, "M0.0 0.0M150.0 80.0L225.0 120.0");
  });

  it("draws nothing before the first frame", () => {
    assert.equal(curvePath([], box), "");
  });
});

describe("the home demo's map", () => {
  it("blends between the scale's stops", () => {
    assert.deepEqual(scaleColour(SURFACE_SCALE, 0), [0xc6, 0xdb, 0xef]);
    assert.deepEqual(scaleColour(SURFACE_SCALE, 0.5), [0xf7, 0xf7, 0xf7]);
    assert.deepEqual(scaleColour(SURFACE_SCALE, 1), [0xfd, 0xd0, 0xa2]);
    assert.deepEqual(scaleColour([[0, "#000000"], [1, "#ffffff"]], 0.25), [64, 64, 64]);
    assert.deepEqual(scaleColour(SURFACE_SCALE, Number.NaN), [0xf7, 0xf7, 0xf7]); // no answer yet
  });

  it("puts the surface's top row (largest y) first in the image", () => {
    const scale = [[0, "#000000"], [1, "#ffffff"]];
    const pixels = surfacePixels([[0, 0], [1, 1]], scale); // z[y][x]: y = 1 is white
    assert.deepEqual([...pixels.slice(0, 4)], [255, 255, 255, 255]);
    assert.deepEqual([...pixels.slice(8, 12)], [0, 0, 0, 255]);
  });

  it("asks about the first held-out dot, one the model never trained on", () => {
    const start = { train: { x: [[9, 9]], y: [1] }, val: { x: [[0.5, -0.25], [1, 1]], y: [0, 1] } };
    assert.deepEqual(questionDot(start), { x: [0.5, -0.25], truth: 0 });
    assert.equal(questionDot({ train: start.train }), null);
  });
});
