// Which coding a request's Accept-Encoding takes (RFC 9110, 12.5.3), as browsers, curl and
// proxies write the header.
import { describe, expect, test } from "bun:test";
import { chooseCoding, type Coding, varyOnEncoding } from "../../src/play/mod.ts";

const BOTH: Coding[] = ["br", "gzip"];
const GZIP: Coding[] = ["gzip"];

/** [Accept-Encoding, offered, the coding chosen] */
const CASES: [string | null, Coding[], Coding | undefined][] = [
  // Browsers.
  ["gzip, deflate, br", BOTH, "br"],
  ["gzip, deflate, br, zstd", GZIP, "gzip"],
  // No header, an empty one, identity alone: as it is.
  [null, BOTH, undefined],
  ["", BOTH, undefined],
  ["identity", BOTH, undefined],
  // Refused with q=0, in any spelling.
  ["gzip;q=0", GZIP, undefined],
  ["gzip; q=0.000", GZIP, undefined],
  ["GZIP;Q=0", GZIP, undefined],
  ["br;q=0, gzip", BOTH, "gzip"],
  ["br, gzip;q=0", GZIP, undefined],
  // Weights: the higher wins; on a tie, the server's order.
  ["gzip;q=1, br;q=0.5", BOTH, "gzip"],
  ["gzip;q=0.8, br;q=0.8", BOTH, "br"],
  ["gzip;q=0.5, identity;q=1", GZIP, undefined],
  ["gzip;q=0.5", GZIP, "gzip"],
  // `*` stands for every coding not named.
  ["*", BOTH, "br"],
  ["*;q=0", GZIP, undefined],
  ["br;q=0, *", BOTH, "gzip"],
  ["gzip;q=0, *", GZIP, undefined],
  // Case, spaces, x-gzip, codings Cairn does not send, a malformed weight.
  [" Gzip , DEFLATE ", GZIP, "gzip"],
  ["x-gzip", GZIP, "gzip"],
  ["deflate, zstd", BOTH, undefined],
  ["gzip;q=2", GZIP, undefined],
  ["gzip;q=abc, br", BOTH, "br"],
  ["gzip;level=1", GZIP, "gzip"],
];

describe("chooseCoding()", () => {
  test("takes the best coding the header accepts, and none it refuses", () => {
    for (const [header, offered, expected] of CASES) {
      // Twice: the second answer comes from the last header's cache.
      for (let i = 0; i < 2; i++) {
        expect([header, offered, chooseCoding(header, offered)]).toEqual([
          header,
          offered,
          expected,
        ]);
      }
    }
  });
});

describe("varyOnEncoding()", () => {
  test("adds accept-encoding to vary once, after what is there", () => {
    const cases: [string | null, string][] = [
      [null, "accept-encoding"],
      ["cookie", "cookie, accept-encoding"],
      ["Accept-Encoding", "Accept-Encoding"],
      ["cookie, accept-encoding", "cookie, accept-encoding"],
      ["*", "*"],
    ];
    for (const [before, after] of cases) {
      const headers = new Headers(before === null ? {} : { vary: before });
      varyOnEncoding(headers);
      varyOnEncoding(headers);
      expect([before, headers.get("vary")]).toEqual([before, after]);
    }
  });
});
