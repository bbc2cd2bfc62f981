import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  answersToMatch,
  addAnswers,
  costCounters,
  emptyCounter,
  noQueries,
  ratioText,
  resetCounters,
  setCounter,
  showAnswerCounters,
  showRatio,
  showTrainingCounters,
} from "../../static/js/lib/counters.js";
import { counterRoot } from "./fakes.js";

const TRAINING = ["train-steps", "train-examples", "train-flops", "train-compute", "train-watched"];
const ANSWERS = ["infer-count", "infer-last-flops", "infer-last-compute", "infer-flops", "infer-compute"];

describe("the counter cells", () => {
  it("start at zero with their units, and a dash for the last answer", () => {
    const root = counterRoot([...TRAINING, ...ANSWERS, "infer-last-points", "ratio"]);
    resetCounters(root);
    assert.equal(root.text("train-steps"), "0");
    assert.equal(root.text("train-flops"), "0 FLOP");
    assert.equal(root.text("train-compute"), "0 s");
    assert.equal(root.text("train-watched"), "0 s");
    assert.equal(root.text("infer-last-flops"), "–");
    assert.equal(root.text("infer-last-points"), "–");
    assert.equal(root.text("ratio"), "");
    assert.equal(emptyCounter("last-compute"), "–");
  });

  it("show a watched run's totals in the server's style", () => {
    const root = counterRoot(TRAINING);
    showTrainingCounters(root, { steps: 1200, examples_seen: 38_400, flops: 26_395_000, compute_ns: 61_800_000 }, 4200);
    assert.deepEqual(
      TRAINING.map(root.text),
      ["1,200", "38,400", "26.4 MFLOP", "61.8 ms", "4.2 s"],
    );
  });

  it("show the answers so far, the last one on its own", () => {
    const root = counterRoot(ANSWERS);
    const q = noQueries();
    addAnswers(q, 1, 1430, 3100);
    addAnswers(q, 1, 1430, 2900);
    showAnswerCounters(root, q);
    assert.deepEqual(ANSWERS.map(root.text), ["2", "1.43 kFLOP", "2.9 µs", "2.86 kFLOP", "6 µs"]);
  });

  it("leave a cell the widget does not have alone", () => {
    const root = counterRoot(["train-steps"]);
    setCounter(root, "no-such-cell", "x");
    assert.equal(root.text("train-steps"), "?");
  });
});

describe("the tally of answers", () => {
  it("splits a batched call into one question's share", () => {
    const q = noQueries();
    addAnswers(q, 625, 1_000_000, 312_500);
    assert.deepEqual(q, { count: 625, flops: 1_000_000, computeNs: 312_500, lastFlops: 1600, lastComputeNs: 500 });
    addAnswers(q, 1, 1601, 499);
    assert.equal(q.count, 626);
    assert.equal(q.lastFlops, 1601);
    assert.equal(q.lastComputeNs, 499);
  });

  it("says how many answers training was worth", () => {
    // 18,461.5 answers' worth: the 18,462nd answer is the one that reaches training.
    assert.equal(ratioText({ flops: 26_400_000 }, 1430), "Training took as much arithmetic as 18,462 answers like the last one.");
    assert.equal(ratioText({ flops: 3000 }, 2000, "this one"), "Training took as much arithmetic as 2 answers like this one.");
    assert.equal(ratioText({ flops: 28_056_000 }, 716), "Training took as much arithmetic as 39,185 answers like the last one.");
    assert.equal(ratioText(null, 1430), "");
    assert.equal(ratioText({ flops: 1 }, 0), "");
    const root = counterRoot(["ratio"]);
    showRatio(root, null, 10);
    assert.equal(root.text("ratio"), "?");
  });

  it("counts answers to match training as the server's break-even does", () => {
    assert.equal(answersToMatch(28_056_000, 716), 39_185); // 39,184.4: the next whole answer
    assert.equal(answersToMatch(3, 1), 3);
    assert.equal(answersToMatch(0.3, 0.1), 3); // 2.9999999999999996 in floats: still 3
  });

  it("gives the cost panel every field it reads", () => {
    const q = noQueries();
    addAnswers(q, 2, 3000, 5001);
    const counters = costCounters({
      training: { flops: 26_400_000, compute_ns: 61_800_000 },
      watchedMs: 4200.6,
      nParameters: 337,
      frozen: true,
      queries: q,
    });
    assert.deepEqual(counters, {
      train_flops: 26_400_000,
      train_compute_ns: 61_800_000,
      watched_ms: 4201,
      n_parameters: 337,
      frozen: 1,
      queries: 2,
      infer_flops: 3000,
      infer_compute_ns: 5001,
      last_flops: 1500,
      last_compute_ns: 2501,
    });
    assert.deepEqual(costCounters({}), {
      train_flops: 0,
      train_compute_ns: 0,
      watched_ms: 0,
      n_parameters: 0,
      frozen: 0,
      queries: 0,
      infer_flops: 0,
      infer_compute_ns: 0,
      last_flops: 0,
      last_compute_ns: 0,
    });
  });
});
