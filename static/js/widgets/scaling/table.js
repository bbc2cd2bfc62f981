// The scaling widget's table of runs: one row per finished run, numbered as on the chart.
// Drawn whole each time, because adding a run times every run again (see timing.js).

import { formatCount, formatDuration, formatFlops, formatPercent } from "../../lib/format.js";

const COLUMNS = 7;

function emptyRow() {
  const row = document.createElement("tr");
  row.className = "empty";
  const cell = row.insertCell();
  cell.colSpan = COLUMNS;
  cell.textContent = "No runs yet: press a button above.";
  return row;
}

function runRow(run, i) {
  const t = run.done.totals;
  const row = document.createElement("tr");
  const cells = [
    ["Run", `${i + 1}. ${run.label}`],
    ["Data (dots)", formatCount(run.spec.n_samples)],
    ["Parameters", formatCount(run.done.n_parameters)],
    ["Steps", formatCount(t.steps)],
    ["Arithmetic (FLOPs)", formatFlops(t.flops)],
    ["Compute time", formatDuration(run.timeNs)],
    ["Held-out accuracy", formatPercent(run.done.final.val_accuracy)],
  ];
  for (const [label, text] of cells) {
    const cell = document.createElement(label === "Run" ? "th" : "td");
    if (label === "Run") cell.scope = "row";
    cell.dataset.label = label;
    cell.textContent = text;
    row.append(cell);
  }
  return row;
}

// tbody: the table's body; runs: [{label, spec, done, timeNs}] in order.
export function renderRuns(tbody, runs) {
  tbody.replaceChildren(...(runs.length ? runs.map(runRow) : [emptyRow()]));
}
