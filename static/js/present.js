// Presenter mode for meetings: large type, one idea per screen, arrow keys to page.
// Each "##" section of a lesson is a slide; a slide with a demo gets "s" to start it.
// Reachable from every page with the Present button or the "p" key; Escape leaves.
//
// A demo is too much for one projector screen, so in presenter mode its slide is paged in
// screens: first the demo itself (charts, counters, the ask form), then its secondary parts
// (settings, tables, the cost panel), each on a screen of its own. The widget keeps its DOM:
// the screen's name goes on it as data-screen, and present.css shows and lays out that
// screen's parts. Text slides are fitted to the screen: the largest type that fits, in one
// column or two.

import { SURFACE_SCALE, SURFACE_SCALE_DARK, themeColours, themeLayout } from "./lib/plot.js";

const PARAM = "present";

// The screens of each kind of demo, in paging order: name (present.css keys its rules on
// it), label (for the presenter's screen list), needs: a selector that must match inside
// the widget for the screen to have anything to show (the cost panel's parts come and go
// as the server answers), and opens: folded <details> that this screen shows opened.
const COSTS = [
  { name: "costs", label: "costs", needs: "[data-role=cost-form]", opens: "[data-role=cost-form] details" },
  { name: "receipt", label: "receipt", needs: "[data-role=costs] .receipt", opens: ".cost-details" },
  { name: "models", label: "real models", needs: "[data-role=costs] .scale-up", opens: ".cost-details" },
];
const DEMO = { name: "demo", label: "demo" };
const SCREENS = {
  "train-classifier": [DEMO, { name: "settings", label: "settings", needs: "[data-role=controls]", opens: "details.settings" }, ...COSTS],
  "query-model": [DEMO, { name: "api", label: "the API", needs: ".qm-api" }, ...COSTS],
  "break-even": [DEMO, ...COSTS],
  scaling: [DEMO, { name: "diverge", label: "too high", needs: ".diverge" }, { name: "resource", label: "the table", needs: ".resource" }, ...COSTS],
  hardware: [DEMO, { name: "batch", label: "batching", needs: "[data-action=batch]" }, { name: "shrink", label: "8-bit", needs: "[data-action=shrink]" }, ...COSTS],
  "world-shift": [DEMO, { name: "compare", label: "compare", needs: ".ws-compare" }, ...COSTS],
  "next-word": [
    DEMO,
    { name: "samples", label: "what it learned", needs: ".nw-history" },
    { name: "write", label: "keep writing", needs: "[data-role=continue-form]" },
    ...COSTS,
  ],
  "serve-users": [DEMO, { name: "who", label: "who pays", needs: ".su-who" }, ...COSTS],
  "blind-spot": [DEMO, ...COSTS],
  recap: [DEMO, ...COSTS],
};

// Paged screens show some of a list's items each, marked for present.css: the quiz one
// question at a time, a long recap six lessons at a time.
const CURRENT = "presentCurrent";
const RECAP_PAGE = 6;

function pages(items, size, name, label) {
  const out = [];
  for (let i = 0; i < items.length; i += size) {
    const page = items.slice(i, i + size);
    out.push({ name, label: label(i, page.length), current: page });
  }
  return out;
}

function screensOf(widget) {
  if (!widget) return [];
  if (widget.dataset.widget === "quiz") {
    return pages([...widget.querySelectorAll("form.question")], 1, "question", (i) => `question ${i + 1}`);
  }
  const screens = (SCREENS[widget.dataset.widget] || [DEMO]).filter((screen) => !screen.needs || widget.querySelector(screen.needs));
  const lessons = [...widget.querySelectorAll(".by-lesson > li")];
  if (widget.dataset.widget === "recap" && lessons.length > RECAP_PAGE) {
    const runs = pages(lessons, RECAP_PAGE, "runs", (i, n) => `lessons ${i + 1} to ${i + n}`);
    return [...runs, ...screens.slice(1)];
  }
  return screens;
}

function slides() {
  return [...document.querySelectorAll("article [data-slide], main > [data-slide]")];
}

function buildSlides() {
  const article = document.querySelector("article.lesson") || document.querySelector("main");
  if (!article || article.dataset.slides) return;
  article.dataset.slides = "built";
  let slide = null;
  let number = 0;
  for (const node of [...article.children]) {
    if (!slide || node.tagName === "H2" || node.classList.contains("widget")) {
      slide = document.createElement("div");
      slide.dataset.slide = String(++number);
      node.before(slide);
    }
    slide.append(node);
    // A demo is a slide of its own: what follows it starts a new one.
    if (node.classList.contains("widget")) slide = null;
  }
}

function widgetOf(slide) {
  return slide ? slide.querySelector(":scope > [data-widget]") : null;
}

function current() {
  return Number(document.body.dataset.currentSlide || 0);
}

function currentScreen() {
  return Number(document.body.dataset.currentScreen || 0);
}

// screen: an index into the slide's screens, or "last" (paging backwards into a demo).
function show(index, screen = 0) {
  const all = slides();
  const target = Math.max(0, Math.min(all.length - 1, index));
  all.forEach((slide, i) => {
    slide.hidden = i !== target;
  });
  document.body.dataset.currentSlide = String(target);
  const counter = document.querySelector("[data-role=slide-counter]");
  if (counter) counter.textContent = `${target + 1} / ${all.length}`;
  const slide = all[target];
  const widget = widgetOf(slide);
  showScreen(widget, screen === "last" ? screensOf(widget).length - 1 : screen);
  if (slide && !widget) fitText(slide);
  const heading = slide?.querySelector("h1, h2, h3");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function showScreen(widget, index) {
  markScreen(widget, index);
  // The charts on this screen were drawn at another size, or hidden: fit them to it now.
  if (widget) requestAnimationFrame(() => refreshCharts(widget));
}

// Puts the screen's name on the widget, lists the screens, marks a paged screen's items.
function markScreen(widget, index) {
  const screens = screensOf(widget);
  const at = Math.max(0, Math.min(screens.length - 1, index));
  document.body.dataset.currentScreen = String(at);
  listScreens(screens, at);
  if (!widget) return unwatch();
  const screen = screens[at];
  widget.dataset.screen = screen.name;
  unfold(widget, screen);
  for (const item of widget.querySelectorAll("[data-present-current]")) delete item.dataset[CURRENT];
  for (const item of screen.current || []) item.dataset[CURRENT] = "";
  watch(widget);
}

// A widget changes its parts as it runs: the cost panel swaps in the server's answer (a
// screen may appear, the details this screen opened are new and folded), the recap
// redraws its list. The current screen is shown again, as it now is, after each change.
let watcher = null;
let watched = null;
let changed = null;

function watch(widget) {
  if (watched === widget) return;
  unwatch();
  watched = widget;
  watcher = new MutationObserver((records) => {
    if (!records.some((record) => [...record.addedNodes].some((node) => node.nodeType === Node.ELEMENT_NODE))) return;
    cancelAnimationFrame(changed);
    changed = requestAnimationFrame(() => markScreen(widget, currentScreen()));
  });
  watcher.observe(widget, { childList: true, subtree: true });
}

function unwatch() {
  if (watcher) watcher.disconnect();
  watcher = watched = null;
}

// Opens the details this screen shows, and folds again the ones opened for another screen.
function unfold(widget, screen) {
  for (const details of widget.querySelectorAll("details[data-present-opened]")) {
    details.open = false;
    delete details.dataset.presentOpened;
  }
  if (!screen.opens) return;
  for (const details of widget.querySelectorAll(screen.opens)) {
    if (details.open) continue;
    details.open = true;
    details.dataset.presentOpened = "";
  }
}

// The presenter's list of the demo's screens, beside the slide counter: the current one's
// name, then one small numbered button per screen (named for a screen reader and on hover).
function listScreens(screens, at) {
  const tools = document.querySelector(".header-tools");
  if (!tools) return;
  let list = tools.querySelector("[data-role=slide-screens]");
  if (!list) {
    list = document.createElement("span");
    list.className = "present-screens";
    list.dataset.role = "slide-screens";
    tools.prepend(list);
  }
  const many = screens.length > 1;
  const name = document.createElement("span");
  name.className = "present-screen-name";
  name.textContent = many ? screens[at].label : "";
  const buttons = document.createElement("span");
  buttons.setAttribute("role", "group");
  buttons.setAttribute("aria-label", "Screens of this demo");
  buttons.replaceChildren(
    ...(many ? screens : []).map((screen, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = String(i + 1);
      button.title = screen.label;
      button.setAttribute("aria-label", `screen ${i + 1}: ${screen.label}`);
      if (i === at) button.setAttribute("aria-current", "step");
      button.addEventListener("click", () => showScreen(widgetOf(slides()[current()]), i));
      return button;
    }),
  );
  list.replaceChildren(...(many ? [name, buttons] : []));
  // The slide's title keeps clear of these tools, which float over its top right corner.
  document.body.style.setProperty("--present-tools", `${tools.closest(".site-header")?.offsetWidth || 0}px`);
}

// ---- text slides: the largest type that fits, in one column or two ---------------------

// Each step is one present.css rule ([data-fit="n"]); the first that fits the screen is kept.
const FIT_STEPS = 6;

function fitText(slide) {
  for (let step = 0; step < FIT_STEPS; step++) {
    slide.dataset.fit = String(step);
    if (slide.scrollHeight <= window.innerHeight) return;
  }
}

// ---- charts: the presenter's theme and type, at the size of their screen ----------------

function refreshCharts(root) {
  const Plotly = globalThis.Plotly;
  if (!Plotly || !root) return;
  const colours = themeColours();
  const target = themeLayout(colours);
  const scale = colours.dark ? SURFACE_SCALE_DARK : SURFACE_SCALE;
  for (const chart of root.querySelectorAll(".js-plotly-plot")) {
    if (!chart.offsetParent || !chart.layout) continue; // hidden: refreshed when shown
    const { font = {}, margin = {} } = chart.layout;
    if (font.size !== target["font.size"] || chart.layout.paper_bgcolor !== target.paper_bgcolor) {
      Plotly.relayout(chart, themeLayout(colours, margin, font.size || target["font.size"]));
      const heatmaps = chart.data.flatMap((trace, i) => (trace.type === "heatmap" ? [i] : []));
      if (heatmaps.length) Plotly.restyle(chart, { colorscale: [scale] }, heatmaps);
    }
    const drawn = chart._fullLayout || {};
    if (Math.abs((drawn.width || 0) - chart.clientWidth) > 1 || Math.abs((drawn.height || 0) - chart.clientHeight) > 1) {
      Plotly.Plots.resize(chart);
    }
  }
}

// ---- entering, leaving, paging -----------------------------------------------------------

function presentButtons(pressed) {
  for (const button of document.querySelectorAll("[data-action=present]")) {
    button.setAttribute("aria-pressed", String(pressed));
  }
}

export function enter() {
  buildSlides();
  document.body.classList.add("presenting");
  presentButtons(true);
  const url = new URL(window.location.href);
  url.searchParams.set(PARAM, "1");
  history.replaceState(null, "", url);
  show(current(), currentScreen());
}

export function leave() {
  unwatch();
  document.body.classList.remove("presenting");
  document.body.style.removeProperty("--present-tools");
  presentButtons(false);
  for (const slide of slides()) slide.hidden = false;
  // The page shows every part again: no screen, no current page, only the reader's own folds.
  for (const widget of document.querySelectorAll("[data-widget][data-screen]")) {
    unfold(widget, {});
    delete widget.dataset.screen;
    for (const item of widget.querySelectorAll("[data-present-current]")) delete item.dataset[CURRENT];
  }
  const list = document.querySelector("[data-role=slide-screens]");
  if (list) list.replaceChildren();
  const url = new URL(window.location.href);
  url.searchParams.delete(PARAM);
  history.replaceState(null, "", url);
  requestAnimationFrame(() => refreshCharts(document.querySelector("main")));
}

// "s" on a paged screen (a quiz question) submits what it shows; on any other screen it
// goes back to the demo's first and presses its start button, if that one is shown there
// (a recap already filled hides its "train one now").
function startDemo() {
  const widget = widgetOf(slides()[current()]);
  if (!widget) return;
  const page = screensOf(widget)[currentScreen()]?.current;
  if (page) {
    const submit = page[0].querySelector("button[type=submit]");
    if (submit && !submit.disabled) submit.click();
    return;
  }
  showScreen(widget, 0);
  const start = widget.querySelector("[data-action=start], [data-action=primary]");
  if (start && !start.disabled && start.getClientRects().length) start.click();
}

function nextPage(link) {
  if (link) window.location.href = `${link.getAttribute("href")}?${PARAM}=1`;
}

function forward() {
  const widget = widgetOf(slides()[current()]);
  if (currentScreen() < screensOf(widget).length - 1) showScreen(widget, currentScreen() + 1);
  else if (current() >= slides().length - 1) nextPage(document.querySelector("a[rel=next]"));
  else show(current() + 1);
}

function back() {
  const widget = widgetOf(slides()[current()]);
  if (currentScreen() > 0) showScreen(widget, currentScreen() - 1);
  else if (current() === 0) nextPage(document.querySelector("a[rel=prev]"));
  else show(current() - 1, "last");
}

document.addEventListener("keydown", (event) => {
  // Keys typed into a field are the field's; a choice or a slider keeps its arrows and
  // space, but "s", "p" and Escape still work there (pick an answer, then "s" checks it).
  const field = event.target.closest("input, select, textarea, [contenteditable]");
  const choice = field && field.matches("input[type=radio], input[type=checkbox], input[type=range]");
  if ((field && !choice) || event.altKey || event.ctrlKey || event.metaKey) return;
  if (choice && !["s", "p", "Escape"].includes(event.key)) return;
  const presenting = document.body.classList.contains("presenting");
  if (event.key === "p" && !presenting) return enter();
  if (!presenting) return;
  if (["ArrowRight", "PageDown", " "].includes(event.key)) {
    event.preventDefault();
    forward();
  } else if (["ArrowLeft", "PageUp"].includes(event.key)) {
    event.preventDefault();
    back();
  } else if (event.key === "Escape" || event.key === "p") {
    leave();
  } else if (event.key === "s") {
    startDemo();
  }
});

// A demo started from another of its screens (its settings) is watched on the first.
document.addEventListener("click", (event) => {
  if (!document.body.classList.contains("presenting") || currentScreen() === 0) return;
  const widget = event.target.closest("[data-widget]");
  if (widget && event.target.closest("[data-action=start]")) showScreen(widget, 0);
});

let resizing = null;
window.addEventListener("resize", () => {
  if (!document.body.classList.contains("presenting")) return;
  cancelAnimationFrame(resizing);
  resizing = requestAnimationFrame(() => {
    const slide = slides()[current()];
    if (slide && !widgetOf(slide)) fitText(slide);
  });
});

for (const button of document.querySelectorAll("[data-action=present]")) {
  button.addEventListener("click", () => (document.body.classList.contains("presenting") ? leave() : enter()));
}

if (new URLSearchParams(window.location.search).get(PARAM) === "1") enter();
