// The training widget: start a run, draw its frames live, then ask the frozen model. The
// life cycle (start, pause, resume, reset, counters, costs) is lib/trained-widget.js; this
// draws the loss chart and the map, and asks through the server-rendered answer fragment
// (htmx posts the ask form to /widgets/runs/<id>/ask).

import { setCounter } from "../lib/counters.js";
import { formatCount, formatShare } from "../lib/format.js";
import {
  askedTrace,
  classPoints,
  dotsTrace,
  drawEmptyMap,
  hollowTrace,
  mapLayout,
  onMapTap,
  surfaceTrace,
} from "../lib/map.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { readRun } from "../lib/runs.js";
import { TrainedWidget } from "../lib/trained-widget.js";
import { setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";

const ASKED = 4; // the map's trace of the reader's questions
// A point of the loss chart as a person reads it: Plotly's own label would give the loss to
// six or more figures ("0.2314567") and a huge diverging loss in SI letters ("1.2G").
const LOSS_HOVER = "step %{x:,}: %{y:.3~r}<extra>%{fullData.name}</extra>";

export class TrainClassifierWidget extends TrainedWidget {
  constructor(root) {
    super(root, { kind: "train-classifier", askHint: "you can ask it questions." });
    this.controls = root.querySelector("[data-role=controls]");
    this.lossChart = root.querySelector("[data-role=loss-chart]");
    this.surfaceChart = root.querySelector("[data-role=surface-chart]");
    this.askForm = root.querySelector("[data-role=ask-form]");
    this.buttons["rerun-instant"].addEventListener("click", () => this.rerunUnpaced());
    root.addEventListener("htmx:afterSwap", (event) => this.onAnswer(event));
    onMapTap(this.surfaceChart, (point) => this.ask(...point)); // ask() ignores it until the model is frozen
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

  // ---- the run -------------------------------------------------------------------------

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

  rerunUnpaced() {
    this.controls.elements.speed.value = "instant";
    this.start();
  }

  clear() {
    this.queries.points = 0;
    this.buttons["rerun-instant"].hidden = true;
    this.root.querySelector(".answer").textContent = "";
  }

  summary(data) {
    // A share, so 599 right of 600 reads "over 99%", never a rounded "100%".
    return `: held-out accuracy ${formatShare(data.final.val_accuracy)}.`;
  }

  record(data) {
    return { val_accuracy: data.final.val_accuracy };
  }

  frozen() {
    this.askForm.setAttribute("hx-post", `/widgets/runs/${this.runId}/ask`);
    htmx.process(this.askForm);
    this.buttons["rerun-instant"].hidden = false;
    this.shareLink();
  }

  // ---- questions: the answer is the server's fragment --------------------------------

  ask(x, y) {
    if (this.inference.hidden) return;
    // Form values, not display text: two decimals, as a number the server reads.
    this.askForm.elements.x.value = x.toFixed(2);
    this.askForm.elements.y.value = y.toFixed(2);
    htmx.trigger(this.askForm, "submit");
  }

  onAnswer(event) {
    const result = event.target.querySelector(".result");
    if (!result) return;
    const flops = Number(result.dataset.flops);
    this.queries.points += 1;
    setCounter(this.root, "infer-last-points", "1");
    setCounter(this.root, "infer-points", formatCount(this.queries.points));
    Plotly.extendTraces(this.surfaceChart, { x: [[Number(result.dataset.x)]], y: [[Number(result.dataset.y)]] }, [ASKED]);
    this.countAnswer(flops, Number(result.dataset.computeNs));
  }

  // ---- drawing -----------------------------------------------------------------------

  drawEmpty() {
    const colours = themeColours();
    Plotly.react(
      this.lossChart,
      [
        { x: [], y: [], mode: "lines", name: "training loss", line: { color: CLASS_COLOURS[0], width: 2 }, hovertemplate: LOSS_HOVER },
        { x: [], y: [], mode: "lines", name: "held-out loss", line: { color: CLASS_COLOURS[1], width: 2, dash: "dash" }, hovertemplate: LOSS_HOVER },
      ],
      baseLayout(colours, {
        xaxis: { title: { text: "training step" }, gridcolor: colours.grid, rangemode: "tozero" },
        yaxis: { title: { text: "loss" }, gridcolor: colours.grid, rangemode: "tozero" },
      }),
      PLOT_CONFIG,
    );
    drawEmptyMap(this.surfaceChart);
  }

  drawStart(data) {
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

  drawFrames(frames) {
    const steps = frames.map((f) => f.step);
    Plotly.extendTraces(
      this.lossChart,
      { x: [steps, steps], y: [frames.map((f) => f.loss), frames.map((f) => f.val_loss)] },
      [0, 1],
    );
    const withSurface = frames.filter((f) => f.surface).pop();
    if (withSurface) Plotly.restyle(this.surfaceChart, { z: [withSurface.surface] }, [0]);
  }
}

export function mount(root) {
  return new TrainClassifierWidget(root);
}

mountEvery("train-classifier", mount);
