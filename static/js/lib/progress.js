// What the reader has done, kept in their own browser (no account): finished lessons and
// a short record of each run, for the course map and the recap pages.

const KEY = "phaselab:v1";
const MAX_RUNS = 50;

const NO_ANSWERS = { count: 0, flops: 0, compute_ns: 0 };

function load() {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) || "{}");
    return {
      lessons: data.lessons || {},
      runs: Array.isArray(data.runs) ? data.runs : [],
      answers: { ...NO_ANSWERS, ...(data.answers || {}) },
    };
  } catch {
    return { lessons: {}, runs: [], answers: { ...NO_ANSWERS } };
  }
}

function save(data) {
  try {
    localStorage.setItem(KEY, JSON.stringify(data));
  } catch {
    // Private browsing or a full store: progress is a nicety, the lesson still works.
  }
}

export function recordRun(lesson, run) {
  const data = load();
  data.runs.push({ lesson, at: Date.now(), ...run });
  data.runs = data.runs.slice(-MAX_RUNS);
  data.lessons[lesson] = true;
  save(data);
}

// What every record of a trained run keeps, from the run's `done` event.
export function trainedRun(done) {
  return {
    steps: done.totals.steps,
    flops: done.totals.flops,
    compute_ns: done.totals.compute_ns,
    n_parameters: done.n_parameters,
    flops_per_answer: done.inference_flops_per_query,
    fingerprint: done.fingerprint,
  };
}

// Answers the reader got from any model, added up (count, counted FLOPs, measured time).
export function recordAnswers(count, flops, computeNs) {
  const data = load();
  data.answers.count += count;
  data.answers.flops += flops;
  data.answers.compute_ns += computeNs;
  save(data);
}

export function markFinished(lesson) {
  const data = load();
  data.lessons[lesson] = true;
  save(data);
}

export function progress() {
  return load();
}

export function forget() {
  save({ lessons: {}, runs: [], answers: { ...NO_ANSWERS } });
}
