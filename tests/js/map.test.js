import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  askedTrace,
  classPoints,
  dotsTrace,
  hollowTrace,
  mapLayout,
  mapPoint,
  ofClass,
  onMapTap,
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
    assert.equal(layout.xaxis.automargin, false); // automargin would unfix the square scale
    assert.equal(layout.dragmode, false); // a finger on the map scrolls the page
    assert.equal(layout.hovermode, false);
    assert.equal(layout.showlegend, false);
  });
});

// A drawn map: its plot area (Plotly's .nsewdrag) at left 100, top 50, 200 x 100 px on the
// screen, its axes' ranges as Plotly keeps them in element.layout, and listeners that a test
// fires by hand. Its document keeps listeners too (a press ends there).
function fakeMap({ x = [-2, 2], y = [-2, 2] } = {}) {
  const listeners = (owner) => {
    owner.handlers = {};
    owner.addEventListener = (type, f) => (owner.handlers[type] ||= new Set()).add(f);
    owner.removeEventListener = (type, f) => owner.handlers[type]?.delete(f);
    owner.fire = (type, event) => [...(owner.handlers[type] || [])].forEach((f) => f(event));
    return owner;
  };
  const area = { getBoundingClientRect: () => ({ left: 100, top: 50, width: 200, height: 100 }) };
  return listeners({
    layout: { xaxis: { range: x }, yaxis: { range: y } },
    ownerDocument: listeners({}),
    querySelector: (selector) => (selector === ".nsewdrag" ? area : null),
  });
}

const press = (clientX, clientY, extra = {}) => ({ pointerId: 1, isPrimary: true, button: 0, clientX, clientY, ...extra });

describe("mapPoint", () => {
  it("maps a screen point on the plot area to data coordinates, y upwards", () => {
    const map = fakeMap();
    assert.deepEqual(mapPoint(map, 150, 75), [-1, 1]);
    assert.deepEqual(mapPoint(map, 300, 150), [2, -2]);
  });

  it("reads the axes' ranges as drawn, not a box of its own", () => {
    assert.deepEqual(mapPoint(fakeMap({ x: [0, 4], y: [10, 20] }), 150, 75), [1, 17.5]);
  });

  it("ignores a point outside the area, without coordinates, or before Plotly drew", () => {
    const map = fakeMap();
    assert.equal(mapPoint(map, 99, 75), null);
    assert.equal(mapPoint(map, 150, 151), null);
    assert.equal(mapPoint(map, undefined, undefined), null); // a touch's synthesized click
    assert.equal(mapPoint({ ...map, layout: {} }, 150, 75), null);
    assert.equal(mapPoint({ ...map, querySelector: () => null }, 150, 75), null);
  });
});

describe("onMapTap", () => {
  const tapped = (map) => {
    const asked = [];
    const stop = onMapTap(map, (point) => asked.push(point));
    return { asked, stop };
  };

  for (const pointerType of ["touch", "mouse", "pen"]) {
    it(`asks once about the spot of a ${pointerType} tap, its end heard on the document`, () => {
      const map = fakeMap();
      const { asked } = tapped(map);
      map.fire("pointerdown", press(150, 75, { pointerType }));
      map.fire("click", { clientX: 0, clientY: 0 }); // Plotly's click from a touch: ignored
      map.ownerDocument.fire("pointerup", press(152, 75, { pointerType }));
      map.ownerDocument.fire("pointerup", press(152, 75, { pointerType })); // no press: nothing
      assert.deepEqual(asked, [[-0.96, 1]]);
    });
  }

  it("asks nothing for a drag, a scroll, another finger or the other button", () => {
    const map = fakeMap();
    const { asked } = tapped(map);
    map.fire("pointerdown", press(150, 75));
    map.ownerDocument.fire("pointerup", press(170, 75)); // moved 20 px: a drag
    map.fire("pointerdown", press(150, 75));
    map.ownerDocument.fire("pointercancel", press(150, 75)); // the browser scrolled instead
    map.ownerDocument.fire("pointerup", press(150, 75));
    map.fire("pointerdown", press(150, 75, { isPrimary: false, pointerId: 2 }));
    map.ownerDocument.fire("pointerup", press(150, 75, { isPrimary: false, pointerId: 2 }));
    map.fire("pointerdown", press(150, 75, { button: 2 }));
    map.ownerDocument.fire("pointerup", press(150, 75, { button: 2 }));
    assert.deepEqual(asked, []);
  });

  it("asks nothing when the press ends off the plot area, and stops listening when told", () => {
    const map = fakeMap();
    const { asked, stop } = tapped(map);
    map.fire("pointerdown", press(100, 50));
    map.ownerDocument.fire("pointerup", press(96, 50));
    assert.deepEqual(asked, []);
    map.fire("pointerdown", press(150, 75));
    stop();
    map.ownerDocument.fire("pointerup", press(150, 75));
    map.fire("pointerdown", press(150, 75));
    map.ownerDocument.fire("pointerup", press(150, 75));
    assert.deepEqual(asked, []);
    assert.equal(map.ownerDocument.handlers.pointerup.size, 0);
  });
});
