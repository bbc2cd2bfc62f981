// The serve-users widget: a few train, many use. The preset is trained once (unpaced); then
// a crowd of simulated users is served through the public predict API in ONE batched call,
// the way a server groups requests, and a few single questions are timed from the browser
// to show what one user waits. The cost panel turns the measurements into estimates.

import { CostPanel } from "../lib/costs.js";
import { addAnswers, costCounters, noQueries } from "../lib/counters.js";
import { formatCount, formatDuration, formatFlops } from "../lib/format.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { recordAnswers, recordRun, trainedRun } from "../lib/progress.js";
import { ask, createRun, readCosts } from "../lib/runs.js";
import { trainQuietly } from "../lib/stream.js";
import { setAriaDisabled, setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";

const SINGLES = 5; // single questions timed from the browser
const MAX_USERS = 1000;

function randomPoints(n) {
  return Array.from({ length: n }, () => [Math.random() * 4 - 2, Math.random() * 4 - 2]);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// A time measured in the browser, in milliseconds.
function ms(value) {
  return formatDuration(value * 1e6);
}

export class ServeUsersWidget {
  constructor(root) {
    this.root = root;
    this.preset = JSON.parse(root.dataset.preset);
    this.lesson = document.body.dataset.lesson || "";
    this.form = root.querySelector("[data-role=controls]");
    this.input = this.form.elements.users;
    this.button = root.querySelector("[data-action=start]");
    this.chart = root.querySelector("[data-role=chart]");
    this.runId = null;
    this.training = null;
    this.served = null;
    this.costs = new CostPanel(root, () => this.costCounters());
    root.querySelector("[data-role=costs]").addEventListener("htmx:afterSwap", () => this.onCosts());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.serve();
    });
    this.input.addEventListener("input", () => {
      if (!this.el("users-error").hidden) this.users();
    });
  }

  el(role) {
    return this.root.querySelector(`[data-role="${role}"]`);
  }

  // The number of users, or null with a message the reader can act on.
  users() {
    const raw = this.input.value.trim();
    const n = Number(raw);
    const error = this.el("users-error");
    let message = "";
    if (raw === "" || !Number.isFinite(n)) message = "Type a number of users, like 100.";
    else if (!Number.isInteger(n)) message = "Users come whole: type a whole number, like 100.";
    else if (n < 1 || n > MAX_USERS) message = `Choose between 1 and ${formatCount(MAX_USERS)} users.`;
    error.textContent = message;
    error.hidden = !message;
    this.input.setAttribute("aria-invalid", message ? "true" : "false");
    return message ? null : n;
  }

  // ---- train once, serve many -----------------------------------------------------------

  async serve() {
    if (this.busy) return;
    const n = this.users();
    if (n === null) {
      this.input.focus();
      return;
    }
    this.busy = true;
    setAriaDisabled(this.button, true);
    try {
      if (!this.runId) await this.train();
      setPhase(this.root, "inference", "Phase 2: serving users");
      setStatus(this.root, `Serving ${formatCount(n)} users in one batched call…`);
      const batch = await ask(this.runId, { inputs: randomPoints(n) });
      setStatus(this.root, `Timing ${SINGLES} single questions from your browser…`);
      const trips = [];
      const singles = [];
      for (let i = 0; i < SINGLES; i += 1) {
        const began = performance.now();
        const answer = await ask(this.runId, { inputs: randomPoints(1) });
        trips.push(performance.now() - began);
        singles.push(answer);
      }
      this.show(n, batch, trips, singles);
    } catch (error) {
      setStatus(this.root, error.message);
      if (!this.runId) setPhase(this.root, "ready", "Not trained yet");
    } finally {
      this.busy = false;
      setAriaDisabled(this.button, false);
    }
  }

  async train() {
    setPhase(this.root, "training", "Phase 1: training (once)");
    setStatus(this.root, "Training the model once, unpaced…");
    const created = await createRun({ ...this.preset, pace: "instant" });
    const { done } = await trainQuietly(created.run_id);
    this.runId = created.run_id;
    this.training = done.totals;
    this.nParameters = done.n_parameters;
    this.fingerprint = done.fingerprint;
    this.el("who-train-flops").textContent = formatFlops(done.totals.flops);
    this.el("who-train-compute").textContent = formatDuration(done.totals.compute_ns);
    // One answer asked alone, as every lesson's comparison prices it (the cost panel too).
    this.alone = (await readCosts(this.runId)).per_answer;
    recordRun(this.lesson, {
      kind: "serve-users: training",
      run_id: this.runId,
      ...trainedRun(done),
    });
  }

  show(n, batch, trips, singles) {
    const perNs = batch.compute_ns / n;
    const perFlops = batch.flops / n;
    const singleNs = median(singles.map((a) => a.compute_ns));
    this.served = { n, flops: batch.flops, computeNs: batch.compute_ns, perNs, perFlops };
    this.el("results").hidden = false;
    this.el("served").textContent = `${formatCount(n)} (one batched call)`;
    this.el("per-answer-compute").textContent =
      `${formatDuration(perNs)} (the whole batch: ${formatDuration(batch.compute_ns)})`;
    this.el("per-answer-flops").textContent = formatFlops(perFlops);
    this.el("round-trip").textContent =
      `${ms(median(trips))} (middle of ${SINGLES}; fastest ${ms(Math.min(...trips))}, slowest ${ms(Math.max(...trips))}); ` +
      `the model's own arithmetic in it: about ${formatDuration(singleNs)}`;
    // The table prices each user as one question asked alone, like the cost panel and every
    // other lesson; the batch's cheaper share is said beside it, not mixed into it.
    this.el("who-user-flops").textContent = `${formatFlops(this.alone.flops)} per user (${formatFlops(this.alone.flops * n)} for these ${formatCount(n)})`;
    this.el("who-user-compute").textContent =
      `${formatDuration(this.alone.compute_ns)} per user asked alone (${formatDuration(this.alone.compute_ns * n)} for these ${formatCount(n)}; ` +
      `in one batch, ${formatDuration(batch.compute_ns)})`;
    const unchanged = [batch, ...singles].every((a) => a.fingerprint === this.fingerprint);
    this.el("summary").textContent =
      `One trained model answered ${formatCount(n)} users. Training was paid once: ` +
      `${formatFlops(this.training.flops)} and ${formatDuration(this.training.compute_ns)} of compute. ` +
      `Each user's answer took ${formatFlops(perFlops)} and, inside this batch, about ${formatDuration(perNs)}; ` +
      `one question asked on its own takes about ${formatDuration(this.alone.compute_ns)}, the time every lesson's ` +
      "comparison uses (a batch shares out the work of each call, as lesson 6 shows). " +
      (unchanged
        ? `The model's fingerprint is still ${this.fingerprint}: serving changed nothing in it.`
        : "WARNING: the model's fingerprint changed while serving, which should never happen.");
    setStatus(this.root, `Served ${formatCount(n)} users. Change the number and serve again.`);
    this.drawChart();
    this.costs.recalculate();
    const singleFlops = singles.reduce((total, a) => total + a.flops, 0);
    const singleTotalNs = singles.reduce((total, a) => total + a.compute_ns, 0);
    recordAnswers(n + SINGLES, batch.flops + singleFlops, batch.compute_ns + singleTotalNs);
    recordRun(this.lesson, {
      kind: "serve-users: serving",
      run_id: this.runId,
      users: n,
      queries: n,
      infer_flops: batch.flops,
      infer_compute_ns: batch.compute_ns,
      round_trip_ms: Math.round(median(trips) * 10) / 10,
    });
  }

  // ---- costs --------------------------------------------------------------------------

  costCounters() {
    const s = this.served;
    const queries = noQueries();
    if (s) addAnswers(queries, s.n, s.flops, s.computeNs); // one batched call of n questions
    const counters = costCounters({ training: this.training, nParameters: this.nParameters, frozen: Boolean(this.training), queries });
    // The panel prices this crowd's answers, each as one question asked alone.
    return { ...counters, run_id: this.runId || "", ...(s ? { answers: s.n } : {}) };
  }

  onCosts() {
    const view = this.root.querySelector("[data-role=costs] .cost-view");
    if (!view || !this.served) return;
    const rows = [...view.querySelectorAll(".cost-table tbody tr")].map((row) =>
      [...row.querySelectorAll("td")].map((td) => td.textContent.trim()),
    );
    const [energy, , money] = rows;
    const n = formatCount(this.served.n);
    if (energy) {
      this.el("who-train-energy").textContent = energy[0];
      this.el("who-user-energy").textContent = `${energy[1]} per user (${energy[2]} for these ${n})`;
    }
    if (money) {
      this.el("who-train-money").textContent = money[0];
      // The one-answer cell is said per million answers where one answer is too small to read.
      this.el("who-user-money").textContent = `${money[1]} (for these ${n}: ${money[2]})`;
    }
  }

  // ---- chart --------------------------------------------------------------------------

  drawChart() {
    const colours = themeColours();
    const s = this.served;
    const bars = [
      ["Training (once)", this.training.compute_ns, CLASS_COLOURS[1]],
      [`All ${formatCount(s.n)} answers`, s.computeNs, CLASS_COLOURS[0]],
      ["One user's answer (in the batch)", s.perNs, CLASS_COLOURS[0]],
    ];
    Plotly.react(
      this.chart,
      [{
        type: "bar",
        orientation: "h",
        y: bars.map((b) => b[0]),
        x: bars.map((b) => b[1] / 1000),
        text: bars.map((b) => formatDuration(b[1])),
        textposition: "auto",
        marker: { color: bars.map((b) => b[2]) },
        hovertemplate: "%{y}: %{text}<extra></extra>",
      }],
      baseLayout(colours, {
        showlegend: false,
        margin: { l: 130, r: 12, t: 8, b: 44 },
        xaxis: { type: "log", title: { text: "compute time, µs (log scale)" }, gridcolor: colours.grid, fixedrange: true },
        yaxis: { autorange: "reversed", fixedrange: true },
      }),
      PLOT_CONFIG,
    );
    this.chart.setAttribute(
      "aria-label",
      `Compute time on the server, logarithmic scale: ${bars.map((b) => `${b[0]} ${formatDuration(b[1])}`).join("; ")}.`,
    );
  }
}

export function mount(root) {
  return new ServeUsersWidget(root);
}

mountEvery("serve-users", mount);
