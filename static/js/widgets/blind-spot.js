// The blind-spot widget (lesson 11): a model trained on dots with a region missing answers
// confidently there, and far outside the data; questions do not change it; retraining with
// data from the region does. Every number shown comes from the server: the runs' events and
// the predict API's answers, with their `outside_training_data` and `distance_to_data`.

import { CostPanel } from "../lib/costs.js";
import { addAnswers, costCounters, noQueries, setCounter } from "../lib/counters.js";
import {
  formatCoordinate,
  formatCount,
  formatDuration,
  formatFlops,
  formatNumber,
  formatPercent,
} from "../lib/format.js";
import { drawEmptyMap, onMapTap, surfaceAxis } from "../lib/map.js";
import { recordAnswers, recordRun, trainedRun } from "../lib/progress.js";
import { ask, createRun } from "../lib/runs.js";
import { trainQuietly } from "../lib/stream.js";
import { actionButtons, element, setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";
import { drawBlindSpotMap, GRID, NAMES, TRACE } from "./blind-spot/map.js";

const LIMIT = 10; // how far from the centre a typed question may be
const FAR_POINT = [8, 0];

export class BlindSpotWidget {
  constructor(root) {
    this.root = root;
    this.preset = JSON.parse(root.dataset.preset);
    this.lesson = document.body.dataset.lesson || "";
    this.map = root.querySelector("[data-role=map]");
    this.form = root.querySelector("[data-role=ask-form]");
    this.fields = root.querySelector("[data-role=ask-fields]");
    this.error = root.querySelector("[data-role=error]");
    this.answer = root.querySelector("[data-role=answer]");
    this.buttons = actionButtons(root);
    this.buttons.start.addEventListener("click", () => {
      if (this.busy) return;
      this.reset(); // training again starts the story over
      this.guard(() => this.train());
    });
    this.buttons.retrain.addEventListener("click", () => this.guard(() => this.retrain()));
    this.buttons["ask-gap"].addEventListener("click", () => this.askGapCentre());
    this.buttons["ask-far"].addEventListener("click", () => this.askAt(...FAR_POINT));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.askTyped();
    });
    onMapTap(this.map, (point) => this.onTap(point));
    this.costs = new CostPanel(root, () => this.costCounters());
    this.reset();
  }

  // ---- state -------------------------------------------------------------------------

  reset() {
    this.generation = (this.generation || 0) + 1;
    this.gap = null; // the model trained with the gap: {runId, start, done}
    this.full = null; // the model retrained with the full data
    this.blind = []; // indices of held-out dots far from the first model's training dots
    this.asked = { x: [], y: [] };
    this.training = { runs: 0, flops: 0, computeNs: 0 };
    this.nParameters = 0;
    this.questions = noQueries();
    this.askedGap = 0; // questions put to the first model, to show its fingerprint holds
    this.fingerprintHeld = null;
    for (const cell of this.root.querySelectorAll("[data-cell]")) cell.textContent = "–";
    this.root.querySelector("[data-role=summary]").textContent = "";
    this.root.querySelector("[data-role=fingerprint]").textContent = "–";
    this.root.querySelector("[data-role=fingerprint-note]").textContent = "";
    this.answer.replaceChildren(element("p", "fine", "The answer appears here once the model is trained."));
    this.showError("");
    this.fields.disabled = true;
    this.buttons.retrain.disabled = true;
    this.showCounters();
    this.drawEmpty();
    setPhase(this.root, "ready", "Ready to train");
  }

  async guard(work) {
    if (this.busy) return;
    this.busy = true;
    this.buttons.start.disabled = true;
    this.buttons.retrain.disabled = true;
    this.fields.disabled = true;
    const generation = this.generation;
    const hadFocus = this.root.contains(document.activeElement);
    try {
      await work();
    } catch (error) {
      if (generation === this.generation) {
        setPhase(this.root, this.gap ? "inference" : "ready", this.gap ? "Phase 2: inference (model frozen)" : "Ready to train");
        setStatus(this.root, error.message);
      }
    } finally {
      this.busy = false;
      this.buttons.start.disabled = false;
      this.buttons.retrain.disabled = !this.gap || Boolean(this.full);
      this.fields.disabled = !this.gap;
      const active = document.activeElement;
      if (hadFocus && (!this.root.contains(active) || active.disabled)) {
        (this.buttons["ask-gap"].disabled ? this.form.elements.x : this.buttons["ask-gap"]).focus();
      }
    }
  }

  setCell(row, name, text) {
    this.root.querySelector(`[data-row="${row}"] [data-cell="${name}"]`).textContent = text;
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  }

  showCounters() {
    const t = this.training;
    const q = this.questions;
    setCounter(this.root, "train-runs", formatCount(t.runs));
    setCounter(this.root, "train-flops", formatFlops(t.flops));
    setCounter(this.root, "train-compute", formatDuration(t.computeNs));
    setCounter(this.root, "questions", formatCount(q.count));
    setCounter(this.root, "infer-flops", formatFlops(q.flops));
    setCounter(this.root, "infer-compute", formatDuration(q.computeNs));
  }

  costCounters() {
    const counters = costCounters({
      training: { flops: this.training.flops, compute_ns: this.training.computeNs },
      nParameters: this.nParameters,
      frozen: this.gap,
      queries: this.questions,
    });
    // Priced as the model with the gap alone: the one the reader asks.
    return { ...counters, run_id: this.gap ? this.gap.runId : "" };
  }

  // ---- talking to the server ---------------------------------------------------------

  async trainRun(spec, label) {
    const created = await createRun(spec);
    const { start, done } = await trainQuietly(created.run_id, {
      onQueued: (message) => setStatus(this.root, message),
    });
    this.training.runs += 1;
    this.training.flops += done.totals.flops;
    this.training.computeNs += done.totals.compute_ns;
    this.nParameters = done.n_parameters;
    return { runId: created.run_id, start, done, label };
  }

  // One predict call; its questions are counted (the cost panel and the recap see them).
  async question(model, inputs) {
    const answer = await ask(model.runId, { inputs });
    const n = inputs.length;
    addAnswers(this.questions, n, answer.flops, answer.compute_ns);
    recordAnswers(n, answer.flops, answer.compute_ns);
    if (model === this.gap) {
      this.askedGap += n;
      this.noteFingerprint(answer.fingerprint);
    }
    this.showCounters();
    return answer;
  }

  noteFingerprint(fingerprint) {
    const same = fingerprint === this.gap.done.fingerprint;
    this.fingerprintHeld = this.fingerprintHeld !== false && same;
    this.root.querySelector("[data-role=fingerprint]").textContent = fingerprint;
    this.root.querySelector("[data-role=fingerprint-note]").textContent = same
      ? `(the first model's, unchanged after ${formatCount(this.askedGap)} questions)`
      : "(changed)";
  }

  // Held-out dots: how many the model gets right in the blind spot and elsewhere.
  async score(model, row) {
    const val = this.gap.start.val;
    const answer = await this.question(model, val.x);
    if (model === this.gap) {
      this.blind = answer.outside_training_data.map((far, i) => (far ? i : -1)).filter((i) => i >= 0);
    }
    const blind = new Set(this.blind);
    const rest = val.y.map((_, i) => i).filter((i) => !blind.has(i));
    const right = (idx) => idx.filter((i) => answer.predictions[i] === val.y[i]).length;
    const cell = (idx) =>
      idx.length ? `${formatPercent(right(idx) / idx.length)} (${right(idx)} of ${idx.length})` : "no dots";
    this.setCell(row, "inside", cell(this.blind));
    this.setCell(row, "outside", cell(rest));
    const sure = this.blind.map((i) => Math.max(...answer.probabilities[i]));
    this.setCell(row, "sure", sure.length ? formatPercent(sure.reduce((a, b) => a + b, 0) / sure.length) : "–");
    return {
      inside: this.blind.length ? right(this.blind) / this.blind.length : null,
      outside: rest.length ? right(rest) / rest.length : null,
      sure: sure.length ? sure.reduce((a, b) => a + b, 0) / sure.length : null,
    };
  }

  // Which spots of the map are far from every training dot of this model (the server decides).
  async farGrid(model) {
    const axis = surfaceAxis(model.start.box, GRID);
    const inputs = axis.flatMap((y) => axis.map((x) => [x, y]));
    const answer = await this.question(model, inputs);
    const z = axis.map((_y, row) => axis.map((_x, col) => (answer.outside_training_data[row * GRID + col] ? 1 : 0)));
    return { axis, z };
  }

  // ---- training ----------------------------------------------------------------------

  async train() {
    const generation = this.generation;
    setPhase(this.root, "training", "Phase 1: training");
    setStatus(this.root, "Training on the dots, with one region left out…");
    const gap = await this.trainRun({ ...this.preset, model: "mlp" }, "trained with a gap");
    if (generation !== this.generation) return;
    this.gap = gap;
    setStatus(this.root, "Trained. Checking the held-out dots and where the data is missing…");
    const scores = await this.score(gap, "gap");
    const far = await this.farGrid(gap);
    if (generation !== this.generation) return;
    this.draw(gap, far);
    this.record(gap, scores);
    this.buttons["ask-gap"].disabled = this.blind.length === 0;
    this.answer.replaceChildren(element("p", "fine", "Click the map, type a spot, or use a button above."));
    setPhase(this.root, "inference", "Phase 2: inference (model frozen)");
    const summary = this.root.querySelector("[data-role=summary]");
    if (scores.inside === null) {
      summary.textContent = "No held-out dot is far from the training dots: this preset has no gap to find.";
    } else {
      summary.textContent =
        `In the blind spot the model gets ${formatPercent(scores.inside)} of the held-out dots right, ` +
        `while ${formatPercent(scores.sure)} sure on average; everywhere else ${formatPercent(scores.outside)}.`;
    }
    setStatus(
      this.root,
      `Trained with the gap: ${formatPercent(gap.done.final.val_accuracy)} of all held-out dots right ` +
        `(${formatDuration(gap.done.totals.compute_ns)} of compute). Now ask it about the empty region.`,
    );
    this.costs.recalculate();
  }

  async retrain() {
    const generation = this.generation;
    setPhase(this.root, "training", "Training again: with data from the gap");
    setStatus(this.root, "Retraining on the full data, the region included…");
    const full = await this.trainRun({ ...this.preset, model: "mlp", variant: "none" }, "retrained with the full data");
    if (generation !== this.generation) return;
    this.full = full;
    const scores = await this.score(full, "full");
    const far = await this.farGrid(full);
    if (generation !== this.generation) return;
    this.draw(full, far);
    this.record(full, scores);
    setPhase(this.root, "inference", "Phase 2: inference (retrained model)");
    const before = this.gapScores;
    const summary = this.root.querySelector("[data-role=summary]");
    if (scores.inside !== null && before && before.inside !== null) {
      summary.textContent =
        `Retrained with data from the gap: ${formatPercent(scores.inside)} right in the blind spot ` +
        `(it was ${formatPercent(before.inside)}). ` +
        (this.fingerprintHeld
          ? `The first model's fingerprint never moved in ${formatCount(this.askedGap)} questions: ` +
            "no question or prompt fixed it, only training on new data did."
          : "Only training on new data fixed it.");
    }
    setStatus(this.root, "Retrained. Questions now go to both models, so you can compare their answers.");
    this.costs.recalculate();
  }

  record(model, scores) {
    if (model === this.gap) this.gapScores = scores;
    recordRun(this.lesson, {
      kind: `blind-spot: ${model.label}`,
      run_id: model.runId,
      ...trainedRun(model.done),
      val_accuracy: model.done.final.val_accuracy,
      blind_spot_accuracy: scores.inside,
    });
  }

  // ---- asking ------------------------------------------------------------------------

  askTyped() {
    const read = (name) => {
      const raw = this.form.elements[name].value.trim();
      const value = Number(raw);
      if (raw === "" || !Number.isFinite(value) || Math.abs(value) > LIMIT) {
        return [null, `${name} must be a number between −${LIMIT} and ${LIMIT}, like 0.5 or −1.2.`];
      }
      return [value, null];
    };
    const [x, xError] = read("x");
    const [y, yError] = read("y");
    if (xError || yError) {
      this.showError(xError || yError);
      this.form.elements[xError ? "x" : "y"].focus();
      return;
    }
    this.askAt(x, y);
  }

  askGapCentre() {
    if (!this.blind.length) return;
    const val = this.gap.start.val;
    const mean = (k) => this.blind.reduce((sum, i) => sum + val.x[i][k], 0) / this.blind.length;
    this.askAt(Math.round(mean(0) * 100) / 100, Math.round(mean(1) * 100) / 100);
  }

  async askAt(x, y) {
    if (!this.gap || this.busy) return;
    this.showError("");
    this.form.elements.x.value = String(x);
    this.form.elements.y.value = String(y);
    const generation = this.generation;
    const models = [this.gap, this.full].filter(Boolean);
    let answers;
    try {
      answers = [];
      for (const model of models) answers.push(await this.question(model, [[x, y]]));
    } catch (error) {
      this.showError(error.message);
      return;
    }
    if (generation !== this.generation) return;
    this.showAnswer(x, y, models, answers);
    this.asked.x.push(x);
    this.asked.y.push(y);
    Plotly.restyle(this.map, { x: [this.asked.x], y: [this.asked.y] }, [TRACE.asked]);
    this.costs.recalculate();
  }

  showAnswer(x, y, models, answers) {
    const [lo, hi] = this.gap.start.box;
    const offMap = x < lo || x > hi || y < lo || y > hi;
    const where = `At (${formatCoordinate(x)}, ${formatCoordinate(y)})${offMap ? ", off this map" : ""}:`;
    const list = element("ul", "bs-answers");
    models.forEach((model, k) => list.append(this.answerItem(model, answers[k])));
    const parts = [element("p", "bs-where", where), list];
    if (answers.length === 2 && answers[0].predictions[0] !== answers[1].predictions[0]) {
      parts.push(element("p", "bs-disagree", "The two models disagree here: at most one of them can be right."));
    }
    this.answer.replaceChildren(...parts);
  }

  // One model's answer about one spot: its verdict, how sure, how far from its data.
  answerItem(model, a) {
    const cls = a.predictions[0];
    const sure = Math.max(...a.probabilities[0]);
    const item = element("li");
    item.dataset.model = model === this.gap ? "gap" : "full";
    item.append(
      element("span", "bs-who", model === this.gap ? "Trained with the gap: " : "Retrained: "),
      element("strong", `class-${cls}`, NAMES[cls] || `class ${cls}`),
      `, ${formatPercent(sure)} sure. Nearest training dot: ${formatNumber(a.distance_to_data[0])} away.`,
    );
    if (a.outside_training_data[0]) {
      const flag = element("p", "warning bs-flag");
      flag.append(element("strong", "", "Far from anything it saw: confident, but unreliable."), " No training dot was near here, so this answer is a guess.");
      flag.dataset.role = "outside";
      item.append(flag);
    }
    item.append(element("p", "fine", `${formatDuration(a.compute_ns)} of compute, ${formatFlops(a.flops)} (measured on the server).`));
    return item;
  }

  onTap([x, y]) {
    if (!this.gap) return;
    const round = (v) => Math.round(v * 100) / 100;
    this.askAt(round(x), round(y));
  }

  // ---- drawing -----------------------------------------------------------------------

  drawEmpty() {
    drawEmptyMap(this.map);
  }

  draw(model, far) {
    drawBlindSpotMap(this.map, {
      data: model.start,
      surface: model.done.final.surface,
      val: this.gap.start.val,
      blind: this.blind,
      asked: this.asked,
      far,
      who: model === this.gap ? "model trained with the gap" : "retrained model",
    });
  }
}

export function mount(root) {
  return new BlindSpotWidget(root);
}

mountEvery("blind-spot", mount);
