// The world-shift widget (lesson 7): a trained model meets a world that has moved.
// Step by step: train; move the world and ask the old model about it; ask it more (nothing
// changes); fine-tune it on the new data; train from scratch to compare. Every number shown
// comes from the server: the runs' `done` events and the answers of the predict API.

import { CostPanel } from "../lib/costs.js";
import { addAnswers, costCounters, noQueries } from "../lib/counters.js";
import { formatCount, formatDuration, formatFlops, formatPercent, formatShare } from "../lib/format.js";
import { classPoints, dotsTrace, drawEmptyMap, hollowTrace, mapLayout, surfaceTrace } from "../lib/map.js";
import { CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { recordAnswers, recordRun, trainedRun } from "../lib/progress.js";
import { ask, createRun } from "../lib/runs.js";
import { followRun, trainQuietly } from "../lib/stream.js";
import { actionButtons, setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";

const ROUNDS_PER_PRESS = 5; // "ask it more": the held-out dots of the new world, this many times
const MAP = { hovermode: false }; // these maps are for looking: nothing to click
const NAMES = ["blue", "orange"];

function share(part, whole) {
  return whole > 0 ? formatPercent(part / whole) : "–";
}

// Shares of dots answered right never round a miss away: 89 of 90 is "99%", never "100%".
function rightText(right, total) {
  return `${formatShare(right, total)} (${formatCount(right)} of ${formatCount(total)})`;
}

export class WorldShiftWidget {
  constructor(root) {
    this.root = root;
    this.preset = JSON.parse(root.dataset.preset);
    this.amount = Number(root.dataset.amount);
    this.fineTuneSteps = Number(root.dataset.fineTuneSteps);
    this.lesson = document.body.dataset.lesson || "";
    this.oldMap = root.querySelector("[data-role=old-map]");
    this.newMap = root.querySelector("[data-role=new-map]");
    this.show = root.querySelector("[data-role=show]");
    this.buttons = actionButtons(root);
    this.buttons.start.addEventListener("click", () => {
      if (this.busy) return;
      if (this.old) this.reset(); // training again starts the story over
      this.guard("start", (generation) => this.train(generation));
    });
    this.buttons.shift.addEventListener("click", () => this.guard("shift", (g) => this.shiftWorld(g)));
    this.buttons["ask-more"].addEventListener("click", () => this.guard("ask-more", (g) => this.askMore(g)));
    this.buttons["fine-tune"].addEventListener("click", () => this.guard("fine-tune", (g) => this.fineTune(g)));
    this.buttons.scratch.addEventListener("click", () => this.guard("scratch", (g) => this.fromScratch(g)));
    this.buttons.reset.addEventListener("click", () => this.reset());
    this.show.addEventListener("change", () => this.drawNewMap());
    this.costs = new CostPanel(root, () => this.costCounters());
    this.reset(false);
  }

  // ---- state -------------------------------------------------------------------------

  reset(recalculate = true) {
    this.generation = (this.generation || 0) + 1; // answers from before a reset are ignored
    this.busy = false;
    this.old = null; // {runId, start, done}
    this.world = null; // the new world: {runId, start}
    this.tuned = null; // {runId, done}
    this.scratch = null; // {runId, done}
    this.training = { flops: 0, computeNs: 0 };
    this.nParameters = 0;
    this.questions = noQueries();
    this.asked = { rounds: 0, questions: 0 };
    for (const cell of this.root.querySelectorAll("[data-cell], [data-compare]")) cell.textContent = "–";
    this.root.querySelector("[data-row=asked] [data-cell=questions]").textContent = "more";
    this.root.querySelector("[data-role=asking-note]").textContent = "";
    this.root.querySelector("[data-role=compare-summary]").textContent = "";
    this.root.querySelector("[data-role=show-label]").hidden = true;
    this.show.value = "old";
    for (const option of this.show.options) option.disabled = option.value !== "old";
    setPhase(this.root, "ready", "Ready to train");
    setStatus(this.root, "");
    this.enable();
    this.drawEmpty();
    this.costs.cancel();
    if (recalculate) this.costs.recalculate();
  }

  enable() {
    const b = this.buttons;
    const idle = !this.busy;
    b.start.disabled = !idle;
    b.shift.disabled = !(idle && this.old && !this.world);
    b["ask-more"].disabled = !(idle && this.world);
    b["fine-tune"].disabled = !(idle && this.world && !this.tuned);
    b.scratch.disabled = !(idle && this.world && !this.scratch);
    b.reset.disabled = !idle;
  }

  // Runs one step with the buttons locked; a failure becomes a message, never a console error.
  async guard(step, work) {
    if (this.busy) return;
    this.lastStep = step;
    const generation = this.generation;
    const hadFocus = this.root.contains(document.activeElement);
    this.busy = true;
    this.enable();
    try {
      await work(generation);
    } catch (error) {
      if (generation === this.generation) {
        if (this.old) setPhase(this.root, "inference", "Phase 2: inference (model frozen)");
        else setPhase(this.root, "ready", "Ready to train");
        setStatus(this.root, error.message);
      }
    } finally {
      if (generation === this.generation) {
        this.busy = false;
        this.enable();
        if (hadFocus) this.focusNext();
      }
    }
  }

  // After a step, keyboard focus moves on to the next step that can run, if it was lost.
  focusNext() {
    const active = document.activeElement;
    if (this.root.contains(active) && !active.disabled) return;
    const steps = ["start", "shift", "ask-more", "fine-tune", "scratch"];
    const after = steps.slice(steps.indexOf(this.lastStep) + 1);
    const next = [...after, "ask-more", "start"].find((n) => !this.buttons[n].disabled);
    if (next) this.buttons[next].focus();
  }

  setCell(row, name, text) {
    this.root.querySelector(`[data-row="${row}"] [data-cell="${name}"]`).textContent = text;
  }

  setCompare(name, text) {
    this.root.querySelector(`[data-compare="${name}"]`).textContent = text;
  }

  // ---- talking to the server ---------------------------------------------------------

  spec(extra = {}) {
    return { ...this.preset, model: "mlp", pace: "instant", ...extra }; // nothing here is watched
  }

  driftSpec(extra = {}) {
    return this.spec({ variant: "drift", amount: this.amount, fine_tune_from: null, ...extra });
  }

  async trainRun(spec, label) {
    const created = await createRun(spec);
    const { start, done } = await trainQuietly(created.run_id, {
      onQueued: (message) => setStatus(this.root, message),
    });
    this.training.flops += done.totals.flops;
    this.training.computeNs += done.totals.compute_ns;
    this.nParameters = done.n_parameters;
    recordRun(this.lesson, {
      kind: `world-shift: ${label}`,
      run_id: created.run_id,
      ...trainedRun(done),
      val_accuracy: done.final.val_accuracy,
      fine_tuned_from: done.fine_tuned_from,
    });
    return { runId: created.run_id, start, done };
  }

  // Asks a model about the new world's held-out dots; counts the questions and their cost.
  async askNewWorld(runId) {
    const val = this.world.start.val;
    const answer = await ask(runId, { inputs: val.x });
    const right = answer.predictions.filter((p, i) => p === val.y[i]).length;
    const n = val.x.length;
    addAnswers(this.questions, n, answer.flops, answer.compute_ns);
    recordAnswers(n, answer.flops, answer.compute_ns);
    return { right, total: n, fingerprint: answer.fingerprint };
  }

  costCounters() {
    return costCounters({
      training: { flops: this.training.flops, compute_ns: this.training.computeNs },
      nParameters: this.nParameters,
      frozen: this.old,
      queries: this.questions,
    });
  }

  // ---- the five steps ----------------------------------------------------------------

  async train(generation) {
    setPhase(this.root, "training", "Phase 1: training");
    setStatus(this.root, "Training the model on the server…");
    const old = await this.trainRun(this.spec(), "first training");
    if (generation !== this.generation) return;
    this.old = old;
    const final = old.done.final;
    const n = old.start.val.x.length;
    this.setCell("old-old", "right", rightText(Math.round(final.val_accuracy * n), n));
    this.setCell("old-old", "fingerprint", old.done.fingerprint);
    this.drawOldMap();
    this.drawNewMap();
    setPhase(this.root, "inference", "Phase 2: inference (model frozen)");
    setStatus(
      this.root,
      `Trained: ${formatShare(final.val_accuracy)} of the held-out dots right, after ` +
        `${formatCount(old.done.totals.steps)} steps (${formatDuration(old.done.totals.compute_ns)} of compute). ` +
        "Now change the world (step 2).",
    );
    this.costs.recalculate();
  }

  async shiftWorld(generation) {
    setStatus(this.root, "Moving the world: fetching the new world's dots…");
    // The run's `start` event carries the new world's dots; nothing needs training yet, so the
    // stream closes right after it. A paced run is asked for: the data is the same (pace is
    // not part of it), and closing a paced stream leaves the server nothing half-sent.
    const created = await createRun(this.driftSpec({ pace: "watch" }));
    const { start } = await followRun(created.run_id, { stopAfterStart: true });
    if (generation !== this.generation) return;
    this.world = { runId: created.run_id, start };
    const result = await this.askNewWorld(this.old.runId);
    if (generation !== this.generation) return;
    this.setCell("old-new", "right", rightText(result.right, result.total));
    this.setCell("old-new", "fingerprint", result.fingerprint);
    this.oldOnNew = result;
    this.root.querySelector("[data-role=show-label]").hidden = false;
    this.drawNewMap();
    setPhase(this.root, "inference", "The world changed");
    const before = this.old.done.final.val_accuracy;
    setStatus(
      this.root,
      `The world moved. The same model now gets ${formatShare(result.right, result.total)} of the new ` +
        `world's held-out dots right (it got ${formatShare(before)} in the world it learned).`,
    );
    this.costs.recalculate();
  }

  async askMore(generation) {
    setStatus(this.root, "Asking the old model about the new world, again and again…");
    const accuracies = [];
    let last = null;
    for (let round = 0; round < ROUNDS_PER_PRESS; round += 1) {
      last = await this.askNewWorld(this.old.runId);
      if (generation !== this.generation) return;
      accuracies.push(last.right / last.total);
      this.asked.rounds += 1;
      this.asked.questions += last.total;
    }
    const n = this.asked.questions;
    this.root.querySelector("[data-row=asked] [data-cell=questions]").textContent = formatCount(n);
    this.setCell("asked", "right", rightText(last.right, last.total));
    this.setCell("asked", "fingerprint", last.fingerprint);
    const unchanged = last.fingerprint === this.old.done.fingerprint;
    const same = accuracies.every((a) => a === this.oldOnNew.right / this.oldOnNew.total);
    this.root.querySelector("[data-role=asking-note]").textContent =
      `${formatCount(n)} more questions, in ${formatCount(this.asked.rounds)} rounds: right ` +
      `${accuracies.map((a) => formatShare(a)).join(", ")} in the last ${accuracies.length}. ` +
      (same ? "The same as before, every round. " : "") +
      (unchanged
        ? `The fingerprint is still ${last.fingerprint}: answering questions never changes the weights.`
        : "The fingerprint changed.");
    setStatus(this.root, "Asking did not teach it anything. Try fine-tuning (step 4).");
    this.costs.recalculate();
  }

  async fineTune(generation) {
    setPhase(this.root, "training", "Training again: fine-tuning");
    setStatus(this.root, `Fine-tuning the trained model on the new world's dots for ${formatCount(this.fineTuneSteps)} steps…`);
    const spec = this.driftSpec({ steps: this.fineTuneSteps, fine_tune_from: this.old.runId });
    const run = await this.trainRun(spec, "fine-tune");
    if (generation !== this.generation) return;
    this.tuned = run;
    this.fillTrained("fine-tune", run.done);
    this.show.querySelector("option[value=fine-tune]").disabled = false;
    this.show.value = "fine-tune";
    this.drawNewMap();
    setPhase(this.root, "inference", "Inference: the fine-tuned model");
    setStatus(
      this.root,
      `Fine-tuned: ${formatShare(run.done.final.val_accuracy)} of the new world's held-out dots right, ` +
        `after only ${formatCount(run.done.totals.steps)} steps. Compare with training from scratch (step 5).`,
    );
    this.compare();
  }

  async fromScratch(generation) {
    setPhase(this.root, "training", "Training again: from scratch");
    setStatus(this.root, `Training a new model on the new world's dots from random weights, ${formatCount(this.preset.steps)} steps…`);
    const run = await this.trainRun(this.driftSpec(), "from scratch");
    if (generation !== this.generation) return;
    this.scratch = run;
    this.fillTrained("scratch", run.done);
    this.show.querySelector("option[value=scratch]").disabled = false;
    this.show.value = "scratch";
    this.drawNewMap();
    setPhase(this.root, "inference", "Inference: the model trained from scratch");
    setStatus(
      this.root,
      `Trained from scratch: ${formatShare(run.done.final.val_accuracy)} of the new world's held-out dots right, ` +
        `after ${formatCount(run.done.totals.steps)} steps.`,
    );
    this.compare();
  }

  fillTrained(name, done) {
    const n = this.world.start.val.x.length;
    const right = rightText(Math.round(done.final.val_accuracy * n), n);
    this.setCell(name, "right", right);
    this.setCell(name, "fingerprint", done.fingerprint);
    this.setCompare(`${name}-steps`, formatCount(done.totals.steps));
    this.setCompare(`${name}-flops`, formatFlops(done.totals.flops));
    this.setCompare(`${name}-compute`, formatDuration(done.totals.compute_ns));
    this.setCompare(`${name}-right`, right);
  }

  compare() {
    this.costs.recalculate();
    if (!this.tuned || !this.scratch) return;
    const t = this.tuned.done.totals;
    const s = this.scratch.done.totals;
    this.setCompare("share-steps", share(t.steps, s.steps));
    this.setCompare("share-flops", share(t.flops, s.flops));
    this.setCompare("share-compute", share(t.compute_ns, s.compute_ns));
    this.root.querySelector("[data-role=compare-summary]").textContent =
      `Fine-tuning took ${share(t.flops, s.flops)} of the arithmetic of training from scratch ` +
      `(${share(t.compute_ns, s.compute_ns)} of its measured compute time) and got ` +
      `${formatShare(this.tuned.done.final.val_accuracy)} right against ` +
      `${formatShare(this.scratch.done.final.val_accuracy)}.`;
  }

  // ---- drawing -----------------------------------------------------------------------

  drawEmpty() {
    for (const chart of [this.oldMap, this.newMap]) drawEmptyMap(chart, MAP);
    this.root.querySelector("[data-role=new-map-model]").textContent = "no model yet";
  }

  traces(data, surface, colours) {
    const traces = [surfaceTrace(data, colours, { z: surface, clickable: false })];
    for (const cls of [0, 1]) traces.push(dotsTrace(data.train, cls, colours, `${NAMES[cls]} training dots`));
    for (const cls of [0, 1]) {
      traces.push(
        hollowTrace(classPoints(data.val, cls), `${NAMES[cls]} held-out dots`, {
          size: 7,
          line: { color: CLASS_COLOURS[cls], width: 1.5 },
        }),
      );
    }
    return traces;
  }

  drawOldMap() {
    const colours = themeColours();
    const { start, done } = this.old;
    const traces = this.traces(start, done.final.surface, colours);
    Plotly.react(this.oldMap, traces, mapLayout(colours, start.box, MAP), PLOT_CONFIG);
  }

  drawNewMap() {
    if (!this.old) return;
    const colours = themeColours();
    const chosen = { old: this.old, "fine-tune": this.tuned, scratch: this.scratch }[this.show.value] || this.old;
    const names = { old: "the old model", "fine-tune": "the fine-tuned model", scratch: "the model trained from scratch" };
    const name = names[chosen === this.old ? "old" : this.show.value];
    const data = this.world ? this.world.start : null;
    const label = this.root.querySelector("[data-role=new-map-model]");
    if (!data) {
      drawEmptyMap(this.newMap, MAP, this.old.start.box);
      label.textContent = "no new world yet (step 2)";
      return;
    }
    const traces = this.traces(data, chosen.done.final.surface, colours);
    Plotly.react(this.newMap, traces, mapLayout(colours, data.box, MAP), PLOT_CONFIG);
    label.textContent = name;
    this.newMap.setAttribute(
      "aria-label",
      `Map of the changed world: its dots, and shading for the answers of ${name}. The accuracy is written in the table below.`,
    );
  }
}

export function mount(root) {
  return new WorldShiftWidget(root);
}

mountEvery("world-shift", mount);
