// The decision map shared by the classifier widgets: the model's answer as a shaded surface
// over the plane, the data's dots on top. A tap, click or pen touch on the plot area asks
// about that spot (onMapTap); the axes' ranges turn the screen point into data coordinates.
// Each widget picks its traces and their order (tests read charts by trace index).

import { baseLayout, CLASS_COLOURS, PLOT_CONFIG, SURFACE_SCALE, SURFACE_SCALE_DARK, themeColours } from "./plot.js";

const EMPTY_BOX = [-2, 2]; // the presets' plane, shown before any run has sent its own box

// n evenly spaced values from lo to hi, both included: the surface's grid along each axis.
export function surfaceAxis([lo, hi], n) {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

// options.axis: extra settings for both axes; options.hovermode: "closest" unless given.
// The margins are fixed (automargin off): the map's tick labels are short, and Plotly's
// automargin fights the square scale (scaleanchor), stretching the map or unfixing its range.
export function mapLayout(colours, box, { axis = {}, hovermode = "closest" } = {}) {
  const fixed = { range: box, constrain: "domain", automargin: false, gridcolor: colours.grid, zeroline: false };
  return baseLayout(colours, {
    xaxis: { ...fixed, ...axis },
    yaxis: { ...fixed, scaleanchor: "x", ...axis },
    hovermode,
    // The map is for asking, not zooming: without a drag mode Plotly leaves touches alone, so
    // a finger sliding over the map scrolls the page instead of drawing a zoom box.
    dragmode: false,
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

// Where a screen point (clientX, clientY) falls on the plot area, in data coordinates:
// [x, y], or null outside it or before Plotly has drawn the map. It reads the axes' ranges as
// drawn (Plotly writes them back into element.layout), so it holds for any box, and asks
// about that exact spot, not the nearest heatmap cell.
export function mapPoint(element, clientX, clientY) {
  const area = element.querySelector(".nsewdrag");
  const xRange = element.layout?.xaxis?.range;
  const yRange = element.layout?.yaxis?.range;
  if (!area || !xRange || !yRange || !Number.isFinite(clientX) || !Number.isFinite(clientY)) return null;
  const rect = area.getBoundingClientRect();
  const fx = (clientX - rect.left) / rect.width;
  const fy = (clientY - rect.top) / rect.height;
  if (!(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1)) return null;
  const along = ([lo, hi], f) => lo + f * (hi - lo);
  return [along(xRange, fx), along(yRange, 1 - fy)];
}

// How far (CSS pixels) a press may move and still be a tap: Plotly's own limit for a click.
export const TAP_SLOP = 8;

// Calls ask([x, y]) once for each tap, click or pen touch on the map's plot area.
//
// Why pointer events, not "click": Plotly takes over the plot area's presses and re-sends a
// click of its own when a press ends. For a touch it builds that click from the touchend
// event, which has no coordinates, so the click arrives at (0, 0) and a tap asked nothing.
// Pointer events carry real coordinates for mouse, touch and pen alike, and a press gives
// exactly one pointerup, however many compatibility clicks the browser and Plotly send.
// The press starts on the map; its end is heard on the document, because Plotly covers the
// page with a layer while a mouse button is down. A press that moved, that the browser took
// for a scroll (pointercancel), a second finger, or a button other than the main one asks
// nothing. Returns a function that stops listening.
export function onMapTap(element, ask, { slop = TAP_SLOP } = {}) {
  const doc = element.ownerDocument;
  let press = null;
  const end = () => {
    press = null;
    doc.removeEventListener("pointerup", release);
    doc.removeEventListener("pointercancel", cancel);
  };
  const release = (event) => {
    if (!press || event.pointerId !== press.id) return;
    const moved = Math.hypot(event.clientX - press.x, event.clientY - press.y);
    end();
    if (moved > slop) return;
    const point = mapPoint(element, event.clientX, event.clientY);
    if (point) ask(point);
  };
  const cancel = (event) => {
    if (press && event.pointerId === press.id) end();
  };
  const down = (event) => {
    if (!event.isPrimary || event.button !== 0 || event.ctrlKey) return; // ctrl-click: the context menu
    end();
    press = { id: event.pointerId, x: event.clientX, y: event.clientY };
    doc.addEventListener("pointerup", release);
    doc.addEventListener("pointercancel", cancel);
  };
  element.addEventListener("pointerdown", down);
  return () => {
    end();
    element.removeEventListener("pointerdown", down);
  };
}
