// The next-word widget: train a tiny word model as a watched run (held-out perplexity and a
// sample sentence every few frames), then ask the frozen model for the likely next words and
// let it carry on writing. Every number shown comes from the server's events and answers.

import { CostPanel } from "../lib/costs.js";
import {
  addAnswers,
  costCounters,
  noQueries,
  resetCounters,
  setCounter,
  showRatio,
  showTrainingCounters,
} from "../lib/counters.js";
import { formatCount, formatDuration, formatPercent } from "../lib/format.js";
import { baseLayout, CLASS_COLOURS, FrameBatcher, PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { recordAnswers, recordRun, trainedRun } from "../lib/progress.js";
import { createRun, postReaching } from "../lib/runs.js";
import { WatchedStream } from "../lib/stream.js";
import { setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";

const TOP_K = 5;
const HISTORY = 6;
const FLOOR = 4; // the chart's lowest perplexity: 1 is a perfect guess, held-out text never gets near
const TICKS = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]; // earlier sample sentences kept on screen (the first one always stays)

// The predict call, keeping the server's own words for a bad prompt (its 422 `msg`).
async function predict(runId, body) {
  const { response, data } = await postReaching(`/api/runs/${runId}/predict`, body);
  if (!response.ok) {
    const first = Array.isArray(data.detail) ? data.detail[0] : null;
    const text = (first && first.msg) || (typeof data.detail === "string" && data.detail) || data.message;
    throw new Error(text || `The server answered ${response.status}.`);
  }
  return data;
}

// The page's blue, lighter in dark mode, so the line stays readable on either background.
function lineColour() {
  return getComputedStyle(document.documentElement).getPropertyValue("--blue").trim() || CLASS_COLOURS[0];
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// "." is the end of a sentence: say so rather than show a lone dot.
function wordLabel(word) {
  return word === "." ? "“.” (end of the sentence)" : `“${word}”`;
}

function quoteList(words) {
  const quoted = words.map((w) => `‘${w}’`);
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

export class NextWordWidget {
  constructor(root) {
    this.root = root;
    this.preset = JSON.parse(root.dataset.preset);
    this.lesson = document.body.dataset.lesson || "";
    this.chart = root.querySelector("[data-role=perplexity-chart]");
    this.inference = root.querySelector("[data-role=inference]");
    this.askForm = root.querySelector("[data-role=ask-form]");
    this.continueForm = root.querySelector("[data-role=continue-form]");
    this.answer = root.querySelector("[data-role=answer]");
    this.continuation = root.querySelector("[data-role=continuation]");
    this.startButton = root.querySelector("[data-action=start]");
    this.startButton.addEventListener("click", () => this.start());
    this.askForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.askNext();
    });
    this.continueForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.askContinue();
    });
    for (const [name, role] of [["n_words", "words-value"], ["temperature", "temperature-value"]]) {
      const input = this.continueForm.elements[name];
      const output = root.querySelector(`[data-role=${role}]`);
      const show = () => {
        output.textContent = input.value;
      };
      input.addEventListener("input", show);
      show();
    }
    this.sample = root.querySelector("[data-role=sample]");
    this.sampleBlank = [...this.sample.childNodes].map((node) => node.cloneNode(true));
    this.fingerprintNote = root.querySelector("[data-role=fingerprint-note]");
    this.fingerprintNoteText = this.fingerprintNote.textContent;
    this.costs = new CostPanel(root, () => this.costCounters());
    this.batcher = new FrameBatcher((frames) => this.drawFrames(frames));
    this.stream = new WatchedStream({
      status: (text) => setStatus(this.root, text),
      queued: (data) => {
        setPhase(this.root, "waiting", "Waiting for a free spot");
        setStatus(this.root, data.message);
      },
      start: (data) => this.onStart(data),
      frame: (frame) => this.batcher.push(frame),
      done: (data) => this.onDone(data),
      diverged: (data) => this.onDiverged(data),
    });
    this.reset();
  }

  // ---- state -------------------------------------------------------------------------

  reset() {
    const hadRun = Boolean(this.training || (this.queries && this.queries.count));
    this.stream.reset();
    this.runId = null;
    this.started = false;
    this.run = null;
    this.batcher.clear();
    this.training = null;
    this.samples = [];
    this.fingerprint = null;
    this.fingerprintChecks = 0;
    this.fingerprintNote.textContent = this.fingerprintNoteText;
    this.queries = noQueries();
    this.frozen = false;
    this.nParameters = 0;
    this.costs.cancel();
    this.inference.hidden = true;
    this.answer.replaceChildren();
    this.continuation.replaceChildren();
    resetCounters(this.root);
    this.sample.replaceChildren(...this.sampleBlank.map((node) => node.cloneNode(true)));
    this.root.querySelector("[data-role=sample-history]").replaceChildren();
    this.root.querySelector("[data-role=perplexity-text]").textContent = "";
    setPhase(this.root, "ready", "Ready to train");
    setStatus(this.root, "");
    this.drawEmptyChart();
    if (hadRun) this.costs.recalculate(); // the page arrives with the empty panel rendered
  }

  costCounters() {
    return costCounters({
      training: this.training,
      watchedMs: this.stream.watchingMs(),
      nParameters: this.nParameters,
      frozen: this.frozen,
      queries: this.queries,
    });
  }

  // ---- training ----------------------------------------------------------------------

  async start() {
    this.reset();
    this.startButton.disabled = true;
    setStatus(this.root, "Creating the run…");
    let body;
    try {
      body = await createRun({ ...this.preset, model: "language" });
    } catch (error) {
      this.fail(error.message);
      return;
    }
    this.runId = body.run_id;
    setPhase(this.root, "training", "Phase 1: training");
    this.stream.open(this.runId);
    this.costs.start();
  }

  fail(message) {
    setStatus(this.root, message);
    this.startButton.disabled = false;
  }

  onStart(data) {
    this.nParameters = data.n_parameters;
    setPhase(this.root, "training", "Phase 1: training");
    setStatus(this.root, "Training…");
    if (this.started) return; // a resumed stream repeats it; the chart already holds it
    this.started = true;
    this.run = data;
    this.root.querySelector("[data-role=corpus-size]").textContent =
      `${formatCount(data.training_sentences)} sentences to learn from, ` +
      `${formatCount(data.held_out_sentences)} more held back to test it, and a vocabulary of ` +
      `${formatCount(data.vocabulary_size)} entries: the words it saw often enough to learn, the full stop, ` +
      "and stand-ins for “start of sentence” and “a word I don't know”.";
    this.drawBaseline(data);
  }

  drawFrames(frames) {
    if (!frames.length || !this.started) return;
    const withPerplexity = frames.filter((f) => Number.isFinite(f.val_perplexity));
    if (withPerplexity.length) {
      Plotly.extendTraces(
        this.chart,
        { x: [withPerplexity.map((f) => f.step)], y: [withPerplexity.map((f) => f.val_perplexity)] },
        [0],
      );
    }
    for (const frame of frames) if (frame.sample) this.showSample(frame.step, frame.sample);
    const last = frames[frames.length - 1];
    this.training = last.counters;
    this.showTrainingCounters(last.counters);
    this.describeChart(last);
  }

  describeChart(frame) {
    if (!this.run || !Number.isFinite(frame.val_perplexity)) return;
    const text =
      `Step ${formatCount(frame.step)} of ${formatCount(frame.steps)}: held-out perplexity ` +
      `${frame.val_perplexity.toFixed(1)}, against ${formatCount(this.run.uniform_perplexity)} for blind guessing.`;
    this.root.querySelector("[data-role=perplexity-text]").textContent = text;
    this.chart.setAttribute(
      "aria-label",
      `Chart of held-out perplexity against training steps, falling from blind guessing (${formatCount(this.run.uniform_perplexity)}). ${text}`,
    );
  }

  showSample(step, sentence) {
    const current = this.sample;
    const previous = this.samples[this.samples.length - 1];
    current.replaceChildren(element("q", "", sentence), element("span", "fine", ` (after step ${formatCount(step)})`));
    if (previous && previous.sentence === sentence) return;
    this.samples.push({ step, sentence });
    // Its first attempts tell the story (babble, then sentences); later ones only reshuffle.
    if (this.samples.length > HISTORY) return;
    const li = element("li", "", `step ${formatCount(step)}: `);
    li.append(element("q", "", sentence));
    this.root.querySelector("[data-role=sample-history]").append(li);
  }

  showTrainingCounters(counters) {
    showTrainingCounters(this.root, counters, this.stream.watchingMs());
  }

  onDone(data) {
    this.batcher.flush(); // the last frame event already carried the final numbers
    this.stream.close();
    this.training = data.totals;
    this.showTrainingCounters(data.totals);
    this.frozen = true;
    this.fingerprint = data.fingerprint;
    this.startButton.disabled = false;
    this.startButton.textContent = "Train it again";
    const final = data.final || {};
    setPhase(this.root, "inference", "Phase 2: inference (model frozen)");
    const perplexity = Number.isFinite(final.val_perplexity)
      ? ` Held-out perplexity ${final.val_perplexity.toFixed(1)} (blind guessing: ${formatCount(this.run ? this.run.uniform_perplexity : 0)}).`
      : "";
    setStatus(
      this.root,
      `Training finished.${perplexity} Compute took ${formatDuration(data.totals.compute_ns)}; ` +
        `you watched for ${formatDuration(this.stream.watchedMs * 1e6)}.`,
    );
    this.root.querySelector("[data-role=fingerprint]").textContent = data.fingerprint;
    this.root.querySelector("[data-role=fingerprint-count]").textContent = "";
    this.inference.hidden = false;
    recordRun(this.lesson, {
      kind: "next-word",
      run_id: this.runId,
      ...trainedRun(data),
      watched_ms: Math.round(this.stream.watchedMs),
      val_perplexity: final.val_perplexity,
      uniform_perplexity: this.run ? this.run.uniform_perplexity : undefined,
    });
    this.costs.stop();
    this.costs.announce(
      `Training finished after ${formatCount(data.totals.steps)} steps. The model is frozen; type the start of a sentence to ask it.`,
      true,
    );
    this.askNext(); // the pre-filled prompt answers at once: the point shows without typing
  }

  onDiverged(data) {
    this.batcher.flush();
    this.stream.close();
    this.costs.stop();
    this.costs.announce(data.message, true);
    this.training = data.totals;
    this.showTrainingCounters(data.totals);
    setPhase(this.root, "diverged", "Diverged: no model");
    setStatus(this.root, data.message);
    this.startButton.disabled = false;
  }

  // ---- inference ---------------------------------------------------------------------

  prompt() {
    return this.askForm.elements.prompt.value;
  }

  async ask(body, target, render) {
    if (!this.runId || !this.frozen) return;
    const buttons = this.inference.querySelectorAll("button[type=submit]");
    for (const b of buttons) b.disabled = true;
    target.setAttribute("aria-busy", "true");
    try {
      const data = await predict(this.runId, body);
      this.countAnswer(data);
      render(data);
    } catch (error) {
      target.replaceChildren(element("p", "error", error.message));
      target.firstChild.setAttribute("role", "alert");
    } finally {
      target.removeAttribute("aria-busy");
      for (const b of buttons) b.disabled = false;
    }
  }

  askNext() {
    const prompt = this.prompt();
    return this.ask({ prompt, top_k: TOP_K }, this.answer, (data) => this.showNextWords(prompt, data));
  }

  askContinue() {
    const form = this.continueForm.elements;
    const prompt = this.prompt();
    const seed = form.sample_seed.value.trim();
    const seedNumber = Number(seed);
    if (seed === "" || !Number.isInteger(seedNumber) || seedNumber < 0 || seedNumber > 2147483647) {
      this.continuation.replaceChildren(element("p", "error", "The seed must be a whole number from 0 to 2,147,483,647."));
      this.continuation.firstChild.setAttribute("role", "alert");
      return Promise.resolve();
    }
    const body = {
      prompt,
      top_k: TOP_K,
      n_words: Number(form.n_words.value),
      temperature: Number(form.temperature.value),
      sample_seed: seedNumber,
    };
    return this.ask(body, this.continuation, (data) => this.showContinuation(prompt, body, data));
  }

  countAnswer(data) {
    const q = this.queries;
    addAnswers(q, 1, data.flops, data.compute_ns);
    setCounter(this.root, "infer-last-flops", formatCount(data.flops));
    setCounter(this.root, "infer-last-compute", formatDuration(data.compute_ns));
    setCounter(this.root, "infer-count", formatCount(q.count));
    setCounter(this.root, "infer-flops", formatCount(q.flops));
    setCounter(this.root, "infer-compute", formatDuration(q.computeNs));
    showRatio(this.root, this.training, data.flops);
    recordAnswers(1, data.flops, data.compute_ns);
    this.checkFingerprint(data.fingerprint);
    this.costs.recalculate();
  }

  checkFingerprint(fingerprint) {
    const note = this.fingerprintNote;
    const count = this.root.querySelector("[data-role=fingerprint-count]");
    if (fingerprint !== this.fingerprint) {
      note.textContent = `The server now reports ${fingerprint}: a different model answered.`;
      return;
    }
    this.fingerprintChecks += 1;
    count.textContent = `(checked after ${formatCount(this.fingerprintChecks)} answer${this.fingerprintChecks === 1 ? "" : "s"} so far: ${fingerprint} every time)`;
  }

  showNextWords(prompt, data) {
    const parts = [];
    const lead = element("p", "", "After ");
    lead.append(element("q", "", prompt.trim()), ` the model's ${data.next_words.length} likeliest next words are:`);
    parts.push(lead);
    const list = element("ol", "nw-bars");
    list.setAttribute("aria-label", "Likeliest next words with their probabilities");
    for (const { word, probability } of data.next_words) {
      const li = element("li");
      const label = element("span", "nw-word", wordLabel(word));
      const bar = element("span", "nw-bar");
      bar.setAttribute("aria-hidden", "true");
      const fill = element("span", "nw-fill");
      fill.style.width = `${Math.max(0.5, probability * 100)}%`;
      bar.append(fill);
      const percent = element("span", "nw-percent", formatPercent(probability));
      li.append(label, bar, percent);
      list.append(li);
    }
    parts.push(list);
    parts.push(...this.unknownNotes(data.unknown_words));
    parts.push(this.costLine(data));
    this.answer.replaceChildren(...parts);
  }

  showContinuation(prompt, body, data) {
    const parts = [];
    const text = element("p", "nw-continued");
    const added = data.continuation || "";
    // The server writes "." against the word before it; keep that when joining to the prompt.
    const gap = added.startsWith(".") ? "" : " ";
    text.append(element("span", "nw-given", prompt.trim()), gap, element("mark", "", added));
    parts.push(text);
    const how = body.temperature === 0
      ? "Temperature 0: it took the likeliest word every time, so this comes out the same on every try."
      : `Temperature ${body.temperature}, seed ${body.sample_seed}: some words were picked by chance; ` +
        "the same seed gives the same words, another seed may not.";
    parts.push(element("p", "fine", `${how} Highlighted: the words the model added (up to ${body.n_words}; it stops at the end of a sentence).`));
    parts.push(...this.unknownNotes(data.unknown_words));
    parts.push(this.costLine(data));
    this.continuation.replaceChildren(...parts);
  }

  unknownNotes(unknown) {
    if (!unknown || !unknown.length) return [];
    const one = unknown.length === 1;
    return [
      element(
        "p",
        "nw-unknown",
        `It has never seen ${quoteList(unknown)} and treats ${one ? "it" : "them"} as ` +
          `${one ? "an unknown word" : "unknown words"}: it has no pattern to go on, so it guesses from how sentences usually continue.`,
      ),
    ];
  }

  costLine(data) {
    return element(
      "p",
      "fine",
      `Answered in ${formatDuration(data.compute_ns)} of compute, ${formatCount(data.flops)} FLOPs ` +
        "(measured on this server; network time not included).",
    );
  }

  // ---- drawing -----------------------------------------------------------------------

  layout(colours, steps, top) {
    return baseLayout(colours, {
      xaxis: { title: { text: "training step" }, gridcolor: colours.grid, range: [0, steps] },
      yaxis: {
        title: { text: "held-out perplexity" },
        type: "log",
        gridcolor: colours.grid,
        range: [Math.log10(FLOOR), Math.log10(top * 1.3)],
        tickvals: TICKS,
        ticktext: TICKS.map(String),
      },
      margin: { l: 56, r: 12, t: 8, b: 44 },
      // Above the plot: below it, the legend collides with the axis title on a phone.
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    });
  }

  drawEmptyChart() {
    const colours = themeColours();
    Plotly.react(
      this.chart,
      [
        { x: [], y: [], mode: "lines", name: "held-out perplexity", line: { color: lineColour(), width: 2 } },
        { x: [], y: [], mode: "lines", name: "blind guessing", line: { color: colours.text, width: 1.5, dash: "dash" } },
      ],
      this.layout(colours, this.preset.steps, 1000),
      PLOT_CONFIG,
    );
  }

  drawBaseline(data) {
    const colours = themeColours();
    const uniform = data.uniform_perplexity;
    Plotly.react(
      this.chart,
      [
        { x: [], y: [], mode: "lines+markers", marker: { size: 3 }, name: "held-out perplexity", line: { color: lineColour(), width: 2 } },
        {
          x: [0, data.steps],
          y: [uniform, uniform],
          mode: "lines",
          name: `blind guessing (${formatCount(uniform)})`,
          line: { color: colours.text, width: 1.5, dash: "dash" },
          hoverinfo: "skip",
        },
      ],
      this.layout(colours, data.steps, uniform),
      PLOT_CONFIG,
    );
  }
}

export function mount(root) {
  return new NextWordWidget(root);
}

mountEvery("next-word", mount);
