// Scaling: each button trains a real run from the current settings with one thing doubled,
// then every run on the chart is timed again, a few times, taking turns (scaling/timing.js),
// and the chart shows each run's fastest compute time beside its counted arithmetic. A run
// with a far too high learning rate diverges, and restarting it pays the same compute
// again. Every number shown comes from the server (the run's `done`/`diverged` totals, the
// replays' `done` totals, or a predict call).

import { CostPanel } from "../lib/costs.js";
import { addAnswers, costCounters, noQueries, ratioText } from "../lib/counters.js";
import { formatCount, formatDuration, formatFlops, formatPercent, formatProbability, formatRatio } from "../lib/format.js";
import { recordRun } from "../lib/progress.js";
import { ask, createRun } from "../lib/runs.js";
import { followRun } from "../lib/stream.js";
import { actionButtons, setAriaDisabled, setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";
import { describe, drawScalingChart } from "./scaling/chart.js";
import { renderRuns } from "./scaling/table.js";
import { ROUNDS, timeTogether } from "./scaling/timing.js";

const MAX_SAMPLES = 2000; // the run spec's limit on dots
const MAX_UNITS = 64; // the run spec's limit on units per layer
const DEFAULT_MAX_STEPS = 5000; // PHASELAB_MAX_STEPS unless the operator changed it
const BAD_LEARNING_RATE = 30;
const QUESTION = [0.5, 0.25]; // the one question asked of each finished run
const CLASS_NAMES = ["blue", "orange"];

const CHANGES = {
  start: { label: "start", grow: (spec) => spec },
  data: {
    label: "more data",
    // Twice the dots, seen as often: the steps double with them (Kaplan's D grows, not the epochs' count).
    grow: (spec) => ({ ...spec, n_samples: spec.n_samples * 2, steps: spec.steps * 2 }),
    allowed: (spec, maxSteps) => spec.n_samples * 2 <= MAX_SAMPLES && spec.steps * 2 <= maxSteps,
  },
  model: {
    label: "bigger model",
    grow: (spec) => ({ ...spec, hidden: spec.hidden.map((units) => units * 2) }),
    allowed: (spec) => spec.hidden.every((units) => units * 2 <= MAX_UNITS),
  },
  steps: {
    label: "more steps",
    grow: (spec) => ({ ...spec, steps: spec.steps * 2 }),
    allowed: (spec, maxSteps) => spec.steps * 2 <= maxSteps,
  },
};

function times(after, before) {
  return `×${formatRatio(after / before)}`;
}

export class ScalingWidget {
  constructor(root) {
    this.root = root;
    this.preset = { ...JSON.parse(root.dataset.preset), pace: "instant" };
    this.lesson = document.body.dataset.lesson || "";
    // This server's PHASELAB_MAX_STEPS, rendered into the page.
    this.maxSteps = Number(root.dataset.maxSteps) || DEFAULT_MAX_STEPS;
    this.chart = root.querySelector("[data-role=chart]");
    this.rows = root.querySelector("[data-role=rows]");
    this.buttons = actionButtons(root);
    for (const name of ["start", "data", "model", "steps"]) {
      this.buttons[name].addEventListener("click", () => this.grow(name));
    }
    this.buttons.clear.addEventListener("click", () => !this.busy && this.clear());
    this.buttons.diverge.addEventListener("click", () => this.diverge(false));
    this.buttons["diverge-again"].addEventListener("click", () => this.diverge(true));
    this.root.querySelector("[data-role=bad-rate]").textContent = String(BAD_LEARNING_RATE);
    for (const element of this.root.querySelectorAll("[data-role=rounds]")) element.textContent = String(ROUNDS);
    this.costs = new CostPanel(root, () => this.costCounters());
    this.busy = false;
    this.clear();
  }

  // ---- state ---------------------------------------------------------------------------

  clear() {
    const hadRuns = Boolean(this.runs && this.runs.length);
    this.spec = { ...this.preset };
    this.runs = []; // finished runs, in order: {label, spec, done, answer, runId, frames, timeNs}
    this.wasted = null; // the diverged attempts: {spec, attempts, flops, compute_ns, data}
    this.answers = 0;
    renderRuns(this.rows, this.runs);
    this.root.querySelector("[data-role=diverge-result]").replaceChildren();
    this.buttons["diverge-again"].hidden = true;
    setPhase(this.root, "ready", "Ready");
    setStatus(this.root, "");
    this.fillResourceTable();
    this.draw();
    this.refreshButtons();
    if (hadRuns) this.costs.recalculate(); // the page arrives with the empty panel rendered
  }

  refreshButtons() {
    this.root.querySelector("[data-role=current]").textContent = describe(this.spec);
    this.buttons.start.textContent = this.runs.length ? "Back to the starting model" : "Train the starting model";
    for (const name of ["data", "model", "steps"]) {
      const allowed = CHANGES[name].allowed(this.spec, this.maxSteps);
      setAriaDisabled(this.buttons[name], this.busy || !allowed);
      const next = CHANGES[name].grow(this.spec);
      const help = this.root.querySelector(`[data-role=${name}-help]`);
      help.textContent = allowed ? this.helpText(name, next) : this.limitText(name);
    }
    for (const name of ["start", "clear", "diverge", "diverge-again"]) setAriaDisabled(this.buttons[name], this.busy);
  }

  helpText(name, next) {
    if (name === "data") {
      return `More data: ${formatCount(this.spec.n_samples)} → ${formatCount(next.n_samples)} dots. ` +
        `The steps double too (${formatCount(next.steps)}), so each dot is still studied as often.`;
    }
    if (name === "model") {
      return `Bigger model: ${this.spec.hidden.join(" × ")} → ${next.hidden.join(" × ")} units (twice as many in every layer).`;
    }
    return `More steps: ${formatCount(this.spec.steps)} → ${formatCount(next.steps)} corrections, over the same dots.`;
  }

  limitText(name) {
    if (name === "data") return `More data: this demo stops at ${formatCount(MAX_SAMPLES)} dots and ${formatCount(this.maxSteps)} steps.`;
    if (name === "model") return `Bigger model: this demo stops at ${MAX_UNITS} units per layer.`;
    return `More steps: this server stops at ${formatCount(this.maxSteps)} steps per run.`;
  }

  // ---- growing ---------------------------------------------------------------------------

  async grow(name) {
    const change = CHANGES[name];
    if (this.busy || (name !== "start" && !change.allowed(this.spec, this.maxSteps))) return;
    this.busy = true;
    this.refreshButtons();
    if (name === "start") {
      this.spec = { ...this.preset };
    } else if (!this.runs.length && !(await this.train("start", this.spec))) {
      // The first point is the starting model, so the change has something to compare with.
      this.finish();
      return;
    }
    const next = change.grow(this.spec);
    if (await this.train(change.label, next)) this.spec = next;
    this.finish();
  }

  finish() {
    this.busy = false;
    this.refreshButtons();
  }

  // Trains one run to the end and asks it one question; false (with a message) if it failed.
  // Its training is its first timing: it takes its turn in the rounds that time every run
  // on the chart again (see scaling/timing.js).
  async train(label, spec) {
    setPhase(this.root, "training", `Training: ${label}`);
    setStatus(this.root, `Training ${describe(spec)}…`);
    try {
      const { run_id: runId } = await createRun(spec);
      const runs = [...this.runs, { label, spec, runId }];
      const ids = [...new Set(runs.map((run) => run.runId))]; // the same spec, the same run
      const timed = await timeTogether(ids, {
        onTiming: (round, i) => {
          const which = runs.findIndex((run) => run.runId === ids[i]) + 1;
          setStatus(this.root, `Timing every run on the chart, taking turns: round ${round + 1} of ${ROUNDS}, run ${formatCount(which)}…`);
        },
      });
      const byId = new Map(ids.map((id, i) => [id, timed[i]]));
      const run = runs[runs.length - 1];
      Object.assign(run, { done: byId.get(runId).done, answer: await ask(runId, { inputs: [QUESTION] }) });
      for (const each of runs) each.timeNs = byId.get(each.runId).ns;
      this.answers += 1;
      this.runs = runs;
    } catch (error) {
      setPhase(this.root, "ready", "Ready");
      setStatus(this.root, error.message);
      return false;
    }
    this.afterRun();
    return true;
  }

  afterRun() {
    const run = this.runs[this.runs.length - 1];
    const before = this.runs.length > 1 ? this.runs[this.runs.length - 2] : null;
    const t = run.done.totals;
    setPhase(this.root, "inference", "Trained: model frozen");
    let text =
      `Run ${this.runs.length} (${run.label}): ${formatFlops(t.flops)} in ${formatDuration(run.timeNs)} of compute ` +
      `(timed ${ROUNDS} times beside every run on the chart, each stretch of steps at its fastest).`;
    if (before && run.label !== "start") {
      const flopsRatio = t.flops / before.done.totals.flops;
      const timeRatio = run.timeNs / before.timeNs;
      text += ` Against the run before: arithmetic ${times(t.flops, before.done.totals.flops)}, time ${times(run.timeNs, before.timeNs)}.`;
      if (timeRatio < 1) {
        text += " (The time went down even so: other work on the shared server slowed the smaller run's timings more. The count of arithmetic cannot wobble.)";
      } else if (timeRatio < flopsRatio * 0.6) {
        text += " The time grew less than the arithmetic: in a model this tiny, much of each step is bookkeeping rather than sums.";
      }
    }
    setStatus(this.root, text);
    renderRuns(this.rows, this.runs); // every row again: each run was timed again
    this.draw();
    this.fillResourceTable();
    this.costs.recalculate();
    recordRun(this.lesson, {
      kind: "scaling",
      change: run.label,
      run_id: run.runId,
      n_samples: run.spec.n_samples,
      hidden: run.spec.hidden,
      steps: t.steps,
      flops: t.flops,
      compute_ns: run.timeNs,
      n_parameters: run.done.n_parameters,
      flops_per_answer: run.answer.flops,
      answer_compute_ns: run.answer.compute_ns,
      val_accuracy: run.done.final.val_accuracy,
      fingerprint: run.done.fingerprint,
    });
  }

  // ---- diverging -------------------------------------------------------------------------

  async diverge(again) {
    if (this.busy) return;
    const spec = again && this.wasted ? this.wasted.spec : { ...this.spec, optimizer: "sgd", learning_rate: BAD_LEARNING_RATE };
    if (!again) this.wasted = null;
    this.busy = true;
    this.refreshButtons();
    setPhase(this.root, "training", "Training: learning rate far too high");
    setStatus(this.root, `Training ${describe(spec)} with a learning rate of ${BAD_LEARNING_RATE}…`);
    let outcome;
    try {
      const { run_id: runId } = await createRun(spec);
      outcome = await followRun(runId); // a divergence is this demo's point, not a failure
    } catch (error) {
      setPhase(this.root, "ready", "Ready");
      setStatus(this.root, error.message);
      this.finish();
      return;
    }
    this.finish();
    if (outcome.done) {
      setPhase(this.root, "inference", "Trained: model frozen");
      setStatus(this.root, "Surprisingly, this run survived the huge learning rate. Try again with a bigger model.");
      return;
    }
    const data = outcome.diverged;
    const w = this.wasted || { spec, attempts: 0, flops: 0, compute_ns: 0 };
    w.attempts += 1;
    w.flops += data.totals.flops;
    w.compute_ns += data.totals.compute_ns;
    w.data = data;
    this.wasted = w;
    setPhase(this.root, "diverged", "Diverged: no model");
    setStatus(this.root, data.message);
    this.showWaste(spec);
    this.buttons["diverge-again"].hidden = false;
    this.draw();
    recordRun(this.lesson, {
      kind: "scaling-diverged",
      diverged: true,
      step: data.step,
      steps: data.totals.steps,
      flops: data.totals.flops,
      compute_ns: data.totals.compute_ns,
      attempt: w.attempts,
    });
  }

  showWaste(spec) {
    const w = this.wasted;
    const t = w.data.totals;
    const box = this.root.querySelector("[data-role=diverge-result]");
    const lines = [
      `The loss blew up at step ${formatCount(w.data.step)} of ${formatCount(spec.steps)}, and the server halted the run.`,
      `By then it had used ${formatDuration(t.compute_ns)} of compute and ${formatFlops(t.flops)}: all thrown away, because there is no usable model to keep.`,
    ];
    if (w.data.step < spec.steps / 10) {
      lines.push("Here it blew up within a few steps, so little was lost. A large run can blow up after days, and then everything since its last saved checkpoint is lost.");
    }
    if (w.attempts === 1) {
      lines.push("Starting again from scratch costs all of it again. Press “Start it again” to see.");
    } else {
      lines.push(
        `Attempt ${w.attempts}, same settings: it blew up at the same step again. ` +
          `Wasted over ${w.attempts} attempts: ${formatDuration(w.compute_ns)} of compute and ${formatFlops(w.flops)}. ` +
          "Restarting without a change repeats the whole cost; only a lower learning rate (or a saved checkpoint) helps.",
      );
    }
    box.replaceChildren(...lines.map((text) => Object.assign(document.createElement("p"), { textContent: text })));
    box.dataset.step = String(w.data.step);
    box.dataset.attempts = String(w.attempts);
  }

  // ---- the article's table -----------------------------------------------------------------

  fillResourceTable() {
    const set = (name, text) => {
      this.root.querySelector(`[data-cell="${name}"]`).textContent = text;
    };
    const ratio = this.root.querySelector("[data-role=ratio]");
    const yours = this.root.querySelector("[data-role=ms-yours]");
    const run = this.runs[this.runs.length - 1];
    if (!run) {
      for (const name of ["train-flops", "answer-flops", "train-time", "answer-time", "train-count", "answer-count", "train-purpose", "answer-purpose"]) {
        set(name, "–");
      }
      ratio.textContent = "Train a model above to fill in the measured columns.";
      yours.textContent = "A tiny model like yours answers in microseconds, thousandths of a millisecond.";
      return;
    }
    const t = run.done.totals;
    const a = run.answer;
    const cls = a.predictions[0];
    set("train-flops", formatFlops(t.flops));
    set("answer-flops", formatFlops(a.flops));
    set("train-time", formatDuration(run.timeNs));
    set("answer-time", formatDuration(a.compute_ns));
    set("train-count", `${formatCount(this.runs.length)} finished ${this.runs.length === 1 ? "run" : "runs"} on this page`);
    set("answer-count", `${formatCount(this.answers)} ${this.answers === 1 ? "question" : "questions"}, one per run`);
    set("train-purpose", `learned the pattern: ${formatPercent(run.done.final.val_accuracy)} of unseen dots right`);
    set("answer-purpose", `said “${CLASS_NAMES[cls] ?? cls}” for the spot (${QUESTION.join(", ")}), ${formatProbability(a.probabilities[0][cls])} sure`);
    // The cost panel's count (answersToMatch), so the two never differ by one; its time count
    // is the panel's, from answers timed on their own, so it is not said twice.
    ratio.textContent = ratioText(t, a.flops, "this one");
    yours.textContent =
      a.compute_ns < 1e6
        ? `Your model answered in ${formatDuration(a.compute_ns)}: microseconds, thousandths of a millisecond.`
        : `Your model answered in ${formatDuration(a.compute_ns)} this time, while the shared server was busy.`;
  }

  // ---- costs ---------------------------------------------------------------------------------

  costCounters() {
    const run = this.runs[this.runs.length - 1];
    if (!run) return costCounters({});
    // The latest run, and the one question asked of it.
    const queries = noQueries();
    addAnswers(queries, 1, run.answer.flops, run.answer.compute_ns);
    const training = { ...run.done.totals, compute_ns: run.timeNs }; // the fastest timing, as in the table
    return costCounters({ training, nParameters: run.done.n_parameters, frozen: true, queries });
  }

  // ---- the chart -------------------------------------------------------------------------------

  draw() {
    drawScalingChart(this.chart, this.runs, this.wasted, ROUNDS);
  }
}

export function mount(root) {
  return new ScalingWidget(root);
}

mountEvery("scaling", mount);
