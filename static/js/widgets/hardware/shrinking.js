// Shrinking to 8-bit "for a phone": the server rounds every weight of the trained model to
// an 8-bit number (no new training), then asks both models the same held-out drawings.

import { formatCount, formatDuration, formatNumber, formatPercent, formatShare } from "../../lib/format.js";
import { postJson } from "../../lib/http.js";
import { recordRun } from "../../lib/progress.js";
import { element, setStatus } from "../../lib/widget.js";
import { HardwarePart } from "./part.js";

function sizeRow([name, bytes], original) {
  const row = element("tr");
  const th = element("th", "", name);
  th.scope = "row";
  const size = element("td", "", `${formatCount(bytes)} bytes (${formatNumber(bytes / 1024)} KiB)`);
  size.dataset.label = "Size";
  const share = element(
    "td",
    "",
    bytes === original ? "the original" : `${formatPercent(bytes / original)} (1/${formatNumber(original / bytes, 2)})`,
  );
  share.dataset.label = "Share of the original";
  row.append(th, size, share);
  return row;
}

// How often the 8-bit copy agrees with the original, once, without repeating the count.
// The share never rounds 599 of 600 up to "100%" beside a count that says otherwise.
export function agreementText(q) {
  const n = formatCount(q.checked_inputs);
  const same = sameAnswers(q);
  if (same === q.checked_inputs) return `The 8-bit copy gives the same answer as the original on all ${n} held-out drawings.`;
  return (
    `The 8-bit copy gives the same answer as the original on ${formatCount(same)} of ${n} held-out drawings ` +
    `(${formatShare(same, q.checked_inputs)}); the few that flip sit near the border between two digits.`
  );
}

// How many of the checked drawings got the same answer (the server sends the share).
function sameAnswers(q) {
  return Math.round(q.agreement * q.checked_inputs);
}

// The status line: the size and the agreement, each in the fewest honest words.
export function shrinkStatus(q) {
  const same = sameAnswers(q);
  const agree = same === q.checked_inputs ? "every answer the same" : `${formatShare(same, q.checked_inputs)} of answers the same`;
  return `8-bit copy: ${formatPercent(q.size_bytes_int8 / q.size_bytes_float64)} of the size, ${agree}.`;
}

function timesText(q) {
  const faster = q.compute_ns_int8 < q.compute_ns_float64;
  return (
    `Answering all ${formatCount(q.checked_inputs)} took ${formatDuration(q.compute_ns_float64)} for the original ` +
    `and ${formatDuration(q.compute_ns_int8)} for the 8-bit copy on this server. ` +
    (faster
      ? "Smaller numbers are quicker to move and multiply."
      : "Here the 8-bit copy is not quicker: this server's processor widens each 8-bit weight back " +
        "to a normal number before multiplying. Phones and inference chips multiply 8-bit numbers directly, " +
        "and that is where the speed comes from.") +
    ` (Weights fingerprint: original ${q.fingerprint}, 8-bit copy ${q.fingerprint_int8}.)`
  );
}

export class ShrinkDemo extends HardwarePart {
  async run() {
    const { runId } = await this.host.ensureTrained();
    setStatus(this.host.root, "Rounding every weight to 8 bits and comparing…");
    const q = await postJson(`/api/runs/${runId}/quantize`, {});
    const original = q.size_bytes_float64;
    const rows = [
      ["64-bit numbers (as trained here)", q.size_bytes_float64],
      ["32-bit numbers (what a phone would usually get)", q.size_bytes_float32],
      ["8-bit numbers (the shrunk copy)", q.size_bytes_int8],
    ];
    this.el("size-rows").replaceChildren(...rows.map((row) => sizeRow(row, original)));
    this.el("agreement").textContent = agreementText(q);
    this.el("shrink-times").textContent = timesText(q);
    this.el("shrink-result").hidden = false;
    setStatus(this.host.root, shrinkStatus(q));
    recordRun(this.host.lesson, {
      kind: "quantize",
      run_id: runId,
      size_bytes_float64: q.size_bytes_float64,
      size_bytes_int8: q.size_bytes_int8,
      agreement: q.agreement,
    });
  }
}
