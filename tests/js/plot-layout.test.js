import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { baseLayout, wrapTitle } from "../../static/js/lib/plot.js";

const COLOURS = { dark: false, text: "#222", grid: "#ddd", paper: "#fff" };

describe("wrapTitle", () => {
  it("breaks a long title before its last bracket on a narrow screen", () => {
    assert.equal(wrapTitle("training arithmetic, FLOP (log scale)", true), "training arithmetic, FLOP<br>(log scale)");
    assert.equal(wrapTitle("compute time, µs (log scale)", true), "compute time, µs<br>(log scale)");
  });

  it("or after its last comma, when it has no bracket", () => {
    assert.equal(wrapTitle("arithmetic per answer, counted", true), "arithmetic per answer,<br>counted");
  });

  it("leaves short titles, wide screens and titles with no place to break alone", () => {
    assert.equal(wrapTitle("number of answers", true), "number of answers");
    assert.equal(wrapTitle("training arithmetic, FLOP (log scale)", false), "training arithmetic, FLOP (log scale)");
    assert.equal(wrapTitle("averyveryverylongtitlewithnospaces", true), "averyveryverylongtitlewithnospaces");
    assert.equal(wrapTitle("already<br>on two lines, long enough", true), "already<br>on two lines, long enough");
  });
});

describe("baseLayout", () => {
  it("puts the legend in a row above the plot, clear of the x axis's title", () => {
    const legend = baseLayout(COLOURS, {}).legend;
    assert.equal(legend.orientation, "h");
    assert.equal(legend.yanchor, "bottom");
    assert.ok(legend.y >= 1);
  });

  it("lets each axis grow its margin, keeping a widget's own axis settings", () => {
    const layout = baseLayout(COLOURS, { xaxis: { type: "log", title: { text: "x" } }, yaxis: { automargin: false } });
    assert.equal(layout.xaxis.automargin, true);
    assert.equal(layout.xaxis.type, "log");
    assert.equal(layout.xaxis.title.text, "x");
    assert.equal(layout.yaxis.automargin, false); // a widget may still fix its margins
  });
});
