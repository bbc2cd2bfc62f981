// Talking to the run API: create a run, watch its events, ask it questions.

export const BUSY_RETRY_MS = 5000;

// POSTs JSON and reads the JSON answer ({} if none); a network failure becomes words the
// reader can act on. What a refusal means is the caller's to say, from `response.ok`.
export async function postReaching(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error("Could not reach the server. Check the connection and try again.");
  }
  const data = await response.json().catch(() => ({}));
  return { response, data };
}

export async function createRun(spec) {
  const { response, data: body } = await postReaching("/api/runs", spec);
  if (!response.ok) throw new Error(body.message || body.detail || `The server answered ${response.status}.`);
  return body;
}

export async function readRun(runId) {
  const response = await fetch(`/api/runs/${encodeURIComponent(runId)}`);
  if (!response.ok) throw new Error("That shared run is not on this server.");
  return response.json();
}

export async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || data.detail || `The server answered ${response.status}.`);
  return data;
}

export function ask(runId, body) {
  return postJson(`/api/runs/${runId}/predict`, body);
}

// Trains a run to the end without watching (pace "instant" streams as fast as it computes)
// and resolves with the `done` event's data, or rejects with the divergence message.
export function trainQuietly(runId, onFrame) {
  return trainWithStart(runId, { onFrame }).then(({ done }) => done);
}

// Like trainQuietly, but keeps the `start` event too (the run's data: the dots to draw).
// Resolves with {start, done}. With stopAfterStart, closes the stream as soon as `start`
// arrives, so the server trains nothing ({start, done: null}). busyMessage: the words for a
// refused stream, where the widget's own button is the way to try again.
export function trainWithStart(
  runId,
  { onQueued, onFrame, stopAfterStart = false, busyMessage = "The server is busy; try again in a few seconds." } = {},
) {
  return new Promise((resolve, reject) => {
    const source = new EventSource(`/api/runs/${runId}/events`);
    let start = null;
    source.addEventListener("queued", (e) => onQueued && onQueued(JSON.parse(e.data).message));
    source.addEventListener("start", (e) => {
      start = JSON.parse(e.data);
      if (stopAfterStart) {
        source.close();
        resolve({ start, done: null });
      }
    });
    source.addEventListener("frame", (e) => onFrame && onFrame(JSON.parse(e.data)));
    source.addEventListener("done", (e) => {
      source.close();
      resolve({ start, done: JSON.parse(e.data) });
    });
    source.addEventListener("diverged", (e) => {
      source.close();
      reject(new Error(JSON.parse(e.data).message));
    });
    source.addEventListener("error", () => {
      // A dropped connection reconnects by itself (and the run replays); closed means refused.
      if (source.readyState === EventSource.CLOSED) reject(new Error(busyMessage));
    });
  });
}
