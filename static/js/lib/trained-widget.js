// The life cycle of a widget that trains a watched run, then answers questions with the
// frozen model (train-classifier, next-word): start, pause, resume, reset; the live
// counters; the cost panel; the record kept in the reader's browser. A widget extends
// TrainedWidget, calls this.reset() at the end of its constructor, and fills in:
//   spec()              the run spec to create
//   clear()             its own parts of a reset (answers, samples, …)
//   drawEmpty()         its charts before a run
//   drawStart(data)     the run's `start` event (once; a resumed stream repeats it)
//   drawFrames(frames)  the frames of one animation frame
//   summary(data)       what goes after "Training finished" in the status line
//   record(data)        its own fields for the progress record
//   frozen(data)        once the model is frozen: open the questions
// The partial has data-preset, [data-role=inference], [data-role=fingerprint], buttons
// named start (and optionally pause, resume, reset), and the counters of
// fragments/_counters.html.

import { CostPanel } from "./costs.js";
import {
  addAnswers,
  costCounters,
  noQueries,
  resetCounters,
  showAnswerCounters,
  showRatio,
  showTrainingCounters,
} from "./counters.js";
import { formatCount, formatDuration } from "./format.js";
import { RedrawQueue } from "./plot.js";
import { recordAnswers, recordRun, trainedRun } from "./progress.js";
import { createRun } from "./runs.js";
import { RunStream } from "./stream.js";
import { actionButtons, setButtons, setPhase, setStatus } from "./widget.js";

const TRAINING = ["training", "Phase 1: training"];
const IDLE = { start: true, pause: false, resume: false };

export class TrainedWidget {
  // kind: the widget's kind, for the progress record; askHint: how to ask the frozen model.
  constructor(root, { kind, askHint }) {
    this.root = root;
    this.kind = kind;
    this.askHint = askHint;
    this.preset = JSON.parse(root.dataset.preset);
    this.lesson = document.body.dataset.lesson || "";
    this.inference = root.querySelector("[data-role=inference]");
    this.buttons = actionButtons(root);
    for (const action of ["start", "pause", "resume", "reset"]) {
      if (this.buttons[action]) this.buttons[action].addEventListener("click", () => this[action]());
    }
    this.costs = new CostPanel(root, () => this.costCounters());
    this.redraws = new RedrawQueue((frames) => this.onFrames(frames));
    this.stream = new RunStream({
      status: (text) => setStatus(root, text),
      opened: () => setButtons(this.buttons, { start: false, pause: true, resume: false }),
      queued: (data) => {
        setPhase(root, "waiting", "Waiting for a free spot");
        setStatus(root, data.message);
      },
      start: (data) => this.onStart(data),
      frame: (frame) => this.redraws.push(frame),
      done: (data) => this.onDone(data),
      diverged: (data) => this.onDiverged(data),
    });
  }

  // ---- state ---------------------------------------------------------------------------

  reset() {
    const hadRun = Boolean(this.training || (this.queries && this.queries.count));
    this.stream.reset();
    this.redraws.clear();
    this.runId = null;
    this.started = false;
    this.run = null; // the `start` event's data
    this.training = null; // the run's counters so far: {steps, examples_seen, flops, compute_ns}
    this.queries = noQueries();
    this.isFrozen = false;
    this.nParameters = 0;
    this.costs.cancel();
    this.inference.hidden = true;
    resetCounters(this.root);
    setPhase(this.root, "ready", "Ready to train");
    setStatus(this.root, "");
    setButtons(this.buttons, IDLE);
    this.clear();
    this.drawEmpty();
    if (hadRun) this.costs.recalculate(); // the page arrives with the empty panel rendered
  }

  costCounters() {
    const counters = costCounters({
      training: this.training,
      watchedMs: this.stream.watchingMs(),
      nParameters: this.nParameters,
      frozen: this.isFrozen,
      queries: this.queries,
    });
    return { ...counters, run_id: this.runId || "" };
  }

  // ---- training ------------------------------------------------------------------------

  async start() {
    this.reset();
    setButtons(this.buttons, { start: false, pause: false, resume: false });
    setStatus(this.root, "Creating the run…");
    let body;
    try {
      body = await createRun(this.spec());
    } catch (error) {
      setStatus(this.root, error.message);
      setButtons(this.buttons, IDLE);
      return;
    }
    this.runId = body.run_id;
    setPhase(this.root, ...TRAINING);
    this.stream.open(this.runId);
    this.costs.start();
  }

  pause() {
    this.stream.close();
    // Frames already received but not yet drawn go on screen now, so the step named below
    // is the one the chart and the counters show, not a few frames behind them.
    this.redraws.flush();
    this.costs.stop();
    setPhase(this.root, "paused", "Paused");
    const step = this.training ? this.training.steps : 0;
    setStatus(this.root, `Paused after step ${formatCount(step)}. The server stopped computing.`);
    setButtons(this.buttons, { start: true, pause: false, resume: true });
  }

  resume() {
    setPhase(this.root, ...TRAINING);
    this.stream.open();
    this.costs.start();
  }

  onStart(data) {
    this.nParameters = data.n_parameters;
    setPhase(this.root, ...TRAINING);
    setStatus(this.root, "Training…");
    if (this.started) return; // a resumed stream repeats it; the charts already hold it
    this.started = true;
    this.run = data;
    this.drawStart(data);
  }

  onFrames(frames) {
    if (!frames.length || !this.started) return;
    this.drawFrames(frames);
    this.training = frames[frames.length - 1].counters;
    showTrainingCounters(this.root, this.training, this.stream.watchingMs());
  }

  onDone(data) {
    this.redraws.flush(); // the last frame event already carried the final numbers
    this.stream.close();
    this.training = data.totals;
    showTrainingCounters(this.root, data.totals, this.stream.watchingMs());
    this.isFrozen = true;
    setPhase(this.root, "inference", "Phase 2: inference (model frozen)");
    setStatus(
      this.root,
      `Training finished${this.summary(data)} Compute took ${formatDuration(data.totals.compute_ns)}; ` +
        `you watched for ${formatDuration(this.stream.watchedMs * 1e6)}.`,
    );
    setButtons(this.buttons, IDLE);
    this.root.querySelector("[data-role=fingerprint]").textContent = data.fingerprint;
    this.inference.hidden = false;
    recordRun(this.lesson, {
      kind: this.kind,
      run_id: this.runId,
      ...trainedRun(data),
      watched_ms: Math.round(this.stream.watchedMs),
      ...this.record(data),
    });
    this.costs.stop();
    this.costs.announce(
      `Training finished after ${formatCount(data.totals.steps)} steps. The model is frozen; ${this.askHint}`,
      true,
    );
    this.frozen(data);
  }

  onDiverged(data) {
    this.redraws.flush();
    this.stream.close();
    this.costs.stop();
    this.costs.announce(data.message, true);
    this.training = data.totals;
    showTrainingCounters(this.root, data.totals, this.stream.watchingMs());
    setPhase(this.root, "diverged", "Diverged: no model");
    setStatus(this.root, data.message);
    setButtons(this.buttons, IDLE);
  }

  // ---- questions -------------------------------------------------------------------------

  // One answer of the frozen model, counted everywhere: the counters, the reader's record,
  // the cost panel.
  countAnswer(flops, computeNs) {
    addAnswers(this.queries, 1, flops, computeNs);
    recordAnswers(1, flops, computeNs);
    showAnswerCounters(this.root, this.queries);
    showRatio(this.root, this.training, flops);
    this.costs.recalculate();
  }

  // ---- hooks (see the top of this file) ----------------------------------------------------

  spec() {
    return { ...this.preset };
  }

  clear() {}

  drawEmpty() {}

  drawStart() {}

  drawFrames() {}

  summary() {
    return ".";
  }

  record() {
    return {};
  }

  frozen() {}
}
