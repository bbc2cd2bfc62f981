// A watched run's event stream, shared by the widgets the reader watches train.
// It resumes where it stopped (`?last_event_id=`), adds up the time the reader actually
// watched (only while a stream is open), and retries by itself when the server is full.
// What the events mean is the widget's business: it gets them through callbacks.

import { BUSY_RETRY_MS } from "./runs.js";

export class WatchedStream {
  // on: {status(text), opened(), queued(data), start(data), frame(data), done(data), diverged(data)};
  // opened is optional.
  constructor(on) {
    this.on = on;
    this.source = null;
    this.retryTimer = null;
    this.reset();
  }

  // Forgets the run: no stream, no retry pending, no watched time.
  reset() {
    this.close();
    clearTimeout(this.retryTimer);
    this.runId = null;
    this.lastEventId = 0;
    this.watchedMs = 0;
    this.watchStart = null;
  }

  // The time watched so far, the stretch still open included.
  watchingMs() {
    return this.watchedMs + (this.watchStart === null ? 0 : performance.now() - this.watchStart);
  }

  // Opens the run's stream; without a runId, reopens the current run where it stopped.
  open(runId = this.runId) {
    this.runId = runId;
    const resume = this.lastEventId ? `?last_event_id=${this.lastEventId}` : "";
    const source = new EventSource(`/api/runs/${this.runId}/events${resume}`);
    this.source = source;
    this.watchStart = performance.now();
    if (this.on.opened) this.on.opened();
    this.on.status(this.lastEventId ? "Resuming…" : "Training…");
    source.addEventListener("queued", (e) => this.on.queued(JSON.parse(e.data)));
    source.addEventListener("start", (e) => this.on.start(JSON.parse(e.data)));
    source.addEventListener("frame", (e) => {
      this.lastEventId = Number(e.lastEventId);
      this.on.frame(JSON.parse(e.data));
    });
    source.addEventListener("done", (e) => this.on.done(JSON.parse(e.data)));
    source.addEventListener("diverged", (e) => this.on.diverged(JSON.parse(e.data)));
    source.addEventListener("error", () => this.onError(source));
  }

  // Closing stops the server computing (a paced run only advances while watched).
  close() {
    if (this.source) {
      this.source.close();
      this.source = null;
    }
    if (this.watchStart !== null) {
      this.watchedMs += performance.now() - this.watchStart;
      this.watchStart = null;
    }
  }

  onError(source) {
    if (source !== this.source) return;
    if (source.readyState === EventSource.CONNECTING) {
      this.on.status("Connection dropped; reconnecting and resuming where it stopped…");
      return;
    }
    // Closed for good: most often the server is full (503). Retry by ourselves.
    this.close();
    let seconds = BUSY_RETRY_MS / 1000;
    this.on.status(`The server is busy; retrying in ${seconds} s…`);
    const tick = () => {
      seconds -= 1;
      if (seconds > 0) {
        this.on.status(`The server is busy; retrying in ${seconds} s…`);
        this.retryTimer = setTimeout(tick, 1000);
      } else {
        this.open();
      }
    };
    this.retryTimer = setTimeout(tick, 1000);
  }
}
