// The query-model widget: the preset model is trained for the reader (unpaced, unwatched),
// then every move of the two sliders, or a click on the map, asks it about one point
// through the public predict API. Each answer brings the server's measured compute time,
// its counted FLOPs and the weights' fingerprint, which never changes however often we ask.

import { CostPanel } from "../lib/costs.js";
import { addAnswers, costCounters, noQueries, ratioText, setCounter, showAnswerCounters } from "../lib/counters.js";
import { formatCoordinate, formatCount, formatDuration, formatFlops, formatPercent, formatProbability } from "../lib/format.js";
import { dotsTrace, drawEmptyMap, mapLayout, onMapTap, surfaceTrace } from "../lib/map.js";
import { PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { recordAnswers, recordRun, trainedRun } from "../lib/progress.js";
import { ask, createRun } from "../lib/runs.js";
import { trainQuietly } from "../lib/stream.js";
import { setAriaDisabled, setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";

const DEBOUNCE_MS = 100; // a slider drag becomes a question every 100 ms at most
const COSTS_EVERY_MS = 800; // the cost panel follows the questions, a little behind
const NAMES = ["blue", "orange"];
const MAP = { axis: { fixedrange: true } }; // the map is for clicking: no zooming or panning
const BUSY = "The server is busy; press the button to try again in a few seconds.";

function className(index) {
  return index < NAMES.length ? NAMES[index] : `class ${index}`;
}

export class QueryModelWidget {
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
    this.queries = noQueries();
    this.inFlight = false;
    this.pending = false;
    this.asked = null;
    this.costs = new CostPanel(root, () => this.costCounters());

    this.startButton.addEventListener("click", () => (this.runId ? this.askRandom() : this.start()));
    for (const slider of Object.values(this.sliders)) {
      slider.addEventListener("input", () => this.onSlider());
    }
    onMapTap(this.map, (point) => this.onTap(point));
    this.copyButton.addEventListener("click", () => this.copy());
    this.showSliderValues();
    this.drawEmptyMap();
    this.start();
  }

  // ---- small helpers -----------------------------------------------------------------

  el(role) {
    return this.root.querySelector(`[data-role="${role}"]`);
  }

  point() {
    return [Number(this.sliders.x.value), Number(this.sliders.y.value)];
  }

  showSliderValues() {
    const [x, y] = this.point();
    this.el("x-value").textContent = formatCoordinate(x);
    this.el("y-value").textContent = formatCoordinate(y);
  }

  // ---- phase 1: training, done for the reader -----------------------------------------

  async start() {
    if (this.busy) return;
    this.busy = true;
    setAriaDisabled(this.startButton, true);
    setPhase(this.root, "training", "Phase 1: training");
    setStatus(this.root, "Training the model for you (unpaced)…");
    try {
      const created = await createRun({ ...this.preset, pace: "instant" });
      const { start, done } = await trainQuietly(created.run_id, { busyMessage: BUSY });
      this.runId = created.run_id;
      this.ready(start, done);
    } catch (error) {
      setPhase(this.root, "ready", "Not trained yet");
      setStatus(this.root, error.message);
      this.startButton.textContent = "Try again";
    } finally {
      this.busy = false;
      setAriaDisabled(this.startButton, false);
    }
  }

  ready(start, done) {
    this.training = done.totals;
    this.nParameters = done.n_parameters;
    this.fingerprint = done.fingerprint;
    this.el("fingerprint").textContent = done.fingerprint;
    setPhase(this.root, "inference", "Phase 2: inference (model frozen)");
    const accuracy = done.final ? ` It gets ${formatPercent(done.final.val_accuracy)} of the held-out dots right.` : "";
    setStatus(
      this.root,
      `Trained: ${formatCount(done.totals.steps)} steps, ${formatFlops(done.totals.flops)}, ` +
        `${formatDuration(done.totals.compute_ns)} of compute.${accuracy} Now move the sliders or click the map.`,
    );
    setCounter(this.root, "train-steps", formatCount(done.totals.steps));
    setCounter(this.root, "train-flops", formatFlops(done.totals.flops));
    setCounter(this.root, "train-compute", formatDuration(done.totals.compute_ns));
    this.startButton.textContent = "Ask about a random spot";
    this.pointSet.disabled = false;
    this.copyButton.disabled = false;
    if (start) this.drawMap(start, done.final && done.final.surface);
    this.updateCurl();
    this.costs.recalculate();
    recordRun(this.lesson, {
      kind: "query-model",
      run_id: this.runId,
      ...trainedRun(done),
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
      `At (${formatCoordinate(x)}, ${formatCoordinate(y)}) the model says `,
      Object.assign(document.createElement("strong"), { className: `class-${cls}`, textContent: className(cls) }),
      ".",
    );
    // Rounded, 0.996 would read "100%", which overstates it.
    const sure = formatProbability(probability);
    this.el("confidence").textContent = `${sure} ${className(cls)}`;
    const compute = formatDuration(answer.compute_ns);
    this.el("compute").textContent = compute.endsWith(" µs") ? `${compute} (millionths of a second)` : compute;
    this.el("flops").textContent = formatFlops(answer.flops);
    this.el("outside").hidden = !(answer.outside_training_data && answer.outside_training_data[0]);

    const q = this.queries;
    addAnswers(q, 1, answer.flops, answer.compute_ns);
    showAnswerCounters(this.root, q);
    const ratio = ratioText(this.training, answer.flops, "this one");
    if (ratio) setCounter(this.root, "ratio", ratio);
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
    const counters = costCounters({
      training: this.training,
      nParameters: this.nParameters || 0,
      frozen: this.training,
      queries: this.queries,
    });
    return { ...counters, run_id: this.runId || "" };
  }

  // ---- the map ------------------------------------------------------------------------

  drawEmptyMap() {
    drawEmptyMap(this.map, MAP);
  }

  drawMap(data, surface) {
    const colours = themeColours();
    const [x, y] = this.point();
    const traces = [
      surfaceTrace(data, colours, { z: surface }),
      dotsTrace(data.train, 0, colours, `${NAMES[0]} dots`),
      dotsTrace(data.train, 1, colours, `${NAMES[1]} dots`),
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
    Plotly.react(this.map, traces, mapLayout(colours, data.box, MAP), PLOT_CONFIG);
  }

  markPoint([x, y]) {
    if (!this.box || !this.map.data || this.map.data.length < 4) return;
    Plotly.restyle(this.map, { x: [[x]], y: [[y]] }, [3]);
  }

  // A tap or click on the map moves the sliders there (to the nearest 0.05) and asks about it.
  onTap([x, y]) {
    if (this.runId && this.box) this.setPoint(x, y);
  }
}

export function mount(root) {
  return new QueryModelWidget(root);
}

mountEvery("query-model", mount);
