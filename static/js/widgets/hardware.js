// Hardware: train a digit reader, ask it by drawing on a 16 x 16 grid, time batching
// (1 question vs 1,000 at once) and shrink it to 8-bit weights "for a phone". Every number
// shown comes from the server: the run's totals, /predict, /batching and /quantize.

import { CostPanel } from "../lib/costs.js";
import { addAnswers, costCounters, noQueries } from "../lib/counters.js";
import { formatCount, formatDuration, formatFlops, formatPercent } from "../lib/format.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../lib/plot.js";
import { recordRun, trainedRun } from "../lib/progress.js";
import { ask, createRun, postJson, trainQuietly } from "../lib/runs.js";
import { actionButtons, setAriaDisabled, setPhase, setStatus } from "../lib/widget.js";
import { mountEvery } from "../lib/mount.js";

const SIDE = 16; // the server's drawing grid
const BRUSH = 0.9; // half-width of the pen, in squares
const BATCH_SIZES = [1, 1000];
const INSTANT_S = 0.1; // Nielsen: a response within 0.1 s feels instant

// Our own simple strokes for the example digits, on a unit square (x right, y down).
// ["line", x0, y0, x1, y1] or ["arc", cx, cy, rx, ry, fromDegrees, toDegrees] (0 = right, 90 = top).
const EXAMPLES = {
  0: [["arc", 0.5, 0.5, 0.24, 0.36, 0, 360]],
  1: [["line", 0.55, 0.14, 0.55, 0.86], ["line", 0.55, 0.14, 0.38, 0.32]],
  2: [["arc", 0.5, 0.35, 0.22, 0.2, -35, 170], ["line", 0.68, 0.47, 0.27, 0.86], ["line", 0.27, 0.86, 0.76, 0.86]],
  3: [["arc", 0.48, 0.32, 0.2, 0.18, -90, 160], ["arc", 0.48, 0.67, 0.23, 0.19, -160, 90]],
  4: [["line", 0.6, 0.14, 0.24, 0.62], ["line", 0.24, 0.62, 0.78, 0.62], ["line", 0.6, 0.14, 0.6, 0.86]],
  5: [["line", 0.72, 0.14, 0.34, 0.14], ["line", 0.34, 0.14, 0.31, 0.48], ["arc", 0.5, 0.65, 0.23, 0.21, -160, 145]],
  6: [["arc", 0.5, 0.66, 0.21, 0.2, 0, 360], ["arc", 0.68, 0.62, 0.38, 0.48, 100, 180]],
  7: [["line", 0.24, 0.14, 0.76, 0.14], ["line", 0.76, 0.14, 0.43, 0.86]],
  8: [["arc", 0.5, 0.31, 0.18, 0.17, 0, 360], ["arc", 0.5, 0.67, 0.22, 0.19, 0, 360]],
  9: [["arc", 0.5, 0.34, 0.21, 0.2, 0, 360], ["line", 0.71, 0.34, 0.66, 0.86]],
};

function strokePoints(stroke) {
  const [kind, ...n] = stroke;
  if (kind === "line") return [[n[0], n[1]], [n[2], n[3]]];
  const [cx, cy, rx, ry, from, to] = n;
  const count = Math.max(3, Math.round((Math.abs(to - from) / 360) * 32) + 1);
  return Array.from({ length: count }, (_, i) => {
    const angle = ((from + ((to - from) * i) / (count - 1)) * Math.PI) / 180;
    return [cx + rx * Math.cos(angle), cy - ry * Math.sin(angle)];
  });
}

function distanceToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 > 0 ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / length2)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function paragraph(text, className) {
  const p = document.createElement("p");
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

// The server's 422 says which field ("drawings.0: …"); the reader needs only the reason.
function plainMessage(error) {
  return error.message.replace(/^[\w.]+: /, "");
}

export class HardwareWidget {
  constructor(root) {
    this.root = root;
    this.preset = { ...JSON.parse(root.dataset.preset), model: "digits", pace: "instant" };
    this.lesson = document.body.dataset.lesson || "";
    this.pad = root.querySelector("[data-role=pad]");
    this.padSay = root.querySelector("[data-role=pad-say]");
    this.example = root.querySelector("[data-role=example]");
    this.buttons = actionButtons(root);
    this.grid = new Float64Array(SIDE * SIDE);
    this.cursor = { row: 7, col: 7 };
    this.busy = false;
    this.training = null; // the promise of the trained run, shared by every action
    this.run = null; // {runId, done}
    this.queries = noQueries();
    this.costs = new CostPanel(root, () => this.costCounters());

    this.buttons.start.addEventListener("click", () => this.act(() => this.train(true)));
    this.buttons.read.addEventListener("click", () => this.act(() => this.read()));
    this.buttons.clear.addEventListener("click", () => this.clearPad());
    this.buttons.batch.addEventListener("click", () => this.act(() => this.batch()));
    this.buttons.shrink.addEventListener("click", () => this.act(() => this.shrink()));
    this.example.addEventListener("change", () => this.drawExample());
    this.bindPad();
    this.drawPad();
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.drawPad());
  }

  // ---- state -----------------------------------------------------------------------------

  setBusy(busy) {
    this.busy = busy;
    for (const name of ["start", "read", "batch", "shrink"]) setAriaDisabled(this.buttons[name], busy);
  }

  // One action at a time; each trains the model first if nobody has yet.
  async act(work) {
    if (this.busy) return;
    this.setBusy(true);
    try {
      await work();
    } catch (error) {
      setStatus(this.root, plainMessage(error));
    } finally {
      this.setBusy(false);
    }
  }

  // ---- training --------------------------------------------------------------------------

  ensureTrained() {
    if (!this.training) {
      this.training = this.trainOnce().catch((error) => {
        this.training = null; // let the next click try again
        setPhase(this.root, "ready", "Ready to train");
        throw error;
      });
    }
    return this.training;
  }

  async train(again) {
    if (again && this.run) {
      setStatus(
        this.root,
        "The digit reader is already trained; the same settings give the same model, so there is nothing new to learn.",
      );
      return;
    }
    await this.ensureTrained();
  }

  async trainOnce() {
    const spec = this.preset;
    setPhase(this.root, "training", "Phase 1: training");
    setStatus(this.root, "Training the digit reader…");
    const { run_id: runId } = await createRun(spec);
    const done = await trainQuietly(runId, (frame) => {
      setStatus(this.root, `Training the digit reader: step ${formatCount(frame.step)} of ${formatCount(spec.steps)}…`);
    });
    this.run = { runId, done };
    const t = done.totals;
    setPhase(this.root, "inference", "Phase 2: inference (model frozen)");
    setStatus(
      this.root,
      `Trained: it reads ${formatPercent(done.final.val_accuracy)} of drawings it never saw correctly. ` +
        `Training took ${formatFlops(t.flops)} and ${formatDuration(t.compute_ns)} of compute.`,
    );
    this.root.querySelector("[data-role=trained]").textContent =
      `The trained model: ${formatCount(done.n_parameters)} weights; ${formatCount(t.steps)} steps over ` +
      `${formatCount(t.examples_seen)} practice drawings. One answer costs ${formatCount(done.inference_flops_per_query)} FLOPs.`;
    recordRun(this.lesson, {
      kind: "hardware",
      model: "digits",
      run_id: runId,
      ...trainedRun(done),
      val_accuracy: done.final.val_accuracy,
    });
    this.costs.recalculate();
    return this.run;
  }

  costCounters() {
    return costCounters({
      training: this.run && this.run.done.totals,
      nParameters: this.run ? this.run.done.n_parameters : 0,
      frozen: this.run,
      queries: this.queries,
    });
  }

  // ---- reading a drawing -------------------------------------------------------------------

  drawing() {
    return Array.from({ length: SIDE }, (_, row) =>
      Array.from(this.grid.subarray(row * SIDE, (row + 1) * SIDE), (v) => Math.round(v * 1000) / 1000),
    );
  }

  async read() {
    const box = this.root.querySelector("[data-role=read-result]");
    const drawing = this.drawing();
    const { runId } = await this.ensureTrained();
    let answer;
    try {
      answer = await ask(runId, { drawings: [drawing] });
    } catch (error) {
      const message = paragraph(plainMessage(error), "error");
      message.setAttribute("role", "alert");
      box.replaceChildren(message);
      return;
    }
    const q = this.queries;
    addAnswers(q, 1, answer.flops, answer.compute_ns);
    const probabilities = answer.probabilities[0];
    const digit = answer.predictions[0];
    const top = probabilities
      .map((p, d) => [d, p])
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    const heading = document.createElement("p");
    heading.className = "digit-read";
    heading.append("The model reads ");
    const strong = document.createElement("strong");
    strong.textContent = String(digit);
    strong.dataset.digit = String(digit);
    heading.append(strong, ".");
    const list = document.createElement("ul");
    list.className = "top3";
    list.setAttribute("aria-label", "The three likeliest digits");
    for (const [d, p] of top) {
      const item = document.createElement("li");
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${Math.max(1, p * 100)}%`;
      const label = document.createElement("span");
      label.className = "bar-label";
      label.textContent = `${d}: ${formatPercent(p)}`;
      item.append(label, bar);
      list.append(item);
    }
    const cost = paragraph(
      `Answered in ${formatDuration(answer.compute_ns)} of compute and ${formatCount(answer.flops)} FLOPs ` +
        `(measured on this server; network time not included). Questions asked so far: ${formatCount(q.count)}.`,
      "fine",
    );
    box.replaceChildren(heading, list, cost);
    setStatus(this.root, `Read your drawing as ${digit}, ${formatPercent(top[0][1])} sure.`);
    this.costs.recalculate();
  }

  // ---- batching ----------------------------------------------------------------------------

  async batch() {
    const { runId } = await this.ensureTrained();
    setStatus(this.root, "Timing 1 question, then 1,000 at once…");
    const body = await postJson(`/api/runs/${runId}/batching`, { sizes: BATCH_SIZES });
    const timings = body.timings;
    const rows = this.root.querySelector("[data-role=batch-rows]");
    rows.replaceChildren(
      ...timings.map((t) => {
        const row = document.createElement("tr");
        const name = document.createElement("th");
        name.scope = "row";
        name.textContent = t.inputs === 1 ? "1 question" : `${formatCount(t.inputs)} questions`;
        row.append(name);
        for (const [label, text] of [
          ["Answers per second, one call", formatCount(t.one_call_per_second)],
          [
            "Answers per second, one at a time",
            t.inputs === 1 ? "the same: one question is one call" : formatCount(t.separate_calls_per_second),
          ],
          ["Each answer waits", formatDuration(t.waits_ns)],
        ]) {
          const cell = document.createElement("td");
          cell.dataset.label = label;
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }),
    );
    const [one, many] = [timings[0], timings[timings.length - 1]];
    const gain = many.one_call_per_second / many.separate_calls_per_second;
    const summary =
      `${formatCount(many.inputs)} questions asked one at a time came out at ` +
      `${formatCount(many.separate_calls_per_second)} answers per second; in one batch, at ` +
      `${formatCount(many.one_call_per_second)}: ${gain.toFixed(1)} times as many. ` +
      `But in the batch every answer waits for the whole batch, ${formatDuration(many.waits_ns)}, ` +
      `where one question alone waited ${formatDuration(one.waits_ns)}. ` +
      (many.waits_ns < INSTANT_S * 1e9
        ? "Still far under the tenth of a second that feels instant."
        : "That is longer than the tenth of a second that feels instant.");
    this.root.querySelector("[data-role=batch-summary]").textContent = summary;
    this.root.querySelector("[data-role=batch-result]").hidden = false;
    this.drawBatching(one, many);
    setStatus(this.root, summary);
    recordRun(this.lesson, {
      kind: "batching",
      run_id: runId,
      sizes: timings.map((t) => t.inputs),
      per_second: timings.map((t) => t.one_call_per_second),
      one_at_a_time_per_second: timings.map((t) => t.separate_calls_per_second),
      waits_ns: timings.map((t) => t.waits_ns),
    });
  }

  drawBatching(one, many) {
    const colours = themeColours();
    const n = formatCount(many.inputs);
    const bars = [
      [`${n} questions,<br>one call each`, many.separate_calls_per_second, CLASS_COLOURS[0]],
      [`${n} questions,<br>all in one call`, many.one_call_per_second, CLASS_COLOURS[1]],
    ];
    const layout = (extra) => baseLayout(colours, { showlegend: false, margin: { l: 64, r: 12, t: 12, b: 52 }, ...extra });
    Plotly.react(
      this.root.querySelector("[data-role=throughput-chart]"),
      [
        {
          type: "bar",
          x: bars.map((b) => b[0]),
          y: bars.map((b) => b[1]),
          marker: { color: bars.map((b) => b[2]) },
          text: bars.map((b) => formatCount(b[1])),
          textposition: "auto",
          hovertemplate: "%{y:,.0f} answers per second<extra></extra>",
        },
      ],
      layout({ yaxis: { title: { text: "answers per second" }, gridcolor: colours.grid, rangemode: "tozero" } }),
      PLOT_CONFIG,
    );
    const waits = [
      ["1 question<br>alone", one.waits_ns],
      [`in a batch<br>of ${n}`, many.waits_ns],
    ];
    Plotly.react(
      this.root.querySelector("[data-role=wait-chart]"),
      [
        {
          type: "bar",
          x: waits.map((w) => w[0]),
          y: waits.map((w) => w[1] / 1e3),
          marker: { color: [CLASS_COLOURS[0], CLASS_COLOURS[1]] },
          text: waits.map((w) => formatDuration(w[1])),
          textposition: "auto",
          hovertemplate: "each answer waits %{text}<extra></extra>",
        },
      ],
      layout({ yaxis: { type: "log", title: { text: "wait, µs (log scale)" }, gridcolor: colours.grid } }),
      PLOT_CONFIG,
    );
  }

  // ---- 8-bit -------------------------------------------------------------------------------

  async shrink() {
    const { runId } = await this.ensureTrained();
    setStatus(this.root, "Rounding every weight to 8 bits and comparing…");
    const q = await postJson(`/api/runs/${runId}/quantize`, {});
    const original = q.size_bytes_float64;
    const rows = [
      ["64-bit numbers (as trained here)", q.size_bytes_float64],
      ["32-bit numbers (what a phone would usually get)", q.size_bytes_float32],
      ["8-bit numbers (the shrunk copy)", q.size_bytes_int8],
    ];
    this.root.querySelector("[data-role=size-rows]").replaceChildren(
      ...rows.map(([name, bytes]) => {
        const row = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = name;
        const size = document.createElement("td");
        size.dataset.label = "Size";
        size.textContent = `${formatCount(bytes)} bytes (${(bytes / 1024).toFixed(1)} KiB)`;
        const share = document.createElement("td");
        share.dataset.label = "Share of the original";
        share.textContent = bytes === original ? "the original" : `${formatPercent(bytes / original)} (1/${(original / bytes).toFixed(1)})`;
        row.append(th, size, share);
        return row;
      }),
    );
    const agree = Math.round(q.agreement * q.checked_inputs);
    this.root.querySelector("[data-role=agreement]").textContent =
      `The 8-bit copy gives the same answer as the original on ${formatPercent(q.agreement)} of ` +
      `${formatCount(q.checked_inputs)} held-out drawings (${formatCount(agree)} of them)` +
      (agree < q.checked_inputs ? "; the few that flip sit near the border between two digits." : ".");
    const faster = q.compute_ns_int8 < q.compute_ns_float64;
    this.root.querySelector("[data-role=shrink-times]").textContent =
      `Answering all ${formatCount(q.checked_inputs)} took ${formatDuration(q.compute_ns_float64)} for the original ` +
      `and ${formatDuration(q.compute_ns_int8)} for the 8-bit copy on this server. ` +
      (faster
        ? "Smaller numbers are quicker to move and multiply."
        : "Here the 8-bit copy is not quicker: this server's processor widens each 8-bit weight back " +
          "to a normal number before multiplying. Phones and inference chips multiply 8-bit numbers directly, " +
          "and that is where the speed comes from.") +
      ` (Weights fingerprint: original ${q.fingerprint}, 8-bit copy ${q.fingerprint_int8}.)`;
    this.root.querySelector("[data-role=shrink-result]").hidden = false;
    setStatus(
      this.root,
      `8-bit copy: ${formatPercent(q.size_bytes_int8 / original)} of the size, ${formatPercent(q.agreement)} of answers the same.`,
    );
    recordRun(this.lesson, {
      kind: "quantize",
      run_id: runId,
      size_bytes_float64: q.size_bytes_float64,
      size_bytes_int8: q.size_bytes_int8,
      agreement: q.agreement,
    });
  }

  // ---- the drawing grid ----------------------------------------------------------------------

  bindPad() {
    const pad = this.pad;
    let last = null;
    const cellAt = (event) => {
      const rect = pad.getBoundingClientRect();
      return [((event.clientX - rect.left) / rect.width) * SIDE, ((event.clientY - rect.top) / rect.height) * SIDE];
    };
    pad.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      event.preventDefault();
      pad.setPointerCapture(event.pointerId);
      pad.focus({ preventScroll: true });
      last = cellAt(event);
      this.ink(last, last);
    });
    pad.addEventListener("pointermove", (event) => {
      if (!last) return;
      const next = cellAt(event);
      this.ink(last, next);
      last = next;
    });
    const stop = () => {
      if (last) this.say("Drawn. Press Read it to ask the model.");
      last = null;
    };
    pad.addEventListener("pointerup", stop);
    pad.addEventListener("pointercancel", stop);
    pad.addEventListener("keydown", (event) => this.onKey(event));
    pad.addEventListener("focus", () => this.drawPad());
    pad.addEventListener("blur", () => this.drawPad());
  }

  // Ink the squares near the segment a -> b (in squares): full near the line, fading at the edge.
  ink(a, b) {
    for (let row = 0; row < SIDE; row += 1) {
      for (let col = 0; col < SIDE; col += 1) {
        const d = distanceToSegment(col + 0.5, row + 0.5, a[0], a[1], b[0], b[1]);
        const value = Math.min(1, Math.max(0, BRUSH + 0.5 - d));
        const i = row * SIDE + col;
        if (value > this.grid[i]) this.grid[i] = value;
      }
    }
    this.drawPad();
  }

  onKey(event) {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const c = this.cursor;
    const i = () => c.row * SIDE + c.col;
    if (moves[event.key]) {
      event.preventDefault();
      if (event.shiftKey) this.grid[i()] = 1;
      const [dr, dc] = moves[event.key];
      c.row = Math.min(SIDE - 1, Math.max(0, c.row + dr));
      c.col = Math.min(SIDE - 1, Math.max(0, c.col + dc));
      if (event.shiftKey) this.grid[i()] = 1;
    } else if (event.key === " " || event.key === "Spacebar") {
      event.preventDefault();
      this.grid[i()] = this.grid[i()] >= 0.5 ? 0 : 1;
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      this.grid[i()] = 0;
    } else {
      return;
    }
    this.drawPad();
    this.say(`Row ${c.row + 1}, column ${c.col + 1}: ${this.grid[i()] >= 0.5 ? "ink" : "blank"}.`);
  }

  say(text) {
    this.padSay.textContent = text;
  }

  clearPad() {
    this.grid.fill(0);
    this.example.value = "";
    this.root.querySelector("[data-role=read-result]").replaceChildren();
    this.drawPad();
    this.say("The grid is blank.");
  }

  drawExample() {
    const digit = this.example.value;
    if (digit === "") return;
    this.grid.fill(0);
    for (const stroke of EXAMPLES[digit]) {
      const points = strokePoints(stroke).map(([x, y]) => [x * SIDE, y * SIDE]);
      for (let k = 1; k < points.length; k += 1) this.inkQuietly(points[k - 1], points[k]);
    }
    this.drawPad();
    this.say(`An example ${digit} is drawn. Press Read it to ask the model.`);
  }

  inkQuietly(a, b) {
    const draw = this.drawPad;
    this.drawPad = () => {};
    this.ink(a, b);
    this.drawPad = draw;
  }

  drawPad() {
    const pad = this.pad;
    const ratio = window.devicePixelRatio || 1;
    const size = pad.clientWidth || 224;
    if (pad.width !== Math.round(size * ratio)) {
      pad.width = Math.round(size * ratio);
      pad.height = Math.round(size * ratio);
    }
    const ctx = pad.getContext("2d");
    const style = getComputedStyle(this.root);
    const paper = style.getPropertyValue("--bg").trim() || "#fff";
    const inkColour = style.getPropertyValue("--text").trim() || "#000";
    const gridColour = style.getPropertyValue("--grid").trim() || "#ddd";
    const cell = pad.width / SIDE;
    ctx.fillStyle = paper;
    ctx.fillRect(0, 0, pad.width, pad.height);
    ctx.fillStyle = inkColour;
    for (let i = 0; i < SIDE * SIDE; i += 1) {
      if (this.grid[i] <= 0) continue;
      ctx.globalAlpha = this.grid[i];
      ctx.fillRect((i % SIDE) * cell, Math.floor(i / SIDE) * cell, Math.ceil(cell), Math.ceil(cell));
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = gridColour;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let k = 1; k < SIDE; k += 1) {
      const at = Math.round(k * cell) + 0.5;
      ctx.moveTo(at, 0);
      ctx.lineTo(at, pad.height);
      ctx.moveTo(0, at);
      ctx.lineTo(pad.width, at);
    }
    ctx.stroke();
    if (document.activeElement === pad) {
      const focus = style.getPropertyValue("--focus").trim() || "#f2b600";
      ctx.strokeStyle = focus;
      ctx.lineWidth = Math.max(2, cell / 5);
      ctx.strokeRect(this.cursor.col * cell + 1, this.cursor.row * cell + 1, cell - 2, cell - 2);
    }
  }
}

export function mount(root) {
  return new HardwareWidget(root);
}

mountEvery("hardware", mount);
