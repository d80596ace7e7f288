import { describe, expect, test } from "bun:test";
import { isBcryptSha256, verifyBcryptSha256 } from "../../src/play/imported_password.ts";

// Published vectors for passlib's bcrypt_sha256, both of the password "password": version 2
// (HMAC-SHA256 keyed by the salt) from passlib's documentation as hashcat's module quotes it,
// and version 1 (plain SHA-256) from passlib's own documentation.
const V2 = "$bcrypt-sha256$v=2,t=2b,r=12$n79VH.0Q2TMWmt3Oqt9uku$Kq4Noyk3094Y2QlB8NdRT8SvGiI4ft2";
const V1 = "$bcrypt-sha256$2a,12$LrmaIX5x4TRtAwEfwJZa1.$2ehnw6LvuIUTM0iz4iz9hTxv21B6KFO";

describe("verifyBcryptSha256()", () => {
  const cases: [string, string, string, boolean][] = [
    ["version 2, the right password", V2, "password", true],
    ["version 2, a wrong password", V2, "Password", false],
    ["version 1, the right password", V1, "password", true],
    ["version 1, a wrong password", V1, "passwort", false],
    ["a truncated hash", V2.slice(0, -3), "password", false],
    ["an unknown version", V2.replace("v=2", "v=3"), "password", false],
  ];
  for (const [what, hash, password, expected] of cases) {
    test(`${what}: ${expected}`, async () => {
      expect(await verifyBcryptSha256(password, hash)).toBe(expected);
    });
  }

  test("isBcryptSha256() tells passlib's format from plain bcrypt and argon2id", () => {
    expect(isBcryptSha256(V2)).toBe(true);
    // Plain bcrypt of "x" (cost 4), as Bun.password.hash makes it.
    expect(isBcryptSha256("$2b$04$DwChUGFi4OLdKeVwrT/wyulZpN6upUawna0NmhpYytwQe4zUPR0tO")).toBe(
      false,
    );
    expect(isBcryptSha256("$argon2id$v=19$m=19456,t=2,p=1$x$y")).toBe(false);
  });
});
