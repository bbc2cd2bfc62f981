// Talking to the run API: create a run, watch its events, ask it questions.

export const BUSY_RETRY_MS = 5000;

export async function createRun(spec) {
  let response;
  try {
    response = await fetch("/api/runs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(spec),
    });
  } catch {
    throw new Error("Could not reach the server. Check the connection and try again.");
  }
  const body = await response.json().catch(() => ({}));
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
  return new Promise((resolve, reject) => {
    const source = new EventSource(`/api/runs/${runId}/events`);
    source.addEventListener("frame", (e) => onFrame && onFrame(JSON.parse(e.data)));
    source.addEventListener("done", (e) => {
      source.close();
      resolve(JSON.parse(e.data));
    });
    source.addEventListener("diverged", (e) => {
      source.close();
      reject(new Error(JSON.parse(e.data).message));
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) reject(new Error("The server is busy; try again in a few seconds."));
    });
  });
}
