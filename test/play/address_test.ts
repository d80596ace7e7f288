// The address a limit counts a client by: the connection's peer as Bun or Deno gives it, or behind
// a trusted reverse proxy the client its X-Forwarded-For names; an IPv6 address by its /64, and
// "unknown" where the runtime gives none.
import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import {
  addressKey,
  clientAddress,
  NO_PROXIES,
  parseTrustedProxies,
  type TrustedProxies,
} from "../../src/play/mod.ts";

/** The matcher of a list that must parse. */
function proxies(list: string): TrustedProxies {
  const parsed = parseTrustedProxies(list);
  if (parsed.kind !== "ok") throw new Error(`refused: ${parsed.entry}`);
  return parsed.proxies;
}

describe("addressKey()", () => {
  test.each([
    ["192.168.1.20", "192.168.1.20"],
    ["::ffff:192.168.1.20", "192.168.1.20"],
    ["::FFFF:10.0.0.7", "10.0.0.7"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002::ffff", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
  ])("%s counts as %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

describe("clientAddress()", () => {
  const app = new Hono().get("/", (c) => c.text(clientAddress(c, NO_PROXIES)));
  const ask = async (env?: unknown) => await (await app.request("/", {}, env)).text();

  test("reads Bun's server (requestIP)", async () => {
    expect(await ask({ requestIP: () => ({ address: "10.0.0.7", family: "IPv4", port: 1 }) }))
      .toBe("10.0.0.7");
  });

  test("reads Deno's handler info (remoteAddr)", async () => {
    const info = { remoteAddr: { transport: "tcp", hostname: "2001:db8::5", port: 1 } };
    expect(await ask(info)).toBe("2001:db8:0:0::/64");
  });

  test('is "unknown" without a peer, or when the runtime cannot say', async () => {
    expect(await ask()).toBe("unknown");
    expect(await ask({ requestIP: () => null })).toBe("unknown");
    expect(
      await ask({
        requestIP: () => {
          throw new Error("not a request of this server");
        },
      }),
    ).toBe("unknown");
  });

  test("reads no X-Forwarded-For without trusted proxies: any client can write one", async () => {
    const res = await app.request("/", { headers: { "x-forwarded-for": "1.2.3.4" } }, {
      requestIP: () => ({ address: "10.0.0.7" }),
    });
    expect(await res.text()).toBe("10.0.0.7");
  });
});

describe("parseTrustedProxies()", () => {
  test.each([
    // An address, a block of one; an IPv4 entry matches the IPv4-mapped form too.
    ["127.0.0.1", "127.0.0.1", true],
    ["127.0.0.1", "::ffff:127.0.0.1", true],
    ["127.0.0.1", "::FFFF:7f00:1", true],
    ["127.0.0.1", "127.0.0.2", false],
    ["127.0.0.1", "::1", false],
    ["::1", "::1", true],
    ["::1", "0:0:0:0:0:0:0:1", true],
    ["::1", "127.0.0.1", false],
    ["::ffff:127.0.0.1", "127.0.0.1", true],
    // IPv4 blocks, at their edges.
    ["10.0.0.0/8", "10.255.255.255", true],
    ["10.0.0.0/8", "::ffff:10.1.2.3", true],
    ["10.0.0.0/8", "9.255.255.255", false],
    ["10.0.0.0/8", "11.0.0.0", false],
    ["192.168.1.7/32", "192.168.1.7", true],
    ["192.168.1.7/32", "192.168.1.6", false],
    ["192.168.1.7/32", "192.168.1.8", false],
    ["10.0.0.0/31", "10.0.0.1", true],
    ["10.0.0.0/31", "10.0.0.2", false],
    ["192.168.1.10/24", "192.168.1.200", true],
    ["192.168.1.10/24", "192.168.2.1", false],
    ["0.0.0.0/0", "1.2.3.4", true],
    ["0.0.0.0/0", "255.255.255.255", true],
    ["0.0.0.0/0", "::1", false],
    ["0.0.0.0/0", "2001:db8::1", false],
    // IPv6 blocks, at their edges (and across the 32-bit words they are compared in).
    ["2001:db8::/32", "2001:db8:ffff:ffff::1", true],
    ["2001:db8::/32", "2001:DB8::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["2001:db8::/33", "2001:db8:7fff::1", true],
    ["2001:db8::/33", "2001:db8:8000::1", false],
    ["2001:db8:1:2::/64", "2001:db8:1:2:ffff:ffff:ffff:ffff", true],
    ["2001:db8:1:2::/64", "2001:db8:1:3::", false],
    ["2001:db8::1/128", "2001:db8::1", true],
    ["2001:db8::1/128", "2001:0db8:0000:0000:0000:0000:0000:0001", true],
    ["2001:db8::1/128", "2001:db8::2", false],
    ["2001:db8::/127", "2001:db8::1", true],
    ["2001:db8::/127", "2001:db8::2", false],
    ["fe80::/10", "fe80::1%eth0", true],
    ["fe80::/10", "fec0::1", false],
    ["::ffff:10.0.0.0/104", "10.9.9.9", true],
    ["::ffff:10.0.0.0/104", "11.0.0.1", false],
    // ::/0 is every address, IPv4 ones (IPv4-mapped) included.
    ["::/0", "2001:db8::1", true],
    ["::/0", "203.0.113.7", true],
    // Several entries, spaces allowed around them.
    ["127.0.0.1, ::1 , 10.0.0.0/8", "::1", true],
    ["127.0.0.1, ::1 , 10.0.0.0/8", "10.4.4.4", true],
    ["127.0.0.1, ::1 , 10.0.0.0/8", "192.168.1.1", false],
    // What is no address is never trusted.
    ["0.0.0.0/0", "unknown", false],
    ["0.0.0.0/0", "", false],
    ["::/0", "localhost", false],
  ])("%s trusts %s: %p", (list, address, trusted) => {
    expect(proxies(list).trusts(address)).toBe(trusted);
  });

  test("keeps the entries as given, without the spaces around them", () => {
    expect(proxies(" 127.0.0.1 ,::1,10.0.0.0/8").list).toEqual(["127.0.0.1", "::1", "10.0.0.0/8"]);
  });

  test.each([
    "::",
    "1:2:3:4:5:6:7::",
    "::2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8",
    "::ffff:1.2.3.4",
    "1:2:3:4:5:6:1.2.3.4",
    "ABCD::ef/16",
    "0.0.0.0",
    "255.255.255.255/32",
    "::/128",
  ])("accepts %s", (entry) => {
    expect(parseTrustedProxies(entry).kind).toBe("ok");
  });

  test.each([
    "",
    "localhost",
    "10.0.0.0/33",
    "::/129",
    "10.0.0.0/",
    "/8",
    "10.0.0.0/8/8",
    "10.0.0.0/08",
    "10.0.0.0/-1",
    "10.0.0.0/ 8",
    "10.0.0.256",
    "10.0.0",
    "10.0.0.0.0",
    "010.0.0.1",
    "10.0.0.1a",
    "1.2.3.4:80",
    "[::1]",
    "::1::",
    "1::2::3",
    ":::",
    ":1::",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:8::",
    "12345::",
    "g::1",
    "1.2.3.4::",
    "::1.2.3",
    "::1.2.3.4:5",
    "fe80::1%eth0",
    "*",
  ])("refuses %p and names it", (entry) => {
    expect(parseTrustedProxies(`127.0.0.1,${entry}`)).toEqual({ kind: "invalid", entry });
  });

  test("refuses an empty entry (a stray comma)", () => {
    expect(parseTrustedProxies("127.0.0.1,")).toEqual({ kind: "invalid", entry: "" });
    expect(parseTrustedProxies("127.0.0.1,,::1")).toEqual({ kind: "invalid", entry: "" });
  });
});

describe("clientAddress() behind trusted proxies", () => {
  const trusted = proxies("127.0.0.1,10.0.0.0/8");
  const app = new Hono().get("/", (c) => c.text(clientAddress(c, trusted)));
  /** The address of a request from `peer` (as Bun gives it) with these headers. */
  const ask = async (peer: string, headers: Headers | Record<string, string> = {}) =>
    await (await app.request("/", { headers }, { requestIP: () => ({ address: peer }) })).text();
  const forwarded = (value: string) => ({ "x-forwarded-for": value });

  test.each([
    // The client the proxy appended.
    ["203.0.113.7", "203.0.113.7"],
    // Left of it, what the client itself sent: not believed.
    ["198.51.100.1, 203.0.113.7", "203.0.113.7"],
    ["garbage, 203.0.113.7", "203.0.113.7"],
    [", 203.0.113.7", "203.0.113.7"],
    // Trusted proxies in a chain are skipped, from the right.
    ["203.0.113.7, 10.0.0.5", "203.0.113.7"],
    ["198.51.100.1,203.0.113.7,10.0.0.9,10.0.0.5", "203.0.113.7"],
    // Every hop a trusted proxy: the farthest one.
    ["10.0.0.9, 10.0.0.5", "10.0.0.9"],
    // Addresses keep their key form.
    ["2001:db8:1:2::99", "2001:db8:1:2::/64"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    // Missing, empty or malformed where the client would be: the peer.
    ["", "127.0.0.1"],
    ["   ", "127.0.0.1"],
    ["203.0.113.7:5555", "127.0.0.1"],
    ["[2001:db8::1]", "127.0.0.1"],
    ["unknown", "127.0.0.1"],
    ["203.0.113.7,", "127.0.0.1"],
    ["203.0.113.7, nonsense, 10.0.0.5", "127.0.0.1"],
  ])("X-Forwarded-For %p is client %s", async (header, client) => {
    expect(await ask("127.0.0.1", forwarded(header))).toBe(client);
  });

  test("with no X-Forwarded-For, the peer is the client", async () => {
    expect(await ask("127.0.0.1")).toBe("127.0.0.1");
  });

  test('several X-Forwarded-For headers are read as one list, joined by ", "', async () => {
    const headers = new Headers();
    headers.append("x-forwarded-for", "198.51.100.1, 203.0.113.7");
    headers.append("x-forwarded-for", "10.0.0.5");
    expect(await ask("127.0.0.1", headers)).toBe("203.0.113.7");
  });

  test("a trusted proxy's IPv4-mapped peer address is trusted too", async () => {
    expect(await ask("::ffff:127.0.0.1", forwarded("203.0.113.7"))).toBe("203.0.113.7");
    expect(await ask("::ffff:10.1.1.1", forwarded("203.0.113.7"))).toBe("203.0.113.7");
  });

  test("an untrusted peer's X-Forwarded-For is ignored", async () => {
    expect(await ask("192.168.1.66", forwarded("203.0.113.7"))).toBe("192.168.1.66");
    expect(await ask("127.0.0.2", forwarded("203.0.113.7"))).toBe("127.0.0.2");
  });

  test("reads Deno's peer (remoteAddr) the same way", async () => {
    const v6 = new Hono().get("/", (c) => c.text(clientAddress(c, proxies("::1"))));
    const info = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 1 } });
    const headers = forwarded("2001:db8::5");
    expect(await (await v6.request("/", { headers }, info("::1"))).text())
      .toBe("2001:db8:0:0::/64");
    expect(await (await v6.request("/", { headers }, info("::2"))).text()).toBe("0:0:0:0::/64");
  });

  test('without a peer, "unknown", whatever the header says', async () => {
    expect(await (await app.request("/", { headers: forwarded("203.0.113.7") })).text())
      .toBe("unknown");
  });
});
