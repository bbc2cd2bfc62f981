// The blind-spot widget's map: the model's answer, a veil where the server says the data is
// missing, the training and held-out dots, red rings on the blind spot, the reader's
// questions. The trace order is fixed (the browser tests read charts by index).

import { askedTrace, dotsTrace, hollowTrace, mapLayout, pick, surfaceTrace } from "../../lib/map.js";
import { CLASS_COLOURS, PLOT_CONFIG, themeColours } from "../../lib/plot.js";

export const GRID = 25; // spots per side checked for "far from the data" (625 in one question batch)
export const TRACE = { surface: 0, far: 1, train0: 2, train1: 3, val: 4, gap: 5, asked: 6 };
export const NAMES = ["blue", "orange"];
const GAP_RING = "#d62728";

// Where the data is missing: the server's flags on a grid (far: {axis, z}), drawn as a
// smooth outline with a light veil, so the model's answer still shows through.
function farTrace(far, colours) {
  return {
    type: "contour",
    x: far.axis,
    y: far.axis,
    z: far.z,
    zmin: 0,
    zmax: 1,
    autocontour: false,
    contours: { start: 0.5, end: 0.5, size: 1, coloring: "fill", showlines: true },
    colorscale: [[0, "rgba(128,128,128,0)"], [1, colours.dark ? "rgba(220,220,220,0.22)" : "rgba(60,60,60,0.2)"]],
    line: { color: colours.text, width: 1.5, dash: "dot", smoothing: 1 },
    showscale: false,
    hoverinfo: "skip",
    name: "far from the training dots",
  };
}

// data: the model's `start` event; val: the first model's held-out dots; blind: their
// indices in the blind spot; asked: {x, y} of the questions; who: the model, for the label.
export function drawBlindSpotMap(element, { data, surface, val, blind, asked, far, who }) {
  const colours = themeColours();
  const traces = [
    surfaceTrace(data, colours, { z: surface }),
    farTrace(far, colours),
    dotsTrace(data.train, 0, colours, `${NAMES[0]} training dots`),
    dotsTrace(data.train, 1, colours, `${NAMES[1]} training dots`),
    hollowTrace(pick(val, val.y.map((_, i) => i)), "held-out dots", {
      size: 7,
      line: { color: val.y.map((c) => CLASS_COLOURS[c]), width: 1.5 },
    }),
    {
      ...pick(val, blind),
      type: "scatter",
      mode: "markers",
      name: "blind spot",
      marker: { symbol: "circle-open", color: GAP_RING, size: 14, line: { width: 2 } },
      hoverinfo: "skip",
    },
    askedTrace(asked, colours, { hoverinfo: "skip" }),
  ];
  Plotly.react(element, traces, mapLayout(colours, data.box), PLOT_CONFIG);
  const farSpots = far.z.flat().filter(Boolean).length;
  element.setAttribute(
    "aria-label",
    `Map of the pattern for the ${who}: ${data.train.x.length} training dots, ${val.x.length} held-out dots ` +
      `(${blind.length} of them in the blind spot, ringed), and ${farSpots} of ${GRID * GRID} checked spots far ` +
      "from every training dot (grey). The accuracies are in the table below.",
  );
}
