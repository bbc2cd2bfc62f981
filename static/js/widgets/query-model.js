// The query-model widget: the preset model is trained for the reader (unpaced, unwatched),
// then every move of the two sliders, or a click on the map, asks it about one point
// through the public predict API. Each answer brings the server's measured compute time,
// its counted FLOPs and the weights' fingerprint, which never changes however often we ask.

import { CostPanel } from "../lib/costs.js";
import { formatCount, formatDuration, formatFlops, formatPercent } from "../lib/format.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, SURFACE_SCALE, SURFACE_SCALE_DARK, themeColours } from "../lib/plot.js";
import { recordAnswers, recordRun } from "../lib/progress.js";
import { ask, createRun } from "../lib/runs.js";

const DEBOUNCE_MS = 100; // a slider drag becomes a question every 100 ms at most
const COSTS_EVERY_MS = 800; // the cost panel follows the questions, a little behind
const NAMES = ["blue", "orange"];

// Like lib/runs.js trainQuietly, but keeps the `start` event too: the map needs the dots.
function trainWithData(runId) {
  return new Promise((resolve, reject) => {
    const source = new EventSource(`/api/runs/${runId}/events`);
    let start = null;
    source.addEventListener("start", (e) => {
      start = JSON.parse(e.data);
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
      if (source.readyState === EventSource.CLOSED) {
        reject(new Error("The server is busy; press the button to try again in a few seconds."));
      }
    });
  });
}

function className(index) {
  return index < NAMES.length ? NAMES[index] : `class ${index}`;
}

export class QueryModel {
  constructor(root) {
    this.root = root;
    this.preset = JSON.parse(root.dataset.preset);
    this.lesson = document.body.dataset.lesson || "";
    this.map = root.querySelector("[data-role=map]");
    this.pointSet = root.querySelector("[data-role=point]");
    this.sliders = { x: this.pointSet.elements.x, y: this.pointSet.elements.y };
    this.startButton = root.querySelector("[data-action=start]");
    this.copyButton = root.querySelector("[data-action=copy]");
    this.runId = null;
    this.training = null;
    this.fingerprint = null;
    this.changed = false;
    this.queries = { count: 0, flops: 0, computeNs: 0, lastFlops: 0, lastComputeNs: 0 };
    this.inFlight = false;
    this.pending = false;
    this.asked = null;
    this.costs = new CostPanel(root, () => this.costCounters());

    this.startButton.addEventListener("click", () => (this.runId ? this.askRandom() : this.start()));
    for (const slider of Object.values(this.sliders)) {
      slider.addEventListener("input", () => this.onSlider());
    }
    this.map.addEventListener("click", (event) => this.onMapClick(event));
    this.copyButton.addEventListener("click", () => this.copy());
    this.showSliderValues();
    this.drawEmptyMap();
    this.start();
  }

  // ---- small helpers -----------------------------------------------------------------

  el(role) {
    return this.root.querySelector(`[data-role="${role}"]`);
  }

  setPhase(phase, text) {
    const badge = this.el("phase");
    badge.dataset.phase = phase;
    badge.textContent = text;
  }

  setStatus(text) {
    this.el("status").textContent = text;
  }

  setCounter(name, text) {
    const cell = this.root.querySelector(`[data-counter="${name}"]`);
    if (cell) cell.textContent = text;
  }

  point() {
    return [Number(this.sliders.x.value), Number(this.sliders.y.value)];
  }

  showSliderValues() {
    const [x, y] = this.point();
    this.el("x-value").textContent = x.toFixed(2);
    this.el("y-value").textContent = y.toFixed(2);
  }

  // ---- phase 1: training, done for the reader -----------------------------------------

  async start() {
    if (this.busy) return;
    this.busy = true;
    this.startButton.setAttribute("aria-disabled", "true"); // not `disabled`: keeps keyboard focus
    this.setPhase("training", "Phase 1: training");
    this.setStatus("Training the model for you (unpaced)…");
    try {
      const created = await createRun({ ...this.preset, pace: "instant" });
      const { start, done } = await trainWithData(created.run_id);
      this.runId = created.run_id;
      this.ready(start, done);
    } catch (error) {
      this.setPhase("ready", "Not trained yet");
      this.setStatus(error.message);
      this.startButton.textContent = "Try again";
    } finally {
      this.busy = false;
      this.startButton.setAttribute("aria-disabled", "false");
    }
  }

  ready(start, done) {
    this.training = done.totals;
    this.nParameters = done.n_parameters;
    this.fingerprint = done.fingerprint;
    this.el("fingerprint").textContent = done.fingerprint;
    this.setPhase("inference", "Phase 2: inference (model frozen)");
    const accuracy = done.final ? ` It gets ${formatPercent(done.final.val_accuracy)} of the held-out dots right.` : "";
    this.setStatus(
      `Trained: ${formatCount(done.totals.steps)} steps, ${formatFlops(done.totals.flops)}, ` +
        `${formatDuration(done.totals.compute_ns)} of compute.${accuracy} Now move the sliders or click the map.`,
    );
    this.setCounter("train-steps", formatCount(done.totals.steps));
    this.setCounter("train-flops", formatFlops(done.totals.flops));
    this.setCounter("train-compute", formatDuration(done.totals.compute_ns));
    this.startButton.textContent = "Ask about a random spot";
    this.pointSet.disabled = false;
    this.copyButton.disabled = false;
    if (start) this.drawMap(start, done.final && done.final.surface);
    this.updateCurl();
    this.costs.recalculate();
    recordRun(this.lesson, {
      kind: "query-model",
      run_id: this.runId,
      steps: done.totals.steps,
      flops: done.totals.flops,
      compute_ns: done.totals.compute_ns,
      n_parameters: done.n_parameters,
      flops_per_answer: done.inference_flops_per_query,
      fingerprint: done.fingerprint,
    });
    this.send();
  }

  // ---- phase 2: asking ----------------------------------------------------------------

  onSlider() {
    this.showSliderValues();
    this.updateCurl();
    this.markPoint(this.point());
    if (!this.runId) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.send(), DEBOUNCE_MS);
  }

  setPoint(x, y) {
    const snap = (v) => Math.max(-2, Math.min(2, Math.round(v * 20) / 20));
    this.sliders.x.value = String(snap(x));
    this.sliders.y.value = String(snap(y));
    this.onSlider();
  }

  askRandom() {
    this.setPoint(Math.random() * 4 - 2, Math.random() * 4 - 2);
  }

  // At most one question in flight: a newer point waits for the answer before it, and
  // only the latest point is asked.
  async send() {
    if (!this.runId) return;
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    const point = this.point();
    if (this.asked && this.asked[0] === point[0] && this.asked[1] === point[1]) return;
    this.inFlight = true;
    try {
      const answer = await ask(this.runId, { inputs: [point] });
      this.asked = point;
      this.showAnswer(point, answer);
    } catch (error) {
      this.showError(error.message);
    } finally {
      this.inFlight = false;
      if (this.pending) {
        this.pending = false;
        this.send();
      }
    }
  }

  showError(message) {
    const box = this.el("error");
    box.textContent = message;
    box.hidden = false;
  }

  showAnswer(point, answer) {
    this.el("error").hidden = true;
    const cls = answer.predictions[0];
    const probability = answer.probabilities[0][cls];
    const [x, y] = point;
    const verdict = this.el("verdict");
    verdict.replaceChildren(
      `At (${x.toFixed(2)}, ${y.toFixed(2)}) the model says `,
      Object.assign(document.createElement("strong"), { className: `class-${cls}`, textContent: className(cls) }),
      ".",
    );
    // Rounded to one decimal, 0.99999 would read "100.0%", which overstates it.
    const sure = probability > 0.999 ? "more than 99.9%" : formatPercent(probability);
    this.el("confidence").textContent = `${sure} ${className(cls)}`;
    this.el("compute").textContent = `${(answer.compute_ns / 1000).toFixed(1)} µs (millionths of a second)`;
    this.el("flops").textContent = formatFlops(answer.flops);
    this.el("outside").hidden = !(answer.outside_training_data && answer.outside_training_data[0]);

    const q = this.queries;
    q.count += 1;
    q.flops += answer.flops;
    q.computeNs += answer.compute_ns;
    q.lastFlops = answer.flops;
    q.lastComputeNs = answer.compute_ns;
    this.setCounter("infer-count", formatCount(q.count));
    this.setCounter("last-flops", formatFlops(answer.flops));
    this.setCounter("last-compute", formatDuration(answer.compute_ns));
    this.setCounter("infer-flops", formatFlops(q.flops));
    this.setCounter("infer-compute", formatDuration(q.computeNs));
    if (this.training && answer.flops > 0) {
      this.setCounter(
        "ratio",
        `Training took as much arithmetic as about ${formatCount(this.training.flops / answer.flops)} answers like this one.`,
      );
    }
    recordAnswers(1, answer.flops, answer.compute_ns);
    this.checkFingerprint(answer.fingerprint);
    this.markPoint(point);
    clearTimeout(this.costTimer);
    this.costTimer = setTimeout(() => this.costs.recalculate(), COSTS_EVERY_MS);
  }

  checkFingerprint(fingerprint) {
    const status = this.el("fp-status");
    if (fingerprint !== this.fingerprint) this.changed = fingerprint;
    const n = this.queries.count;
    const asked = `Questions asked: ${formatCount(n)}`;
    if (this.changed) {
      status.textContent =
        `${asked}. WARNING: the fingerprint CHANGED to ${this.changed}. ` +
        "Answering should never alter the weights; something is wrong on the server.";
      status.classList.add("error");
      status.setAttribute("role", "alert");
    } else {
      status.textContent = `${asked} — fingerprint unchanged.`;
    }
  }

  // ---- the curl line ------------------------------------------------------------------

  updateCurl() {
    if (!this.runId) return;
    const [x, y] = this.point();
    const body = JSON.stringify({ inputs: [[x, y]] });
    this.el("curl").textContent =
      `curl -s -X POST ${window.location.origin}/api/runs/${this.runId}/predict \\\n` +
      "  -H 'content-type: application/json' \\\n" +
      `  -d '${body}'`;
  }

  async copy() {
    const text = this.el("curl").textContent;
    const status = this.el("copy-status");
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(text);
      status.textContent = "Copied. Paste it into a terminal to ask the same model.";
    } catch {
      // No clipboard access (an http page, or permission refused): select it for the reader.
      const range = document.createRange();
      range.selectNodeContents(this.el("curl"));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy it.";
    }
  }

  // ---- costs --------------------------------------------------------------------------

  costCounters() {
    const t = this.training || { flops: 0, compute_ns: 0 };
    const q = this.queries;
    return {
      train_flops: t.flops,
      train_compute_ns: t.compute_ns,
      watched_ms: 0,
      n_parameters: this.nParameters || 0,
      frozen: this.training ? 1 : 0,
      queries: q.count,
      infer_flops: q.flops,
      infer_compute_ns: q.computeNs,
      last_flops: q.lastFlops,
      last_compute_ns: q.lastComputeNs,
    };
  }

  // ---- the map ------------------------------------------------------------------------

  layout(colours, box) {
    return baseLayout(colours, {
      xaxis: { range: box, constrain: "domain", gridcolor: colours.grid, zeroline: false, fixedrange: true },
      yaxis: { range: box, constrain: "domain", gridcolor: colours.grid, zeroline: false, scaleanchor: "x", fixedrange: true },
      hovermode: "closest",
      showlegend: false,
      margin: { l: 32, r: 8, t: 8, b: 28 },
    });
  }

  drawEmptyMap() {
    Plotly.react(this.map, [], this.layout(themeColours(), [-2, 2]), PLOT_CONFIG);
  }

  drawMap(data, surface) {
    const colours = themeColours();
    const [lo, hi] = data.box;
    const n = data.surface_resolution;
    const axis = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const dots = (cls) => {
      const idx = data.train.y.map((c, i) => (c === cls ? i : -1)).filter((i) => i >= 0);
      return {
        x: idx.map((i) => data.train.x[i][0]),
        y: idx.map((i) => data.train.x[i][1]),
        type: "scatter",
        mode: "markers",
        name: `${NAMES[cls]} dots`,
        marker: { color: CLASS_COLOURS[cls], size: 6, line: { color: colours.text, width: 0.5 } },
        hoverinfo: "skip",
      };
    };
    const [x, y] = this.point();
    const traces = [
      {
        type: "heatmap",
        x: axis,
        y: axis,
        z: surface || axis.map(() => axis.map(() => 0.5)),
        zmin: 0,
        zmax: 1,
        colorscale: colours.dark ? SURFACE_SCALE_DARK : SURFACE_SCALE,
        showscale: false,
        hovertemplate: "x %{x:.2f}, y %{y:.2f}<extra>click to ask</extra>",
        name: "model's answer",
      },
      dots(0),
      dots(1),
      {
        x: [x],
        y: [y],
        type: "scatter",
        mode: "markers",
        name: "your point",
        marker: { symbol: "circle-open", size: 18, color: colours.text, line: { width: 3 } },
        hoverinfo: "skip",
      },
    ];
    this.box = data.box;
    Plotly.react(this.map, traces, this.layout(colours, data.box), PLOT_CONFIG);
  }

  markPoint([x, y]) {
    if (!this.box || !this.map.data || this.map.data.length < 4) return;
    Plotly.restyle(this.map, { x: [[x]], y: [[y]] }, [3]);
  }

  // A click on the map moves the sliders there (to the nearest 0.05) and asks about it.
  onMapClick(event) {
    const area = this.map.querySelector(".nsewdrag");
    if (!area || !this.box || !this.runId) return;
    const rect = area.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return;
    const [lo, hi] = this.box;
    this.setPoint(lo + fx * (hi - lo), hi - fy * (hi - lo));
  }
}

export function mount(root) {
  return new QueryModel(root);
}
