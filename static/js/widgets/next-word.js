// The next-word widget: train a tiny word model as a watched run (held-out perplexity and a
// sample sentence every few frames), then ask the frozen model for the likely next words and
// let it carry on writing. Every number shown comes from the server's events and answers.

import { CostPanel } from "../lib/costs.js";
import { formatCount, formatDuration, formatFlops, formatPercent } from "../lib/format.js";
import { baseLayout, CLASS_COLOURS, FrameBatcher, PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { recordAnswers, recordRun } from "../lib/progress.js";
import { BUSY_RETRY_MS, createRun } from "../lib/runs.js";

const TOP_K = 5;
const HISTORY = 6;
const FLOOR = 4; // the chart's lowest perplexity: 1 is a perfect guess, held-out text never gets near
const TICKS = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]; // earlier sample sentences kept on screen (the first one always stays)

// The predict call, keeping the server's own words for a bad prompt (its 422 `msg`).
async function predict(runId, body) {
  let response;
  try {
    response = await fetch(`/api/runs/${runId}/predict`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error("Could not reach the server. Check the connection and try again.");
  }
  const data = await response.json().catch(() => ({}));
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
    this.reset();
  }

  // ---- state -------------------------------------------------------------------------

  reset() {
    const hadRun = Boolean(this.training || (this.queries && this.queries.count));
    this.closeStream();
    clearTimeout(this.retryTimer);
    this.runId = null;
    this.lastEventId = 0;
    this.started = false;
    this.run = null;
    this.batcher.clear();
    this.watchedMs = 0;
    this.watchStart = null;
    this.training = null;
    this.samples = [];
    this.fingerprint = null;
    this.fingerprintChecks = 0;
    this.fingerprintNote.textContent = this.fingerprintNoteText;
    this.queries = { count: 0, flops: 0, computeNs: 0, lastFlops: 0, lastComputeNs: 0 };
    this.frozen = false;
    this.nParameters = 0;
    this.costs.cancel();
    this.inference.hidden = true;
    this.answer.replaceChildren();
    this.continuation.replaceChildren();
    for (const cell of this.root.querySelectorAll("[data-counter]")) {
      cell.textContent = cell.dataset.counter.startsWith("infer-last") ? "–" : "0";
    }
    this.setCounter("train-watched", "0 s");
    this.setCounter("ratio", "");
    this.sample.replaceChildren(...this.sampleBlank.map((node) => node.cloneNode(true)));
    this.root.querySelector("[data-role=sample-history]").replaceChildren();
    this.root.querySelector("[data-role=perplexity-text]").textContent = "";
    this.setPhase("ready", "Ready to train");
    this.setStatus("");
    this.drawEmptyChart();
    if (hadRun) this.costs.recalculate(); // the page arrives with the empty panel rendered
  }

  setPhase(phase, text) {
    const badge = this.root.querySelector("[data-role=phase]");
    badge.dataset.phase = phase;
    badge.textContent = text;
  }

  setStatus(text) {
    this.root.querySelector("[data-role=status]").textContent = text;
  }

  setCounter(name, text) {
    const cell = this.root.querySelector(`[data-counter="${name}"]`);
    if (cell) cell.textContent = text;
  }

  costCounters() {
    const t = this.training || { flops: 0, compute_ns: 0 };
    const q = this.queries;
    return {
      train_flops: t.flops,
      train_compute_ns: t.compute_ns,
      watched_ms: Math.round(this.watchedMs + (this.watchStart === null ? 0 : performance.now() - this.watchStart)),
      n_parameters: this.nParameters,
      frozen: this.frozen ? 1 : 0,
      queries: q.count,
      infer_flops: q.flops,
      infer_compute_ns: q.computeNs,
      last_flops: q.lastFlops,
      last_compute_ns: q.lastComputeNs,
    };
  }

  // ---- training ----------------------------------------------------------------------

  async start() {
    this.reset();
    this.startButton.disabled = true;
    this.setStatus("Creating the run…");
    let body;
    try {
      body = await createRun({ ...this.preset, model: "language" });
    } catch (error) {
      this.fail(error.message);
      return;
    }
    this.runId = body.run_id;
    this.setPhase("training", "Phase 1: training");
    this.openStream();
    this.costs.start();
  }

  fail(message) {
    this.setStatus(message);
    this.startButton.disabled = false;
  }

  openStream() {
    const resume = this.lastEventId ? `?last_event_id=${this.lastEventId}` : "";
    const source = new EventSource(`/api/runs/${this.runId}/events${resume}`);
    this.source = source;
    this.watchStart = performance.now();
    this.setStatus(this.lastEventId ? "Resuming…" : "Training…");
    source.addEventListener("queued", (e) => {
      this.setPhase("waiting", "Waiting for a free spot");
      this.setStatus(JSON.parse(e.data).message);
    });
    source.addEventListener("start", (e) => this.onStart(JSON.parse(e.data)));
    source.addEventListener("frame", (e) => {
      this.lastEventId = Number(e.lastEventId);
      this.batcher.push(JSON.parse(e.data));
    });
    source.addEventListener("done", (e) => this.onDone(JSON.parse(e.data)));
    source.addEventListener("diverged", (e) => this.onDiverged(JSON.parse(e.data)));
    source.addEventListener("error", () => this.onStreamError(source));
  }

  closeStream() {
    if (this.source) {
      this.source.close();
      this.source = null;
    }
    if (this.watchStart !== null) {
      this.watchedMs += performance.now() - this.watchStart;
      this.watchStart = null;
    }
  }

  onStreamError(source) {
    if (source !== this.source) return;
    if (source.readyState === EventSource.CONNECTING) {
      this.setStatus("Connection dropped; reconnecting and resuming where it stopped…");
      return;
    }
    // Closed for good: most often the server is full (503). Retry by ourselves.
    this.closeStream();
    let seconds = BUSY_RETRY_MS / 1000;
    this.setStatus(`The server is busy; retrying in ${seconds} s…`);
    const tick = () => {
      seconds -= 1;
      if (seconds > 0) {
        this.setStatus(`The server is busy; retrying in ${seconds} s…`);
        this.retryTimer = setTimeout(tick, 1000);
      } else {
        this.openStream();
      }
    };
    this.retryTimer = setTimeout(tick, 1000);
  }

  onStart(data) {
    this.nParameters = data.n_parameters;
    this.setPhase("training", "Phase 1: training");
    this.setStatus("Training…");
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
    this.setCounter("train-steps", formatCount(counters.steps));
    this.setCounter("train-examples", formatCount(counters.examples_seen));
    this.setCounter("train-flops", formatFlops(counters.flops));
    this.setCounter("train-compute", formatDuration(counters.compute_ns));
    const watching = this.watchStart === null ? 0 : performance.now() - this.watchStart;
    this.setCounter("train-watched", formatDuration((this.watchedMs + watching) * 1e6));
  }

  onDone(data) {
    this.batcher.flush(); // the last frame event already carried the final numbers
    this.closeStream();
    this.training = data.totals;
    this.showTrainingCounters(data.totals);
    this.frozen = true;
    this.fingerprint = data.fingerprint;
    this.startButton.disabled = false;
    this.startButton.textContent = "Train it again";
    const final = data.final || {};
    this.setPhase("inference", "Phase 2: inference (model frozen)");
    const perplexity = Number.isFinite(final.val_perplexity)
      ? ` Held-out perplexity ${final.val_perplexity.toFixed(1)} (blind guessing: ${formatCount(this.run ? this.run.uniform_perplexity : 0)}).`
      : "";
    this.setStatus(
      `Training finished.${perplexity} Compute took ${formatDuration(data.totals.compute_ns)}; ` +
        `you watched for ${formatDuration(this.watchedMs * 1e6)}.`,
    );
    this.root.querySelector("[data-role=fingerprint]").textContent = data.fingerprint;
    this.root.querySelector("[data-role=fingerprint-count]").textContent = "";
    this.inference.hidden = false;
    recordRun(this.lesson, {
      kind: "next-word",
      run_id: this.runId,
      steps: data.totals.steps,
      flops: data.totals.flops,
      compute_ns: data.totals.compute_ns,
      watched_ms: Math.round(this.watchedMs),
      n_parameters: data.n_parameters,
      flops_per_answer: data.inference_flops_per_query,
      val_perplexity: final.val_perplexity,
      uniform_perplexity: this.run ? this.run.uniform_perplexity : undefined,
      fingerprint: data.fingerprint,
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
    this.closeStream();
    this.costs.stop();
    this.costs.announce(data.message, true);
    this.training = data.totals;
    this.showTrainingCounters(data.totals);
    this.setPhase("diverged", "Diverged: no model");
    this.setStatus(data.message);
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
    q.count += 1;
    q.flops += data.flops;
    q.computeNs += data.compute_ns;
    q.lastFlops = data.flops;
    q.lastComputeNs = data.compute_ns;
    this.setCounter("infer-last-flops", formatCount(data.flops));
    this.setCounter("infer-last-compute", formatDuration(data.compute_ns));
    this.setCounter("infer-count", formatCount(q.count));
    this.setCounter("infer-flops", formatCount(q.flops));
    this.setCounter("infer-compute", formatDuration(q.computeNs));
    if (this.training && data.flops > 0) {
      this.setCounter(
        "ratio",
        `Training took as much arithmetic as about ${formatCount(this.training.flops / data.flops)} answers like the last one.`,
      );
    }
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
