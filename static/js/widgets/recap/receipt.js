// The course's receipt: every training run the reader made, added up, against every answer
// they got. Different models are never added up as if they were one: the training side is
// always said as a total of N runs. Pure functions, unit-tested in tests/js/recap.test.js.

import { formatAbout, formatCount, formatCountOf, formatDuration, formatEnergy, formatRatio } from "../../lib/format.js";
import { calculations, plural } from "./story.js";

const sum = (records, key) => records.reduce((total, r) => total + (Number(r[key]) || 0), 0);

// Training is every record that did training arithmetic (a run that blew up too: its
// arithmetic was spent); answers are what lib/progress.js added up from every widget.
export function courseTotals(data) {
  const training = data.runs.filter((r) => Number.isFinite(r.flops) && r.flops > 0);
  const answers = data.answers || { count: 0, flops: 0, compute_ns: 0 };
  return {
    runs: training.length,
    diverged: training.filter((r) => r.diverged).length,
    lessons: new Set(training.map((r) => r.lesson || "")).size,
    flops: sum(training, "flops"),
    computeNs: sum(training, "compute_ns"),
    watchedMs: sum(training, "watched_ms"),
    answers: { count: answers.count || 0, flops: answers.flops || 0, computeNs: answers.compute_ns || 0 },
  };
}

function trainingWhat(t) {
  const runs = `${formatCountOf(t.runs, "training run")} in ${formatCountOf(t.lessons, "lesson")}`;
  const blewUp = t.diverged ? ` (${formatCount(t.diverged)} of them blew up and built nothing)` : "";
  if (t.runs === 1) return `${runs}${blewUp}: the bill for that one run.`;
  return `${runs}${blewUp}, added up. Each run built its own model, so this is the bill for all of them together, not for one model.`;
}

function answeringWhat(t) {
  const n = t.answers.count;
  if (n === 0) return "No questions asked yet: so far, the whole bill is training.";
  return `${formatCountOf(n, "answer")} from those models, added up.`;
}

// One line: how the two sides compare, by counted arithmetic.
function ratioLine(t) {
  const a = t.answers;
  if (!(a.count > 0 && a.flops > 0)) return "Ask any model in the course a question to see what answering adds to the bill.";
  const training = t.runs === 1 ? "The training run" : `All ${formatCount(t.runs)} training runs together`;
  const answers = a.count === 1 ? "your one answer" : `all ${formatCount(a.count)} answers together`;
  if (t.flops >= a.flops) {
    return `${training} did ${formatRatio(t.flops / a.flops)} times the arithmetic of ${answers}.`;
  }
  return `Answering has overtaken training: ${answers} did ${formatRatio(a.flops / t.flops)} times the arithmetic of ${training.toLowerCase()}.`;
}

// When answers at their average cost would match the training (an average over different
// models, said as one).
function catchUpLine(t) {
  const a = t.answers;
  if (!(a.count > 0 && a.flops > 0)) return "";
  const average = a.flops / a.count;
  const needed = t.flops / average;
  const passed = a.count >= needed ? " You have already passed that point." : "";
  return (
    `Your answers took ${calculations(average)} each on average, so about ` +
    `${plural(formatAbout(needed), "answer")} like them would match all the training.${passed}`
  );
}

// Our estimate of energy, as app/costs/estimate.py defines it: measured computing time
// times the power drawn while computing (the reader's "watts" assumption).
export function energyText(computeNs, watts) {
  if (!(Number.isFinite(watts) && watts > 0)) return "–";
  return `about ${formatEnergy((computeNs / 1e9) * watts)}`;
}

// Every text of the receipt; `watts` is the power assumption of the form beneath it.
export function receiptLines(t, watts) {
  const asked = t.answers.count > 0;
  return {
    trainingWhat: trainingWhat(t),
    trainingArithmetic: calculations(t.flops),
    trainingTime: formatDuration(t.computeNs),
    trainingEnergy: energyText(t.computeNs, watts),
    answeringWhat: answeringWhat(t),
    answeringArithmetic: asked ? calculations(t.answers.flops) : "none yet",
    answeringTime: asked ? formatDuration(t.answers.computeNs) : "none yet",
    answeringEnergy: asked ? energyText(t.answers.computeNs, watts) : "none yet",
    ratio: ratioLine(t),
    catchUp: catchUpLine(t),
  };
}

// What the cost panel is sent. `frozen` stays off and there are no parameters: the panel's
// receipt, ratio, scale-up and comparison speak of one model, and these totals are many;
// without them it prices the training of all the runs (energy, CO2 and money).
export function panelCounters(t) {
  const a = t.answers;
  return {
    train_flops: t.flops,
    train_compute_ns: Math.round(t.computeNs),
    watched_ms: Math.round(t.watchedMs),
    n_parameters: 0,
    frozen: 0,
    queries: a.count,
    infer_flops: Math.round(a.flops),
    infer_compute_ns: Math.round(a.computeNs),
    last_flops: a.count ? Math.round(a.flops / a.count) : 0,
    last_compute_ns: a.count ? Math.round(a.computeNs / a.count) : 0,
  };
}
