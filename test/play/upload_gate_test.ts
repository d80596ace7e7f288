// The count of mission uploads in flight: a few per team, and a memory budget they share.
import { describe, expect, test } from "bun:test";
import { UPLOAD_MEMORY_FLOOR, UploadGate } from "../../src/play/upload_gate.ts";

describe("UploadGate", () => {
  test("lets a team have 3 uploads in flight; the 4th is 429 with Retry-After; others are not held up", () => {
    const gate = new UploadGate();
    expect([gate.enter(1), gate.enter(1), gate.enter(1)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(gate.enter(1)).toEqual({
      ok: false,
      code: "rate_limited",
      message: "Your team is already sending 3 submissions: send this one once one of them has " +
        "arrived",
      retryAfter: 10,
    });
    expect(gate.enter(2)).toBeUndefined();
    expect(gate.inFlight).toBe(4);
    gate.leave(1);
    expect(gate.enter(1)).toBeUndefined();
    for (const team of [1, 1, 1, 2]) gate.leave(team);
    expect(gate.inFlight).toBe(0);
    expect(gate.enter(1)).toBeUndefined();
  });

  test("a reservation holds what it is told, within the budget all share, and gives it all back", () => {
    const gate = new UploadGate();
    const a = gate.reserve(1_000);
    const b = gate.reserve(1_000);
    expect(a.hold(600)).toBe(true);
    expect(b.hold(300)).toBe(true);
    expect(gate.held).toBe(900);
    // Past the budget: refused, and b holds what it held.
    expect(b.hold(500)).toBe(false);
    expect(gate.held).toBe(900);
    // Less is always fine.
    expect(a.hold(100)).toBe(true);
    expect(b.hold(900)).toBe(true);
    expect(gate.held).toBe(1_000);
    a.release();
    a.release();
    expect(gate.held).toBe(900);
    b.hold(0);
    b.release();
    expect(gate.held).toBe(0);
  });

  test("the budget is 64 MiB, or twice the photo cap when more, unless the limits set one", () => {
    expect(new UploadGate().budget(15_000_000)).toBe(UPLOAD_MEMORY_FLOOR);
    expect(UPLOAD_MEMORY_FLOOR).toBe(64 * 1_048_576);
    expect(new UploadGate().budget(50_000_000)).toBe(100_000_000);
    expect(new UploadGate({ memoryBytes: 5 }).budget(50_000_000)).toBe(5);
  });
});
