// Course navigation helpers on every page: marks lessons the reader has finished (kept in
// their browser), marks a lesson finished once they reach its end, and folds the list of
// lessons on a narrow screen.

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

// The same width at which app.css puts the lesson list above the text instead of beside it.
const ONE_COLUMN = "(max-width: 900px)";

// Above the text, the fifteen lessons' list filled a phone's first screen before the lesson's
// title: there it starts folded behind its summary, and beside the text it stays open. A
// reader's own toggle holds until the window crosses that width. app.css hides the list on a
// narrow screen until this has run (data-fitted), so it never shows open for a moment.
function foldLessonList() {
  const list = document.querySelector(".toc details");
  if (!list) return;
  const oneColumn = window.matchMedia(ONE_COLUMN);
  const fit = () => {
    list.open = !oneColumn.matches;
  };
  fit();
  list.dataset.fitted = "";
  oneColumn.addEventListener("change", fit);
}

foldLessonList();
showFinished();
watchForTheEnd();
