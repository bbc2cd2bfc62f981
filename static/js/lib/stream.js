// The one client for a run's event stream (/api/runs/<id>/events), shared by every widget.
// - It resumes where it stopped: reopening asks for `?last_event_id=` of the last frame.
// - It adds up the time the reader actually watched (only while a stream is open).
// - When the server is full it retries by itself, counting down in the status line, or,
//   for a run nobody watches, gives up at once and lets the widget's button try again.
// - A `queued` event says the reader's place in line.
// What the events mean is the widget's business: it gets them through callbacks. For a run
// trained to the end without watching, followRun() and trainQuietly() give a promise.

export const BUSY_RETRY_MS = 5000;
export const BUSY_MESSAGE = "The server is busy; try again in a few seconds.";
export const DROPPED_MESSAGE = "Connection dropped; reconnecting and resuming where it stopped…";
const CONNECTING = 0; // EventSource.readyState values, fixed by the HTML standard
const CLOSED = 2;
const EVENTS = ["queued", "start", "frame", "done", "diverged"];

export class RunStream {
  // on: {status(text), opened(), queued(data), start(data), frame(data), done(data),
  // diverged(data), refused()}, each optional. The stream closes itself before done and
  // diverged. options.retryWhenBusy (default true): retry by itself when refused; false:
  // close and call on.refused(). options.EventSource and options.now replace the
  // browser's EventSource and performance.now (for tests).
  constructor(on = {}, { retryWhenBusy = true, EventSource = null, now = null } = {}) {
    this.on = on;
    this.retryWhenBusy = retryWhenBusy;
    this.EventSource = EventSource;
    this.now = now || (() => performance.now());
    this.source = null;
    this.retryTimer = null;
    this.reset();
  }

  // Forgets the run: no stream, no retry pending, no watched time.
  reset() {
    this.close();
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.runId = null;
    this.lastEventId = 0;
    this.watchedMs = 0;
    this.watchStart = null;
  }

  // The time watched so far, the stretch still open included.
  watchingMs() {
    return this.watchedMs + (this.watchStart === null ? 0 : this.now() - this.watchStart);
  }

  // Opens the run's stream; without a runId, reopens the current run where it stopped.
  open(runId = this.runId) {
    this.close();
    clearTimeout(this.retryTimer);
    this.runId = runId;
    const resume = this.lastEventId ? `?last_event_id=${this.lastEventId}` : "";
    const Source = this.EventSource || globalThis.EventSource;
    const source = new Source(`/api/runs/${encodeURIComponent(runId)}/events${resume}`);
    this.source = source;
    this.watchStart = this.now();
    this.call("opened");
    this.call("status", this.lastEventId ? "Resuming…" : "Training…");
    for (const type of EVENTS) {
      source.addEventListener(type, (event) => this.receive(source, type, event));
    }
    source.addEventListener("error", () => this.onError(source));
  }

  // Closing stops the server computing (a paced run only advances while watched).
  close() {
    if (this.source) {
      this.source.close();
      this.source = null;
    }
    if (this.watchStart !== null) {
      this.watchedMs += this.now() - this.watchStart;
      this.watchStart = null;
    }
  }

  call(name, ...args) {
    if (this.on[name]) this.on[name](...args);
  }

  receive(source, type, event) {
    if (source !== this.source) return; // a stream closed since: its events are stale
    const data = JSON.parse(event.data);
    if (type === "frame") this.lastEventId = Number(event.lastEventId) || this.lastEventId;
    if (type === "done" || type === "diverged") this.close();
    this.call(type, data);
  }

  onError(source) {
    if (source !== this.source) return;
    if (source.readyState === CONNECTING) {
      this.call("status", DROPPED_MESSAGE); // the browser reconnects by itself
      return;
    }
    if (source.readyState !== CLOSED) return;
    // Closed for good: most often the server is full (503).
    this.close();
    if (!this.retryWhenBusy) {
      this.call("refused");
      return;
    }
    this.countDown(BUSY_RETRY_MS / 1000);
  }

  countDown(seconds) {
    if (seconds <= 0) {
      this.retryTimer = null;
      this.open();
      return;
    }
    this.call("status", `The server is busy; retrying in ${seconds} s…`);
    this.retryTimer = setTimeout(() => this.countDown(seconds - 1), 1000);
  }
}

// Follows a run to its end without watching it (pace "instant" streams as fast as it
// computes). Resolves with {start, done, diverged}: the `start` event's data (the run's dots)
// and one of `done` or `diverged`. With stopAfterStart, closes as soon as `start` arrives,
// so the server trains nothing (done and diverged both null). A refused stream rejects with
// busyMessage: the widget's own button is the way to try again.
export function followRun(
  runId,
  { onQueued, onFrame, stopAfterStart = false, busyMessage = BUSY_MESSAGE, EventSource = null } = {},
) {
  return new Promise((resolve, reject) => {
    let start = null;
    const stream = new RunStream(
      {
        queued: (data) => onQueued && onQueued(data.message),
        start: (data) => {
          start = data;
          if (!stopAfterStart) return;
          stream.close();
          resolve({ start, done: null, diverged: null });
        },
        frame: (frame) => onFrame && onFrame(frame),
        done: (data) => resolve({ start, done: data, diverged: null }),
        diverged: (data) => resolve({ start, done: null, diverged: data }),
        refused: () => reject(new Error(busyMessage)),
      },
      { retryWhenBusy: false, EventSource },
    );
    stream.open(runId);
  });
}

// Trains a run to the end quietly: resolves with {start, done}; a divergence rejects with
// the server's message.
export async function trainQuietly(runId, options = {}) {
  const { start, done, diverged } = await followRun(runId, options);
  if (diverged) throw new Error(diverged.message);
  return { start, done };
}
