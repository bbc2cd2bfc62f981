// Small stand-ins for the browser objects the lib modules touch, for Node's test runner.

// A widget root holding data-counter cells: querySelector('[data-counter="name"]') and
// querySelectorAll("[data-counter]") work; cells are {dataset: {counter}, textContent}.
export function counterRoot(names) {
  const cells = names.map((name) => ({ dataset: { counter: name }, textContent: "?" }));
  return {
    cells,
    text: (name) => cells.find((c) => c.dataset.counter === name).textContent,
    querySelector(selector) {
      const name = /\[data-counter="([^"]+)"\]/.exec(selector)?.[1];
      return cells.find((c) => c.dataset.counter === name) || null;
    },
    querySelectorAll(selector) {
      return selector === "[data-counter]" ? cells : [];
    },
  };
}

// An EventSource that a test drives: emit(type, data, id) delivers an event, fail(state)
// an error with that readyState. Every instance made is kept in FakeEventSource.made.
export class FakeEventSource {
  static made = [];

  constructor(url) {
    this.url = url;
    this.readyState = 1;
    this.closed = false;
    this.listeners = {};
    FakeEventSource.made.push(this);
  }

  static last() {
    return FakeEventSource.made[FakeEventSource.made.length - 1];
  }

  addEventListener(type, listener) {
    (this.listeners[type] ||= []).push(listener);
  }

  close() {
    this.closed = true;
    this.readyState = 2;
  }

  emit(type, data, id = "") {
    for (const listener of this.listeners[type] || []) listener({ data: JSON.stringify(data), lastEventId: String(id) });
  }

  fail(readyState) {
    this.readyState = readyState;
    for (const listener of this.listeners.error || []) listener({});
  }
}

// A clock the test moves by hand (for watched-time accounting).
export function manualClock(start = 1000) {
  const clock = { t: start, now: () => clock.t, advance: (ms) => (clock.t += ms) };
  return clock;
}

// A Storage in memory, optionally refusing writes (a full store, private browsing).
export function memoryStorage({ refuseWrites = false } = {}) {
  const items = new Map();
  return {
    items,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => {
      if (refuseWrites) throw new Error("QuotaExceededError");
      items.set(key, String(value));
    },
    removeItem: (key) => items.delete(key),
  };
}

// A fetch that answers from a function of (url, init), and records its calls.
export function fakeFetch(answer) {
  const calls = [];
  const fetch = async (url, init = {}) => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return { fetch, calls };
}

export function jsonResponse(status, body) {
  return {
    ok: status >= 200 && status < 300,
    status,
    json: async () => {
      if (body === undefined) throw new SyntaxError("Unexpected end of JSON input");
      return body;
    },
  };
}
