// The login limit: per team name and client address, under a ceiling per name across addresses;
// a refused attempt is not counted, so an address over its limit cannot use up the name's.
import { describe, expect, test } from "bun:test";
import {
  Accounts,
  ADMIN_ATTEMPT_LIMIT,
  AdminAttempts,
  LOGIN_LIMIT,
  LOGIN_NAME_LIMIT,
} from "../../src/play/accounts.ts";

const accounts = () => Accounts.from({ passwords: [], sessions: [] });

describe("Accounts.limitLogin()", () => {
  test("counts each address apart", () => {
    const limits = accounts();
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      expect(limits.limitLogin("gulls", "rival", i)).toBe(undefined);
    }
    expect(limits.limitLogin("gulls", "rival", 10)).toBe(300);
    expect(limits.limitLogin("gulls", "team", 10)).toBe(undefined);
    // Another name from the same address is its own.
    expect(limits.limitLogin("terns", "rival", 10)).toBe(undefined);
  });

  test(`caps a name at ${LOGIN_NAME_LIMIT} attempts from all addresses together`, () => {
    const limits = accounts();
    let n = 0;
    for (let address = 0; n < LOGIN_NAME_LIMIT; address++) {
      for (let i = 0; i < LOGIN_LIMIT && n < LOGIN_NAME_LIMIT; i++, n++) {
        expect(limits.limitLogin("gulls", `a${address}`, 1000)).toBe(undefined);
      }
    }
    expect(limits.limitLogin("gulls", "fresh", 61_000)).toBe(240);
    // Five minutes after those attempts, the name may be tried again.
    expect(limits.limitLogin("gulls", "fresh", 301_000)).toBe(undefined);
  });

  test("an address over its limit does not use up the name's ceiling", () => {
    const limits = accounts();
    for (let i = 0; i < LOGIN_NAME_LIMIT * 3; i++) limits.limitLogin("gulls", "rival", 1000);
    expect(limits.limitLogin("gulls", "team", 1000)).toBe(undefined);
  });
});

describe("AdminAttempts", () => {
  test("keeps at most 10,000 addresses, forgetting the one that failed longest ago", () => {
    const attempts = new AdminAttempts();
    // A guesser at the limit, then 10,000 other addresses with one wrong token each, all within
    // the minute: the map stays at 10,000, and the guesser is the one forgotten.
    for (let i = 0; i < ADMIN_ATTEMPT_LIMIT; i++) attempts.fail("guesser", `token-${i}`, 1000);
    expect(attempts.blocked("guesser", 1000)).toBe(60);
    for (let i = 0; i < 9_999; i++) attempts.fail(`10.0.${i >> 8}.${i & 255}`, "t", 2000);
    expect([attempts.size, attempts.blocked("guesser", 2000)]).toEqual([10_000, 59]);
    // A second wrong token from an address moves it to the end: it stays.
    attempts.fail("10.0.0.0", "other", 3000);
    attempts.fail("10.9.9.9", "t", 3000);
    expect(attempts.size).toBe(10_000);
    expect(attempts.blocked("guesser", 3000)).toBe(undefined);
    attempts.fail("10.9.9.10", "t", 3000);
    expect(attempts.size).toBe(10_000);
    // 10.0.0.1 went next, not 10.0.0.0, which failed again since.
    for (let i = 0; i < ADMIN_ATTEMPT_LIMIT - 2; i++) attempts.fail("10.0.0.0", `more-${i}`, 3000);
    expect(attempts.blocked("10.0.0.0", 3000)).toBe(59);
  });
});

describe("Accounts: password resets, for logins under way", () => {
  test("a reset counts once applied, on this node or followed from another; an upgrade does not", async () => {
    const here = accounts();
    const mark = here.resetMark();
    // Another node's records: an imported hash upgraded at a login, then an organizer's reset.
    here.follow({ kind: "password", teamId: 1, passwordHash: "$argon2id$upgraded" });
    expect(here.resetSince(1, mark)).toBe(false);
    here.follow({ kind: "password", teamId: 1, passwordHash: "$argon2id$new", reset: true });
    expect([here.resetSince(1, mark), here.resetSince(2, mark)]).toEqual([true, false]);
    // One decided here: a login waits for it to take effect, or to fail.
    const later = here.resetMark();
    const reset = here.resetPassword(2, "$argon2id$other");
    let settled = false;
    const waiting = here.resetSettled(2).then(() => settled = true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect([settled, here.resetSince(2, later)]).toEqual([false, false]);
    reset.apply();
    reset.settle();
    await waiting;
    expect([settled, here.resetSince(2, later), here.passwordOf(2)]).toEqual([
      true,
      true,
      "$argon2id$other",
    ]);
  });
});
