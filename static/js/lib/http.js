// The one way the widgets send JSON to the server and read its answer. A network failure
// and a refusal both become an Error whose message a reader can act on.

export const UNREACHABLE = "Could not reach the server. Check the connection and try again.";

// A refusal (4xx/5xx). `message` is the server's sentence for people (its `message`, or a
// plain `detail`); `reason` is the first validation error's own words without the field's
// path ("Type a few words first."), for a form with one field the reader just filled in.
export class ServerError extends Error {
  constructor(message, { status = 0, data = {}, reason = message } = {}) {
    super(message);
    this.name = "ServerError";
    this.status = status;
    this.data = data;
    this.reason = reason;
  }
}

// What a refused answer says, as {message, reason}; `data` is its JSON body ({} if none).
export function refusal(data, status) {
  const first = Array.isArray(data.detail) ? data.detail[0] : null;
  const listed = first && typeof first.msg === "string" ? first.msg : null;
  const message =
    (typeof data.message === "string" && data.message) ||
    (typeof data.detail === "string" && data.detail) ||
    listed ||
    `The server answered ${status}.`;
  return { message, reason: listed || message };
}

// The words to show for a failed call: a refusal's reason, or any other error's message.
export function reasonOf(error) {
  return error.reason || error.message;
}

async function send(url, init) {
  let response;
  try {
    response = await globalThis.fetch(url, init);
  } catch {
    throw new ServerError(UNREACHABLE);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const { message, reason } = refusal(data, response.status);
    throw new ServerError(message, { status: response.status, data, reason });
  }
  return data;
}

// POSTs body as JSON; resolves with the JSON answer ({} if it has none).
export function postJson(url, body = {}) {
  return send(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

export function getJson(url) {
  return send(url, { headers: { Accept: "application/json" } });
}
