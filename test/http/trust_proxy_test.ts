// Behind a reverse proxy, over a real socket (Bun.serve, Deno.serve): every request comes from
// 127.0.0.1, as from nginx on the same machine. With that address trusted (`serve --trust-proxy`),
// the limits on logins and wrong admin tokens count the client X-Forwarded-For names, so one
// player's wrong tokens or passwords do not lock out everyone behind the proxy; without it, or
// from a peer that is not trusted, the header is ignored and every client is the proxy.
import { describe, expect, test } from "bun:test";
import { listen } from "../../src/server/mod.ts";
import { ADMIN_TOKEN, makeApp } from "./_app.ts";

const ATTACKER = "203.0.113.7";
const ORGANIZER = "203.0.113.8";

/** The app listening on 127.0.0.1, and a way to call it with headers of our choosing. */
function proxied(trustProxy?: string) {
  const app = makeApp(trustProxy === undefined ? {} : { trustProxy });
  const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
  const base = `http://127.0.0.1:${server.port}`;
  /** A request as the proxy passes it on: `forwardedFor` is its X-Forwarded-For, if any. */
  async function send(
    method: string,
    path: string,
    init: { forwardedFor?: string; token?: string; body?: unknown } = {},
  ): Promise<{ status: number; retryAfter: string | null }> {
    const headers: Record<string, string> = {};
    if (init.forwardedFor !== undefined) headers["x-forwarded-for"] = init.forwardedFor;
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get("retry-after") };
  }
  const admin = (forwardedFor: string | undefined, token: string) =>
    send("GET", "/api/admin/teams", {
      token,
      ...(forwardedFor !== undefined && { forwardedFor }),
    });
  const login = (forwardedFor: string | undefined, password: string) =>
    send("POST", "/api/session", {
      body: { name: "Gulls", password },
      ...(forwardedFor !== undefined && { forwardedFor }),
    });
  return { app, admin, login, stop: () => server.stop(true) };
}

/** Runs `body` against the app behind a proxy (`proxied`), and stops its server however it ends. */
async function withProxy(
  trustProxy: string | undefined,
  body: (proxy: ReturnType<typeof proxied>) => Promise<void>,
): Promise<void> {
  const proxy = proxied(trustProxy);
  try {
    await body(proxy);
  } finally {
    await proxy.stop();
  }
}

/** Sends ten wrong passwords for Gulls from `ATTACKER`, each answered 401. */
async function tenWrongPasswords(login: ReturnType<typeof proxied>["login"]) {
  for (let i = 0; i < 10; i++) expect((await login(ATTACKER, `wrong-${i}xxx`)).status).toBe(401);
}

/** Sends ten wrong admin tokens, each answered 401; `from` gives each one's X-Forwarded-For. */
async function tenWrongTokens(
  admin: (forwardedFor: string | undefined, token: string) => Promise<{ status: number }>,
  from: (i: number) => string | undefined,
) {
  for (let i = 0; i < 10; i++) expect((await admin(from(i), `guess-${i}`)).status).toBe(401);
}

describe("wrong admin tokens behind a reverse proxy", () => {
  test("with the proxy trusted, they count per forwarded client: the organizer is not locked out", async () => {
    await withProxy("127.0.0.1", async ({ admin }) => {
      await tenWrongTokens(admin, () => ATTACKER);
      const limited = await admin(ATTACKER, "guess-10");
      expect(limited).toEqual({ status: 429, retryAfter: "60" });
      expect((await admin(ATTACKER, ADMIN_TOKEN)).status).toBe(429);
      expect((await admin(ORGANIZER, ADMIN_TOKEN)).status).toBe(200);
      // A request from the proxy's own machine, with no header, is its own client too.
      expect((await admin(undefined, ADMIN_TOKEN)).status).toBe(200);
    });
  });

  test("the attacker cannot pick the address counted by writing an X-Forwarded-For of its own", async () => {
    await withProxy("127.0.0.1", async ({ admin }) => {
      // What nginx passes on: the client's own header, then the address it came from.
      await tenWrongTokens(admin, (i) => `198.51.100.${i}, ${ATTACKER}`);
      expect((await admin(`${ORGANIZER}, ${ATTACKER}`, ADMIN_TOKEN)).status).toBe(429);
      expect((await admin(ORGANIZER, ADMIN_TOKEN)).status).toBe(200);
    });
  });

  test("without trusted proxies, X-Forwarded-For is ignored: every client is the proxy", async () => {
    await withProxy(undefined, async ({ admin }) => {
      await tenWrongTokens(admin, () => ATTACKER);
      expect((await admin(ORGANIZER, ADMIN_TOKEN)).status).toBe(429);
    });
  });

  test("a peer that is not a trusted proxy cannot escape the limit with a forged header", async () => {
    await withProxy("10.0.0.1,::1", async ({ admin }) => {
      await tenWrongTokens(admin, (i) => `203.0.113.${100 + i}`);
      expect((await admin("203.0.113.200", ADMIN_TOKEN)).status).toBe(429);
    });
  });
});

describe("login attempts behind a reverse proxy", () => {
  test("with the proxy trusted, a rival's wrong passwords do not lock the team out", async () => {
    await withProxy("127.0.0.1", async ({ app, login }) => {
      await app.register("Gulls");
      await tenWrongPasswords(login);
      expect(await login(ATTACKER, "correct horse")).toEqual({ status: 429, retryAfter: "300" });
      expect((await login(ORGANIZER, "correct horse")).status).toBe(200);
    });
  }, 60_000);

  test("without trusted proxies, they lock out every client behind the proxy", async () => {
    await withProxy(undefined, async ({ app, login }) => {
      await app.register("Gulls");
      await tenWrongPasswords(login);
      expect((await login(ORGANIZER, "correct horse")).status).toBe(429);
    });
  }, 60_000);
});
