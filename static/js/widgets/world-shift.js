// The world-shift widget (lesson 7): a trained model meets a world that has moved.
// Step by step: train; move the world and ask the old model about it; ask it more (nothing
// changes); fine-tune it on the new data; train from scratch to compare. Every number shown
// comes from the server: the runs' `done` events and the answers of the predict API.

import { CostPanel } from "../lib/costs.js";
import { formatCount, formatDuration, formatFlops, formatPercent } from "../lib/format.js";
import {
  baseLayout,
  CLASS_COLOURS,
  PLOT_CONFIG,
  SURFACE_SCALE,
  SURFACE_SCALE_DARK,
  themeColours,
} from "../lib/plot.js";
import { recordAnswers, recordRun } from "../lib/progress.js";
import { ask, createRun } from "../lib/runs.js";

const ROUNDS_PER_PRESS = 5; // "ask it more": the held-out dots of the new world, this many times

// Streams a run's events. Resolves with {start, done}; with stopAfterStart, closes the stream
// as soon as the `start` event (the run's data) arrives, so the server trains nothing.
function streamRun(runId, { stopAfterStart = false, onQueued } = {}) {
  return new Promise((resolve, reject) => {
    const source = new EventSource(`/api/runs/${runId}/events`);
    let start = null;
    source.addEventListener("queued", (e) => onQueued && onQueued(JSON.parse(e.data).message));
    source.addEventListener("start", (e) => {
      start = JSON.parse(e.data);
      if (stopAfterStart) {
        source.close();
        resolve({ start, done: null });
      }
    });
    source.addEventListener("done", (e) => {
      source.close();
      resolve({ start, done: JSON.parse(e.data) });
    });
    source.addEventListener("diverged", (e) => {
      source.close();
      reject(new Error(JSON.parse(e.data).message));
    });
    source.addEventListener("error", () => {
      // A dropped connection reconnects by itself (and the run replays); closed means refused.
      if (source.readyState === EventSource.CLOSED) {
        reject(new Error("The server is busy; try again in a few seconds."));
      }
    });
  });
}

function share(part, whole) {
  return whole > 0 ? formatPercent(part / whole) : "–";
}

function rightText(right, total) {
  return `${formatPercent(right / total)} (${formatCount(right)} of ${formatCount(total)})`;
}

class WorldShift {
  constructor(root) {
    this.root = root;
    this.preset = JSON.parse(root.dataset.preset);
    this.amount = Number(root.dataset.amount);
    this.fineTuneSteps = Number(root.dataset.fineTuneSteps);
    this.lesson = document.body.dataset.lesson || "";
    this.oldMap = root.querySelector("[data-role=old-map]");
    this.newMap = root.querySelector("[data-role=new-map]");
    this.show = root.querySelector("[data-role=show]");
    this.buttons = Object.fromEntries(
      [...root.querySelectorAll("button[data-action]")].map((b) => [b.dataset.action, b]),
    );
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
    this.questions = { count: 0, flops: 0, computeNs: 0, lastFlops: 0, lastComputeNs: 0 };
    this.asked = { rounds: 0, questions: 0 };
    for (const cell of this.root.querySelectorAll("[data-cell], [data-compare]")) cell.textContent = "–";
    this.root.querySelector("[data-row=asked] [data-cell=questions]").textContent = "more";
    this.root.querySelector("[data-role=asking-note]").textContent = "";
    this.root.querySelector("[data-role=compare-summary]").textContent = "";
    this.root.querySelector("[data-role=show-label]").hidden = true;
    this.show.value = "old";
    for (const option of this.show.options) option.disabled = option.value !== "old";
    this.setPhase("ready", "Ready to train");
    this.setStatus("");
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
        if (this.old) this.setPhase("inference", "Phase 2: inference (model frozen)");
        else this.setPhase("ready", "Ready to train");
        this.setStatus(error.message);
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

  setPhase(phase, text) {
    const badge = this.root.querySelector("[data-role=phase]");
    badge.dataset.phase = phase;
    badge.textContent = text;
  }

  setStatus(text) {
    this.root.querySelector("[data-role=status]").textContent = text;
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
    const { start, done } = await streamRun(created.run_id, {
      onQueued: (message) => this.setStatus(message),
    });
    this.training.flops += done.totals.flops;
    this.training.computeNs += done.totals.compute_ns;
    this.nParameters = done.n_parameters;
    recordRun(this.lesson, {
      kind: `world-shift: ${label}`,
      run_id: created.run_id,
      steps: done.totals.steps,
      flops: done.totals.flops,
      compute_ns: done.totals.compute_ns,
      n_parameters: done.n_parameters,
      flops_per_answer: done.inference_flops_per_query,
      val_accuracy: done.final.val_accuracy,
      fingerprint: done.fingerprint,
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
    const q = this.questions;
    q.count += n;
    q.flops += answer.flops;
    q.computeNs += answer.compute_ns;
    q.lastFlops = Math.round(answer.flops / n); // one question's share of the call
    q.lastComputeNs = Math.round(answer.compute_ns / n);
    recordAnswers(n, answer.flops, answer.compute_ns);
    return { right, total: n, fingerprint: answer.fingerprint };
  }

  costCounters() {
    const q = this.questions;
    return {
      train_flops: this.training.flops,
      train_compute_ns: this.training.computeNs,
      watched_ms: 0,
      n_parameters: this.nParameters,
      frozen: this.old ? 1 : 0,
      queries: q.count,
      infer_flops: q.flops,
      infer_compute_ns: q.computeNs,
      last_flops: q.lastFlops,
      last_compute_ns: q.lastComputeNs,
    };
  }

  // ---- the five steps ----------------------------------------------------------------

  async train(generation) {
    this.setPhase("training", "Phase 1: training");
    this.setStatus("Training the model on the server…");
    const old = await this.trainRun(this.spec(), "first training");
    if (generation !== this.generation) return;
    this.old = old;
    const final = old.done.final;
    const n = old.start.val.x.length;
    this.setCell("old-old", "right", rightText(Math.round(final.val_accuracy * n), n));
    this.setCell("old-old", "fingerprint", old.done.fingerprint);
    this.drawOldMap();
    this.drawNewMap();
    this.setPhase("inference", "Phase 2: inference (model frozen)");
    this.setStatus(
      `Trained: ${formatPercent(final.val_accuracy)} of the held-out dots right, after ` +
        `${formatCount(old.done.totals.steps)} steps (${formatDuration(old.done.totals.compute_ns)} of compute). ` +
        "Now change the world (step 2).",
    );
    this.costs.recalculate();
  }

  async shiftWorld(generation) {
    this.setStatus("Moving the world: fetching the new world's dots…");
    // The run's `start` event carries the new world's dots; nothing needs training yet, so the
    // stream closes right after it. A paced run is asked for: the data is the same (pace is
    // not part of it), and closing a paced stream leaves the server nothing half-sent.
    const created = await createRun(this.driftSpec({ pace: "watch" }));
    const { start } = await streamRun(created.run_id, { stopAfterStart: true });
    if (generation !== this.generation) return;
    this.world = { runId: created.run_id, start };
    const result = await this.askNewWorld(this.old.runId);
    if (generation !== this.generation) return;
    this.setCell("old-new", "right", rightText(result.right, result.total));
    this.setCell("old-new", "fingerprint", result.fingerprint);
    this.oldOnNew = result;
    this.root.querySelector("[data-role=show-label]").hidden = false;
    this.drawNewMap();
    this.setPhase("inference", "The world changed");
    const before = this.old.done.final.val_accuracy;
    this.setStatus(
      `The world moved. The same model now gets ${formatPercent(result.right / result.total)} of the new ` +
        `world's held-out dots right (it got ${formatPercent(before)} in the world it learned).`,
    );
    this.costs.recalculate();
  }

  async askMore(generation) {
    this.setStatus("Asking the old model about the new world, again and again…");
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
      `${formatCount(n)} more questions, in ${this.asked.rounds} rounds: right ` +
      `${accuracies.map(formatPercent).join(", ")} in the last ${accuracies.length}. ` +
      (same ? "The same as before, every round. " : "") +
      (unchanged
        ? `The fingerprint is still ${last.fingerprint}: answering questions never changes the weights.`
        : "The fingerprint changed.");
    this.setStatus("Asking did not teach it anything. Try fine-tuning (step 4).");
    this.costs.recalculate();
  }

  async fineTune(generation) {
    this.setPhase("training", "Training again: fine-tuning");
    this.setStatus(`Fine-tuning the trained model on the new world's dots for ${formatCount(this.fineTuneSteps)} steps…`);
    const spec = this.driftSpec({ steps: this.fineTuneSteps, fine_tune_from: this.old.runId });
    const run = await this.trainRun(spec, "fine-tune");
    if (generation !== this.generation) return;
    this.tuned = run;
    this.fillTrained("fine-tune", run.done);
    this.show.querySelector("option[value=fine-tune]").disabled = false;
    this.show.value = "fine-tune";
    this.drawNewMap();
    this.setPhase("inference", "Inference: the fine-tuned model");
    this.setStatus(
      `Fine-tuned: ${formatPercent(run.done.final.val_accuracy)} of the new world's held-out dots right, ` +
        `after only ${formatCount(run.done.totals.steps)} steps. Compare with training from scratch (step 5).`,
    );
    this.compare();
  }

  async fromScratch(generation) {
    this.setPhase("training", "Training again: from scratch");
    this.setStatus(`Training a new model on the new world's dots from random weights, ${formatCount(this.preset.steps)} steps…`);
    const run = await this.trainRun(this.driftSpec(), "from scratch");
    if (generation !== this.generation) return;
    this.scratch = run;
    this.fillTrained("scratch", run.done);
    this.show.querySelector("option[value=scratch]").disabled = false;
    this.show.value = "scratch";
    this.drawNewMap();
    this.setPhase("inference", "Inference: the model trained from scratch");
    this.setStatus(
      `Trained from scratch: ${formatPercent(run.done.final.val_accuracy)} of the new world's held-out dots right, ` +
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
      `${formatPercent(this.tuned.done.final.val_accuracy)} right against ` +
      `${formatPercent(this.scratch.done.final.val_accuracy)}.`;
  }

  // ---- drawing -----------------------------------------------------------------------

  layout(colours, box) {
    return baseLayout(colours, {
      xaxis: { range: box, constrain: "domain", gridcolor: colours.grid, zeroline: false },
      yaxis: { range: box, constrain: "domain", gridcolor: colours.grid, zeroline: false, scaleanchor: "x" },
      showlegend: false,
      hovermode: false,
      margin: { l: 32, r: 8, t: 8, b: 28 },
    });
  }

  drawEmpty() {
    const colours = themeColours();
    for (const chart of [this.oldMap, this.newMap]) {
      Plotly.react(chart, [], this.layout(colours, [-2, 2]), PLOT_CONFIG);
    }
    this.root.querySelector("[data-role=new-map-model]").textContent = "no model yet";
  }

  traces(data, surface, colours) {
    const [lo, hi] = data.box;
    const n = data.surface_resolution;
    const axis = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const pick = (split, cls) => {
      const idx = data[split].y.map((c, i) => (c === cls ? i : -1)).filter((i) => i >= 0);
      return { x: idx.map((i) => data[split].x[i][0]), y: idx.map((i) => data[split].x[i][1]) };
    };
    const traces = [{
      type: "heatmap",
      x: axis,
      y: axis,
      z: surface,
      zmin: 0,
      zmax: 1,
      colorscale: colours.dark ? SURFACE_SCALE_DARK : SURFACE_SCALE,
      showscale: false,
      hoverinfo: "skip",
      name: "model's answer",
    }];
    for (const cls of [0, 1]) {
      traces.push({
        ...pick("train", cls),
        type: "scatter",
        mode: "markers",
        name: `${["blue", "orange"][cls]} training dots`,
        marker: { color: CLASS_COLOURS[cls], size: 6, line: { color: colours.text, width: 0.5 } },
        hoverinfo: "skip",
      });
    }
    for (const cls of [0, 1]) {
      traces.push({
        ...pick("val", cls),
        type: "scatter",
        mode: "markers",
        name: `${["blue", "orange"][cls]} held-out dots`,
        marker: { color: "rgba(0,0,0,0)", size: 7, line: { color: CLASS_COLOURS[cls], width: 1.5 } },
        hoverinfo: "skip",
      });
    }
    return traces;
  }

  drawOldMap() {
    const colours = themeColours();
    const { start, done } = this.old;
    Plotly.react(this.oldMap, this.traces(start, done.final.surface, colours), this.layout(colours, start.box), PLOT_CONFIG);
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
      Plotly.react(this.newMap, [], this.layout(colours, this.old.start.box), PLOT_CONFIG);
      label.textContent = "no new world yet (step 2)";
      return;
    }
    Plotly.react(this.newMap, this.traces(data, chosen.done.final.surface, colours), this.layout(colours, data.box), PLOT_CONFIG);
    label.textContent = name;
    this.newMap.setAttribute(
      "aria-label",
      `Map of the changed world: its dots, and shading for the answers of ${name}. The accuracy is written in the table below.`,
    );
  }
}

export function mount(root) {
  return new WorldShift(root);
}
