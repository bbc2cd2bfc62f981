// Course navigation helpers on every page: marks lessons the reader has finished (kept in
// their browser), and marks a lesson finished once they reach its end.

import { markFinished, progress } from "./lib/progress.js";

function showFinished() {
  const { lessons } = progress();
  for (const item of document.querySelectorAll("[data-slug]")) {
    const done = Boolean(lessons[item.dataset.slug]);
    item.classList.toggle("finished", done);
    const mark = item.querySelector("[data-role=finished]");
    if (mark) mark.hidden = !done;
  }
}

function watchForTheEnd() {
  const slug = document.body.dataset.lesson;
  const end = document.querySelector("[data-role=lesson-end]");
  if (!slug || !end || !("IntersectionObserver" in window)) return;
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      markFinished(slug);
      showFinished();
      observer.disconnect();
    }
  });
  observer.observe(end);
}

showFinished();
watchForTheEnd();
