import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { RedrawQueue } from "../../static/js/lib/plot.js";

// requestAnimationFrame by hand: frame() runs the callbacks scheduled so far.
let scheduled;
beforeEach(() => {
  scheduled = [];
  globalThis.requestAnimationFrame = (callback) => scheduled.push(callback);
});
afterEach(() => {
  delete globalThis.requestAnimationFrame;
});

function frame() {
  const callbacks = scheduled;
  scheduled = [];
  for (const callback of callbacks) callback();
}

describe("RedrawQueue", () => {
  it("draws everything pushed during one frame once, in order", () => {
    const draws = [];
    const queue = new RedrawQueue((items) => draws.push(items));
    queue.push(1);
    queue.push(2);
    queue.push(3);
    assert.equal(scheduled.length, 1); // one frame asked for, not three
    assert.deepEqual(draws, []);
    frame();
    assert.deepEqual(draws, [[1, 2, 3]]);
    queue.push(4);
    frame();
    assert.deepEqual(draws, [[1, 2, 3], [4]]);
  });

  it("draws now on flush, and nothing when the frame comes", () => {
    const draws = [];
    const queue = new RedrawQueue((items) => draws.push(items));
    queue.push("last frame");
    queue.flush();
    assert.deepEqual(draws, [["last frame"]]);
    frame();
    assert.deepEqual(draws, [["last frame"]]);
  });

  it("drops what is pending on clear", () => {
    const draws = [];
    const queue = new RedrawQueue((items) => draws.push(items));
    queue.push("stale");
    queue.clear();
    frame();
    assert.deepEqual(draws, []);
  });

  it("takes its own scheduler", () => {
    const mine = [];
    const draws = [];
    const queue = new RedrawQueue((items) => draws.push(items), (callback) => mine.push(callback));
    queue.push("x");
    assert.equal(scheduled.length, 0);
    mine[0]();
    assert.deepEqual(draws, [["x"]]);
  });
});
