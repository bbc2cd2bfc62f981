// The scaling widget's timings. One timing of a tiny run says little on a shared server: other
// work there can interrupt it and add half again, so a bigger run once looked faster than a
// smaller one. So each time a run is added, every run on the chart is trained again ROUNDS
// times, taking turns (forwards, then backwards), and a run's time is its fastest timing of
// each stretch of steps, added up. An interruption only ever adds time, and it lands on a
// short stretch of one timing: the fastest of that stretch's timings leaves it out. Runs
// timed side by side in the same rounds meet the same load.
//
// A timing is the run trained again, quietly (a run is a pure function of its spec, so it is
// the same run, the same arithmetic); each frame's counters say how much compute time the
// run has used so far, so the frames mark the stretches.

import { followRun } from "../../lib/stream.js";

export const ROUNDS = 3;

// Trains the run again and resolves with {start, done, stretches}: its `start` and `done`
// events and the compute time of each stretch between frames, in ns.
export async function timeOnce(runId, { follow = followRun } = {}) {
  const used = [];
  const { start, done, diverged } = await follow(runId, {
    onFrame: (frame) => used.push(frame.counters.compute_ns),
  });
  if (diverged) throw new Error(diverged.message);
  return { start, done, stretches: used.map((ns, i) => ns - (i ? used[i - 1] : 0)) };
}

// The order of the runs in round `round` (0-based): forwards, then backwards, so a load that
// rises or falls during the rounds weighs on the first and the last runs alike.
export function timingOrder(count, round) {
  const order = Array.from({ length: count }, (_, i) => i);
  return round % 2 ? order.reverse() : order;
}

// A run's time from its timings (each a list of stretches): the fastest of each stretch,
// added up. Timings of one run have the same stretches (a stream that drops and resumes
// charges the frames it replays to the next stretch, which the other timings then beat).
export function fastestByStretch(timings) {
  const length = Math.max(...timings.map((stretches) => stretches.length));
  let total = 0;
  for (let i = 0; i < length; i += 1) {
    total += Math.min(...timings.filter((stretches) => i < stretches.length).map((stretches) => stretches[i]));
  }
  return total;
}

// Times each run id `rounds` times, taking turns. Resolves with one entry per id, in the
// order given: {start, done} of its last timing and `ns`, its time (fastestByStretch).
// onTiming(round, index) is called before each timing.
export async function timeTogether(runIds, { rounds = ROUNDS, time = timeOnce, onTiming = null } = {}) {
  const results = runIds.map(() => ({ start: null, done: null, timings: [] }));
  for (let round = 0; round < rounds; round += 1) {
    for (const i of timingOrder(runIds.length, round)) {
      if (onTiming) onTiming(round, i);
      const { start, done, stretches } = await time(runIds[i]);
      Object.assign(results[i], { start, done });
      results[i].timings.push(stretches);
    }
  }
  return results.map(({ start, done, timings }) => ({ start, done, ns: fastestByStretch(timings) }));
}
