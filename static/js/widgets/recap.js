// The recap: what the reader did in earlier lessons (kept in their browser), added up, and
// turned into estimates by the server's cost model. A reader who arrives here first can
// train one small model on the spot, so the page always has real numbers to show.

import { CostPanel } from "../lib/costs.js";
import { formatCountOf, formatDuration, formatFlops, formatPercent, formatRatio } from "../lib/format.js";
import { forget, progress, recordAnswers, recordRun } from "../lib/progress.js";
import { ask, createRun } from "../lib/runs.js";
import { trainQuietly } from "../lib/stream.js";
import { mountEvery } from "../lib/mount.js";

const QUESTIONS = 5;

function totals(data) {
  const training = data.runs.filter((r) => Number.isFinite(r.flops) && r.flops > 0);
  const sum = (key) => training.reduce((total, r) => total + (Number(r[key]) || 0), 0);
  return {
    runs: training.length,
    flops: sum("flops"),
    computeNs: sum("compute_ns"),
    watchedMs: sum("watched_ms"),
    parameters: Math.max(0, ...training.map((r) => Number(r.n_parameters) || 0)),
    answers: data.answers,
    biggest: training.reduce((best, r) => (r.flops > (best ? best.flops : 0) ? r : best), null),
  };
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

export class RecapWidget {
  constructor(root) {
    this.root = root;
    this.mode = root.dataset.mode;
    this.preset = JSON.parse(root.dataset.preset);
    this.status = root.querySelector("[data-role=status]");
    this.costs = new CostPanel(root, () => this.counters());
    root.querySelector("[data-action=start]").addEventListener("click", () => this.trainNow());
    root.querySelector("[data-action=forget]").addEventListener("click", () => {
      forget();
      this.render();
    });
    this.render();
  }

  counters() {
    const t = totals(progress());
    const a = t.answers;
    return {
      train_flops: t.flops,
      train_compute_ns: t.computeNs,
      watched_ms: t.watchedMs,
      n_parameters: t.parameters,
      frozen: t.runs ? 1 : 0,
      queries: a.count,
      infer_flops: a.flops,
      infer_compute_ns: a.compute_ns,
      last_flops: a.count ? Math.round(a.flops / a.count) : 0,
      last_compute_ns: a.count ? Math.round(a.compute_ns / a.count) : 0,
    };
  }

  render() {
    const data = progress();
    const t = totals(data);
    const empty = t.runs === 0;
    this.root.querySelector("[data-role=empty]").hidden = !empty;
    this.root.querySelector("[data-role=filled]").hidden = empty;
    if (empty) {
      this.status.textContent = "Nothing recorded in this browser yet.";
      this.costs.recalculate();
      return;
    }
    this.status.textContent = `${formatCountOf(t.runs, "training run")} and ${formatCountOf(t.answers.count, "answer")} recorded in this browser.`;
    const body = this.root.querySelector("[data-role=runs]");
    body.replaceChildren();
    for (const run of data.runs) {
      const row = document.createElement("tr");
      const notes = [];
      if (run.val_accuracy !== undefined) notes.push(`held-out accuracy ${formatPercent(run.val_accuracy)}`);
      if (run.right !== undefined) notes.push(`${run.right} of ${run.total} right`);
      if (run.queries) notes.push(formatCountOf(run.queries, "answer"));
      row.append(
        cell(run.lesson || "–"),
        cell(run.kind || "run"),
        cell(run.flops ? formatFlops(run.flops) : "–"),
        cell(run.compute_ns ? formatDuration(run.compute_ns) : "–"),
        cell(notes.join("; ") || "–"),
      );
      body.append(row);
    }
    this.renderEvidence(t);
    this.costs.recalculate();
  }

  renderEvidence(t) {
    const list = this.root.querySelector("[data-role=evidence]");
    const perAnswer = t.answers.count ? t.answers.flops / t.answers.count : null;
    const lines = [
      `Training is where a model learns: you trained ${formatCountOf(t.runs, "model")}, using ${formatFlops(t.flops)} of arithmetic and ${formatDuration(t.computeNs)} of compute on this server.`,
      perAnswer
        ? `Inference applies what was learned: your ${formatCountOf(t.answers.count, "answer")} took about ${formatFlops(perAnswer)} each.`
        : "Inference applies what was learned: ask one of your models a question to see what an answer costs.",
      perAnswer
        ? `Training is the expensive, occasional part: your training arithmetic equals about ${formatRatio(t.flops / perAnswer)} answers.`
        : "Training is the expensive, occasional part; answering is the cheap, constant one.",
      "Answering never changed a model: each one's fingerprint stayed the same however many questions you asked.",
      "Only training again (or fine-tuning) changes what a model knows.",
    ];
    if (t.watchedMs && t.computeNs) {
      lines.push(`You watched training for ${formatDuration(t.watchedMs * 1e6)}; the arithmetic itself took ${formatDuration(t.computeNs)}.`);
    }
    list.replaceChildren(...lines.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
  }

  async trainNow() {
    const button = this.root.querySelector("[data-action=start]");
    button.disabled = true;
    this.status.textContent = "Training a small model on the server…";
    try {
      const run = await createRun({ ...this.preset, model: "mlp", pace: "instant" });
      const { done } = await trainQuietly(run.run_id);
      recordRun(document.body.dataset.lesson || "", {
        kind: "recap: small model",
        run_id: run.run_id,
        steps: done.totals.steps,
        flops: done.totals.flops,
        compute_ns: done.totals.compute_ns,
        n_parameters: done.n_parameters,
        val_accuracy: done.final.val_accuracy,
      });
      for (let i = 0; i < QUESTIONS; i += 1) {
        const answer = await ask(run.run_id, { inputs: [[Math.cos(i) * 1.5, Math.sin(i)]] });
        recordAnswers(1, answer.flops, answer.compute_ns);
      }
      this.render();
    } catch (error) {
      this.status.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }
}

export function mount(root) {
  return new RecapWidget(root);
}

mountEvery("recap", mount);
