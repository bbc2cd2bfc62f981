// The scaling widget's chart: measured compute time against counted arithmetic, one
// numbered point per finished run (the numbers match the table), and a cross for a run that
// diverged and was thrown away. Both axes are logarithmic.

import { formatCount } from "../../lib/format.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../../lib/plot.js";

const WARN = "#c0392b";

// A run's settings in words: "300 dots, 16 × 16 units, 200 steps".
export function describe(spec) {
  return `${formatCount(spec.n_samples)} dots, ${spec.hidden.join(" × ")} units, ${formatCount(spec.steps)} steps`;
}

function runsTrace(runs, colours) {
  return {
    x: runs.map((r) => r.done.totals.flops),
    y: runs.map((r) => r.done.totals.compute_ns / 1e6),
    text: runs.map((_, i) => `${i + 1}`), // the run's number in the table below
    customdata: runs.map((r, i) => `${i + 1}. ${r.label}: ${describe(r.spec)}`),
    mode: "lines+markers+text",
    // Alternate above and below, so neighbouring labels do not sit on each other.
    textposition: runs.map((_, i) => (i % 2 ? "bottom center" : "top center")),
    name: "finished runs",
    line: { color: CLASS_COLOURS[0], width: 1, dash: "dot" },
    marker: { color: CLASS_COLOURS[0], size: 10 },
    textfont: { color: colours.text, size: 13 },
    cliponaxis: false,
    hovertemplate: "%{customdata}<br>%{x:.3s} FLOP, %{y:.3g} ms<extra></extra>",
  };
}

function wastedTrace(wasted, colours) {
  const t = wasted.data.totals;
  return {
    x: [t.flops],
    y: [t.compute_ns / 1e6],
    text: ["diverged"],
    mode: "markers+text",
    textposition: "top center",
    name: "diverged run (thrown away)",
    marker: { color: WARN, size: 12, symbol: "x" },
    textfont: { color: colours.text, size: 12 },
    cliponaxis: false,
    hovertemplate: `diverged at step ${formatCount(wasted.data.step)}<br>%{x:.3s} FLOP, %{y:.3g} ms<extra></extra>`,
  };
}

// runs: [{label, spec, done}] in order; wasted: the diverged attempts ({data}) or null.
export function drawScalingChart(element, runs, wasted) {
  const colours = themeColours();
  const narrow = element.clientWidth < 520; // a phone: no legend, shorter titles
  const traces = [runsTrace(runs, colours)];
  if (wasted) traces.push(wastedTrace(wasted, colours));
  Plotly.react(
    element,
    traces,
    baseLayout(colours, {
      margin: narrow ? { l: 48, r: 12, t: 24, b: 44 } : { l: 60, r: 24, t: 24, b: 84 },
      showlegend: !narrow,
      xaxis: { type: "log", title: { text: narrow ? "FLOP (counted)" : "arithmetic, FLOP (counted)" }, gridcolor: colours.grid },
      yaxis: { type: "log", title: { text: narrow ? "time, ms" : "compute time, ms (measured)" }, gridcolor: colours.grid },
      legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top" },
    }),
    PLOT_CONFIG,
  );
}
