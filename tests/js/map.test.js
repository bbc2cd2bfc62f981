import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  askedTrace,
  classPoints,
  clickPoint,
  dotsTrace,
  hollowTrace,
  mapLayout,
  ofClass,
  pick,
  surfaceAxis,
  surfaceTrace,
} from "../../static/js/lib/map.js";
import { CLASS_COLOURS, SURFACE_SCALE, SURFACE_SCALE_DARK } from "../../static/js/lib/plot.js";

const COLOURS = { dark: false, text: "#222", grid: "#ddd", paper: "#fff" };
const POINTS = { x: [[0, 1], [2, 3], [4, 5], [6, 7]], y: [0, 1, 1, 0] };

describe("the map's data", () => {
  it("spaces a surface axis evenly, both ends included", () => {
    assert.deepEqual(surfaceAxis([-2, 2], 5), [-2, -1, 0, 1, 2]);
    assert.equal(surfaceAxis([0, 1], 25).length, 25);
  });

  it("picks points by index and by class", () => {
    assert.deepEqual(pick(POINTS, [3, 1]), { x: [6, 2], y: [7, 3] });
    assert.deepEqual(ofClass(POINTS, 1), [1, 2]);
    assert.deepEqual(classPoints(POINTS, 0), { x: [0, 6], y: [1, 7] });
    assert.deepEqual(classPoints(POINTS, 5), { x: [], y: [] });
  });
});

describe("the traces", () => {
  it("shows an even 0.5 until the model has answered", () => {
    const trace = surfaceTrace({ box: [-2, 2], surface_resolution: 3 }, COLOURS);
    assert.equal(trace.type, "heatmap");
    assert.deepEqual(trace.x, [-2, 0, 2]);
    assert.deepEqual(trace.z, [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
    assert.equal(trace.colorscale, SURFACE_SCALE);
    assert.match(trace.hovertemplate, /click to ask/);
  });

  it("uses the model's answer, the dark scale, and no hover when not clickable", () => {
    const z = [[0, 1], [1, 0]];
    const trace = surfaceTrace({ box: [0, 1], surface_resolution: 2 }, { ...COLOURS, dark: true }, { z, clickable: false });
    assert.equal(trace.z, z);
    assert.equal(trace.colorscale, SURFACE_SCALE_DARK);
    assert.equal(trace.hoverinfo, "skip");
    assert.equal(trace.hovertemplate, undefined);
  });

  it("colours dots by class, rings held-out dots, crosses the questions", () => {
    const dots = dotsTrace(POINTS, 1, COLOURS, "orange dots");
    assert.deepEqual([dots.x, dots.y, dots.marker.color, dots.name], [[2, 4], [3, 5], CLASS_COLOURS[1], "orange dots"]);
    const hollow = hollowTrace({ x: [1], y: [2] }, "held-out", { size: 7, line: { width: 1 } });
    assert.equal(hollow.marker.color, "rgba(0,0,0,0)");
    assert.equal(hollow.marker.size, 7);
    const asked = askedTrace({ x: [0.5], y: [0.25] }, COLOURS, { hoverinfo: "skip" });
    assert.equal(asked.marker.symbol, "x");
    assert.equal(asked.hoverinfo, "skip");
  });

  it("fixes both axes to the run's box", () => {
    const layout = mapLayout(COLOURS, [-3, 3], { axis: { fixedrange: true }, hovermode: false });
    assert.deepEqual(layout.xaxis.range, [-3, 3]);
    assert.deepEqual(layout.yaxis.range, [-3, 3]);
    assert.equal(layout.yaxis.scaleanchor, "x");
    assert.equal(layout.xaxis.fixedrange, true);
    assert.equal(layout.hovermode, false);
    assert.equal(layout.showlegend, false);
  });
});

describe("clickPoint", () => {
  const plot = {
    querySelector: (selector) =>
      selector === ".nsewdrag" ? { getBoundingClientRect: () => ({ left: 100, top: 50, width: 200, height: 100 }) } : null,
  };

  it("maps a click on the plot area to data coordinates, y upwards", () => {
    assert.deepEqual(clickPoint(plot, { clientX: 150, clientY: 75 }, [-2, 2]), [-1, 1]);
    assert.deepEqual(clickPoint(plot, { clientX: 300, clientY: 150 }, [-2, 2]), [2, -2]);
  });

  it("ignores a click outside the area, or before a run has a box", () => {
    assert.equal(clickPoint(plot, { clientX: 99, clientY: 75 }, [-2, 2]), null);
    assert.equal(clickPoint(plot, { clientX: 150, clientY: 151 }, [-2, 2]), null);
    assert.equal(clickPoint(plot, { clientX: 150, clientY: 75 }, undefined), null);
    assert.equal(clickPoint({ querySelector: () => null }, { clientX: 150, clientY: 75 }, [-2, 2]), null);
  });
});
