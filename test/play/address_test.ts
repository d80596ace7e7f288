// The address a limit counts a client by: the connection's peer as Bun or Deno gives it, an IPv6
// address by its /64, and "unknown" where the runtime gives none.
import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { addressKey, clientAddress } from "../../src/play/mod.ts";

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
  const app = new Hono().get("/", (c) => c.text(clientAddress(c)));
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

  test("reads no X-Forwarded-For, which any client can write", async () => {
    const res = await app.request("/", { headers: { "x-forwarded-for": "1.2.3.4" } }, {
      requestIP: () => ({ address: "10.0.0.7" }),
    });
    expect(await res.text()).toBe("10.0.0.7");
  });
});
