// What the hardware widget says about its trained digit reader, from the run's `done` event.
// Kept apart from the widget so the words can be checked without a browser.

import { formatCount, formatDuration, formatFlops, formatShare } from "../../lib/format.js";

// The status line once trained. The share never rounds 599 of 600 up to "100%".
export function trainedStatus(done) {
  const t = done.totals;
  return (
    `Trained: it reads ${formatShare(done.final.val_accuracy)} of drawings it never saw correctly. ` +
    `Training took ${formatFlops(t.flops)} and ${formatDuration(t.compute_ns)} of compute.`
  );
}

// What training looked at, without calling every look a drawing: 500 steps of 64 are
// 32,000 looks at fewer than 2,000 practice drawings, so each came round again and again.
export function trainingLooks(totals, drawings) {
  const perStep = totals.steps > 0 ? totals.examples_seen / totals.steps : 0;
  const again = totals.examples_seen > drawings ? ", so each practice drawing came round again and again" : "";
  return (
    `${formatCount(totals.steps)} steps, each looking at ${formatCount(perStep)} practice drawings: ` +
    `${formatCount(totals.examples_seen)} looks in all${again}.`
  );
}

// The line under the train button: the model's size, its training, one answer's cost.
// drawings: how many drawings the server made up (practice and held out together).
export function trainedText(done, drawings) {
  return (
    `The trained model: ${formatCount(done.n_parameters)} weights. ${trainingLooks(done.totals, drawings)} ` +
    `One answer costs ${formatFlops(done.inference_flops_per_query)}.`
  );
}
