// Pure helpers for the home page's live demo, drawn as plain SVG and one small canvas so
// the home page never loads Plotly (half a megabyte) for one little curve. No DOM here:
// these turn numbers into path data and colours, and tests/js/home.test.js checks them.

// The top of the loss axis: the highest loss rounded up to two significant figures
// (0.8 -> 0.8, 0.7153 -> 0.72, 2.43 -> 2.5), so the first guesses fill the chart and the
// tick reads cleanly.
export function axisTop(highest) {
  if (!(highest > 0) || !Number.isFinite(highest)) return 1;
  const tenth = 10 ** Math.floor(Math.log10(highest)) / 10;
  return Number((Math.ceil(highest / tenth - 1e-9) * tenth).toPrecision(6));
}

// SVG path data for points [{step, loss}, …] on a chart of width × height: steps 0..steps
// run left to right, losses 0..top bottom to top. A missing or non-finite loss breaks the
// line there (a frame with no loss has nothing to draw), and a loss above top is clipped
// to the top edge rather than drawn off the chart.
export function curvePath(points, { width, height, steps, top }) {
  let path = "";
  let drawing = false;
  for (const { step, loss } of points) {
    if (typeof loss !== "number" || !Number.isFinite(loss)) {
      drawing = false;
      continue;
    }
    const x = (step / steps) * width;
    const y = height - (Math.min(loss, top) / top) * height;
    path += `${drawing ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`;
    drawing = true;
  }
  return path;
}

// "#c6dbef" -> [198, 219, 239]
function rgb(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// The colour of probability p (of the orange class) on a scale [[0, hex], [0.5, hex], [1, hex]]
// (lib/plot.js's SURFACE_SCALE), blended linearly between its stops, as [r, g, b].
export function scaleColour(scale, p) {
  const q = Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0.5));
  for (let i = 1; i < scale.length; i += 1) {
    const [hi, hiColour] = scale[i];
    if (q <= hi || i === scale.length - 1) {
      const [lo, loColour] = scale[i - 1];
      const t = hi > lo ? (q - lo) / (hi - lo) : 0;
      const a = rgb(loColour);
      const b = rgb(hiColour);
      return a.map((v, k) => Math.round(v + (b[k] - v) * t));
    }
  }
  return rgb(scale[0][1]);
}

// RGBA pixels for a surface z[y_index][x_index] (y increasing upwards, as the server sends
// it) in a canvas whose first row is the top: row r of the image is z[n - 1 - r].
export function surfacePixels(z, scale) {
  const n = z.length;
  const pixels = new Uint8ClampedArray(n * n * 4);
  for (let r = 0; r < n; r += 1) {
    const row = z[n - 1 - r];
    for (let c = 0; c < n; c += 1) {
      const [red, green, blue] = scaleColour(scale, row[c]);
      const at = (r * n + c) * 4;
      pixels[at] = red;
      pixels[at + 1] = green;
      pixels[at + 2] = blue;
      pixels[at + 3] = 255;
    }
  }
  return pixels;
}

// Which held-out dot to ask about: the first one, a dot the model never trained on. A run
// is a pure function of its spec, so every visitor is asked about the same dot.
export function questionDot(start) {
  const held = start && start.val;
  if (!held || !held.x || !held.x.length) return null;
  return { x: held.x[0], truth: held.y[0] };
}
