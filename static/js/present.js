// Presenter mode for meetings: large type, one idea per screen, arrow keys to page.
// Each "##" section of a lesson is a slide; a slide with a demo gets "s" to start it.
// Reachable from every page with the Present button or the "p" key; Escape leaves.

const PARAM = "present";

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

function show(index) {
  const all = slides();
  const target = Math.max(0, Math.min(all.length - 1, index));
  all.forEach((slide, i) => {
    slide.hidden = i !== target;
  });
  document.body.dataset.currentSlide = String(target);
  const counter = document.querySelector("[data-role=slide-counter]");
  if (counter) counter.textContent = `${target + 1} / ${all.length}`;
  const heading = all[target]?.querySelector("h1, h2, h3");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function current() {
  return Number(document.body.dataset.currentSlide || 0);
}

export function enter() {
  buildSlides();
  document.body.classList.add("presenting");
  const url = new URL(window.location.href);
  url.searchParams.set(PARAM, "1");
  history.replaceState(null, "", url);
  show(current());
}

export function leave() {
  document.body.classList.remove("presenting");
  for (const slide of slides()) slide.hidden = false;
  const url = new URL(window.location.href);
  url.searchParams.delete(PARAM);
  history.replaceState(null, "", url);
}

function startDemo() {
  const slide = slides()[current()];
  const start = slide && slide.querySelector("[data-action=start], [data-action=primary]");
  if (start && !start.disabled) start.click();
}

function nextPage(link) {
  if (link) window.location.href = `${link.getAttribute("href")}?${PARAM}=1`;
}

document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("input, select, textarea, [contenteditable]");
  if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
  const presenting = document.body.classList.contains("presenting");
  if (event.key === "p" && !presenting) return enter();
  if (!presenting) return;
  const count = slides().length;
  if (["ArrowRight", "PageDown", " "].includes(event.key)) {
    event.preventDefault();
    if (current() >= count - 1) nextPage(document.querySelector("a[rel=next]"));
    else show(current() + 1);
  } else if (["ArrowLeft", "PageUp"].includes(event.key)) {
    event.preventDefault();
    if (current() === 0) nextPage(document.querySelector("a[rel=prev]"));
    else show(current() - 1);
  } else if (event.key === "Escape" || event.key === "p") {
    leave();
  } else if (event.key === "s") {
    startDemo();
  }
});

for (const button of document.querySelectorAll("[data-action=present]")) {
  button.addEventListener("click", () => (document.body.classList.contains("presenting") ? leave() : enter()));
}

if (new URLSearchParams(window.location.search).get(PARAM) === "1") enter();
