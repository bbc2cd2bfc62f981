// Reading drawn digits: the reader draws on the pad (or picks an example), and the trained
// model is asked through the predict API. The answer: the digit, the three likeliest with
// their probabilities, and what the answer cost.

import { addAnswers } from "../../lib/counters.js";
import { formatCount, formatDuration, formatFlops, formatProbability } from "../../lib/format.js";
import { reasonOf } from "../../lib/http.js";
import { ask } from "../../lib/runs.js";
import { alertElement, element, setStatus } from "../../lib/widget.js";
import { DrawingPad } from "./drawing-pad.js";
import { drawingRows } from "./strokes.js";

// The three likeliest digits, with their bars.
function topThree(probabilities) {
  const top = probabilities
    .map((p, d) => [d, p])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3);
  const list = element("ul", "top3");
  list.setAttribute("aria-label", "The three likeliest digits");
  for (const [d, p] of top) {
    const bar = element("span", "bar");
    bar.style.width = `${Math.max(1, p * 100)}%`;
    const item = element("li");
    item.append(element("span", "bar-label", `${d}: ${formatProbability(p)}`), bar);
    list.append(item);
  }
  return { list, sure: top[0][1] };
}

export class DigitReader {
  // host: the hardware widget (root, queries, costs, ensureTrained()).
  constructor(host) {
    this.host = host;
    const root = host.root;
    this.result = root.querySelector("[data-role=read-result]");
    this.example = root.querySelector("[data-role=example]");
    const padSay = root.querySelector("[data-role=pad-say]");
    this.pad = new DrawingPad(root.querySelector("[data-role=pad]"), (text) => {
      padSay.textContent = text;
    });
    this.example.addEventListener("change", () => {
      if (this.example.value !== "") this.pad.drawExample(this.example.value);
    });
  }

  clear() {
    this.example.value = "";
    this.result.replaceChildren();
    this.pad.clear();
  }

  async read() {
    const drawing = drawingRows(this.pad.grid);
    const { runId } = await this.host.ensureTrained();
    let answer;
    try {
      answer = await ask(runId, { drawings: [drawing] });
    } catch (error) {
      this.result.replaceChildren(alertElement(reasonOf(error))); // the server's words: "The drawing is empty…"
      return;
    }
    const q = this.host.queries;
    addAnswers(q, 1, answer.flops, answer.compute_ns);
    const digit = answer.predictions[0];
    const heading = element("p", "digit-read", "The model reads ");
    const strong = element("strong", "", String(digit));
    strong.dataset.digit = String(digit);
    heading.append(strong, ".");
    const { list, sure } = topThree(answer.probabilities[0]);
    const cost = element(
      "p",
      "fine",
      `Answered in ${formatDuration(answer.compute_ns)} of compute and ${formatFlops(answer.flops)} ` +
        `(measured on this server; network time not included). Questions asked so far: ${formatCount(q.count)}.`,
    );
    this.result.replaceChildren(heading, list, cost);
    setStatus(this.host.root, `Read your drawing as ${digit}, ${formatProbability(sure)} sure.`);
    this.host.costs.recalculate();
  }
}
