import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { forget, markFinished, progress, recordAnswers, recordRun, trainedRun } from "../../static/js/lib/progress.js";
import { memoryStorage } from "./fakes.js";

const KEY = "phaselab:v1";
const DONE = {
  totals: { steps: 200, flops: 26_400_000, compute_ns: 61_800_000 },
  n_parameters: 337,
  inference_flops_per_query: 1430,
  fingerprint: "1a2b3c4d5e6f7081",
};

let storage;
beforeEach(() => {
  storage = memoryStorage();
  globalThis.localStorage = storage;
});
afterEach(() => {
  delete globalThis.localStorage;
});

describe("the reader's progress", () => {
  it("starts empty", () => {
    assert.deepEqual(progress(), { lessons: {}, runs: [], answers: { count: 0, flops: 0, compute_ns: 0 } });
  });

  it("records runs with their lesson and time, and marks the lesson finished", () => {
    recordRun("what-training-means", { kind: "train-classifier", ...trainedRun(DONE) });
    const { runs, lessons } = progress();
    assert.equal(runs.length, 1);
    assert.equal(runs[0].lesson, "what-training-means");
    assert.equal(runs[0].flops, 26_400_000);
    assert.equal(runs[0].flops_per_answer, 1430);
    assert.equal(runs[0].fingerprint, "1a2b3c4d5e6f7081");
    assert.ok(Number.isFinite(runs[0].at));
    assert.deepEqual(lessons, { "what-training-means": true });
    assert.equal(JSON.parse(storage.getItem(KEY)).runs.length, 1);
  });

  it("keeps only the last fifty runs", () => {
    for (let i = 0; i < 55; i += 1) recordRun("limits", { kind: "blind-spot", steps: i });
    const { runs } = progress();
    assert.equal(runs.length, 50);
    assert.equal(runs[0].steps, 5);
    assert.equal(runs[49].steps, 54);
  });

  it("adds up answers, marks lessons, and forgets on request", () => {
    recordAnswers(1, 1430, 3100);
    recordAnswers(625, 893_750, 400_000);
    assert.deepEqual(progress().answers, { count: 626, flops: 895_180, compute_ns: 403_100 });
    markFinished("faq");
    assert.equal(progress().lessons.faq, true);
    forget();
    assert.deepEqual(progress(), { lessons: {}, runs: [], answers: { count: 0, flops: 0, compute_ns: 0 } });
  });

  it("survives a damaged store, and a store that refuses writes", () => {
    storage.setItem(KEY, "{not json");
    assert.deepEqual(progress().runs, []);
    storage.setItem(KEY, JSON.stringify({ runs: "oops", answers: { count: 2 } }));
    assert.deepEqual(progress().runs, []);
    assert.deepEqual(progress().answers, { count: 2, flops: 0, compute_ns: 0 });
    globalThis.localStorage = memoryStorage({ refuseWrites: true });
    assert.doesNotThrow(() => recordRun("faq", { kind: "quiz" }));
    assert.deepEqual(progress().runs, []);
  });
});
