// Shrinking to 8-bit "for a phone": the server rounds every weight of the trained model to
// an 8-bit number (no new training), then asks both models the same held-out drawings.

import { formatCount, formatDuration, formatNumber, formatPercent } from "../../lib/format.js";
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
export function agreementText(q) {
  const n = formatCount(q.checked_inputs);
  const same = Math.round(q.agreement * q.checked_inputs);
  if (same === q.checked_inputs) return `The 8-bit copy gives the same answer as the original on all ${n} held-out drawings.`;
  return (
    `The 8-bit copy gives the same answer as the original on ${formatCount(same)} of ${n} held-out drawings ` +
    `(${formatPercent(q.agreement)}); the few that flip sit near the border between two digits.`
  );
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
    setStatus(
      this.host.root,
      `8-bit copy: ${formatPercent(q.size_bytes_int8 / original)} of the size, ${formatPercent(q.agreement)} of answers the same.`,
    );
    recordRun(this.host.lesson, {
      kind: "quantize",
      run_id: runId,
      size_bytes_float64: q.size_bytes_float64,
      size_bytes_int8: q.size_bytes_int8,
      agreement: q.agreement,
    });
  }
}
