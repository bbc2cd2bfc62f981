import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";

import {
  BUSY_MESSAGE,
  BUSY_RETRY_MS,
  DROPPED_MESSAGE,
  followRun,
  RunStream,
  trainQuietly,
} from "../../static/js/lib/stream.js";
import { FakeEventSource, manualClock } from "./fakes.js";

const CONNECTING = 0;
const CLOSED = 2;

// A watched stream whose callbacks write down what they were told.
function watched(clock = manualClock()) {
  const told = { status: [], frames: [], done: [], diverged: [], queued: [], refused: 0 };
  const stream = new RunStream(
    {
      status: (text) => told.status.push(text),
      queued: (data) => told.queued.push(data.message),
      start: () => {},
      frame: (frame) => told.frames.push(frame.step),
      done: (data) => told.done.push(data),
      diverged: (data) => told.diverged.push(data),
      refused: () => (told.refused += 1),
    },
    { EventSource: FakeEventSource, now: clock.now },
  );
  return { stream, told, clock };
}

beforeEach(() => {
  FakeEventSource.made = [];
});

describe("RunStream", () => {
  it("opens the run's stream, then resumes after the last frame it saw", () => {
    const { stream, told } = watched();
    stream.open("abc123");
    const first = FakeEventSource.last();
    assert.equal(first.url, "/api/runs/abc123/events");
    assert.deepEqual(told.status, ["Training…"]);
    first.emit("frame", { step: 10 }, 1);
    first.emit("frame", { step: 20 }, 2);
    stream.close(); // paused
    assert.equal(first.closed, true);
    stream.open();
    assert.equal(FakeEventSource.last().url, "/api/runs/abc123/events?last_event_id=2");
    assert.equal(told.status.at(-1), "Resuming…");
    assert.deepEqual(told.frames, [10, 20]);
  });

  it("counts only the time a stream was open as watched", () => {
    const { stream, clock } = watched();
    stream.open("r1");
    clock.advance(1500);
    assert.equal(stream.watchingMs(), 1500); // the open stretch counts while it lasts
    stream.close();
    clock.advance(10_000); // paused: not watched
    stream.open();
    clock.advance(500);
    FakeEventSource.last().emit("done", { totals: { steps: 3 } });
    clock.advance(2000); // after the end: not watched either
    assert.equal(stream.watchedMs, 2000);
    assert.equal(stream.watchingMs(), 2000);
    stream.reset();
    assert.equal(stream.watchingMs(), 0);
  });

  it("closes itself before it reports done or diverged, and ignores a closed stream's events", () => {
    const { stream, told } = watched();
    stream.open("r1");
    const source = FakeEventSource.last();
    source.emit("diverged", { message: "The loss blew up at step 7." });
    assert.equal(source.closed, true);
    assert.deepEqual(told.diverged, [{ message: "The loss blew up at step 7." }]);
    source.emit("frame", { step: 8 }, 8);
    source.fail(CLOSED);
    assert.deepEqual(told.frames, []);
    assert.equal(told.refused, 0);
  });

  it("passes on the reader's place in line", () => {
    const { stream, told } = watched();
    stream.open("r1");
    FakeEventSource.last().emit("queued", { position: 3, message: "You are third in line." });
    assert.deepEqual(told.queued, ["You are third in line."]);
  });

  it("says so when the connection drops, and lets the browser reconnect", () => {
    const { stream, told } = watched();
    stream.open("r1");
    FakeEventSource.last().fail(CONNECTING);
    assert.equal(told.status.at(-1), DROPPED_MESSAGE);
    assert.equal(FakeEventSource.made.length, 1);
  });

  describe("when the server is full", () => {
    beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
    afterEach(() => mock.timers.reset());

    it("counts down and retries by itself, resuming where it stopped", () => {
      const { stream, told } = watched();
      stream.open("r1");
      FakeEventSource.last().emit("frame", { step: 5 }, 4);
      FakeEventSource.last().fail(CLOSED);
      assert.equal(told.status.at(-1), "The server is busy; retrying in 5 s…");
      mock.timers.tick(1000);
      assert.equal(told.status.at(-1), "The server is busy; retrying in 4 s…");
      for (let s = 2; s < BUSY_RETRY_MS / 1000; s += 1) mock.timers.tick(1000);
      assert.equal(told.status.at(-1), "The server is busy; retrying in 1 s…");
      mock.timers.tick(999);
      assert.equal(FakeEventSource.made.length, 1); // not yet
      mock.timers.tick(1);
      assert.equal(FakeEventSource.made.length, 2);
      assert.equal(FakeEventSource.last().url, "/api/runs/r1/events?last_event_id=4");
      assert.equal(told.status.at(-1), "Resuming…");
    });

    it("does not retry after a reset", () => {
      const { stream } = watched();
      stream.open("r1");
      FakeEventSource.last().fail(CLOSED);
      stream.reset();
      mock.timers.tick(BUSY_RETRY_MS * 2);
      assert.equal(FakeEventSource.made.length, 1);
    });

    it("gives up at once for a run nobody watches", () => {
      const told = { refused: 0 };
      const stream = new RunStream({ refused: () => (told.refused += 1) }, { retryWhenBusy: false, EventSource: FakeEventSource });
      stream.open("r1");
      FakeEventSource.last().fail(CLOSED);
      mock.timers.tick(BUSY_RETRY_MS * 2);
      assert.equal(told.refused, 1);
      assert.equal(FakeEventSource.made.length, 1);
    });
  });
});

describe("followRun and trainQuietly", () => {
  const START = { n_parameters: 337, train: { x: [[0, 0]], y: [1] } };

  it("resolve with the start and done events' data", async () => {
    const frames = [];
    const running = trainQuietly("r9", { EventSource: FakeEventSource, onFrame: (f) => frames.push(f.step) });
    const source = FakeEventSource.last();
    source.emit("start", START);
    source.emit("frame", { step: 1 }, 1);
    source.emit("done", { totals: { steps: 1 } });
    assert.deepEqual(await running, { start: START, done: { totals: { steps: 1 } } });
    assert.deepEqual(frames, [1]);
    assert.equal(source.closed, true);
  });

  it("hand a divergence to followRun's caller, and reject trainQuietly with its message", async () => {
    const followed = followRun("r1", { EventSource: FakeEventSource });
    FakeEventSource.last().emit("diverged", { step: 7, message: "The learning rate is too high." });
    assert.deepEqual(await followed, { start: null, done: null, diverged: { step: 7, message: "The learning rate is too high." } });

    const trained = trainQuietly("r2", { EventSource: FakeEventSource });
    FakeEventSource.last().emit("diverged", { step: 7, message: "The learning rate is too high." });
    await assert.rejects(trained, { message: "The learning rate is too high." });
  });

  it("stop after start: the server trains nothing", async () => {
    const followed = followRun("r3", { EventSource: FakeEventSource, stopAfterStart: true });
    const source = FakeEventSource.last();
    source.emit("start", START);
    assert.equal(source.closed, true);
    assert.deepEqual(await followed, { start: START, done: null, diverged: null });
  });

  it("pass on queued messages, and reject with the busy message when refused", async () => {
    const queued = [];
    const followed = followRun("r4", { EventSource: FakeEventSource, onQueued: (m) => queued.push(m) });
    FakeEventSource.last().emit("queued", { message: "Second in line." });
    FakeEventSource.last().fail(CLOSED);
    await assert.rejects(followed, { message: BUSY_MESSAGE });
    assert.deepEqual(queued, ["Second in line."]);

    const custom = followRun("r5", { EventSource: FakeEventSource, busyMessage: "Press the button again." });
    FakeEventSource.last().fail(CLOSED);
    await assert.rejects(custom, { message: "Press the button again." });
  });

  it("use the browser's EventSource when none is given", async () => {
    globalThis.EventSource = FakeEventSource;
    try {
      const running = trainQuietly("r6");
      FakeEventSource.last().emit("done", { totals: {} });
      assert.deepEqual((await running).done, { totals: {} });
    } finally {
      delete globalThis.EventSource;
    }
  });
});
