// The recap: what the reader did in earlier lessons, from the records kept in their browser.
// mode "runs" (lesson 12) tells it lesson by lesson in sentences (recap/story.js); mode
// "receipt" (lesson 13) adds the whole course up into one bill of training against
// answering (recap/receipt.js); the cost panel beneath prices all that training. A reader
// who arrives first here is pointed to lesson 1, or can train one small model on the spot.

import { CostPanel } from "../lib/costs.js";
import { forget, progress, recordAnswers, recordRun, trainedRun } from "../lib/progress.js";
import { formatCountOf } from "../lib/format.js";
import { ask, createRun, readRun } from "../lib/runs.js";
import { trainQuietly } from "../lib/stream.js";
import { mountEvery } from "../lib/mount.js";
import { element } from "../lib/widget.js";
import { courseTotals, panelCounters, receiptLines } from "./recap/receipt.js";
import { storyByLesson } from "./recap/story.js";

const QUESTIONS = 5;
const LOOKUPS_AT_ONCE = 4; // run specs fetched together, so a long history stays gentle

export class RecapWidget {
  constructor(root) {
    this.root = root;
    this.mode = root.dataset.mode === "receipt" ? "receipt" : "runs";
    this.preset = JSON.parse(root.dataset.preset);
    this.lessons = JSON.parse(root.dataset.lessons || "[]");
    this.specs = new Map(); // run id -> its spec (for the data it learned from), or null
    this.status = root.querySelector("[data-role=status]");
    if (this.mode === "receipt") {
      this.costs = new CostPanel(root, () => panelCounters(courseTotals(progress())));
      // A changed power assumption changes the receipt's energy lines too.
      this.watts = root.querySelector("[data-role=cost-form] [name=watts]");
      this.watts.addEventListener("input", () => this.showEnergy());
    }
    root.querySelector("[data-action=start]").addEventListener("click", () => this.trainNow());
    root.querySelector("[data-action=forget]").addEventListener("click", () => {
      forget();
      this.render();
    });
    this.render();
  }

  el(role) {
    return this.root.querySelector(`[data-role=${role}]`);
  }

  render() {
    const data = progress();
    const empty = data.runs.length === 0;
    this.el("empty").hidden = !empty;
    this.el("filled").hidden = empty;
    const estimates = this.root.querySelector("[data-role=cost-form]");
    if (estimates) {
      for (const part of [estimates, this.el("costs")]) part.hidden = empty;
    }
    if (empty) {
      this.status.textContent = "Nothing recorded in this browser yet.";
      return;
    }
    if (this.mode === "receipt") this.renderReceipt(data);
    else this.renderRuns(data);
  }

  // ---- lesson 12: lesson by lesson ----------------------------------------------------

  renderRuns(data) {
    const told = storyByLesson(data.runs, this.lessons, this.specs);
    const t = courseTotals(data);
    this.status.textContent =
      `From ${formatCountOf(told.length, "lesson")}: ${formatCountOf(t.runs, "training run")} and ` +
      `${formatCountOf(t.answers.count, "answer")}, kept in this browser.`;
    this.el("by-lesson").replaceChildren(...told.map((lesson) => this.lessonItem(lesson)));
    this.el("answers-total").textContent = t.answers.count
      ? `Across the course you asked your models ${formatCountOf(t.answers.count, "question")} in all.`
      : "You have not asked any model a question yet.";
    this.lookUpSpecs(data.runs);
  }

  lessonItem(lesson) {
    const heading = element("h3");
    if (lesson.slug) {
      const link = element("a");
      link.href = `/lessons/${lesson.slug}`;
      link.append(element("span", "lesson-number", `Lesson ${lesson.order}`), ` ${lesson.title}`);
      heading.append(link);
    } else {
      heading.textContent = lesson.title;
    }
    const item = element("li");
    item.append(heading, element("p", "", lesson.sentences.join(" ")));
    return item;
  }

  // What each run learned from (300 dots, 2,000 drawings) is in its spec, not its record:
  // ask the server once per run, then tell the story again. A run the server no longer
  // has is simply told without it.
  async lookUpSpecs(runs) {
    const ids = [...new Set(runs.filter((r) => r.run_id && r.flops > 0).map((r) => r.run_id))];
    const missing = ids.filter((id) => !this.specs.has(id));
    if (!missing.length || this.lookingUp) return;
    this.lookingUp = true;
    try {
      for (let i = 0; i < missing.length; i += LOOKUPS_AT_ONCE) {
        const batch = missing.slice(i, i + LOOKUPS_AT_ONCE);
        const found = await Promise.all(batch.map((id) => readRun(id).then((r) => r.spec, () => null)));
        batch.forEach((id, j) => this.specs.set(id, found[j]));
      }
    } finally {
      this.lookingUp = false;
    }
    this.render();
  }

  // ---- lesson 13: the receipt -----------------------------------------------------------

  renderReceipt(data) {
    const t = courseTotals(data);
    const lines = receiptLines(t, Number(this.watts.value));
    this.status.textContent =
      `The whole course so far: ${formatCountOf(t.runs, "training run")} against ${formatCountOf(t.answers.count, "answer")}.`;
    for (const [role, key] of [
      ["training-what", "trainingWhat"],
      ["training-arithmetic", "trainingArithmetic"],
      ["training-time", "trainingTime"],
      ["answering-what", "answeringWhat"],
      ["answering-arithmetic", "answeringArithmetic"],
      ["answering-time", "answeringTime"],
      ["ratio", "ratio"],
      ["catch-up", "catchUp"],
    ]) {
      this.el(role).textContent = lines[key];
    }
    this.el("catch-up").hidden = !lines.catchUp;
    this.showEnergy();
    this.costs.recalculate();
  }

  showEnergy() {
    const lines = receiptLines(courseTotals(progress()), Number(this.watts.value));
    this.el("training-energy").textContent = lines.trainingEnergy;
    this.el("answering-energy").textContent = lines.answeringEnergy;
  }

  // ---- a newcomer's first run --------------------------------------------------------------

  async trainNow() {
    const button = this.root.querySelector("[data-action=start]");
    button.disabled = true;
    this.status.textContent = "Training a small model on the server…";
    try {
      const run = await createRun({ ...this.preset, model: "mlp", pace: "instant" });
      const { done } = await trainQuietly(run.run_id);
      const asked = { queries: 0, infer_flops: 0, infer_compute_ns: 0 };
      for (let i = 0; i < QUESTIONS; i += 1) {
        const answer = await ask(run.run_id, { inputs: [[Math.cos(i) * 1.5, Math.sin(i)]] });
        recordAnswers(1, answer.flops, answer.compute_ns);
        asked.queries += 1;
        asked.infer_flops += answer.flops;
        asked.infer_compute_ns += answer.compute_ns;
      }
      // Recorded after the questions, so the story can say how many it answered.
      recordRun(document.body.dataset.lesson || "", {
        kind: "recap: small model",
        run_id: run.run_id,
        ...trainedRun(done),
        val_accuracy: done.final.val_accuracy,
        ...asked,
      });
      this.render();
    } catch (error) {
      this.status.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }
}

export function mount(root) {
  return new RecapWidget(root);
}

mountEvery("recap", mount);
