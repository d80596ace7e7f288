// The login limit: per team name and client address, under a ceiling per name across addresses;
// a refused attempt is not counted, so an address over its limit cannot use up the name's.
import { describe, expect, test } from "bun:test";
import { Accounts, LOGIN_LIMIT, LOGIN_NAME_LIMIT } from "../../src/play/accounts.ts";

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
