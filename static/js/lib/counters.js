// The live counters under a widget (data-counter cells) and the tally of answers behind
// them. The cost panel gets the same numbers, in the shape costCounters() gives it.

import { formatCount, formatDuration, formatFlops } from "./format.js";

export function setCounter(root, name, text) {
  const cell = root.querySelector(`[data-counter="${name}"]`);
  if (cell) cell.textContent = text;
}

// What a counter cell shows before a run: its zero, with its unit; "–" for the last
// answer (there is none yet).
export function emptyCounter(name) {
  if (name.startsWith("infer-last") || name.startsWith("last-")) return "–";
  if (name.endsWith("-flops")) return formatFlops(0);
  if (name.endsWith("-compute") || name.endsWith("-watched")) return formatDuration(0);
  if (name === "ratio") return "";
  return "0";
}

export function resetCounters(root) {
  for (const cell of root.querySelectorAll("[data-counter]")) cell.textContent = emptyCounter(cell.dataset.counter);
}

// A watched run's totals so far, and how long the reader has watched it.
export function showTrainingCounters(root, counters, watchedMs) {
  setCounter(root, "train-steps", formatCount(counters.steps));
  setCounter(root, "train-examples", formatCount(counters.examples_seen));
  setCounter(root, "train-flops", formatFlops(counters.flops));
  setCounter(root, "train-compute", formatDuration(counters.compute_ns));
  setCounter(root, "train-watched", formatDuration(watchedMs * 1e6));
}

// The answers so far (queries: see noQueries), the last one on its own.
export function showAnswerCounters(root, queries) {
  setCounter(root, "infer-count", formatCount(queries.count));
  setCounter(root, "infer-last-flops", formatFlops(queries.lastFlops));
  setCounter(root, "infer-last-compute", formatDuration(queries.lastComputeNs));
  setCounter(root, "infer-flops", formatFlops(queries.flops));
  setCounter(root, "infer-compute", formatDuration(queries.computeNs));
}

// The first whole number of answers whose FLOPs reach training's: the server's
// break_even_queries (app/costs/break_even.py), so the counters and the cost panel say the
// same count, never 39,184 beside 39,185. A ratio within 1e-12 of a whole counts as it.
export function answersToMatch(trainingFlops, answerFlops) {
  const ratio = trainingFlops / answerFlops;
  const whole = Math.floor(ratio);
  return ratio - whole <= ratio * 1e-12 ? whole : whole + 1;
}

// Training against one answer, in answers: the lesson's point in one line ("" before both).
export function ratioText(training, flops, like = "the last one") {
  if (!training || !(flops > 0)) return "";
  return `Training took as much arithmetic as ${formatCount(answersToMatch(training.flops, flops))} answers like ${like}.`;
}

export function showRatio(root, training, flops) {
  const text = ratioText(training, flops);
  if (text) setCounter(root, "ratio", text);
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
export function costCounters({ training, watchedMs = 0, nParameters = 0, frozen = false, queries = noQueries() }) {
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
