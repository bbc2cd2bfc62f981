import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";

import { getJson, postJson, reasonOf, refusal, ServerError, UNREACHABLE } from "../../static/js/lib/http.js";
import { ask, createRun, readRun } from "../../static/js/lib/runs.js";
import { fakeFetch, jsonResponse } from "./fakes.js";

const realFetch = globalThis.fetch;

function answering(answer) {
  const fake = fakeFetch(answer);
  globalThis.fetch = fake.fetch;
  return fake.calls;
}

// A 422 as the server writes it: FastAPI's detail list for programs, `message` for people.
const REFUSED = {
  detail: [{ type: "value_error", loc: ["prompt"], msg: "Type a few words first.", input: null }],
  message: "prompt: Type a few words first.",
};

afterEach(() => {
  globalThis.fetch = realFetch;
});

describe("postJson", () => {
  it("POSTs the body as JSON and resolves with the answer", async () => {
    const calls = answering(() => jsonResponse(200, { run_id: "abc" }));
    assert.deepEqual(await postJson("/api/runs", { model: "mlp", steps: 20 }), { run_id: "abc" });
    assert.equal(calls.length, 1);
    assert.equal(calls[0].url, "/api/runs");
    assert.equal(calls[0].init.method, "POST");
    assert.equal(calls[0].init.headers["Content-Type"], "application/json");
    assert.deepEqual(JSON.parse(calls[0].init.body), { model: "mlp", steps: 20 });
  });

  it("turns a network failure into words the reader can act on", async () => {
    answering(() => {
      throw new TypeError("Failed to fetch");
    });
    await assert.rejects(postJson("/api/runs", {}), (error) => {
      assert.ok(error instanceof ServerError);
      assert.equal(error.message, UNREACHABLE);
      assert.equal(error.status, 0);
      return true;
    });
  });

  it("keeps the server's message for a refusal, and the first error's own words as its reason", async () => {
    answering(() => jsonResponse(422, REFUSED));
    await assert.rejects(postJson("/api/runs/r1/predict", { prompt: " " }), (error) => {
      assert.equal(error.status, 422);
      assert.equal(error.message, "prompt: Type a few words first.");
      assert.equal(error.reason, "Type a few words first.");
      assert.equal(reasonOf(error), "Type a few words first.");
      assert.deepEqual(error.data, REFUSED);
      return true;
    });
  });

  it("reads a plain detail, or says the status when the answer has no words", async () => {
    answering(() => jsonResponse(404, { detail: "No run 'x'." }));
    await assert.rejects(postJson("/api/runs/x/predict"), { message: "No run 'x'.", reason: "No run 'x'." });
    answering(() => jsonResponse(503, undefined)); // not JSON at all
    await assert.rejects(postJson("/api/runs"), { message: "The server answered 503." });
  });
});

describe("refusal and reasonOf", () => {
  it("prefer the sentence for people, then a plain detail, then the list", () => {
    assert.deepEqual(refusal({ message: "m", detail: "d" }, 400), { message: "m", reason: "m" });
    assert.deepEqual(refusal({ detail: [{ msg: "only the list" }] }, 422), { message: "only the list", reason: "only the list" });
    assert.deepEqual(refusal({}, 500), { message: "The server answered 500.", reason: "The server answered 500." });
  });

  it("read any error's message", () => {
    assert.equal(reasonOf(new Error("The server is busy.")), "The server is busy.");
  });
});

describe("the run API", () => {
  it("creates runs and asks them through the one helper", async () => {
    const calls = answering((url) => jsonResponse(200, url.endsWith("/predict") ? { predictions: [1] } : { run_id: "r7" }));
    assert.equal((await createRun({ model: "mlp" })).run_id, "r7");
    assert.deepEqual((await ask("r7", { inputs: [[0.5, 0.25]] })).predictions, [1]);
    assert.deepEqual(calls.map((c) => c.url), ["/api/runs", "/api/runs/r7/predict"]);
  });

  it("says a shared run is not here when the server does not know it", async () => {
    answering(() => jsonResponse(404, { detail: "Not found" }));
    await assert.rejects(readRun("nope"), { message: "That shared run is not on this server." });
    answering(() => {
      throw new TypeError("offline");
    });
    await assert.rejects(readRun("nope"), { message: UNREACHABLE });
  });

  it("reads JSON with getJson", async () => {
    const calls = answering(() => jsonResponse(200, { spec: { model: "mlp" } }));
    assert.deepEqual(await getJson("/api/runs/r7"), { spec: { model: "mlp" } });
    assert.equal(calls[0].init.method, undefined);
  });
});
