// What the reader did in each lesson, told in plain sentences, from the records that
// lib/progress.js keeps (one per run, written by each widget with what it measured). A
// record's `kind` only picks the sentence; it is never shown. Pure functions, so they are
// unit-tested in tests/js/recap.test.js.

import {
  formatAbout,
  formatCount,
  formatCountOf,
  formatDuration,
  formatNumber,
  formatPercent,
  formatProbability,
  formatWords,
} from "../../lib/format.js";

// "1 calculation", "26.4 million calculations": singular only when the number reads as 1.
export function plural(text, singular, many = `${singular}s`) {
  return `${text} ${text === "1" ? singular : many}`;
}

export function calculations(flops) {
  return plural(formatWords(flops), "calculation");
}

export function times(n) {
  if (n === 1) return "once";
  if (n === 2) return "twice";
  return `${formatCount(n)} times`;
}

const sum = (records, key) => records.reduce((total, r) => total + (Number(r[key]) || 0), 0);
const trainedOnes = (records) => records.filter((r) => Number(r.flops) > 0);

// What training cost, counted and measured: "26.4 million calculations and 61.8 ms of computing".
export function trainingCost(records) {
  return `${calculations(sum(records, "flops"))} and ${formatDuration(sum(records, "compute_ns"))} of computing`;
}

// The sorts of model, as a reader would name them, and what each learns from.
const MODELS = {
  mlp: { one: "a small model", many: "small models", item: ["dot", "dots"], test: "sorted", tested: "dots" },
  linear: { one: "a straight-line model", many: "straight-line models", item: ["point", "points"] },
  digits: { one: "a model that reads drawn digits", many: "models that read drawn digits", item: ["drawing", "drawings"], test: "read", tested: "drawings" },
  language: { one: "a tiny next-word model", many: "tiny next-word models", corpus: " on a small collection of everyday sentences" },
};

function modelOf(record, specs) {
  const spec = specs.get(record.run_id);
  const name = (spec && spec.model) || record.model || (record.kind === "next-word" ? "language" : "mlp");
  return MODELS[name] || MODELS.mlp;
}

// " on 300 dots", when every run's data size is known and the same; "" otherwise.
function dataOf(records, specs, model) {
  if (model.corpus) return model.corpus;
  const sizes = new Set(records.map((r) => (specs.get(r.run_id) || {}).n_samples || r.n_samples));
  const [size] = sizes;
  if (sizes.size !== 1 || !Number.isFinite(size) || !model.item) return "";
  return ` on ${plural(formatCount(size), ...model.item)}`;
}

// "a small model with 337 weights on 300 dots", "a small model … twice", "3 small models".
// `withData: false` leaves the data out, for a sentence that says what the data was.
function subjectOf(records, specs, { withData = true } = {}) {
  const last = records.at(-1);
  const model = modelOf(last, specs);
  const data = withData ? dataOf(records, specs, model) : "";
  const oneModel = new Set(records.map((r) => r.run_id)).size === 1 && last.run_id;
  if (records.length > 1 && !oneModel) return `${formatCount(records.length)} ${model.many}${data}`;
  const weights = last.n_parameters ? ` with ${formatCountOf(last.n_parameters, "weight")}` : "";
  const again = records.length > 1 ? ` ${times(records.length)}` : "";
  return `${model.one}${weights}${data}${again}`;
}

// How the (last) model did on examples it never trained on.
function heldOut(records, specs) {
  const last = records.at(-1);
  const model = modelOf(last, specs);
  const who = records.length > 1 ? "The last one" : "It";
  if (Number.isFinite(last.val_accuracy) && model.test) {
    return `${who} ${model.test} ${formatPercent(last.val_accuracy)} of ${model.tested} it had never seen correctly.`;
  }
  if (Number.isFinite(last.val_perplexity)) {
    const blind = Number.isFinite(last.uniform_perplexity) ? `, where blind guessing has ${formatCount(last.uniform_perplexity)}` : "";
    return `On sentences it had never seen, ${who === "It" ? "it" : "the last one"} narrowed each next word down to about ${formatNumber(last.val_perplexity)} likely choices${blind}.`;
  }
  return null;
}

function watched(records) {
  const ms = sum(records, "watched_ms");
  if (!ms) return null;
  const them = records.length > 1 ? "them" : "it";
  return `You watched ${them} learn for ${formatDuration(ms * 1e6)}; the arithmetic itself took ${formatDuration(sum(records, "compute_ns"))}.`;
}

function perAnswer(records) {
  const last = records.at(-1);
  if (!(last.flops_per_answer > 0)) return null;
  const from = records.length > 1 ? "the last one" : "it";
  return `Each answer from ${from} takes about ${calculations(last.flops_per_answer)}.`;
}

// The usual story: what was trained, what it cost, how it did, what an answer from it costs.
export function trained(records, specs, { answers = true } = {}) {
  const total = records.length > 1 ? ", in all" : "";
  const lines = [`You trained ${subjectOf(records, specs)}: ${trainingCost(records)}${total}.`];
  lines.push(heldOut(records, specs), watched(records));
  if (answers) lines.push(perAnswer(records));
  return lines;
}

function breakEven(records, specs) {
  const last = records.at(-1);
  const lines = trained(records, specs, { answers: false });
  if (last.queries > 0 && Number.isFinite(last.compute_ns_per_answer)) {
    lines.push(
      `Then you asked it ${formatCountOf(last.queries, "question")} to time one answer: about ` +
        `${formatDuration(last.compute_ns_per_answer)} and ${calculations(last.flops_per_answer)} each.`,
    );
  }
  if (last.break_even_queries > 0) {
    lines.push(`At that rate, answering uses as much energy as its training did after about ${plural(formatAbout(last.break_even_queries), "answer")}.`);
  }
  return lines;
}

function scaling(records, specs) {
  if (records.length === 1) return trained(records, specs);
  const flops = records.map((r) => r.flops);
  const changes = [...new Set(records.map((r) => r.change).filter((c) => c && c !== "start"))];
  const how = changes.length ? `, growing one thing at a time (${changes.join(", ")})` : "";
  const lines = [
    `You trained ${formatCount(records.length)} small models${how}: from ${formatWords(Math.min(...flops))} ` +
      `to ${calculations(Math.max(...flops))} each; ${trainingCost(records)} in all.`,
  ];
  const answerFlops = records.map((r) => r.flops_per_answer).filter((f) => f > 0);
  if (answerFlops.length) {
    const [low, high] = [Math.min(...answerFlops), Math.max(...answerFlops)];
    const range = low === high ? calculations(low) : `${formatWords(low)} to ${calculations(high)}`;
    lines.push(`Each answered a question with ${range}.`);
  }
  return lines;
}

function diverged(records) {
  const n = records.length;
  const which = n === 1 ? "the run blew up and was halted" : `${formatCount(n)} runs blew up and were halted`;
  return [`With the learning rate set too high, ${which}: ${trainingCost(records)} thrown away, with no model to show for it.`];
}

function batching(records) {
  const last = records.at(-1);
  const sizes = last.sizes || [];
  const i = sizes.length - 1;
  if (i < 0 || !Number.isFinite(last.per_second[i])) return [];
  return [
    `You timed it answering ${plural(formatCount(sizes[i]), "question")}: one at a time, about ` +
      `${formatCount(last.one_at_a_time_per_second[i])} answers a second; all in one call, about ${formatCount(last.per_second[i])} a second.`,
  ];
}

function quantize(records) {
  const last = records.at(-1);
  if (!(last.size_bytes_float64 > 0)) return [];
  return [
    `You shrank it to 8-bit numbers: ${formatPercent(last.size_bytes_int8 / last.size_bytes_float64)} of the size, ` +
      `and it gave the same answer ${formatProbability(last.agreement)} of the time.`,
  ];
}

function serving(records) {
  const users = sum(records, "users");
  const queries = sum(records, "queries");
  const ns = sum(records, "infer_compute_ns");
  const who = records.length === 1 ? formatCountOf(users, "simulated user") : `simulated users ${times(records.length)}, ${formatCountOf(users, "user")} in all`;
  const each = queries > 0 ? `, about ${formatDuration(ns / queries)} an answer` : "";
  return [`Then it served ${who}: ${calculations(sum(records, "infer_flops"))} and ${formatDuration(ns)} of computing${each}.`];
}

function worldFirst(records, specs) {
  return [`You trained ${subjectOf(records, specs, { withData: false })} on the world as it was at first: ${trainingCost(records)}.`];
}

function fineTuned(records, specs, lesson) {
  const first = trainedOnes(lesson.filter((r) => r.kind === "world-shift: first training"));
  const share = first.length ? `: ${formatPercent(sum(records, "flops") / first.at(-1).flops)} of the first training's arithmetic` : "";
  const again = records.length > 1 ? ` ${times(records.length)}` : "";
  return [`Then you fine-tuned it on the changed world${again}: ${trainingCost(records)}${share}.`];
}

function fromScratch(records) {
  const again = records.length > 1 ? ` (${times(records.length)})` : "";
  return [`You also trained a new model from scratch on the changed world${again}: ${trainingCost(records)}.`];
}

function insideGap(records) {
  const last = records.at(-1);
  return Number.isFinite(last.blind_spot_accuracy) ? formatPercent(last.blind_spot_accuracy) : null;
}

function gap(records, specs) {
  const inside = insideGap(records);
  const score = inside ? ` Inside the gap, it sorted ${inside} of new dots correctly.` : "";
  return [`You trained ${subjectOf(records, specs, { withData: false })} on dots with a gap in them: ${trainingCost(records)}.${score}`];
}

function filled(records) {
  const inside = insideGap(records);
  const score = inside ? ` Inside the gap, the new one sorts ${inside} correctly.` : "";
  return [`Then you trained a new one on the full data, gap filled in: ${trainingCost(records)}.${score}`];
}

function recapRun(records, specs) {
  const lines = trained(records, specs, { answers: false });
  const last = records.at(-1);
  if (last.queries > 0) {
    const each = formatDuration(last.infer_compute_ns / last.queries);
    lines.push(last.queries === 1 ? `Then you asked it 1 question, answered in about ${each}.` : `Then you asked it ${formatCount(last.queries)} questions, each answered in about ${each}.`);
  }
  return lines;
}

function quiz(records) {
  const last = records.at(-1);
  return [`You answered the quiz: ${formatCount(last.right)} of ${formatCount(last.total)} right.`];
}

// Each sort of record, by the `kind` its widget writes, and how to tell it.
const STORIES = {
  "train-classifier": trained,
  "query-model": trained,
  "next-word": trained,
  hardware: trained,
  "serve-users: training": trained,
  "break-even": breakEven,
  scaling,
  "scaling-diverged": diverged,
  batching,
  quantize,
  "serve-users: serving": serving,
  "world-shift: first training": worldFirst,
  "world-shift: fine-tune": fineTuned,
  "world-shift: from scratch": fromScratch,
  "blind-spot: trained with a gap": gap,
  "blind-spot: retrained with the full data": filled,
  "recap: small model": recapRun,
  quiz,
};

// A kind this file does not know yet still gets a sentence if it trained something.
function otherwise(records, specs) {
  const ran = trainedOnes(records);
  return ran.length ? trained(ran, specs) : [];
}

// The sentences for one lesson's records (in the order they happened): records of one sort
// are told together, sorts in the order the reader first met them.
export function lessonStory(records, specs = new Map()) {
  const sorts = new Map();
  for (const record of records) {
    const key = record.kind || "";
    if (!sorts.has(key)) sorts.set(key, []);
    sorts.get(key).push(record);
  }
  const lines = [];
  for (const [key, group] of sorts) {
    const tell = STORIES[key] || otherwise;
    lines.push(...tell(group, specs, records));
  }
  const said = lines.filter(Boolean);
  return said.length ? said : ["You tried the demo here."];
}

// The reader's records, by lesson in course order: [{slug, title, order, sentences}].
// `lessons` is the course's [{slug, title, order}]; a record from a page not in it (a
// lesson since removed) is told under "Elsewhere in the course", last.
export function storyByLesson(runs, lessons, specs = new Map()) {
  const bySlug = new Map();
  for (const run of runs) {
    const slug = run.lesson || "";
    if (!bySlug.has(slug)) bySlug.set(slug, []);
    bySlug.get(slug).push(run);
  }
  const known = lessons.filter((l) => bySlug.has(l.slug)).sort((a, b) => a.order - b.order);
  const told = known.map((l) => ({ ...l, sentences: lessonStory(bySlug.get(l.slug), specs) }));
  const strays = runs.filter((r) => !lessons.some((l) => l.slug === (r.lesson || "")));
  if (strays.length) told.push({ slug: null, title: "Elsewhere in the course", order: null, sentences: lessonStory(strays, specs) });
  return told;
}
