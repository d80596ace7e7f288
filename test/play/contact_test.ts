// The last-contact tokens' signature: HMAC-SHA256 computed from the key's padded blocks hashed
// once (play/contact.ts), which must give the same bytes as the runtime's own HMAC.
import { describe, expect, test } from "bun:test";
import { createHmac, randomBytes } from "node:crypto";
import { hmacSha256 } from "../../src/play/contact.ts";

describe("hmacSha256", () => {
  test("signs as createHmac does, for keys shorter, as long as and longer than a block", () => {
    for (const length of [0, 1, 32, 63, 64, 65, 100, 200]) {
      const key = randomBytes(length);
      const sign = hmacSha256(key);
      for (const payload of ["", "12.1796518847.abcdefghijklmnop", "é€😀", "x".repeat(1000)]) {
        expect([length, payload.length, sign(payload)]).toEqual([
          length,
          payload.length,
          createHmac("sha256", key).update(payload).digest("base64url"),
        ]);
      }
    }
  });

  test("each signature starts afresh: the same payload signs the same, twice", () => {
    const sign = hmacSha256(randomBytes(32));
    const first = sign("a");
    sign("b");
    expect(sign("a")).toBe(first);
  });
});
