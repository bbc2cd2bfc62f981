// The cost panel's glue. The server turns counters into energy, CO2 and money (one cost
// model, in Python); this sends what the widget counted and measured, at most every
// REFRESH_MS while training, and draws the charts of the fragment that comes back.

import { formatCount } from "./format.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, themeColours } from "./plot.js";

const REFRESH_MS = 2000; // live while training, not chatty
const ANNOUNCE_EVERY_MS = 10000; // screen readers hear a summary at most this often
const ASSUMPTIONS = ["watts", "region", "price_per_hour", "answers"];

export class CostPanel {
  // counters() returns {train_flops, train_compute_ns, watched_ms, n_parameters, frozen,
  // queries, infer_flops, infer_compute_ns, last_flops, last_compute_ns} and, for a widget
  // of one run, its run_id: the server then prices that run's own measured comparison (the
  // same as GET /api/runs/{id}/costs), so every lesson shows the same ratio for one model.
  constructor(root, counters) {
    this.form = root.querySelector("[data-role=cost-form]");
    this.target = root.querySelector("[data-role=costs]");
    this.announcer = root.querySelector("[data-role=announce]");
    this.counters = counters;
    this.timer = null;
    this.lastAnnounced = 0;
    if (!this.form) return;
    // Wire the form's hx- attributes now: a widget may ask for estimates while it mounts,
    // before htmx's own pass over the page (processing twice is harmless).
    htmx.process(this.form);
    this.form.addEventListener("change", () => {
      this.shareAssumptions();
      this.describeAssumptions();
    });
    this.target.addEventListener("htmx:afterSwap", () => this.drawCharts());
    // The charts wait in a closed disclosure, drawn at no width: size them once it opens.
    // ("toggle" does not bubble, hence the capture.)
    this.target.addEventListener(
      "toggle",
      (event) => {
        if (!event.target.open) return;
        for (const chart of event.target.querySelectorAll(".js-plotly-plot")) Plotly.Plots.resize(chart);
      },
      true,
    );
    if (this.restoreAssumptions()) this.recalculate(); // which describes them too
  }

  // The folded assumptions' one line says what they are now, not what they were.
  describeAssumptions() {
    const summary = this.form.querySelector("[data-role=assumed]");
    if (!summary) return;
    const e = this.form.elements;
    const region = e.region.selectedOptions[0]?.textContent.split(" (")[0] ?? e.region.value;
    const answers = Number(e.answers.value);
    const use = Number.isInteger(answers) && answers > 0 ? `${formatCount(answers)} answers` : "a number of answers";
    summary.textContent =
      `Assumptions: ${Number(e.watts.value)} W, the ${region} grid, $${Number(e.price_per_hour.value).toFixed(2)} per core-hour, ${use} (change them)`;
  }

  recalculate() {
    if (!this.form) return;
    // A counters() without a run_id (a recap of many runs) is priced from its counters.
    for (const [name, value] of Object.entries({ run_id: "", ...this.counters() })) {
      if (this.form.elements[name]) this.form.elements[name].value = String(value);
    }
    this.describeAssumptions(); // a widget may set the answers to price (break-even's slider)
    htmx.trigger(this.form, "recalc");
  }

  start() {
    clearInterval(this.timer);
    this.timer = setInterval(() => this.recalculate(), REFRESH_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.recalculate();
  }

  cancel() {
    clearInterval(this.timer);
    this.timer = null;
  }

  announce(text, force = false) {
    if (!this.announcer) return;
    const now = performance.now();
    if (!force && now - this.lastAnnounced < ANNOUNCE_EVERY_MS) return;
    this.lastAnnounced = now;
    this.announcer.textContent = text;
  }

  restoreAssumptions() {
    const params = new URLSearchParams(window.location.search);
    let restored = false;
    for (const name of ASSUMPTIONS) {
      const value = params.get(name);
      if (value !== null && this.form.elements[name]) {
        this.form.elements[name].value = value;
        restored = true;
      }
    }
    return restored;
  }

  shareAssumptions() {
    // The page's address keeps the reader's assumptions, so a shared link shows the same.
    const url = new URL(window.location.href);
    for (const name of ASSUMPTIONS) url.searchParams.set(name, this.form.elements[name].value);
    history.replaceState(null, "", url);
  }

  drawCharts() {
    const view = this.target.querySelector(".cost-view");
    if (!view) return;
    if (view.dataset.summary) this.announce(view.dataset.summary);
    const chart = JSON.parse(view.dataset.chart || "{}");
    const colours = themeColours();
    const breakEven = view.querySelector("[data-role=break-even-chart]");
    if (breakEven && chart.break_even) drawBreakEven(breakEven, chart.break_even, colours);
    const scale = view.querySelector("[data-role=scale-chart]");
    if (scale && chart.scale && chart.scale.length) drawScale(scale, chart.scale, colours);
  }
}

export function drawBreakEven(element, d, colours = themeColours()) {
  Plotly.react(
    element,
    [
      { x: d.queries, y: d.training_wh, mode: "lines", name: "training (once)", line: { color: CLASS_COLOURS[1], width: 2 } },
      { x: d.queries, y: d.inference_wh, mode: "lines", name: "all answers", line: { color: CLASS_COLOURS[0], width: 2 } },
    ],
    baseLayout(colours, {
      xaxis: { type: "log", title: { text: "number of answers" }, gridcolor: colours.grid },
      yaxis: { type: "log", title: { text: "energy, Wh" }, gridcolor: colours.grid },
    }),
    PLOT_CONFIG,
  );
}

function drawScale(element, rows, colours) {
  Plotly.react(
    element,
    [{
      type: "bar",
      orientation: "h",
      y: rows.map((r) => r.label),
      x: rows.map((r) => r.flops),
      marker: { color: rows.map((_, i) => (i === 0 ? CLASS_COLOURS[1] : CLASS_COLOURS[0])) },
      hovertemplate: "%{y}: %{x:.3s} FLOP<extra></extra>",
    }],
    baseLayout(colours, {
      showlegend: false,
      margin: { l: 120, r: 12, t: 8, b: 40 },
      xaxis: { type: "log", title: { text: "training arithmetic, FLOP (log scale)" }, gridcolor: colours.grid },
      yaxis: { autorange: "reversed" },
    }),
    PLOT_CONFIG,
  );
}
