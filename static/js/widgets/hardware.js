// Hardware: train a digit reader once, then three demos of serving it, each its own
// controller under widgets/hardware/: reading a digit drawn on a 16 x 16 grid, batching
// (1 question vs 1,000 at once) and shrinking to 8-bit weights "for a phone". This wires
// them to the partial: one action at a time, each training the model first if nobody has
// yet. Every number shown comes from the server: the run's totals, /predict, /batching and
// /quantize.

import { CostPanel } from "../lib/costs.js";
import { costCounters, noQueries } from "../lib/counters.js";
import { formatCount } from "../lib/format.js";
import { reasonOf } from "../lib/http.js";
import { recordRun, trainedRun } from "../lib/progress.js";
import { createRun } from "../lib/runs.js";
import { trainQuietly } from "../lib/stream.js";
import { actionButtons, setAriaDisabled, setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";
import { BatchingDemo } from "./hardware/batching.js";
import { DigitReader } from "./hardware/digit-reader.js";
import { ShrinkDemo } from "./hardware/shrinking.js";
import { trainedStatus, trainedText } from "./hardware/training.js";

const ACTIONS = ["start", "read", "batch", "shrink"];

export class HardwareWidget {
  constructor(root) {
    this.root = root;
    this.preset = { ...JSON.parse(root.dataset.preset), model: "digits", pace: "instant" };
    this.lesson = document.body.dataset.lesson || "";
    this.buttons = actionButtons(root);
    this.busy = false;
    this.training = null; // the promise of the trained run, shared by every action
    this.run = null; // {runId, done}
    this.queries = noQueries();
    this.costs = new CostPanel(root, () => this.costCounters());
    this.reader = new DigitReader(this);
    this.batching = new BatchingDemo(this);
    this.shrinking = new ShrinkDemo(this);
    this.buttons.start.addEventListener("click", () => this.act(() => this.train()));
    this.buttons.read.addEventListener("click", () => this.act(() => this.reader.read()));
    this.buttons.clear.addEventListener("click", () => this.reader.clear());
    this.buttons.batch.addEventListener("click", () => this.act(() => this.batching.run()));
    this.buttons.shrink.addEventListener("click", () => this.act(() => this.shrinking.run()));
  }

  // The drawing, as the server will get it (the browser tests read it).
  get grid() {
    return this.reader.pad.grid;
  }

  setBusy(busy) {
    this.busy = busy;
    for (const name of ACTIONS) setAriaDisabled(this.buttons[name], busy);
  }

  // One action at a time; a failure becomes the server's words in the status line.
  async act(work) {
    if (this.busy) return;
    this.setBusy(true);
    try {
      await work();
    } catch (error) {
      setStatus(this.root, reasonOf(error));
    } finally {
      this.setBusy(false);
    }
  }

  // ---- training, once ----------------------------------------------------------------------

  ensureTrained() {
    if (!this.training) {
      this.training = this.trainOnce().catch((error) => {
        this.training = null; // let the next click try again
        setPhase(this.root, "ready", "Ready to train");
        throw error;
      });
    }
    return this.training;
  }

  async train() {
    if (this.run) {
      setStatus(
        this.root,
        "The digit reader is already trained; the same settings give the same model, so there is nothing new to learn.",
      );
      return;
    }
    await this.ensureTrained();
  }

  async trainOnce() {
    const spec = this.preset;
    setPhase(this.root, "training", "Phase 1: training");
    setStatus(this.root, "Training the digit reader…");
    const { run_id: runId } = await createRun(spec);
    const { done } = await trainQuietly(runId, {
      onFrame: (frame) => {
        setStatus(this.root, `Training the digit reader: step ${formatCount(frame.step)} of ${formatCount(spec.steps)}…`);
      },
    });
    this.run = { runId, done };
    setPhase(this.root, "inference", "Phase 2: inference (model frozen)");
    setStatus(this.root, trainedStatus(done));
    this.root.querySelector("[data-role=trained]").textContent = trainedText(done, spec.n_samples);
    recordRun(this.lesson, {
      kind: "hardware",
      model: "digits",
      run_id: runId,
      ...trainedRun(done),
      val_accuracy: done.final.val_accuracy,
    });
    this.costs.recalculate();
    return this.run;
  }

  costCounters() {
    return costCounters({
      training: this.run && this.run.done.totals,
      nParameters: this.run ? this.run.done.n_parameters : 0,
      frozen: Boolean(this.run),
      queries: this.queries,
    });
  }
}

export function mount(root) {
  return new HardwareWidget(root);
}

mountEvery("hardware", mount);
