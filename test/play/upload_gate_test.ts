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
    const limits = { budget: 1_000, share: 1_000 };
    const a = gate.reserve(1, limits);
    const b = gate.reserve(2, limits);
    expect(a.hold(600)).toBeUndefined();
    expect(b.hold(300)).toBeUndefined();
    expect(gate.held).toBe(900);
    // Past the budget: 503, and b holds what it held.
    expect(b.hold(500)).toMatchObject({ code: "unavailable", retryAfter: 30 });
    expect(gate.held).toBe(900);
    // Less is always fine.
    expect(a.hold(100)).toBeUndefined();
    expect(b.hold(900)).toBeUndefined();
    expect(gate.held).toBe(1_000);
    a.release();
    a.release();
    expect(gate.held).toBe(900);
    b.hold(0);
    b.release();
    expect(gate.held).toBe(0);
  });

  test("one team's uploads hold at most its share: past it 429, while other teams still fit", () => {
    const gate = new UploadGate();
    const limits = { budget: 1_000, share: 400 };
    const first = gate.reserve(1, limits);
    const second = gate.reserve(1, limits);
    const other = gate.reserve(2, limits);
    expect(first.hold(300)).toBeUndefined();
    expect(second.hold(200)).toEqual({
      ok: false,
      code: "rate_limited",
      message: "Your team is already sending large photos: send this one once they have arrived",
      retryAfter: 10,
    });
    expect(second.hold(100)).toBeUndefined();
    expect(other.hold(400)).toBeUndefined();
    expect(gate.held).toBe(800);
    // A reservation may grow only within what its team's others leave of the share.
    expect(first.hold(350)).toMatchObject({ code: "rate_limited" });
    expect(first.hold(250)).toBeUndefined();
    expect(first.hold(300)).toBeUndefined();
    expect(gate.held).toBe(800);
    first.release();
    expect(second.hold(400)).toBeUndefined();
    expect(gate.held).toBe(800);
    second.release();
    other.release();
    expect(gate.held).toBe(0);
    // Nothing is left counted against the team once its uploads let go.
    expect(gate.reserve(1, limits).hold(400)).toBeUndefined();
  });

  test("one upload alone may hold up to half the budget, past its team's share; a second waits", () => {
    const gate = new UploadGate();
    const limits = { budget: 1_000, share: 250 };
    const video = gate.reserve(1, limits);
    const photo = gate.reserve(1, limits);
    // A long video's metadata, held whole while it arrives: more than the share.
    expect(video.hold(500)).toBeUndefined();
    expect(photo.hold(1)).toMatchObject({ code: "rate_limited" });
    expect(video.hold(501)).toMatchObject({ code: "rate_limited" });
    // The other half stays for the other teams.
    expect(gate.reserve(2, limits).hold(250)).toBeUndefined();
    video.release();
    expect(photo.hold(200)).toBeUndefined();
    // With the team's photo holding memory, the video is held to what the share leaves.
    expect(video.hold(51)).toMatchObject({ code: "rate_limited" });
    expect(video.hold(50)).toBeUndefined();
    expect(gate.held).toBe(500);
  });

  test("the budget is 64 MiB, or twice the photo cap when more, unless the limits set one", () => {
    expect(new UploadGate().budget(15_000_000)).toBe(UPLOAD_MEMORY_FLOOR);
    expect(UPLOAD_MEMORY_FLOOR).toBe(64 * 1_048_576);
    expect(new UploadGate().budget(50_000_000)).toBe(100_000_000);
    expect(new UploadGate({ memoryBytes: 5 }).budget(50_000_000)).toBe(5);
  });

  test("a team's share is a quarter of the budget, or one photo at the cap when more, never past the budget", () => {
    expect(new UploadGate().teamShare(15_000_000)).toBe(16 * 1_048_576);
    expect(new UploadGate().teamShare(3_000_000)).toBe(16 * 1_048_576);
    expect(new UploadGate().teamShare(20_000_000)).toBe(20_000_000);
    expect(new UploadGate({ memoryBytes: 1_000_000 }).teamShare(2_000_000)).toBe(1_000_000);
    expect(new UploadGate({ memoryBytes: 4_000_000 }).teamShare(2_000_000)).toBe(2_000_000);
    expect(new UploadGate({ memoryBytes: 40_000_000 }).teamShare(2_000_000)).toBe(10_000_000);
  });
});
