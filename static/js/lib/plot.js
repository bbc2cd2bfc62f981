// Shared Plotly settings: colours that survive colour-blindness and dark mode.

export const CLASS_COLOURS = ["#1f77b4", "#ff7f0e"]; // blue and orange
export const SURFACE_SCALE = [[0, "#c6dbef"], [0.5, "#f7f7f7"], [1, "#fdd0a2"]];
export const SURFACE_SCALE_DARK = [[0, "#16324f"], [0.5, "#2b2b2b"], [1, "#5a3510"]];
export const PLOT_CONFIG = { displayModeBar: false, responsive: true };
const FONT_SIZE = 13;

// Presenter mode (static/js/present.js) puts the class on <body>: charts then use its light
// projector theme (present.css sets the colours) and type sized for the back of a room.
export function presenting() {
  return typeof document !== "undefined" && Boolean(document.body?.classList.contains("presenting"));
}

// Chart type in presenter mode: three quarters of the slides' body type (present.css sizes
// the root font by the screen), so tick labels and legends read from the back of a room.
export function presenterFontSize() {
  return Math.round(0.75 * parseFloat(getComputedStyle(document.documentElement).fontSize));
}

// The part of a layout that follows presenter mode, as Plotly.relayout paths: present.js
// applies it to the charts already drawn when the mode is toggled, and baseLayout to every
// new one. margin: the chart's margins as drawn, at fontSize; they grow and shrink with the
// type, so larger labels keep their room (a map's margins are fixed: it keeps its scale).
export function themeLayout(colours = themeColours(), margin = null, fontSize = FONT_SIZE) {
  const size = presenting() ? presenterFontSize() : FONT_SIZE;
  const patch = {
    "font.size": size,
    "font.color": colours.text,
    paper_bgcolor: colours.paper,
    plot_bgcolor: colours.paper,
  };
  for (const [side, px] of Object.entries(margin || {})) {
    if (["l", "r", "t", "b"].includes(side)) patch[`margin.${side}`] = Math.round((px * size) / fontSize);
  }
  return patch;
}

export function themeColours() {
  const style = getComputedStyle(document.documentElement);
  const dark = !presenting() && window.matchMedia("(prefers-color-scheme: dark)").matches;
  return {
    dark,
    text: style.getPropertyValue("--text").trim() || (dark ? "#eee" : "#222"),
    grid: style.getPropertyValue("--grid").trim() || (dark ? "#444" : "#ddd"),
    paper: style.getPropertyValue("--panel").trim() || (dark ? "#1b1b1b" : "#fff"),
  };
}

// A phone's chart is about 330 px wide and its plot narrower still: an x-axis title longer
// than this many characters would run past the chart's edges (Plotly centres it and never
// wraps it), so on a narrow screen it takes two lines.
const LONG_TITLE = 24;
const NARROW_SCREEN = "(max-width: 480px)";

// text as one or two lines (Plotly's <br>): broken before its last "(" or after its last
// comma, when it is long and the screen is narrow.
export function wrapTitle(text, narrow) {
  if (!narrow || typeof text !== "string" || text.length <= LONG_TITLE || text.includes("<br>")) return text;
  const paren = text.lastIndexOf(" (");
  const at = paren > 0 ? paren : text.lastIndexOf(", ") + 1;
  if (at <= 0) return text;
  return `${text.slice(0, at).trimEnd()}<br>${text.slice(at).trimStart()}`;
}

function narrowTitle(axis) {
  const text = axis.title?.text;
  const narrow = typeof window !== "undefined" && Boolean(window.matchMedia?.(NARROW_SCREEN).matches);
  return text ? { ...axis, title: { ...axis.title, text: wrapTitle(text, narrow) } } : axis;
}

export function baseLayout(colours, extra) {
  const layout = {
    margin: { l: 48, r: 12, t: 12, b: 24 },
    paper_bgcolor: colours.paper,
    plot_bgcolor: colours.paper,
    font: { color: colours.text, size: FONT_SIZE },
    showlegend: true,
    // The legend sits in a row above the plot: below it, it met the x axis's title as soon
    // as a phone's narrow chart wrapped the ticks or the legend.
    legend: { orientation: "h", x: 0, xanchor: "left", y: 1, yanchor: "bottom" },
    ...extra,
    // Each axis grows the margin to fit its tick labels and title, so nothing is cut or
    // drawn over at 360 px; a widget's margins are the least it gets.
    xaxis: narrowTitle({ automargin: true, ...extra?.xaxis }),
    yaxis: { automargin: true, ...extra?.yaxis },
  };
  return presenting() ? withPaths(layout, themeLayout(colours, layout.margin)) : layout;
}

// layout with each dotted path of patch ("xaxis.automargin") set, as Plotly.relayout would.
function withPaths(layout, patch) {
  for (const [path, value] of Object.entries(patch)) {
    const keys = path.split(".");
    let node = layout;
    for (const key of keys.slice(0, -1)) node = node[key] = { ...(node[key] || {}) };
    node[keys.at(-1)] = value;
  }
  return layout;
}

// Coalesces redraws: the items pushed during one animation frame reach draw(items) together,
// so a fast stream never queues more drawing than the screen can show. (Batching on the
// server is another thing: this only spares the browser.) schedule: requestAnimationFrame
// by default.
export class RedrawQueue {
  constructor(draw, schedule = null) {
    this.draw = draw;
    this.schedule = schedule || ((callback) => globalThis.requestAnimationFrame(callback));
    this.pending = [];
    this.scheduled = false;
  }

  push(item) {
    this.pending.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  // Draws what is pending now (a stream's last event cannot wait for the next frame).
  flush() {
    this.scheduled = false;
    const items = this.pending;
    this.pending = [];
    if (items.length) this.draw(items);
  }

  // Drops what is pending; a frame already scheduled then draws nothing.
  clear() {
    this.pending = [];
  }
}
