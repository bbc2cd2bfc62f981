// The live counters under a widget (data-counter cells) and the tally of answers behind
// them. The cost panel gets the same numbers, in the shape costCounters() gives it.

import { formatCount, formatDuration, formatFlops } from "./format.js";

export function setCounter(root, name, text) {
  const cell = root.querySelector(`[data-counter="${name}"]`);
  if (cell) cell.textContent = text;
}

// Before a run: "0" everywhere, "–" for the last answer (there is none yet).
export function resetCounters(root) {
  for (const cell of root.querySelectorAll("[data-counter]")) {
    cell.textContent = cell.dataset.counter.startsWith("infer-last") ? "–" : "0";
  }
  setCounter(root, "train-watched", "0 s");
  setCounter(root, "ratio", "");
}

// A watched run's totals so far, and how long the reader has watched it.
export function showTrainingCounters(root, counters, watchedMs) {
  setCounter(root, "train-steps", formatCount(counters.steps));
  setCounter(root, "train-examples", formatCount(counters.examples_seen));
  setCounter(root, "train-flops", formatFlops(counters.flops));
  setCounter(root, "train-compute", formatDuration(counters.compute_ns));
  setCounter(root, "train-watched", formatDuration(watchedMs * 1e6));
}

// Training against one answer, in answers: the lesson's point in one line.
export function showRatio(root, training, flops) {
  if (training && flops > 0) {
    setCounter(
      root,
      "ratio",
      `Training took as much arithmetic as about ${formatCount(training.flops / flops)} answers like the last one.`,
    );
  }
}

export function noQueries() {
  return { count: 0, flops: 0, computeNs: 0, lastFlops: 0, lastComputeNs: 0 };
}

// Adds one predict call of n questions; "last" is one question's share of it.
export function addAnswers(queries, n, flops, computeNs) {
  queries.count += n;
  queries.flops += flops;
  queries.computeNs += computeNs;
  queries.lastFlops = n === 1 ? flops : Math.round(flops / n);
  queries.lastComputeNs = n === 1 ? computeNs : Math.round(computeNs / n);
}

// What the cost panel reads (see CostPanel). training: {flops, compute_ns} or null.
export function costCounters({ training, watchedMs = 0, nParameters, frozen, queries }) {
  const t = training || { flops: 0, compute_ns: 0 };
  return {
    train_flops: t.flops,
    train_compute_ns: t.compute_ns,
    watched_ms: Math.round(watchedMs),
    n_parameters: nParameters,
    frozen: frozen ? 1 : 0,
    queries: queries.count,
    infer_flops: queries.flops,
    infer_compute_ns: queries.computeNs,
    last_flops: queries.lastFlops,
    last_compute_ns: queries.lastComputeNs,
  };
}
