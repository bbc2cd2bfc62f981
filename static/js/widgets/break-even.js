// The break-even widget: training is schooling (paid once), answering is the job (paid per
// question). It trains the preset unpaced, reads what one answer costs from the server's
// one comparison (GET /api/runs/{id}/costs: one question asked alone, the median of several
// timings, as every lesson prices it), and lets the reader choose how many questions the
// model answers. Energy comes from the server's cost panel (one cost model, in Python), and
// its chart data gives the energy of training and of one answer. BLOOMz-7B's published
// figures come from the page.

import { CostPanel } from "../lib/costs.js";
import { costCounters } from "../lib/counters.js";
import { formatAbout, formatCount, formatDuration, formatEnergy, formatFlops } from "../lib/format.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { recordAnswers, recordRun } from "../lib/progress.js";
import { ask, createRun, readCosts } from "../lib/runs.js";
import { trainQuietly } from "../lib/stream.js";
import { setAriaDisabled, setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";

const MAX_EXPONENT = 9; // the slider reaches 10^9 questions
const CURVE_POINTS = 91;
const COSTS_DELAY_MS = 250; // the panel follows the slider once it rests

// ---- numbers for people ------------------------------------------------------------------

// Two significant figures: 10^5.35 = 223,872 becomes 220,000, a number people can read.
export function niceCount(exponent) {
  const raw = 10 ** exponent;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(raw)) - 1);
  return Math.round(raw / step) * step;
}

// Energy from watt-hours, written as the server writes energy ("374 J", "2.4 kWh").
function formatWh(wh) {
  return formatEnergy(wh * 3600);
}

// BLOOMz-7B from the figures the page carries (the same ones the cost panel cites).
function readBloomz(json) {
  let figures;
  try {
    figures = JSON.parse(json || "{}");
  } catch {
    return null;
  }
  const training = figures.bloomz7b_training_energy;
  const finetune = figures.bloomz7b_finetune_energy;
  const answer = figures.bloomz7b_inference_energy;
  const published = figures.bloomz7b_break_even;
  if (!training || !finetune || !answer || !published) return null;
  if (training.unit !== "kWh" || finetune.unit !== "kWh" || answer.unit !== "kWh per inference") return null;
  const trainWh = (training.value + finetune.value) * 1e3;
  const perAnswerWh = answer.value * 1e3;
  return {
    trainWh,
    perAnswerWh,
    crossing: trainWh / perAnswerWh, // 592.57 million: where the lines meet on the chart
    published: published.value, // 592 million, as the paper says it: the count in words
    cite: published.cite,
  };
}

// ---- the widget --------------------------------------------------------------------------

export class BreakEvenWidget {
  constructor(root) {
    this.root = root;
    this.preset = JSON.parse(root.dataset.preset);
    this.lesson = document.body.dataset.lesson || "";
    this.bloomz = readBloomz(root.dataset.bloomz);
    this.controls = root.querySelector("[data-role=controls]");
    this.slider = this.controls.elements.questions;
    this.chart = root.querySelector("[data-role=chart]");
    this.startButton = root.querySelector("[data-action=start]");
    this.training = null;
    this.perAnswer = null; // {flops, computeNs}: measured on the server
    this.mine = null; // {trainWh, perAnswerWh, crossing}: from the server's cost model
    this.recorded = false;
    this.costs = new CostPanel(root, () => this.costCounters());
    root.querySelector("[data-role=costs]").addEventListener("htmx:afterSwap", () => this.onCosts());
    this.startButton.addEventListener("click", () => this.start());
    this.slider.addEventListener("input", () => this.onQueries());
    for (const radio of this.controls.querySelectorAll("[name=case]")) {
      radio.addEventListener("change", () => this.draw());
    }
    if (!this.bloomz) {
      for (const value of ["bloomz", "both"]) this.controls.querySelector(`[value=${value}]`).disabled = true;
    }
    this.showQueries();
    this.draw();
    this.start();
  }

  el(role) {
    return this.root.querySelector(`[data-role="${role}"]`);
  }

  queries() {
    return niceCount(Number(this.slider.value));
  }

  whose() {
    return this.controls.querySelector("[name=case]:checked").value;
  }

  showQueries() {
    const n = this.queries();
    const text = `${formatCount(n)} ${n === 1 ? "question" : "questions"}`;
    this.el("queries-value").textContent = formatCount(n);
    this.slider.setAttribute("aria-valuetext", text);
  }

  // ---- train, then measure one answer --------------------------------------------------

  async start() {
    if (this.busy) return;
    this.busy = true;
    setAriaDisabled(this.startButton, true);
    try {
      if (this.perAnswer) {
        await this.askOne();
        return;
      }
      if (!this.training) await this.train();
      await this.measure();
      this.controls.disabled = false;
      this.startButton.textContent = "Ask it one question";
      this.costs.recalculate();
    } catch (error) {
      setStatus(this.root, error.message);
      if (!this.training) setPhase(this.root, "ready", "Not trained yet");
    } finally {
      this.busy = false;
      setAriaDisabled(this.startButton, false);
    }
  }

  async train() {
    setPhase(this.root, "training", "Phase 1: training (schooling)");
    setStatus(this.root, "Training the model, unpaced…");
    const created = await createRun({ ...this.preset, pace: "instant" });
    const { done } = await trainQuietly(created.run_id);
    this.runId = created.run_id;
    this.training = done.totals;
    this.nParameters = done.n_parameters;
    this.el("train-flops").textContent = formatFlops(done.totals.flops);
    this.el("train-compute").textContent = formatDuration(done.totals.compute_ns);
  }

  async measure() {
    setPhase(this.root, "inference", "Phase 2: answering (the job)");
    setStatus(this.root, "Measuring one answer on the server…");
    const costs = await readCosts(this.runId);
    const a = costs.per_answer;
    this.perAnswer = { flops: a.flops, computeNs: a.compute_ns };
    this.el("answer-flops").textContent = formatFlops(a.flops);
    this.el("answer-compute").textContent = formatDuration(a.compute_ns);
    this.el("how").textContent =
      `How it was measured: the server asked the trained model one question at a time, ${formatCount(costs.answer_timings)} times, ` +
      "timing only its arithmetic, and kept the middle timing. Every lesson prices an answer this way; " +
      "lesson 6 shows why answers asked together in a batch come cheaper.";
    setStatus(
      this.root,
      `Trained in ${formatDuration(this.training.compute_ns)} of compute; one answer takes about ` +
        `${formatDuration(a.compute_ns)}. Now choose how many questions it answers.`,
    );
  }

  // One real question, timed as it happens: the reader sees a single timing wobble around
  // the comparison's middle one, which is why the comparison takes the middle of many.
  async askOne() {
    const point = [Math.random() * 4 - 2, Math.random() * 4 - 2];
    const answer = await ask(this.runId, { inputs: [point] });
    recordAnswers(1, answer.flops, answer.compute_ns);
    this.asked = (this.asked || 0) + 1;
    setStatus(
      this.root,
      `Question ${formatCount(this.asked)}: this one took ${formatDuration(answer.compute_ns)} and ${formatFlops(answer.flops)}; ` +
        `the comparison uses the middle of many timings, ${formatDuration(this.perAnswer.computeNs)}.`,
    );
  }

  // ---- the cost panel: N answers, each costing what we measured -------------------------

  costCounters() {
    const t = this.training;
    const a = this.perAnswer;
    if (!t || !a) return costCounters({});
    const n = this.queries();
    return {
      train_flops: t.flops,
      train_compute_ns: t.compute_ns,
      watched_ms: 0,
      n_parameters: this.nParameters,
      frozen: 1,
      queries: n,
      infer_flops: Math.round(n * a.flops),
      infer_compute_ns: Math.round(n * a.computeNs),
      last_flops: Math.round(a.flops),
      last_compute_ns: Math.round(a.computeNs),
      answers: n, // the panel prices the slider's number of answers
      run_id: this.runId || "",
    };
  }

  onQueries() {
    this.showQueries();
    this.draw();
    if (!this.perAnswer) return;
    clearTimeout(this.costTimer);
    this.costTimer = setTimeout(() => this.costs.recalculate(), COSTS_DELAY_MS);
  }

  onCosts() {
    const view = this.root.querySelector("[data-role=costs] .cost-view");
    if (!view) {
      const problem = this.root.querySelector("[data-role=costs] .error");
      if (problem) setStatus(this.root, problem.textContent);
      return;
    }
    const row = view.querySelector(".cost-table tbody tr");
    const cells = row ? [...row.querySelectorAll("td")].map((td) => td.textContent.trim()) : [];
    // The panel answers for the number of questions it was sent; the slider may have moved on.
    const sent = Number(this.root.querySelector("[data-role=cost-form]").elements.queries.value);
    this.energy = { training: cells[0], answer: cells[1], all: cells[2], queries: sent };
    const curve = JSON.parse(view.dataset.chart || "{}").break_even;
    if (curve && this.perAnswer) {
      const last = curve.queries.length - 1;
      const index = curve.inference_wh.findIndex((wh, i) => wh >= curve.training_wh[i]);
      this.mine = {
        trainWh: curve.training_wh[0],
        perAnswerWh: curve.inference_wh[last] / curve.queries[last],
        crossing: index >= 0 ? curve.queries[index] : null,
      };
      this.el("train-energy").textContent = this.energy.training;
      this.el("answer-energy").textContent = this.energy.answer;
      this.record();
    }
    this.draw();
  }

  record() {
    if (this.recorded || !this.mine) return;
    this.recorded = true;
    recordRun(this.lesson, {
      kind: "break-even",
      run_id: this.runId,
      steps: this.training.steps,
      flops: this.training.flops,
      compute_ns: this.training.compute_ns,
      n_parameters: this.nParameters,
      queries: 0, // it measured answers but asked the reader's model no question
      flops_per_answer: this.perAnswer.flops,
      compute_ns_per_answer: this.perAnswer.computeNs,
      break_even_queries: this.mine.crossing,
    });
  }

  // ---- words and chart ------------------------------------------------------------------

  words() {
    const n = this.queries();
    const whose = this.whose();
    const lines = [];
    const at = [];
    if (whose !== "bloomz") {
      if (this.mine && this.mine.crossing) {
        lines.push(`After about ${formatAbout(this.mine.crossing)} questions, answering has cost as much as training did.`);
        if (this.energy && this.energy.queries === n) {
          const side = n >= this.mine.crossing ? "answering has now cost more than training" : "answering is still below what training cost";
          at.push(
            `Your model at ${formatCount(n)} questions: all the answers together about ${this.energy.all}, ` +
              `training about ${this.energy.training} (estimates, from the table below): ${side}.`,
          );
        } else {
          at.push(`Your model at ${formatCount(n)} questions: working out the estimate…`);
        }
      } else if (this.perAnswer) {
        lines.push("Working out the energy…");
      }
    }
    if (whose !== "mine" && this.bloomz) {
      const b = this.bloomz;
      lines.push(
        `BLOOMz-7B: after about ${formatAbout(b.published)} questions, its answers had used as much energy ` +
          `as training and fine-tuning it (${b.cite}).`,
      );
      const side = n >= b.crossing ? "answering has cost more than training" : "answering is still below training";
      at.push(
        `BLOOMz-7B at ${formatCount(n)} questions: answers about ${formatWh(n * b.perAnswerWh)}, ` +
          `training and fine-tuning ${formatWh(b.trainWh)} (published figures): ${side}.`,
      );
    }
    return { verdict: lines, at: at.join(" ") };
  }

  draw() {
    const n = this.queries();
    const whose = this.whose();
    const { verdict, at } = this.words();
    // Rewritten only when it changes: it is a live region, and the slider moves often.
    if (verdict.length && verdict.join("\n") !== this.saidVerdict) {
      this.saidVerdict = verdict.join("\n");
      this.el("verdict").replaceChildren(...verdict.map((line) => Object.assign(document.createElement("p"), { textContent: line })));
    }
    this.el("at-n").textContent = at;

    const colours = themeColours();
    const xs = Array.from({ length: CURVE_POINTS }, (_, i) => 10 ** ((MAX_EXPONENT * i) / (CURVE_POINTS - 1)));
    const traces = [];
    const label = [];
    const add = (c, name, dash) => {
      traces.push(
        { x: [xs[0], xs[xs.length - 1]], y: [c.trainWh, c.trainWh], mode: "lines", name: `${name}: training (once)`, line: { color: CLASS_COLOURS[1], width: 3, dash }, hovertemplate: `${name} training: %{y:.3s} Wh<extra></extra>` },
        { x: xs, y: xs.map((q) => q * c.perAnswerWh), mode: "lines", name: `${name}: all answers`, line: { color: CLASS_COLOURS[0], width: 3, dash }, hovertemplate: `${name}, %{x:,.0f} answers: %{y:.3s} Wh<extra></extra>` },
        { x: [n], y: [n * c.perAnswerWh], mode: "markers", name: `${name}: your number`, showlegend: false, marker: { color: CLASS_COLOURS[0], size: 10 }, hovertemplate: `${name}, %{x:,.0f} answers: %{y:.3s} Wh<extra></extra>` },
      );
      if (c.crossing) {
        traces.push({ x: [c.crossing], y: [c.trainWh], mode: "markers", name: `${name}: break-even`, showlegend: false, marker: { symbol: "circle-open", size: 18, color: colours.text, line: { width: 3 } }, hovertemplate: `${name} break-even: about %{x:,.0f} answers<extra></extra>` });
      }
      label.push(
        `${name}: training ${formatWh(c.trainWh)} (flat)` +
          (c.crossing ? `; the answers line reaches it after about ${formatAbout(c.published ?? c.crossing)} questions` : ""),
      );
    };
    if (whose !== "bloomz" && this.mine) add(this.mine, "Your model", "solid");
    if (whose !== "mine" && this.bloomz) add(this.bloomz, "BLOOMz-7B", "dash");

    const layout = baseLayout(colours, {
      margin: { l: 64, r: 12, t: 8, b: 48 },
      xaxis: { type: "log", range: [0, MAX_EXPONENT], title: { text: "questions answered" }, gridcolor: colours.grid, fixedrange: true },
      yaxis: { type: "log", title: { text: "energy, Wh (our estimate)" }, gridcolor: colours.grid, fixedrange: true, exponentformat: "power" },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" }, // above: clear of the axis title
      shapes: [{ type: "line", xref: "x", yref: "paper", x0: n, x1: n, y0: 0, y1: 1, line: { color: colours.text, width: 1.5, dash: "dot" } }],
    });
    Plotly.react(this.chart, traces, layout, PLOT_CONFIG);
    this.chart.setAttribute(
      "aria-label",
      label.length
        ? `Break-even chart, energy against questions, both on logarithmic scales. ${label.join(". ")}. Marked: ${formatCount(n)} questions.`
        : "Break-even chart. No measurement yet.",
    );
  }
}

export function mount(root) {
  return new BreakEvenWidget(root);
}

mountEvery("break-even", mount);
