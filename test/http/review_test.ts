// Behaviours fixed after a security and correctness review of the HTTP layer.
import { describe, expect, test } from "bun:test";
import { Limiter, storedFreeze } from "../../src/play/mod.ts";
import { openDatabase, SqliteStore } from "../../src/store/mod.ts";
import { HUNT_TOML, MINUTE, START } from "../engine/_hunt.ts";
import { makeApp } from "./_app.ts";

describe("HTTP review fixes", () => {
  test("a reload while a guess's body is still arriving does not split memory from disk", async () => {
    const { app, register, admin, call } = makeApp();
    const token = await register("Gulls");
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reading: () => void = () => {};
    const read = new Promise<void>((resolve) => (reading = resolve));
    // Pulled only when the app reads it (no high-water mark): the first piece, then the rest once
    // the test releases it.
    let pulls = 0;
    const body = new ReadableStream({
      async pull(controller) {
        if (pulls++ === 0) {
          controller.enqueue(new TextEncoder().encode('{"answer":'));
          reading();
          return;
        }
        await gate;
        controller.enqueue(new TextEncoder().encode('"alpha"}'));
        controller.close();
      },
    }, { highWaterMark: 0 });
    const slow = app.request("http://localhost/api/puzzles/a/guesses", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });
    // The reload comes once the guess is reading its body, not after a fixed 20 ms.
    await read;
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    release();
    expect(await (await slow).json()).toEqual({ result: "correct", unlocked: ["after-a"] });
    // The running engine knows the solve, and the next guess works.
    expect((await call("GET", "/api/scoreboard")).body.teams[0].score).toBe(10);
    expect(
      (await call("POST", "/api/puzzles/b/guesses", { token, body: { answer: "bravo" } })).status,
    ).toBe(200);
  });

  test("a failed commit answers 503 unavailable", async () => {
    const { call, register, db } = makeApp();
    const token = await register("Gulls");
    db.exec(
      "CREATE TRIGGER no_guesses BEFORE INSERT ON guesses BEGIN SELECT RAISE(ABORT, 'disk says no'); END",
    );
    expect(await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "nope" } }))
      .toMatchObject({
        status: 503,
        body: {
          error: { code: "unavailable", message: "The server cannot save right now; try again" },
        },
      });
  });

  test("wrong checkpoint codes are limited per team", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    for (let i = 0; i < 10; i++) {
      expect((await call("POST", "/api/checkins", { token, body: { code: `guess-${i}` } })).status)
        .toBe(404);
    }
    const limited = await call("POST", "/api/checkins", { token, body: { code: "cp-123" } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
  });

  test("an unknown division is not echoed back at length", async () => {
    const { call } = makeApp();
    const reply = await call("GET", `/api/scoreboard?division=${"x".repeat(5000)}`);
    expect(reply.body.error.message).toBe(`Unknown division "${"x".repeat(64)}"`);
  });

  test("freezing a frozen board keeps its time; a reveal ends a freeze but not one to come", async () => {
    const db = SqliteStore.over(openDatabase(":memory:"));
    let scheduled: number | undefined = START + 60 * MINUTE;
    const freeze = storedFreeze(db, () => scheduled);
    // Revealing before the scheduled freeze does not cancel it.
    await freeze.set(false, START);
    expect(freeze.frozenAt(START + 61 * MINUTE)).toBe(START + 60 * MINUTE);
    // Freezing again while frozen keeps the scheduled time.
    await freeze.set(true, START + 70 * MINUTE);
    expect(freeze.frozenAt(START + 80 * MINUTE)).toBe(START + 60 * MINUTE);
    await freeze.set(false, START + 90 * MINUTE);
    expect(freeze.frozenAt(START + 91 * MINUTE)).toBeUndefined();
    // An organizer's freeze with nothing scheduled freezes at that moment, and survives a restart.
    scheduled = undefined;
    await freeze.set(true, START + 95 * MINUTE);
    expect(storedFreeze(db, () => scheduled).frozenAt(START + 99 * MINUTE)).toBe(
      START + 95 * MINUTE,
    );
    db.close();
  });

  test("the limiter forgets keys with no recent hit", () => {
    const limiter = new Limiter(10, 60_000);
    for (let i = 0; i < 999; i++) limiter.hit(`name-${i}`, 0);
    expect(limiter.size).toBe(999);
    limiter.hit("later", 120_000);
    expect(limiter.size).toBe(1);
  });
});

test("a reload of a file with a nested repetition in answer_regex is refused", async () => {
  const { admin, setToml } = makeApp();
  setToml(HUNT_TOML.replace('answer = ["bravo"]', 'answer_regex = ["(\\\\w+\\\\s?)+"]'));
  const reply = await admin("POST", "/api/admin/reload");
  expect(reply.status).toBe(400);
  expect(reply.body.error.errors[0]).toStartWith(
    'hunt.toml:34:17: error: puzzle "b", field answer_regex[0]: ' +
      "This pattern repeats a group that itself repeats",
  );
});
