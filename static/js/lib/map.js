// The decision map shared by the classifier widgets: the model's answer as a shaded surface
// over the plane, the data's dots on top. The axis ranges are fixed (constrain "domain"), so
// a click on the plot area maps straight to data coordinates. Each widget picks its traces
// and their order (tests read charts by trace index).

import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, SURFACE_SCALE, SURFACE_SCALE_DARK, themeColours } from "./plot.js";

const EMPTY_BOX = [-2, 2]; // the presets' plane, shown before any run has sent its own box

// n evenly spaced values from lo to hi, both included: the surface's grid along each axis.
export function surfaceAxis([lo, hi], n) {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

// options.axis: extra settings for both axes; options.hovermode: "closest" unless given.
export function mapLayout(colours, box, { axis = {}, hovermode = "closest" } = {}) {
  return baseLayout(colours, {
    xaxis: { range: box, constrain: "domain", gridcolor: colours.grid, zeroline: false, ...axis },
    yaxis: { range: box, constrain: "domain", gridcolor: colours.grid, zeroline: false, scaleanchor: "x", ...axis },
    hovermode,
    showlegend: false, // the caption names the marks: more room for the map
    margin: { l: 32, r: 8, t: 8, b: 28 },
  });
}

export function drawEmptyMap(element, options, box = EMPTY_BOX) {
  Plotly.react(element, [], mapLayout(themeColours(), box, options), PLOT_CONFIG);
}

// The model's answer over the run's box (data is the run's `start` event). Without z, an
// even 0.5 everywhere: no answer yet. A clickable map says so on hover.
export function surfaceTrace(data, colours, { z = null, name = "model's answer", clickable = true } = {}) {
  const axis = surfaceAxis(data.box, data.surface_resolution);
  return {
    type: "heatmap",
    x: axis,
    y: axis,
    z: z || axis.map(() => axis.map(() => 0.5)),
    zmin: 0,
    zmax: 1,
    colorscale: colours.dark ? SURFACE_SCALE_DARK : SURFACE_SCALE,
    showscale: false,
    ...(clickable ? { hovertemplate: "x %{x:.2f}, y %{y:.2f}<extra>click to ask</extra>" } : { hoverinfo: "skip" }),
    name,
  };
}

// points: {x: [[x, y], …], y: [class, …]} as a run sends them; idx: which of them.
export function pick(points, idx) {
  return { x: idx.map((i) => points.x[i][0]), y: idx.map((i) => points.x[i][1]) };
}

export function ofClass(points, cls) {
  return points.y.map((c, i) => (c === cls ? i : -1)).filter((i) => i >= 0);
}

export function classPoints(points, cls) {
  return pick(points, ofClass(points, cls));
}

// The training dots of one class, in its colour.
export function dotsTrace(points, cls, colours, name) {
  return {
    ...classPoints(points, cls),
    type: "scatter",
    mode: "markers",
    name,
    marker: { color: CLASS_COLOURS[cls], size: 6, line: { color: colours.text, width: 0.5 } },
    hoverinfo: "skip",
  };
}

// Hollow dots (held-out data): for looking at, not learning from. line: the rings' colour and width.
export function hollowTrace(xy, name, { size, line }) {
  return {
    ...xy,
    type: "scatter",
    mode: "markers",
    name,
    marker: { color: "rgba(0,0,0,0)", size, line },
    hoverinfo: "skip",
  };
}

// The reader's questions as crosses; extra: further trace settings.
export function askedTrace(xy, colours, extra = {}) {
  return {
    ...xy,
    type: "scatter",
    mode: "markers",
    name: "your questions",
    marker: { symbol: "x", size: 11, color: colours.text },
    ...extra,
  };
}

// Where a click on the plot area falls, in data coordinates: [x, y], or null outside it.
// A click anywhere asks about that exact spot, not the nearest heatmap cell.
export function clickPoint(element, event, box) {
  const area = element.querySelector(".nsewdrag");
  if (!area || !box) return null;
  const rect = area.getBoundingClientRect();
  const fx = (event.clientX - rect.left) / rect.width;
  const fy = (event.clientY - rect.top) / rect.height;
  if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return null;
  const [lo, hi] = box;
  return [lo + fx * (hi - lo), hi - fy * (hi - lo)];
}
