// The drawing grid's geometry, without the page: our own simple strokes for the example
// digits, and inking the squares near a pen's path. Pure functions, unit-tested.

export const SIDE = 16; // the server's drawing grid
export const BRUSH = 0.9; // half-width of the pen, in squares

// Our own simple strokes for the example digits, on a unit square (x right, y down).
// ["line", x0, y0, x1, y1] or ["arc", cx, cy, rx, ry, fromDegrees, toDegrees] (0 = right, 90 = top).
export const EXAMPLES = {
  0: [["arc", 0.5, 0.5, 0.24, 0.36, 0, 360]],
  1: [["line", 0.55, 0.14, 0.55, 0.86], ["line", 0.55, 0.14, 0.38, 0.32]],
  2: [["arc", 0.5, 0.35, 0.22, 0.2, -35, 170], ["line", 0.68, 0.47, 0.27, 0.86], ["line", 0.27, 0.86, 0.76, 0.86]],
  3: [["arc", 0.48, 0.32, 0.2, 0.18, -90, 160], ["arc", 0.48, 0.67, 0.23, 0.19, -160, 90]],
  4: [["line", 0.6, 0.14, 0.24, 0.62], ["line", 0.24, 0.62, 0.78, 0.62], ["line", 0.6, 0.14, 0.6, 0.86]],
  5: [["line", 0.72, 0.14, 0.34, 0.14], ["line", 0.34, 0.14, 0.31, 0.48], ["arc", 0.5, 0.65, 0.23, 0.21, -160, 145]],
  6: [["arc", 0.5, 0.66, 0.21, 0.2, 0, 360], ["arc", 0.68, 0.62, 0.38, 0.48, 100, 180]],
  7: [["line", 0.24, 0.14, 0.76, 0.14], ["line", 0.76, 0.14, 0.43, 0.86]],
  8: [["arc", 0.5, 0.31, 0.18, 0.17, 0, 360], ["arc", 0.5, 0.67, 0.22, 0.19, 0, 360]],
  9: [["arc", 0.5, 0.34, 0.21, 0.2, 0, 360], ["line", 0.71, 0.34, 0.66, 0.86]],
};

// A stroke as a polyline of points on the unit square.
export function strokePoints(stroke) {
  const [kind, ...n] = stroke;
  if (kind === "line") return [[n[0], n[1]], [n[2], n[3]]];
  const [cx, cy, rx, ry, from, to] = n;
  const count = Math.max(3, Math.round((Math.abs(to - from) / 360) * 32) + 1);
  return Array.from({ length: count }, (_, i) => {
    const angle = ((from + ((to - from) * i) / (count - 1)) * Math.PI) / 180;
    return [cx + rx * Math.cos(angle), cy - ry * Math.sin(angle)];
  });
}

export function distanceToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 > 0 ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / length2)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

// Inks the squares of grid (SIDE × SIDE, row by row, 0 to 1) near the segment a -> b, given
// in squares: full near the line, fading at the pen's edge. Ink only ever gets darker.
export function inkSegment(grid, a, b) {
  for (let row = 0; row < SIDE; row += 1) {
    for (let col = 0; col < SIDE; col += 1) {
      const d = distanceToSegment(col + 0.5, row + 0.5, a[0], a[1], b[0], b[1]);
      const value = Math.min(1, Math.max(0, BRUSH + 0.5 - d));
      const i = row * SIDE + col;
      if (value > grid[i]) grid[i] = value;
    }
  }
}

// Draws the example digit (0 to 9) on a blank grid.
export function drawExampleDigit(grid, digit) {
  grid.fill(0);
  for (const stroke of EXAMPLES[digit]) {
    const points = strokePoints(stroke).map(([x, y]) => [x * SIDE, y * SIDE]);
    for (let k = 1; k < points.length; k += 1) inkSegment(grid, points[k - 1], points[k]);
  }
}

// The grid as the server's `drawings` field wants it: SIDE rows of SIDE numbers, 3 decimals.
export function drawingRows(grid) {
  return Array.from({ length: SIDE }, (_, row) =>
    Array.from(grid.subarray(row * SIDE, (row + 1) * SIDE), (v) => Math.round(v * 1000) / 1000),
  );
}
