// The training widget: start a run, draw its frames live, then ask the frozen model.
// Frames arrive as server-sent events; chart updates are batched to one per animation frame,
// so a fast stream never queues more drawing than the screen can show.

import { CostPanel } from "../lib/costs.js";
import { formatCount, formatDuration, formatFlops } from "../lib/format.js";
import {
  baseLayout,
  CLASS_COLOURS,
  FrameBatcher,
  PLOT_CONFIG,
  SURFACE_SCALE,
  SURFACE_SCALE_DARK,
  themeColours,
} from "../lib/plot.js";
import { recordAnswers, recordRun } from "../lib/progress.js";
import { BUSY_RETRY_MS, createRun, readRun } from "../lib/runs.js";

export class TrainWidget {
  constructor(root) {
    this.root = root;
    this.preset = JSON.parse(root.dataset.preset);
    this.controls = root.querySelector("[data-role=controls]");
    this.lossChart = root.querySelector("[data-role=loss-chart]");
    this.surfaceChart = root.querySelector("[data-role=surface-chart]");
    this.inference = root.querySelector("[data-role=inference]");
    this.askForm = root.querySelector("[data-role=ask-form]");
    this.buttons = Object.fromEntries(
      [...root.querySelectorAll("button[data-action]")].map((b) => [b.dataset.action, b]),
    );
    this.buttons.start.addEventListener("click", () => this.start());
    this.buttons.pause.addEventListener("click", () => this.pause());
    this.buttons.resume.addEventListener("click", () => this.resume());
    this.buttons.reset.addEventListener("click", () => this.reset());
    this.buttons["rerun-instant"].addEventListener("click", () => this.rerunUnpaced());
    this.costs = new CostPanel(root, () => this.costCounters());
    this.batcher = new FrameBatcher((frames) => this.drawFrames(frames));
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
      this.setStatus("Opened a shared run. Press Start training: the same spec trains the same model, exactly.");
    } catch (error) {
      this.setStatus(error.message);
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
    this.closeStream();
    clearTimeout(this.retryTimer);
    this.runId = null;
    this.lastEventId = 0;
    this.started = false;
    this.batcher.clear();
    this.watchedMs = 0;
    this.watchStart = null;
    this.training = null;
    this.queries = { count: 0, points: 0, flops: 0, computeNs: 0, lastFlops: 0, lastComputeNs: 0 };
    this.frozen = false;
    this.nParameters = 0;
    this.costs.cancel();
    if (this.buttons["rerun-instant"]) this.buttons["rerun-instant"].hidden = true;
    this.inference.hidden = true;
    this.root.querySelector(".answer").textContent = "";
    for (const cell of this.root.querySelectorAll("[data-counter]")) {
      cell.textContent = cell.dataset.counter.startsWith("infer-last") ? "–" : "0";
    }
    this.setCounter("train-watched", "0 s");
    this.setCounter("ratio", "");
    this.setPhase("ready", "Ready to train");
    this.setStatus("");
    this.setButtons({ start: true, pause: false, resume: false });
    this.drawEmptyCharts();
    if (hadRun) this.costs.recalculate(); // the page arrives with the empty panel rendered
  }

  // ---- costs -------------------------------------------------------------------------

  costCounters() {
    const t = this.training || { flops: 0, compute_ns: 0 };
    const q = this.queries;
    return {
      train_flops: t.flops,
      train_compute_ns: t.compute_ns,
      watched_ms: Math.round(this.watchedMs + (this.watchStart === null ? 0 : performance.now() - this.watchStart)),
      n_parameters: this.nParameters,
      frozen: this.frozen ? 1 : 0,
      queries: q.count,
      infer_flops: q.flops,
      infer_compute_ns: q.computeNs,
      last_flops: q.lastFlops,
      last_compute_ns: q.lastComputeNs,
    };
  }

  rerunUnpaced() {
    this.controls.elements.speed.value = "instant";
    this.start();
  }

  setPhase(phase, text) {
    const badge = this.root.querySelector("[data-role=phase]");
    badge.dataset.phase = phase;
    badge.textContent = text;
  }

  setStatus(text) {
    this.root.querySelector("[data-role=status]").textContent = text;
  }

  setButtons(enabled) {
    for (const [name, on] of Object.entries(enabled)) this.buttons[name].disabled = !on;
  }

  setCounter(name, text) {
    const cell = this.root.querySelector(`[data-counter="${name}"]`);
    if (cell) cell.textContent = text;
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
    this.setButtons({ start: false, pause: false, resume: false });
    this.setStatus("Creating the run…");
    let body;
    try {
      body = await createRun(this.spec());
    } catch (error) {
      this.fail(error.message);
      return;
    }
    this.runId = body.run_id;
    this.setPhase("training", "Phase 1: training");
    this.openStream();
    this.costs.start();
  }

  fail(message) {
    this.setStatus(message);
    this.setButtons({ start: true, pause: false, resume: false });
  }

  openStream() {
    const resume = this.lastEventId ? `?last_event_id=${this.lastEventId}` : "";
    const source = new EventSource(`/api/runs/${this.runId}/events${resume}`);
    this.source = source;
    this.watchStart = performance.now();
    this.setButtons({ start: false, pause: true, resume: false });
    this.setStatus(this.lastEventId ? "Resuming…" : "Training…");
    source.addEventListener("queued", (e) => {
      this.setPhase("waiting", "Waiting for a free spot");
      this.setStatus(JSON.parse(e.data).message);
    });
    source.addEventListener("start", (e) => this.onStart(JSON.parse(e.data)));
    source.addEventListener("frame", (e) => {
      this.lastEventId = Number(e.lastEventId);
      this.queueFrame(JSON.parse(e.data));
    });
    source.addEventListener("done", (e) => this.onDone(JSON.parse(e.data)));
    source.addEventListener("diverged", (e) => this.onDiverged(JSON.parse(e.data)));
    source.addEventListener("error", () => this.onStreamError(source));
  }

  closeStream() {
    if (this.source) {
      this.source.close();
      this.source = null;
    }
    if (this.watchStart !== null) {
      this.watchedMs += performance.now() - this.watchStart;
      this.watchStart = null;
    }
  }

  onStreamError(source) {
    if (source !== this.source) return;
    if (source.readyState === EventSource.CONNECTING) {
      this.setStatus("Connection dropped; reconnecting and resuming where it stopped…");
      return;
    }
    // Closed for good: most often the server is full (503). Retry by ourselves.
    this.closeStream();
    let seconds = BUSY_RETRY_MS / 1000;
    this.setStatus(`The server is busy; retrying in ${seconds} s…`);
    const tick = () => {
      seconds -= 1;
      if (seconds > 0) {
        this.setStatus(`The server is busy; retrying in ${seconds} s…`);
        this.retryTimer = setTimeout(tick, 1000);
      } else {
        this.openStream();
      }
    };
    this.retryTimer = setTimeout(tick, 1000);
  }

  pause() {
    this.closeStream();
    this.costs.stop();
    this.setPhase("paused", "Paused");
    this.setStatus(`Paused after step ${this.training ? this.training.step : 0}. The server stopped computing.`);
    this.setButtons({ start: true, pause: false, resume: true });
  }

  resume() {
    this.setPhase("training", "Phase 1: training");
    this.openStream();
    this.costs.start();
  }

  onStart(data) {
    this.nParameters = data.n_parameters;
    this.setPhase("training", "Phase 1: training");
    this.setStatus("Training…");
    if (this.started) return; // a resumed stream repeats it; the charts already hold it
    this.started = true;
    this.run = data;
    this.drawData(data);
  }

  queueFrame(frame) {
    this.batcher.push(frame);
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
    this.setCounter("train-steps", formatCount(counters.steps));
    this.setCounter("train-examples", formatCount(counters.examples_seen));
    this.setCounter("train-flops", formatFlops(counters.flops));
    this.setCounter("train-compute", formatDuration(counters.compute_ns));
    const watching = this.watchStart === null ? 0 : performance.now() - this.watchStart;
    this.setCounter("train-watched", formatDuration((this.watchedMs + watching) * 1e6));
  }

  onDone(data) {
    this.batcher.flush(); // the last frame event already carried the final numbers
    this.closeStream();
    this.showTrainingCounters(data.totals);
    this.training = data.totals;
    this.setPhase("inference", "Phase 2: inference (model frozen)");
    const final = data.final;
    this.setStatus(
      `Training finished: held-out accuracy ${(final.val_accuracy * 100).toFixed(1)}%. ` +
        `Compute took ${formatDuration(data.totals.compute_ns)}; you watched for ` +
        `${formatDuration(this.watchedMs * 1e6)}.`,
    );
    this.setButtons({ start: true, pause: false, resume: false });
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
      steps: data.totals.steps,
      flops: data.totals.flops,
      compute_ns: data.totals.compute_ns,
      watched_ms: Math.round(this.watchedMs),
      n_parameters: data.n_parameters,
      flops_per_answer: data.inference_flops_per_query,
      val_accuracy: final.val_accuracy,
      fingerprint: data.fingerprint,
    });
    this.costs.stop();
    this.costs.announce(`Training finished after ${formatCount(data.totals.steps)} steps. The model is frozen; you can ask it questions.`, true);
  }

  onDiverged(data) {
    this.batcher.flush();
    this.closeStream();
    this.costs.stop();
    this.costs.announce(data.message, true);
    this.training = data.totals;
    this.showTrainingCounters(data.totals);
    this.setPhase("diverged", "Diverged: no model");
    this.setStatus(data.message);
    this.setButtons({ start: true, pause: false, resume: false });
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
    q.count += 1;
    q.points += 1;
    q.flops += flops;
    q.computeNs += computeNs;
    q.lastFlops = flops;
    q.lastComputeNs = computeNs;
    recordAnswers(1, flops, computeNs);
    this.setCounter("infer-last-points", "1");
    this.setCounter("infer-last-flops", formatCount(flops));
    this.setCounter("infer-last-compute", formatDuration(computeNs));
    this.setCounter("infer-count", formatCount(q.count));
    this.setCounter("infer-points", formatCount(q.points));
    this.setCounter("infer-flops", formatCount(q.flops));
    this.setCounter("infer-compute", formatDuration(q.computeNs));
    if (this.training && flops > 0) {
      const ratio = this.training.flops / flops;
      this.setCounter(
        "ratio",
        `Training took as much arithmetic as about ${formatCount(ratio)} answers like the last one.`,
      );
    }
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
    Plotly.react(this.surfaceChart, [], this.surfaceLayout(colours, [-2, 2]), PLOT_CONFIG);
  }

  surfaceLayout(colours, box) {
    return baseLayout(colours, {
      // constrain "domain" keeps the ranges fixed, so a click maps straight to coordinates
      xaxis: { range: box, constrain: "domain", gridcolor: colours.grid, zeroline: false },
      yaxis: { range: box, constrain: "domain", gridcolor: colours.grid, zeroline: false, scaleanchor: "x" },
      hovermode: "closest",
      showlegend: false, // the caption names the marks: more room for the map
      margin: { l: 32, r: 8, t: 8, b: 28 },
    });
  }

  drawData(data) {
    const colours = themeColours();
    const [lo, hi] = data.box;
    const n = data.surface_resolution;
    const axis = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const points = (split, cls) => {
      const idx = data[split].y.map((c, i) => (c === cls ? i : -1)).filter((i) => i >= 0);
      return { x: idx.map((i) => data[split].x[i][0]), y: idx.map((i) => data[split].x[i][1]) };
    };
    const dotTrace = (cls) => ({
      ...points("train", cls),
      type: "scatter",
      mode: "markers",
      name: ["blue dots", "orange dots"][cls],
      marker: { color: CLASS_COLOURS[cls], size: 6, line: { color: colours.text, width: 0.5 } },
      hoverinfo: "skip",
    });
    const traces = [
      {
        type: "heatmap",
        x: axis,
        y: axis,
        z: axis.map(() => axis.map(() => 0.5)),
        zmin: 0,
        zmax: 1,
        colorscale: colours.dark ? SURFACE_SCALE_DARK : SURFACE_SCALE,
        showscale: false,
        hovertemplate: "x %{x:.2f}, y %{y:.2f}<extra>click to ask</extra>",
        name: "model's guess",
      },
      dotTrace(0),
      dotTrace(1),
      {
        ...points("val", 0),
        type: "scatter",
        mode: "markers",
        name: "held-out dots",
        marker: { color: "rgba(0,0,0,0)", size: 6, line: { color: colours.text, width: 1 } },
        hoverinfo: "skip",
      },
      {
        x: [],
        y: [],
        type: "scatter",
        mode: "markers",
        name: "your questions",
        marker: { symbol: "x", size: 11, color: colours.text },
      },
    ];
    // Held-out dots of both classes share one hollow trace: they are for looking, not learning.
    const val1 = points("val", 1);
    traces[3].x = traces[3].x.concat(val1.x);
    traces[3].y = traces[3].y.concat(val1.y);
    Plotly.react(this.surfaceChart, traces, this.surfaceLayout(colours, data.box), PLOT_CONFIG);
    this.box = data.box;
  }

  // A click anywhere on the map asks about that exact spot (not the nearest heatmap cell).
  onMapClick(event) {
    const area = this.surfaceChart.querySelector(".nsewdrag");
    if (!area || !this.box) return;
    const rect = area.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return;
    const [lo, hi] = this.box;
    this.ask(lo + fx * (hi - lo), hi - fy * (hi - lo));
  }
}

export function mount(root) {
  return new TrainWidget(root);
}
