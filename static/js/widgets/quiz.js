// The quiz is server-checked through htmx (each answer's feedback is a server-rendered
// fragment); this only keeps the reader's score in their browser (for the recap pages) and
// says how many they have got right so far.

import { recordRun } from "../lib/progress.js";
import { mountEvery } from "../lib/mount.js";

export class QuizWidget {
  constructor(root) {
    this.root = root;
    this.status = root.querySelector("[data-role=status]");
    this.total = root.querySelectorAll("form.question").length;
    this.results = new Map(); // form -> answered right
    root.addEventListener("htmx:afterSwap", (event) => this.onFeedback(event));
  }

  onFeedback(event) {
    const verdict = event.target.querySelector(".verdict");
    if (!verdict) return;
    this.results.set(event.target.closest("form.question"), verdict.dataset.correct === "yes");
    const right = [...this.results.values()].filter(Boolean).length;
    this.status.textContent = `${right} of ${this.results.size} answered right so far (${this.total} in all).`;
    if (this.results.size === this.total) {
      recordRun(document.body.dataset.lesson || "", { kind: "quiz", right, total: this.total });
    }
  }
}

export function mount(root) {
  return new QuizWidget(root);
}

mountEvery("quiz", mount);
