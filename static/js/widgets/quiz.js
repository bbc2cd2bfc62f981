// The quiz is server-checked through htmx; this only keeps the reader's score in their
// browser (for the recap pages) and says how many they have got right so far.

import { recordRun } from "../lib/progress.js";
import { mountEvery } from "../lib/mount.js";

export function mount(root) {
  const status = root.querySelector("[data-role=status]");
  const total = root.querySelectorAll("form.question").length;
  const results = new Map();
  root.addEventListener("htmx:afterSwap", (event) => {
    const verdict = event.target.querySelector(".verdict");
    if (!verdict) return;
    const form = event.target.closest("form.question");
    results.set(form, verdict.dataset.correct === "yes");
    const right = [...results.values()].filter(Boolean).length;
    status.textContent = `${right} of ${results.size} answered right so far (${total} in all).`;
    if (results.size === total) {
      recordRun(document.body.dataset.lesson || "", { kind: "quiz", right, total });
    }
  });
  return { results };
}

mountEvery("quiz", mount);
