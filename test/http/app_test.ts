import { expect, test } from "bun:test";
import { createApp } from "../../src/http/mod.ts";
import { createLogger } from "../../src/log/mod.ts";

const app = createApp({ logger: createLogger({ write: () => {} }) });

test("GET /healthz answers ok", async () => {
  const res = await app.request("/healthz");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true });
});

test("an unknown path gets the not_found envelope", async () => {
  const res = await app.request("/nope");
  expect(res.status).toBe(404);
  expect(res.headers.get("content-type")).toStartWith("application/json");
  expect(await res.json()).toEqual({
    error: { code: "not_found", message: "There is nothing here" },
  });
});
