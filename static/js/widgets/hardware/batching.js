// One question, or a thousand at once: the server times the model's arithmetic for one
// drawing and for 1,000 in one call, and the same 1,000 asked one call at a time.

import { formatAbout, formatCount, formatDuration, formatRatio } from "../../lib/format.js";
import { postJson } from "../../lib/http.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../../lib/plot.js";
import { recordRun } from "../../lib/progress.js";
import { element, setStatus } from "../../lib/widget.js";
import { HardwarePart } from "./part.js";

const BATCH_SIZES = [1, 1000];
const INSTANT_S = 0.1; // Nielsen: a response within 0.1 s feels instant

// A measured rate wobbles from one press to the next: three figures say all it knows
// ("63,200", not "63,199").
const perSecond = formatAbout;

function timingRow(t) {
  const row = element("tr");
  const name = element("th", "", t.inputs === 1 ? "1 question" : `${formatCount(t.inputs)} questions`);
  name.scope = "row";
  row.append(name);
  for (const [label, text] of [
    ["Answers per second, one call", perSecond(t.one_call_per_second)],
    ["Answers per second, one at a time", t.inputs === 1 ? "the same: one question is one call" : perSecond(t.separate_calls_per_second)],
    ["Each answer waits", formatDuration(t.waits_ns)],
  ]) {
    const cell = element("td", "", text);
    cell.dataset.label = label;
    row.append(cell);
  }
  return row;
}

function summary(one, many) {
  const gain = many.one_call_per_second / many.separate_calls_per_second;
  return (
    `${formatCount(many.inputs)} questions asked one at a time came out at ` +
    `about ${perSecond(many.separate_calls_per_second)} answers per second; in one batch, at about ` +
    `${perSecond(many.one_call_per_second)}: ${formatRatio(gain)} times as many. ` +
    `But in the batch every answer waits for the whole batch, ${formatDuration(many.waits_ns)}, ` +
    `where one question alone waited ${formatDuration(one.waits_ns)}. ` +
    (many.waits_ns < INSTANT_S * 1e9
      ? "Still far under the tenth of a second that feels instant."
      : "That is longer than the tenth of a second that feels instant.")
  );
}

// One labelled tick per power of ten, written as a duration ("10 µs", "1 ms"): Plotly's own
// log ticks say "10k" for ten thousand microseconds and label the minor ticks "2" and "5".
// The chart plots microseconds; waitsNs are the bars' heights in nanoseconds.
export function decadeTicks(waitsNs) {
  const us = waitsNs.filter((w) => w > 0).map((w) => w / 1e3);
  if (!us.length) return {};
  const low = Math.floor(Math.log10(Math.min(...us)));
  const high = Math.ceil(Math.log10(Math.max(...us)));
  const tickvals = [];
  for (let power = low; power <= high; power += 1) tickvals.push(10 ** power);
  return { tickvals, ticktext: tickvals.map((v) => formatDuration(v * 1e3)) };
}

export class BatchingDemo extends HardwarePart {
  async run() {
    const { runId } = await this.host.ensureTrained();
    setStatus(this.host.root, "Timing 1 question, then 1,000 at once…");
    const { timings } = await postJson(`/api/runs/${runId}/batching`, { sizes: BATCH_SIZES });
    this.el("batch-rows").replaceChildren(...timings.map(timingRow));
    const [one, many] = [timings[0], timings[timings.length - 1]];
    const text = summary(one, many);
    this.el("batch-summary").textContent = text;
    this.el("batch-result").hidden = false;
    this.draw(one, many);
    setStatus(this.host.root, text);
    recordRun(this.host.lesson, {
      kind: "batching",
      run_id: runId,
      sizes: timings.map((t) => t.inputs),
      per_second: timings.map((t) => t.one_call_per_second),
      one_at_a_time_per_second: timings.map((t) => t.separate_calls_per_second),
      waits_ns: timings.map((t) => t.waits_ns),
    });
  }

  draw(one, many) {
    const colours = themeColours();
    const n = formatCount(many.inputs);
    const layout = (extra) => baseLayout(colours, { showlegend: false, margin: { l: 64, r: 12, t: 12, b: 52 }, ...extra });
    const bars = [
      [`${n} questions,<br>one call each`, many.separate_calls_per_second, CLASS_COLOURS[0]],
      [`${n} questions,<br>all in one call`, many.one_call_per_second, CLASS_COLOURS[1]],
    ];
    Plotly.react(
      this.el("throughput-chart"),
      [{
        type: "bar",
        x: bars.map((b) => b[0]),
        y: bars.map((b) => b[1]),
        marker: { color: bars.map((b) => b[2]) },
        text: bars.map((b) => perSecond(b[1])),
        textposition: "auto",
        hovertemplate: "%{text} answers per second<extra></extra>",
      }],
      layout({ yaxis: { title: { text: "answers per second" }, gridcolor: colours.grid, rangemode: "tozero", tickformat: "," } }), // "50,000", not "50k"
      PLOT_CONFIG,
    );
    const waits = [["1 question<br>alone", one.waits_ns], [`in a batch<br>of ${n}`, many.waits_ns]];
    Plotly.react(
      this.el("wait-chart"),
      [{
        type: "bar",
        x: waits.map((w) => w[0]),
        y: waits.map((w) => w[1] / 1e3),
        marker: { color: [CLASS_COLOURS[0], CLASS_COLOURS[1]] },
        text: waits.map((w) => formatDuration(w[1])),
        textposition: "auto",
        hovertemplate: "each answer waits %{text}<extra></extra>",
      }],
      layout({ yaxis: { type: "log", title: { text: "wait (log scale)" }, gridcolor: colours.grid, ...decadeTicks(waits.map((w) => w[1])) } }),
      PLOT_CONFIG,
    );
  }
}
