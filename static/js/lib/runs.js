// The run API: create a run, read a shared one, ask a trained one questions. Watching a
// run's events is lib/stream.js; every call goes through lib/http.js.

import { getJson, postJson, ServerError } from "./http.js";

export function createRun(spec) {
  return postJson("/api/runs", spec);
}

export async function readRun(runId) {
  try {
    return await getJson(`/api/runs/${encodeURIComponent(runId)}`);
  } catch (error) {
    if (error instanceof ServerError && error.status) throw new Error("That shared run is not on this server.", { cause: error });
    throw error;
  }
}

// The course's one comparison for a run (GET /api/runs/{id}/costs): training against one
// answer asked alone, as every lesson's cost panel prices it.
export function readCosts(runId) {
  return getJson(`/api/runs/${encodeURIComponent(runId)}/costs`);
}

// One predict call: body is {inputs}, {drawings} or {prompt, …}, as the model expects.
export function ask(runId, body) {
  return postJson(`/api/runs/${encodeURIComponent(runId)}/predict`, body);
}
