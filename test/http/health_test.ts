import { describe, expect, test } from "bun:test";
import { makeApp } from "./_app.ts";

describe("GET /healthz", () => {
  test("says the database is writable", async () => {
    const { call } = makeApp();
    expect(await call("GET", "/healthz")).toMatchObject({
      status: 200,
      body: { ok: true, db: "writable" },
    });
  });

  test("answers 503 with the envelope once a commit has failed", async () => {
    const { call, admin, db } = makeApp();
    // The next commit cannot be written.
    db.exec("DROP TABLE announcements");
    expect((await admin("POST", "/api/admin/announcements", { text: "hello" })).status).toBe(503);
    expect(await call("GET", "/healthz")).toMatchObject({
      status: 503,
      body: {
        error: { code: "unavailable", message: "A commit failed; the server must restart" },
      },
    });
  });
});
