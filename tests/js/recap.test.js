// The recap's words: each lesson's runs told in sentences (lesson 12), and the course's
// receipt of training against answering (lesson 13). The records are shaped as the widgets
// write them through lib/progress.js.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { formatCount, formatDuration, formatWords } from "../../static/js/lib/format.js";
import { courseTotals, panelCounters, receiptLines } from "../../static/js/widgets/recap/receipt.js";
import { calculations, lessonStory, storyByLesson } from "../../static/js/widgets/recap/story.js";

const LESSONS = [
  { slug: "introduction", title: "Learning first, answering later", order: 1 },
  { slug: "why-training-takes-so-long", title: "Why training takes so long", order: 5 },
  { slug: "hardware-and-infrastructure", title: "Different machines for different jobs", order: 6 },
];

const trained = (extra) => ({ steps: 400, flops: 28_000_000, compute_ns: 70_000_000, n_parameters: 337, flops_per_answer: 1100, ...extra });

const RUNS = [
  { lesson: "hardware-and-infrastructure", kind: "hardware", model: "digits", run_id: "d1", ...trained({ val_accuracy: 0.91 }) },
  { lesson: "hardware-and-infrastructure", kind: "batching", run_id: "d1", sizes: [1, 1000], per_second: [20_000, 900_000], one_at_a_time_per_second: [20_000, 30_000] },
  { lesson: "introduction", kind: "train-classifier", run_id: "a1", ...trained({ val_accuracy: 0.97, watched_ms: 8000 }) },
  { lesson: "why-training-takes-so-long", kind: "scaling", change: "start", run_id: "s1", ...trained({ n_samples: 300 }) },
  { lesson: "why-training-takes-so-long", kind: "scaling", change: "more data", run_id: "s2", ...trained({ flops: 56_000_000, n_samples: 600 }) },
  { lesson: "why-training-takes-so-long", kind: "scaling-diverged", diverged: true, step: 12, steps: 12, flops: 900_000, compute_ns: 2_000_000 },
];
const KINDS = ["train-classifier", "hardware", "batching", "scaling", "scaling-diverged", "query-model"];

describe("the runs told lesson by lesson", () => {
  it("puts the lessons in course order, under their titles", () => {
    const told = storyByLesson(RUNS, LESSONS);
    assert.deepEqual(told.map((l) => l.title), LESSONS.map((l) => l.title));
  });

  it("never shows a widget kind, a slug or a (s)", () => {
    const text = storyByLesson(RUNS, LESSONS).flatMap((l) => l.sentences).join(" ");
    for (const word of [...KINDS, ...LESSONS.map((l) => l.slug), "(s)", "undefined", "NaN"]) {
      assert.ok(!text.includes(word), `${word} in: ${text}`);
    }
  });

  it("tells a training in plain words, with the numbers written by format.js", () => {
    const [intro] = storyByLesson(RUNS, LESSONS);
    const specs = new Map([["a1", { model: "mlp", n_samples: 300 }]]);
    const [first] = lessonStory(RUNS.filter((r) => r.lesson === "introduction"), specs);
    assert.equal(
      first,
      `You trained a small model with 337 weights on 300 dots: ${calculations(28_000_000)} and ${formatDuration(70_000_000)} of computing.`,
    );
    assert.match(intro.sentences.join(" "), /You watched it learn for/);
  });

  it("adds up several runs of one lesson as several runs, never as one model", () => {
    const story = lessonStory(RUNS.filter((r) => r.kind === "scaling")).join(" ");
    assert.match(story, /^You trained 2 small models, growing one thing at a time \(more data\)/);
    assert.ok(story.includes(`${calculations(84_000_000)}`), story);
    assert.ok(!story.includes("weights"), story);
  });

  it("uses the singular for one", () => {
    const one = lessonStory([{ kind: "recap: small model", run_id: "r", ...trained({ n_parameters: 1, queries: 1, infer_compute_ns: 9000 }) }]);
    const text = one.join(" ");
    assert.ok(text.includes("with 1 weight:") && text.includes("asked it 1 question, answered in about"), text);
    assert.equal(calculations(1), "1 calculation");
    assert.equal(calculations(2), "2 calculations");
  });

  it("still says something for a kind it does not know", () => {
    assert.match(lessonStory([{ kind: "something-new", ...trained() }])[0], /^You trained a small model/);
    assert.deepEqual(lessonStory([{ kind: "something-new" }]), ["You tried the demo here."]);
  });

  it("keeps a page that is no longer a lesson, last", () => {
    const told = storyByLesson([...RUNS, { lesson: "gone", kind: "quiz", right: 3, total: 5 }], LESSONS);
    assert.equal(told.at(-1).title, "Elsewhere in the course");
    assert.equal(told.at(-1).sentences[0], "You answered the quiz: 3 of 5 right.");
  });
});

describe("the course's receipt", () => {
  const data = { runs: RUNS, answers: { count: 40, flops: 44_000, compute_ns: 400_000 } };
  const totals = courseTotals(data);

  it("adds up every run that trained, the ones that blew up too", () => {
    assert.equal(totals.runs, 5);
    assert.equal(totals.diverged, 1);
    assert.equal(totals.lessons, 3);
    assert.equal(totals.flops, 28e6 * 3 + 56e6 + 900_000);
  });

  it("says the training as a total of N runs, and the ratio in one line", () => {
    const lines = receiptLines(totals);
    assert.match(lines.trainingWhat, /^5 training runs in 3 lessons \(1 of them blew up/);
    assert.match(lines.trainingWhat, /not for one model/);
    assert.equal(lines.trainingArithmetic, `${formatWords(totals.flops)} calculations`);
    assert.equal(
      lines.ratio,
      `All 5 training runs together did ${formatCount(totals.flops / 44_000)} times the arithmetic of all 40 answers together.`,
    );
    assert.ok(!Object.values(lines).join(" ").toLowerCase().includes("your model"));
  });

  it("says one run and no answers plainly", () => {
    const lines = receiptLines(courseTotals({ runs: [RUNS[2]], answers: { count: 0, flops: 0, compute_ns: 0 } }));
    assert.equal(lines.trainingWhat, "1 training run in 1 lesson: the bill for that one run.");
    assert.match(lines.answeringWhat, /^No questions asked yet/);
    assert.equal(lines.catchUp, "");
  });

  it("says so when answering has overtaken training", () => {
    const lines = receiptLines(courseTotals({ runs: [RUNS[2]], answers: { count: 100_000, flops: 56_000_000, compute_ns: 1e8 } }));
    assert.match(lines.ratio, /^Answering has overtaken training: all 100,000 answers together did 2 times the arithmetic of the training run\.$/);
    assert.match(lines.catchUp, /You have already passed that point\.$/);
  });

  it("sends the cost panel totals, never one model's parameters", () => {
    const counters = panelCounters(totals);
    assert.equal(counters.n_parameters, 0);
    assert.equal(counters.frozen, 0);
    assert.equal(counters.train_flops, totals.flops);
    assert.equal(counters.queries, 40);
    assert.equal(counters.last_flops, 1100);
  });
});
