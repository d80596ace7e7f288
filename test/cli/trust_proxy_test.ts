// `cairn serve --trust-proxy LIST` (or CAIRN_TRUST_PROXY): the reverse proxies whose
// X-Forwarded-For names the client for the limits on logins and wrong admin tokens. A bad entry
// is refused before anything opens, in one line with exit 2.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { ADMIN_TOKEN, startServer } from "./_serve.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-trust-proxy-"));
  dirs.push(dir);
  return dir;
}

describe("cairn serve --trust-proxy", () => {
  const refused = (from: string, entry: string) =>
    `cairn serve: ${from} must be IP addresses or CIDR blocks, separated by commas ` +
    `(127.0.0.1,::1 or 10.0.0.0/8), not "${entry}"\n`;
  const cases: [string[], Record<string, string>, string][] = [
    [["--trust-proxy", "nginx.lan"], {}, refused("--trust-proxy", "nginx.lan")],
    [["--trust-proxy", "127.0.0.1,10.0.0.0/33"], {}, refused("--trust-proxy", "10.0.0.0/33")],
    [["--trust-proxy", "::1, 2001:db8::/129"], {}, refused("--trust-proxy", "2001:db8::/129")],
    [["--trust-proxy", "127.0.0.1:8080"], {}, refused("--trust-proxy", "127.0.0.1:8080")],
    [["--trust-proxy", "127.0.0.1,"], {}, refused("--trust-proxy", "")],
    [
      [],
      { CAIRN_TRUST_PROXY: "10.0.0.0/8,10.0.0.256" },
      refused("CAIRN_TRUST_PROXY", "10.0.0.256"),
    ],
  ];
  for (const [flags, env, message] of cases) {
    const shown = flags.length > 0 ? flags.join(" ") : `CAIRN_TRUST_PROXY=${env.CAIRN_TRUST_PROXY}`;
    test(`refuses ${shown} in one line, exit 2, before opening anything`, async () => {
      const dir = tempDir();
      const io = fakeIo(env);
      const db = join(dir, "cairn.db");
      expect(await run(["serve", "--db", db, "--port", "0", ...flags], io)).toBe(2);
      expect(io.err()).toBe(message);
      expect(io.out()).toBe("");
      expect(existsSync(db)).toBe(false);
    });
  }

  test("the flag wins over CAIRN_TRUST_PROXY", async () => {
    const io = fakeIo({ CAIRN_TRUST_PROXY: "not-an-address" });
    const db = join(tempDir(), "cairn.db");
    const argv = ["serve", "--db", db, "--port", "99999", "--trust-proxy", "127.0.0.1"];
    // Refused for its port, not for the variable the flag replaces.
    expect(await run(argv, io)).toBe(2);
    expect(io.err()).toStartWith("cairn serve: --port must be");
  });

  test("a server behind 127.0.0.1 counts wrong admin tokens per forwarded client", async () => {
    const server = await startServer(tempDir(), HUNT_TOML, ["--trust-proxy", "127.0.0.1, ::1"]);
    try {
      expect(server.io.out()).toMatch(/ event=listening .* trust_proxy=127\.0\.0\.1,::1\n/);
      const admin = async (forwardedFor: string, token: string) => {
        const res = await fetch(`${server.base}/api/admin/teams`, {
          headers: { authorization: `Bearer ${token}`, "x-forwarded-for": forwardedFor },
        });
        await res.arrayBuffer();
        return res.status;
      };
      for (let i = 0; i < 10; i++) expect(await admin("203.0.113.7", `guess-${i}`)).toBe(401);
      expect(await admin("203.0.113.7", ADMIN_TOKEN)).toBe(429);
      expect(await admin("203.0.113.8", ADMIN_TOKEN)).toBe(200);
      expect(server.io.out()).toContain("event=admin_token_limited address=203.0.113.7 ");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 30_000);
});
