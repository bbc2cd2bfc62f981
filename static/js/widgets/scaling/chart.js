// The scaling widget's chart: one place along the bottom per finished run, in the order
// trained (the numbers match the table), with two lines over them: the compute time the run
// took (measured: its fastest timings, stretch by stretch, see timing.js; left scale) and
// the arithmetic it needed (counted from the model's shape; right scale). A run that
// diverged and was thrown away is a cross at the end.
//
// Both scales are logarithmic, because the runs grow by doublings, and they are lined up at
// the first run: had the time grown exactly as fast as the arithmetic, the two lines would
// lie on each other. Ticks are 1, 2 and 5 of each power of ten, each written with its unit
// ("20 ms", "50 MFLOP"), never a bare "2" or "5".

import { formatCount, formatDuration, formatFlops } from "../../lib/format.js";
import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../../lib/plot.js";

const WARN = "#c0392b";
const PAD = 0.15; // decades of space above the highest point and below the lowest
const MIN_SPAN = 1; // at least one decade shown, so there are always ticks to read
const EMPTY = { low: 1e7, high: 1e9 }; // 10 ms to 1 s in ns, before the first run

// A run's settings in words: "300 dots, 16 × 16 units, 200 steps".
export function describe(spec) {
  return `${formatCount(spec.n_samples)} dots, ${spec.hidden.join(" × ")} units, ${formatCount(spec.steps)} steps`;
}

// The tick values between low and high (both > 0): 1, 2 and 5 of each power of ten, or
// fewer per decade when the range spans many decades. Each is labelled by format(value).
export function logTicks(low, high, format) {
  const span = Math.log10(high / low);
  const steps = span <= 1.6 ? [1, 2, 5] : span <= 3.2 ? [1, 3] : [1];
  const tickvals = [];
  for (let power = Math.floor(Math.log10(low)); power <= Math.ceil(Math.log10(high)); power += 1) {
    for (const step of steps) {
      // Rounded to the digits it has, so 3 x 10^-2 is 0.03 and not 0.030000000000000002.
      const value = Number((step * 10 ** power).toPrecision(1));
      if (value >= low && value <= high) tickvals.push(value);
    }
  }
  return { tickvals, ticktext: tickvals.map(format) };
}

// The two scales' ranges (in powers of ten, as Plotly's log axes take them), lined up so a
// time t and an arithmetic f sit at the same height when f / t is the first run's ratio.
export function alignedRanges(times, flops) {
  if (!times.length) {
    return { time: [Math.log10(EMPTY.low), Math.log10(EMPTY.high)], flops: null, offset: null };
  }
  const offset = flops.length ? Math.log10(flops[0]) - Math.log10(times[0]) : 0;
  const heights = [...times.map(Math.log10), ...flops.map((f) => Math.log10(f) - offset)];
  let low = Math.min(...heights) - PAD;
  let high = Math.max(...heights) + PAD;
  if (high - low < MIN_SPAN) {
    const grow = (MIN_SPAN - (high - low)) / 2;
    low -= grow;
    high += grow;
  }
  return { time: [low, high], flops: flops.length ? [low + offset, high + offset] : null, offset };
}

function label(run, i) {
  return `${i + 1}. ${run.label}: ${describe(run.spec)}`;
}

function timeTrace(runs, rounds) {
  return {
    x: runs.map((_, i) => i + 1),
    y: runs.map((r) => r.timeNs),
    customdata: runs.map((r, i) => `${label(r, i)}<br>compute time ${formatDuration(r.timeNs)} (fastest of ${rounds} timings, stretch by stretch)`),
    mode: "lines+markers",
    name: "compute time (measured)",
    line: { color: CLASS_COLOURS[0], width: 2 },
    marker: { color: CLASS_COLOURS[0], size: 10 },
    hovertemplate: "%{customdata}<extra></extra>",
  };
}

function flopsTrace(runs) {
  return {
    x: runs.map((_, i) => i + 1),
    y: runs.map((r) => r.done.totals.flops),
    customdata: runs.map((r, i) => `${label(r, i)}<br>arithmetic ${formatFlops(r.done.totals.flops)} (counted)`),
    yaxis: "y2",
    mode: "lines+markers",
    name: "arithmetic (counted)",
    line: { color: CLASS_COLOURS[1], width: 2, dash: "dash" },
    marker: { color: CLASS_COLOURS[1], size: 10, symbol: "diamond" },
    hovertemplate: "%{customdata}<extra></extra>",
  };
}

function wastedTrace(wasted, at) {
  const t = wasted.data.totals;
  return {
    x: [at],
    y: [t.compute_ns],
    mode: "markers",
    name: "diverged run (thrown away)",
    marker: { color: WARN, size: 13, symbol: "x" },
    hovertemplate:
      `diverged at step ${formatCount(wasted.data.step)}: ${formatDuration(t.compute_ns)} of compute, ` +
      `${formatFlops(t.flops)}, thrown away<extra></extra>`,
  };
}

// A tick right at the top or bottom edge would be cut in half (or sit under the legend).
const EDGE = 0.04; // decades

function axisTicks(range, format) {
  return logTicks(10 ** (range[0] + EDGE), 10 ** (range[1] - EDGE), format);
}

// runs: [{label, spec, done, timeNs}] in order; wasted: the diverged attempts ({data}) or
// null; rounds: how many timings each run's time is the fastest of.
export function drawScalingChart(element, runs, wasted, rounds) {
  const colours = themeColours();
  const narrow = element.clientWidth < 520; // a phone: run numbers only, shorter titles
  const at = runs.length + 1; // where a diverged run goes: after the finished ones
  const times = runs.map((r) => r.timeNs);
  const flops = runs.map((r) => r.done.totals.flops);
  if (wasted) times.push(wasted.data.totals.compute_ns);
  const ranges = alignedRanges(times, flops);
  const traces = [timeTrace(runs, rounds), flopsTrace(runs)];
  if (wasted) traces.push(wastedTrace(wasted, at));
  const positions = runs.map((_, i) => i + 1).concat(wasted ? [at] : []);
  // On a wide screen each run's change under its number, word by word, so labels stay level.
  const names = runs
    .map((r, i) => (narrow ? `${i + 1}` : `${i + 1}<br>${r.label.replaceAll(" ", "<br>")}`))
    .concat(wasted ? ["✕"] : []);
  const timeAxis = {
    type: "log",
    range: ranges.time,
    ...axisTicks(ranges.time, formatDuration),
    // A phone's chart is too narrow for titles on both sides: the legend names the lines.
    title: { text: narrow ? "" : "compute time (measured)" },
    gridcolor: colours.grid,
  };
  const flopsAxis = {
    type: "log",
    overlaying: "y",
    side: "right",
    automargin: true,
    showgrid: false,
    title: { text: narrow ? "" : "arithmetic, FLOP (counted)" },
    ...(ranges.flops ? { range: ranges.flops, ...axisTicks(ranges.flops, formatFlops) } : { visible: false }),
  };
  Plotly.react(
    element,
    traces,
    baseLayout(colours, {
      margin: narrow ? { l: 48, r: 56, t: 24, b: 44 } : { l: 72, r: 80, t: 24, b: 72 },
      xaxis: {
        title: { text: narrow ? "run (as in the table)" : "run, in the order trained (numbered as in the table)" },
        range: [0.5, Math.max(positions.length, 1) + 0.5],
        tickvals: positions,
        ticktext: names,
        gridcolor: colours.grid,
        zeroline: false,
      },
      yaxis: timeAxis,
      yaxis2: flopsAxis,
    }),
    PLOT_CONFIG,
  );
}
