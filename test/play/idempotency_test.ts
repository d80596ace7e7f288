// The key index's cap: a team keeps its newest MAX_KEYS_PER_TEAM answered keys,
// and the commit that stores one more forgets the oldest, also when two keys
// are recorded at once, or one is abandoned after its record.
import { describe, expect, test } from "bun:test";
import { IdempotencyKeys, MAX_KEYS_PER_TEAM } from "../../src/play/mod.ts";

const ANSWER = { status: 200, body: "{}" };

/** An index where team 1 holds `count` answered keys, `k0` the oldest. */
function full(count = MAX_KEYS_PER_TEAM): IdempotencyKeys {
  const rows = Array.from({ length: count }, (_, i) => ({
    teamId: 1,
    key: `k${i}`,
    fingerprint: "f",
    ...ANSWER,
    at: i,
  }));
  return IdempotencyKeys.load(rows).keys;
}

describe("IdempotencyKeys' cap per team", () => {
  test("below the cap, a record forgets nothing", () => {
    const keys = full(MAX_KEYS_PER_TEAM - 1);
    expect(keys.begin(1, "new", "f", 0)).toEqual({ kind: "new" });
    expect(keys.record(1, "new", ANSWER).map((w) => w.kind)).toEqual(["idempotency"]);
    keys.settled(1, "new", ANSWER);
    expect(keys.held(1)).toBe(MAX_KEYS_PER_TEAM);
  });

  test("at the cap, the record forgets the oldest key once it is on disk", () => {
    const keys = full();
    keys.begin(1, "new", "f", 0);
    const writes = keys.record(1, "new", ANSWER);
    expect(writes[1]).toEqual({ kind: "idempotency_evict", teamId: 1, keys: ["k0"] });
    // Until the commit, the old key still replays.
    expect(keys.begin(1, "k0", "f", 0).kind).toBe("replay");
    keys.settled(1, "new", ANSWER);
    expect(keys.held(1)).toBe(MAX_KEYS_PER_TEAM);
    expect(keys.begin(1, "k0", "f", 0).kind).toBe("new");
  });

  test("two records at once forget two different keys", () => {
    const keys = full();
    keys.begin(1, "a", "f", 0);
    keys.begin(1, "b", "f", 0);
    const a = keys.record(1, "a", ANSWER)[1];
    const b = keys.record(1, "b", ANSWER)[1];
    expect([a, b]).toEqual([
      { kind: "idempotency_evict", teamId: 1, keys: ["k0"] },
      { kind: "idempotency_evict", teamId: 1, keys: ["k1"] },
    ]);
    keys.settled(1, "a", ANSWER);
    keys.settled(1, "b", ANSWER);
    expect(keys.held(1)).toBe(MAX_KEYS_PER_TEAM);
  });

  test("an abandoned record's old key counts again, and is the next one forgotten", () => {
    const keys = full();
    keys.begin(1, "failed", "f", 0);
    keys.record(1, "failed", ANSWER);
    keys.abandon(1, "failed");
    expect(keys.held(1)).toBe(MAX_KEYS_PER_TEAM);
    keys.begin(1, "next", "f", 0);
    expect(keys.record(1, "next", ANSWER)[1]).toEqual({
      kind: "idempotency_evict",
      teamId: 1,
      keys: ["k0"],
    });
  });

  test("another node's evict forgets the keys it names", () => {
    const keys = full();
    keys.follow({ kind: "idempotency_evict", teamId: 1, keys: ["k0", "k1"] });
    expect(keys.held(1)).toBe(MAX_KEYS_PER_TEAM - 2);
    expect(keys.begin(1, "k1", "f", 0).kind).toBe("new");
  });

  test("load keeps each team's newest keys and returns what to forget on disk", () => {
    const { keys, trim } = IdempotencyKeys.load([
      ...Array.from({ length: MAX_KEYS_PER_TEAM + 2 }, (_, i) => ({
        teamId: 1,
        key: `k${i}`,
        fingerprint: "f",
        ...ANSWER,
        at: i,
      })),
      { teamId: 2, key: "k0", fingerprint: "f", ...ANSWER, at: 0 },
    ]);
    expect(trim).toEqual([{ kind: "idempotency_evict", teamId: 1, keys: ["k0", "k1"] }]);
    expect([keys.held(1), keys.held(2)]).toEqual([MAX_KEYS_PER_TEAM, 1]);
  });
});
