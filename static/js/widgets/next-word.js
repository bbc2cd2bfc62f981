// The next-word widget: train a tiny word model as a watched run (held-out perplexity and a
// sample sentence every few frames), then ask the frozen model for the likely next words and
// let it carry on writing. The life cycle (start, reset, counters, costs) is
// lib/trained-widget.js; every number shown comes from the server's events and answers.

import { ratioText, setCounter } from "../lib/counters.js";
import { formatCount, formatDuration, formatFlops, formatNumber, formatProbability } from "../lib/format.js";
import { reasonOf } from "../lib/http.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { ask } from "../lib/runs.js";
import { TrainedWidget } from "../lib/trained-widget.js";
import { alertElement, element } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";

const TOP_K = 5;
const HISTORY = 6; // earlier sample sentences kept on screen (the first one always stays)
const FLOOR = 4; // the chart's lowest perplexity: 1 is a perfect guess, held-out text never gets near
const TICKS = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
const MAX_SEED = 2147483647;

// The page's blue, lighter in dark mode, so the line stays readable on either background.
function lineColour() {
  return getComputedStyle(document.documentElement).getPropertyValue("--blue").trim() || CLASS_COLOURS[0];
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

function unknownNotes(unknown) {
  if (!unknown || !unknown.length) return [];
  const one = unknown.length === 1;
  const text =
    `It has never seen ${quoteList(unknown)} and treats ${one ? "it" : "them"} as ` +
    `${one ? "an unknown word" : "unknown words"}: it has no pattern to go on, so it guesses from how sentences usually continue.`;
  return [element("p", "nw-unknown", text)];
}

function costLine(data) {
  return element(
    "p",
    "fine",
    `Answered in ${formatDuration(data.compute_ns)} of compute, ${formatFlops(data.flops)} ` +
      "(measured on this server; network time not included).",
  );
}

function probabilityBars(nextWords) {
  const list = element("ol", "nw-bars");
  list.setAttribute("aria-label", "Likeliest next words with their probabilities");
  for (const { word, probability } of nextWords) {
    const bar = element("span", "nw-bar");
    bar.setAttribute("aria-hidden", "true");
    const fill = element("span", "nw-fill");
    fill.style.width = `${Math.max(0.5, probability * 100)}%`;
    bar.append(fill);
    const li = element("li");
    li.append(element("span", "nw-word", wordLabel(word)), bar, element("span", "nw-percent", formatProbability(probability)));
    list.append(li);
  }
  return list;
}

export class NextWordWidget extends TrainedWidget {
  constructor(root) {
    super(root, { kind: "next-word", askHint: "type the start of a sentence to ask it." });
    this.chart = root.querySelector("[data-role=perplexity-chart]");
    this.askForm = root.querySelector("[data-role=ask-form]");
    this.continueForm = root.querySelector("[data-role=continue-form]");
    this.answer = root.querySelector("[data-role=answer]");
    this.continuation = root.querySelector("[data-role=continuation]");
    this.onSubmit(this.askForm, () => this.askNext());
    this.onSubmit(this.continueForm, () => this.askContinue());
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
    this.reset();
  }

  onSubmit(form, send) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send();
    });
  }

  el(role) {
    return this.root.querySelector(`[data-role=${role}]`);
  }

  // ---- the run -------------------------------------------------------------------------

  spec() {
    return { ...this.preset, model: "language" };
  }

  clear() {
    this.samples = [];
    this.fingerprint = null;
    this.fingerprintChecks = 0;
    this.fingerprintNote.textContent = this.fingerprintNoteText;
    this.answer.replaceChildren();
    this.continuation.replaceChildren();
    this.sample.replaceChildren(...this.sampleBlank.map((node) => node.cloneNode(true)));
    this.el("sample-history").replaceChildren();
    this.el("perplexity-text").textContent = "";
  }

  drawStart(data) {
    this.el("corpus-size").textContent =
      `${formatCount(data.training_sentences)} sentences to learn from, ` +
      `${formatCount(data.held_out_sentences)} more held back to test it, and a vocabulary of ` +
      `${formatCount(data.vocabulary_size)} entries: the words it saw often enough to learn, the full stop, ` +
      "and stand-ins for “start of sentence” and “a word I don't know”.";
    this.drawBaseline(data);
  }

  drawFrames(frames) {
    const withPerplexity = frames.filter((f) => Number.isFinite(f.val_perplexity));
    if (withPerplexity.length) {
      Plotly.extendTraces(
        this.chart,
        { x: [withPerplexity.map((f) => f.step)], y: [withPerplexity.map((f) => f.val_perplexity)] },
        [0],
      );
    }
    for (const frame of frames) if (frame.sample) this.showSample(frame.step, frame.sample);
    this.describeChart(frames[frames.length - 1]);
  }

  describeChart(frame) {
    if (!this.run || !Number.isFinite(frame.val_perplexity)) return;
    const blind = formatCount(this.run.uniform_perplexity);
    const text =
      `Step ${formatCount(frame.step)} of ${formatCount(frame.steps)}: held-out perplexity ` +
      `${formatNumber(frame.val_perplexity)}, against ${blind} for blind guessing.`;
    this.el("perplexity-text").textContent = text;
    this.chart.setAttribute(
      "aria-label",
      `Chart of held-out perplexity against training steps, falling from blind guessing (${blind}). ${text}`,
    );
  }

  showSample(step, sentence) {
    const previous = this.samples[this.samples.length - 1];
    this.sample.replaceChildren(element("q", "", sentence), element("span", "fine", ` (after step ${formatCount(step)})`));
    if (previous && previous.sentence === sentence) return;
    this.samples.push({ step, sentence });
    // Its first attempts tell the story (babble, then sentences); later ones only reshuffle.
    if (this.samples.length > HISTORY) return;
    const li = element("li", "", `step ${formatCount(step)}: `);
    li.append(element("q", "", sentence));
    this.el("sample-history").append(li);
  }

  summary(data) {
    const final = data.final || {};
    if (!Number.isFinite(final.val_perplexity)) return ".";
    const blind = formatCount(this.run ? this.run.uniform_perplexity : 0);
    return `. Held-out perplexity ${formatNumber(final.val_perplexity)} (blind guessing: ${blind}).`;
  }

  record(data) {
    return {
      val_perplexity: (data.final || {}).val_perplexity,
      uniform_perplexity: this.run ? this.run.uniform_perplexity : undefined,
    };
  }

  frozen(data) {
    this.fingerprint = data.fingerprint;
    this.buttons.start.textContent = "Train it again";
    this.el("fingerprint-count").textContent = "";
    this.askNext(); // the pre-filled prompt answers at once: the point shows without typing
  }

  // ---- questions -----------------------------------------------------------------------

  prompt() {
    return this.askForm.elements.prompt.value;
  }

  // Training against one next-word guess, the answer the cost panel prices too, so the two
  // say the same count. A continuation is several guesses, one per added word: set against
  // "the last one" it would give a second, smaller count for the same sentence.
  countAnswer(flops, computeNs) {
    super.countAnswer(flops, computeNs);
    const one = this.run && this.run.inference_flops_per_query;
    if (one) setCounter(this.root, "ratio", ratioText(this.training, one, "a next-word guess"));
  }

  async ask(body, target, render) {
    if (!this.runId || !this.isFrozen) return;
    const buttons = this.inference.querySelectorAll("button[type=submit]");
    for (const b of buttons) b.disabled = true;
    target.setAttribute("aria-busy", "true");
    try {
      const data = await ask(this.runId, body);
      this.countAnswer(data.flops, data.compute_ns);
      this.checkFingerprint(data.fingerprint);
      render(data);
    } catch (error) {
      target.replaceChildren(alertElement(reasonOf(error))); // the server's own words for a bad prompt
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
    if (seed === "" || !Number.isInteger(seedNumber) || seedNumber < 0 || seedNumber > MAX_SEED) {
      this.continuation.replaceChildren(alertElement(`The seed must be a whole number from 0 to ${formatCount(MAX_SEED)}.`));
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

  checkFingerprint(fingerprint) {
    if (fingerprint !== this.fingerprint) {
      this.fingerprintNote.textContent = `The server now reports ${fingerprint}: a different model answered.`;
      return;
    }
    this.fingerprintChecks += 1;
    const n = this.fingerprintChecks;
    this.el("fingerprint-count").textContent =
      `(checked after ${formatCount(n)} answer${n === 1 ? "" : "s"} so far: ${fingerprint} every time)`;
  }

  showNextWords(prompt, data) {
    const lead = element("p", "", "After ");
    lead.append(element("q", "", prompt.trim()), ` the model's ${data.next_words.length} likeliest next words are:`);
    this.answer.replaceChildren(lead, probabilityBars(data.next_words), ...unknownNotes(data.unknown_words), costLine(data));
  }

  showContinuation(prompt, body, data) {
    const text = element("p", "nw-continued");
    const added = data.continuation || "";
    // The server writes "." against the word before it; keep that when joining to the prompt.
    const gap = added.startsWith(".") ? "" : " ";
    text.append(element("span", "nw-given", prompt.trim()), gap, element("mark", "", added));
    const how =
      body.temperature === 0
        ? "Temperature 0: it took the likeliest word every time, so this comes out the same on every try."
        : `Temperature ${body.temperature}, seed ${body.sample_seed}: some words were picked by chance; ` +
          "the same seed gives the same words, another seed may not.";
    const note = element(
      "p",
      "fine",
      `${how} Highlighted: the words the model added (up to ${body.n_words}; it stops at the end of a sentence).`,
    );
    this.continuation.replaceChildren(text, note, ...unknownNotes(data.unknown_words), costLine(data));
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

  drawEmpty() {
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
