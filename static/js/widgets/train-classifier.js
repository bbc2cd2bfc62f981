// The training widget: start a run, draw its frames live, then ask the frozen model.
// Frames arrive as server-sent events; chart updates are batched to one per animation frame,
// so a fast stream never queues more drawing than the screen can show.

import { CostPanel } from "../lib/costs.js";
import {
  addAnswers,
  costCounters,
  noQueries,
  resetCounters,
  setCounter,
  showRatio,
  showTrainingCounters,
} from "../lib/counters.js";
import { formatCount, formatDuration } from "../lib/format.js";
import {
  askedTrace,
  classPoints,
  clickPoint,
  dotsTrace,
  drawEmptyMap,
  hollowTrace,
  mapLayout,
  surfaceTrace,
} from "../lib/map.js";
import { baseLayout, CLASS_COLOURS, FrameBatcher, PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { recordAnswers, recordRun, trainedRun } from "../lib/progress.js";
import { createRun, readRun } from "../lib/runs.js";
import { WatchedStream } from "../lib/stream.js";
import { actionButtons, setButtons, setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";

export class TrainWidget {
  constructor(root) {
    this.root = root;
    this.preset = JSON.parse(root.dataset.preset);
    this.controls = root.querySelector("[data-role=controls]");
    this.lossChart = root.querySelector("[data-role=loss-chart]");
    this.surfaceChart = root.querySelector("[data-role=surface-chart]");
    this.inference = root.querySelector("[data-role=inference]");
    this.askForm = root.querySelector("[data-role=ask-form]");
    this.buttons = actionButtons(root);
    this.buttons.start.addEventListener("click", () => this.start());
    this.buttons.pause.addEventListener("click", () => this.pause());
    this.buttons.resume.addEventListener("click", () => this.resume());
    this.buttons.reset.addEventListener("click", () => this.reset());
    this.buttons["rerun-instant"].addEventListener("click", () => this.rerunUnpaced());
    this.costs = new CostPanel(root, () => this.costCounters());
    this.batcher = new FrameBatcher((frames) => this.drawFrames(frames));
    this.stream = new WatchedStream({
      status: (text) => setStatus(this.root, text),
      opened: () => setButtons(this.buttons, { start: false, pause: true, resume: false }),
      queued: (data) => {
        setPhase(this.root, "waiting", "Waiting for a free spot");
        setStatus(this.root, data.message);
      },
      start: (data) => this.onStart(data),
      frame: (frame) => this.batcher.push(frame),
      done: (data) => this.onDone(data),
      diverged: (data) => this.onDiverged(data),
    });
    this.lesson = document.body.dataset.lesson || "";
    root.addEventListener("htmx:afterSwap", (event) => this.onAnswer(event));
    this.surfaceChart.addEventListener("click", (event) => this.onMapClick(event));
    this.reset();
    this.openShared();
  }

  // ---- sharing: ?run=<id> reopens a widget with that exact run spec ------------------

  async openShared() {
    const runId = new URLSearchParams(window.location.search).get("run");
    if (!runId || this.root !== document.querySelector("[data-widget=train-classifier]")) return;
    try {
      const { spec } = await readRun(runId);
      if (spec.model !== "mlp") return;
      this.fillControls(spec);
      setStatus(this.root, "Opened a shared run. Press Start training: the same spec trains the same model, exactly.");
    } catch (error) {
      setStatus(this.root, error.message);
    }
  }

  fillControls(spec) {
    const set = (name, value) => {
      const control = this.controls.elements[name];
      if (!control) return;
      if (control.tagName === "SELECT" && ![...control.options].some((o) => o.value === String(value))) {
        control.add(new Option(String(value).replaceAll(",", " × "), String(value)));
      }
      control.value = String(value);
    };
    set("dataset", spec.dataset);
    set("n_samples", spec.n_samples);
    set("hidden", spec.hidden.join(","));
    set("learning_rate", spec.learning_rate);
    set("steps", spec.steps);
    set("seed", spec.seed);
    set("speed", spec.pace === "instant" ? "instant" : spec.speed);
    this.preset = { ...this.preset, ...spec };
  }

  shareLink() {
    const url = new URL(window.location.href);
    url.searchParams.set("run", this.runId);
    history.replaceState(null, "", url);
    const link = this.root.querySelector("[data-role=share-link]");
    link.href = url.toString();
    link.textContent = url.toString();
    link.parentElement.hidden = false;
  }

  // ---- state -------------------------------------------------------------------------

  reset() {
    const hadRun = Boolean(this.training || (this.queries && this.queries.count));
    this.stream.reset();
    this.runId = null;
    this.started = false;
    this.batcher.clear();
    this.training = null;
    this.queries = { ...noQueries(), points: 0 };
    this.frozen = false;
    this.nParameters = 0;
    this.costs.cancel();
    if (this.buttons["rerun-instant"]) this.buttons["rerun-instant"].hidden = true;
    this.inference.hidden = true;
    this.root.querySelector(".answer").textContent = "";
    resetCounters(this.root);
    setPhase(this.root, "ready", "Ready to train");
    setStatus(this.root, "");
    setButtons(this.buttons, { start: true, pause: false, resume: false });
    this.drawEmptyCharts();
    if (hadRun) this.costs.recalculate(); // the page arrives with the empty panel rendered
  }

  // ---- costs -------------------------------------------------------------------------

  costCounters() {
    return costCounters({
      training: this.training,
      watchedMs: this.stream.watchingMs(),
      nParameters: this.nParameters,
      frozen: this.frozen,
      queries: this.queries,
    });
  }

  rerunUnpaced() {
    this.controls.elements.speed.value = "instant";
    this.start();
  }

  spec() {
    const form = new FormData(this.controls);
    const speed = form.get("speed");
    return {
      ...this.preset,
      model: "mlp",
      dataset: form.get("dataset"),
      n_samples: Number(form.get("n_samples")),
      hidden: String(form.get("hidden")).split(",").map(Number),
      learning_rate: Number(form.get("learning_rate")),
      steps: Number(form.get("steps")),
      seed: Number(form.get("seed")),
      pace: speed === "instant" ? "instant" : "watch",
      speed: speed === "instant" ? this.preset.speed : speed,
    };
  }

  // ---- training ----------------------------------------------------------------------

  async start() {
    this.reset();
    setButtons(this.buttons, { start: false, pause: false, resume: false });
    setStatus(this.root, "Creating the run…");
    let body;
    try {
      body = await createRun(this.spec());
    } catch (error) {
      this.fail(error.message);
      return;
    }
    this.runId = body.run_id;
    setPhase(this.root, "training", "Phase 1: training");
    this.stream.open(this.runId);
    this.costs.start();
  }

  fail(message) {
    setStatus(this.root, message);
    setButtons(this.buttons, { start: true, pause: false, resume: false });
  }

  pause() {
    this.stream.close();
    this.costs.stop();
    setPhase(this.root, "paused", "Paused");
    setStatus(this.root, `Paused after step ${this.training ? this.training.step : 0}. The server stopped computing.`);
    setButtons(this.buttons, { start: true, pause: false, resume: true });
  }

  resume() {
    setPhase(this.root, "training", "Phase 1: training");
    this.stream.open();
    this.costs.start();
  }

  onStart(data) {
    this.nParameters = data.n_parameters;
    setPhase(this.root, "training", "Phase 1: training");
    setStatus(this.root, "Training…");
    if (this.started) return; // a resumed stream repeats it; the charts already hold it
    this.started = true;
    this.run = data;
    this.drawData(data);
  }

  drawFrames(frames) {
    if (!frames.length || !this.started) return;
    const steps = frames.map((f) => f.step);
    Plotly.extendTraces(
      this.lossChart,
      { x: [steps, steps], y: [frames.map((f) => f.loss), frames.map((f) => f.val_loss)] },
      [0, 1],
    );
    const withSurface = frames.filter((f) => f.surface).pop();
    if (withSurface) Plotly.restyle(this.surfaceChart, { z: [withSurface.surface] }, [0]);
    const last = frames[frames.length - 1];
    this.training = last.counters;
    this.showTrainingCounters(last.counters);
  }

  showTrainingCounters(counters) {
    showTrainingCounters(this.root, counters, this.stream.watchingMs());
  }

  onDone(data) {
    this.batcher.flush(); // the last frame event already carried the final numbers
    this.stream.close();
    this.showTrainingCounters(data.totals);
    this.training = data.totals;
    setPhase(this.root, "inference", "Phase 2: inference (model frozen)");
    const final = data.final;
    setStatus(
      this.root,
      `Training finished: held-out accuracy ${(final.val_accuracy * 100).toFixed(1)}%. ` +
        `Compute took ${formatDuration(data.totals.compute_ns)}; you watched for ` +
        `${formatDuration(this.stream.watchedMs * 1e6)}.`,
    );
    setButtons(this.buttons, { start: true, pause: false, resume: false });
    this.root.querySelector("[data-role=fingerprint]").textContent = data.fingerprint;
    this.askForm.setAttribute("hx-post", `/widgets/runs/${this.runId}/ask`);
    htmx.process(this.askForm);
    this.inference.hidden = false;
    this.frozen = true;
    this.buttons["rerun-instant"].hidden = false;
    this.shareLink();
    recordRun(this.lesson, {
      kind: "train-classifier",
      run_id: this.runId,
      ...trainedRun(data),
      watched_ms: Math.round(this.stream.watchedMs),
      val_accuracy: final.val_accuracy,
    });
    this.costs.stop();
    this.costs.announce(`Training finished after ${formatCount(data.totals.steps)} steps. The model is frozen; you can ask it questions.`, true);
  }

  onDiverged(data) {
    this.batcher.flush();
    this.stream.close();
    this.costs.stop();
    this.costs.announce(data.message, true);
    this.training = data.totals;
    this.showTrainingCounters(data.totals);
    setPhase(this.root, "diverged", "Diverged: no model");
    setStatus(this.root, data.message);
    setButtons(this.buttons, { start: true, pause: false, resume: false });
  }

  // ---- inference ---------------------------------------------------------------------

  ask(x, y) {
    if (this.inference.hidden) return;
    this.askForm.elements.x.value = x.toFixed(2);
    this.askForm.elements.y.value = y.toFixed(2);
    htmx.trigger(this.askForm, "submit");
  }

  onAnswer(event) {
    const result = event.target.querySelector(".result");
    if (!result) return;
    const computeNs = Number(result.dataset.computeNs);
    const flops = Number(result.dataset.flops);
    const q = this.queries;
    addAnswers(q, 1, flops, computeNs);
    q.points += 1;
    recordAnswers(1, flops, computeNs);
    setCounter(this.root, "infer-last-points", "1");
    setCounter(this.root, "infer-last-flops", formatCount(flops));
    setCounter(this.root, "infer-last-compute", formatDuration(computeNs));
    setCounter(this.root, "infer-count", formatCount(q.count));
    setCounter(this.root, "infer-points", formatCount(q.points));
    setCounter(this.root, "infer-flops", formatCount(q.flops));
    setCounter(this.root, "infer-compute", formatDuration(q.computeNs));
    showRatio(this.root, this.training, flops);
    Plotly.extendTraces(
      this.surfaceChart,
      { x: [[Number(result.dataset.x)]], y: [[Number(result.dataset.y)]] },
      [4],
    );
    this.costs.recalculate();
  }

  // ---- drawing -----------------------------------------------------------------------

  drawEmptyCharts() {
    const colours = themeColours();
    Plotly.react(
      this.lossChart,
      [
        { x: [], y: [], mode: "lines", name: "training loss", line: { color: CLASS_COLOURS[0], width: 2 } },
        { x: [], y: [], mode: "lines", name: "held-out loss", line: { color: CLASS_COLOURS[1], width: 2, dash: "dash" } },
      ],
      baseLayout(colours, {
        xaxis: { title: { text: "training step" }, gridcolor: colours.grid, rangemode: "tozero" },
        yaxis: { title: { text: "loss" }, gridcolor: colours.grid, rangemode: "tozero" },
      }),
      PLOT_CONFIG,
    );
    drawEmptyMap(this.surfaceChart);
  }

  drawData(data) {
    const colours = themeColours();
    // Held-out dots of both classes share one hollow trace: they are for looking, not learning.
    const val = [0, 1].map((cls) => classPoints(data.val, cls));
    const traces = [
      surfaceTrace(data, colours, { name: "model's guess" }),
      dotsTrace(data.train, 0, colours, "blue dots"),
      dotsTrace(data.train, 1, colours, "orange dots"),
      hollowTrace(
        { x: val[0].x.concat(val[1].x), y: val[0].y.concat(val[1].y) },
        "held-out dots",
        { size: 6, line: { color: colours.text, width: 1 } },
      ),
      askedTrace({ x: [], y: [] }, colours),
    ];
    Plotly.react(this.surfaceChart, traces, mapLayout(colours, data.box), PLOT_CONFIG);
    this.box = data.box;
  }

  onMapClick(event) {
    const point = clickPoint(this.surfaceChart, event, this.box);
    if (point) this.ask(...point);
  }
}

export function mount(root) {
  return new TrainWidget(root);
}

mountEvery("train-classifier", mount);
