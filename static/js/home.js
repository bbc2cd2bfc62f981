// The home page's live demo: one button trains a tiny model on this server, live (its loss
// curve and its map of answers drawn as frames arrive), then asks the frozen model one
// question and sets the two measured times side by side. The run's spec comes from the
// page (app/web/pages.py, HOME_DEMO); it goes through the same API and stream client as
// the lessons (lib/runs.js, lib/stream.js). Nothing trains until the reader asks: a class
// opening the home page together costs the server nothing.

import { formatCount, formatDuration, formatFlops, formatProbability, formatRatio } from "./lib/format.js";
import { reasonOf } from "./lib/http.js";
import { CLASS_COLOURS, RedrawQueue, SURFACE_SCALE, SURFACE_SCALE_DARK } from "./lib/plot.js";
import { ask, createRun } from "./lib/runs.js";
import { RunStream } from "./lib/stream.js";
import { axisTop, curvePath, questionDot, surfacePixels } from "./home/drawing.js";

const SVG = "http://www.w3.org/2000/svg";
const CLASS_NAMES = ["blue", "orange"];
const DOT_RADIUS = 0.07; // in the data's units: the map's box is 4 wide
const DARK = window.matchMedia("(prefers-color-scheme: dark)");
const CALM = window.matchMedia("(prefers-reduced-motion: reduce)");

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

class HomeDemo {
  constructor(root) {
    this.root = root;
    this.spec = JSON.parse(root.dataset.spec);
    this.find = (role) => root.querySelector(`[data-role=${role}]`);
    this.button = root.querySelector("[data-action=start]");
    this.status = this.find("status");
    this.curve = this.find("curve");
    this.chart = this.find("loss-chart");
    this.canvas = this.find("surface");
    this.dots = this.find("dots");
    this.busy = false;
    this.redraw = new RedrawQueue((frames) => this.draw(frames));
    this.stream = new RunStream({
      status: (text) => this.streamStatus(text),
      queued: (data) => this.say(data.message, "queued"),
      start: (data) => this.started(data),
      frame: (frame) => this.redraw.push(frame),
      done: (data) => this.finished(data),
      diverged: (data) => this.stopped(data.message),
    });
    this.button.addEventListener("click", () => this.train());
    // The map's colours follow the reader's light or dark scheme, even mid-run.
    DARK.addEventListener("change", () => this.paintSurface());
    this.button.removeAttribute("aria-disabled");
  }

  // The live region says only what changed in kind (training, done, a problem), never
  // each frame: a screen reader hears three sentences, not eighty.
  say(text, state) {
    this.status.textContent = text;
    this.root.dataset.state = state;
  }

  // The stream's own words matter only when something goes wrong (dropped, busy): its
  // "Training…" and "Resuming…" are said in full by started() and draw().
  streamStatus(text) {
    if (/^(Training|Resuming)/.test(text)) return;
    this.say(text, "waiting");
  }

  setBusy(busy) {
    this.busy = busy;
    // aria-disabled rather than disabled: the button keeps keyboard focus while it runs.
    this.button.setAttribute("aria-disabled", String(busy));
    this.button.textContent = busy ? "Training…" : "Train it again";
  }

  async train() {
    if (this.busy) return;
    this.setBusy(true);
    this.reset();
    // On a phone the charts may sit below the fold: bring them up (only if they are not in
    // sight already), gently unless the reader asked for less motion.
    this.find("charts").scrollIntoView({ block: "nearest", behavior: CALM.matches ? "auto" : "smooth" });
    this.say("Starting a run on the server…", "starting");
    try {
      const run = await createRun(this.spec);
      this.stream.reset();
      this.stream.open(run.run_id);
    } catch (error) {
      this.stopped(`Could not start: ${reasonOf(error)}`);
    }
  }

  reset() {
    this.redraw.clear();
    this.frames = [];
    this.surface = null;
    this.start = null;
    this.trainingSentence = "";
    this.curve.setAttribute("d", "");
    this.curve.dataset.points = "0";
    this.dots.replaceChildren();
    this.find("progress").textContent = "";
    this.find("split").hidden = true;
    this.paintSurface();
  }

  started(start) {
    this.start = start;
    this.question = questionDot(start);
    this.drawDots(start);
    this.find("top").textContent = "";
    this.trainingSentence =
      `Training: the model guesses the colour of ${formatCount(Math.min(this.spec.batch_size, start.train.y.length))} dots, ` +
        `measures how wrong it was and nudges its ${formatCount(start.n_parameters)} numbers a little, ` +
        `then does it again, ${formatCount(start.steps)} times. Slow, costly arithmetic, repeated.`;
    this.say(this.trainingSentence, "training");
  }

  draw(frames) {
    for (const frame of frames) {
      // The held-out loss, measured on every dot kept aside: a smooth fall, where the
      // loss of each step's 32 dots jumps about with which dots they happen to be.
      this.frames.push({ step: frame.step, loss: frame.val_loss });
      if (frame.surface) this.surface = frame.surface;
    }
    const last = frames[frames.length - 1];
    // Frames again after a dropped connection or a wait: back to saying what is happening.
    if (this.root.dataset.state !== "training") this.say(this.trainingSentence, "training");
    const { width, height } = this.chart.viewBox.baseVal;
    const top = axisTop(Math.max(...this.frames.map((f) => f.loss).filter(Number.isFinite)));
    this.find("top").textContent = String(top);
    this.curve.setAttribute("d", curvePath(this.frames, { width, height, steps: last.steps, top }));
    this.curve.dataset.points = String(this.frames.length);
    this.find("progress").textContent = `Step ${formatCount(last.step)} of ${formatCount(last.steps)}`;
    this.paintSurface();
  }

  drawDots(start) {
    const [lo, hi] = start.box;
    this.dots.parentElement.setAttribute("viewBox", `${lo} ${lo} ${hi - lo} ${hi - lo}`);
    const dots = start.train.x.map(([x, y], i) =>
      svgElement("circle", { cx: x, cy: -y, r: DOT_RADIUS, fill: CLASS_COLOURS[start.train.y[i]] }),
    );
    if (this.question) {
      const [x, y] = this.question.x;
      dots.push(svgElement("circle", { cx: x, cy: -y, r: DOT_RADIUS * 2.6, class: "question-ring" }));
    }
    this.dots.replaceChildren(...dots);
  }

  // The model's answer at every spot, as a 40×40 image the browser scales up smoothly.
  paintSurface() {
    const context = this.canvas.getContext("2d");
    if (!this.surface) {
      context.clearRect(0, 0, this.canvas.width, this.canvas.height);
      return;
    }
    const n = this.surface.length;
    if (this.canvas.width !== n) {
      this.canvas.width = n;
      this.canvas.height = n;
    }
    const scale = DARK.matches ? SURFACE_SCALE_DARK : SURFACE_SCALE;
    context.putImageData(new ImageData(surfacePixels(this.surface, scale), n, n), 0, 0);
  }

  async finished(done) {
    this.redraw.flush();
    const trainingNs = done.totals.compute_ns;
    const watchedMs = this.stream.watchingMs();
    if (!this.question) {
      this.stopped("The run finished but sent no dot to ask about.");
      return;
    }
    this.say("Done training: the model is now frozen. Asking it one question…", "asking");
    let answer;
    try {
      answer = await ask(done.run_id, { inputs: [this.question.x] });
    } catch (error) {
      this.stopped(`Training is done, but the question failed: ${reasonOf(error)}`);
      return;
    }
    this.showSplit(done, answer, trainingNs, watchedMs);
  }

  showSplit(done, answer, trainingNs, watchedMs) {
    const answered = answer.predictions[0];
    const sure = answer.probabilities[0][answered];
    const right = answered === this.question.truth;
    const answerNs = answer.compute_ns;
    const times = formatRatio(trainingNs / answerNs);
    this.find("train-time").textContent = formatDuration(trainingNs);
    this.find("train-work").textContent =
      `${formatCount(done.totals.steps)} rounds of guessing and nudging, ${formatFlops(done.totals.flops)}`;
    this.find("answer-time").textContent = formatDuration(answerNs);
    this.find("answer-work").textContent = `one question, ${formatFlops(answer.flops)}`;
    // Bars to scale: training's is full width, the answer's its share of it (at least a sliver).
    this.find("answer-bar").style.width = `${Math.max(0.5, (100 * answerNs) / trainingNs)}%`;
    this.find("watched").textContent =
      `The run was slowed down so you could watch it: it took ${formatDuration(watchedMs * 1e6)} on screen, ` +
      `${formatDuration(trainingNs)} of it computing.`;
    this.find("split").hidden = false;
    this.say(
      `Done: training is over and the model is frozen. Asked about the ringed dot, one it never trained on, ` +
        `it answered ${CLASS_NAMES[answered]} (${formatProbability(sure)} sure; ${right ? "right" : "wrong: it is " + CLASS_NAMES[this.question.truth]}) ` +
        `in ${formatDuration(answerNs)}. Training took ${formatDuration(trainingNs)} of computing, about ${times} times as long.`,
      "done",
    );
    this.setBusy(false);
  }

  stopped(message) {
    this.stream.close();
    this.say(message, "stopped");
    this.setBusy(false);
  }
}

const root = document.querySelector("[data-role=home-demo]");
if (root) {
  try {
    root.demo = new HomeDemo(root);
  } catch (error) {
    const status = root.querySelector("[data-role=status]");
    if (status) status.textContent = "This demo could not start; reload the page to try again.";
    console.error(error);
  }
}
