// The limits that count per client address: logins (per team name and address, under a ceiling
// per name), and wrong admin tokens (per address, logged when the limit trips). Each request
// here comes from an address, as Bun's server gives it (`requestIP`) or Deno's (`remoteAddr`).
import { describe, expect, test } from "bun:test";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { ADMIN_TOKEN, makeApp, ORIGIN } from "./_app.ts";
import { checkContract } from "./_contract.ts";

type App = ReturnType<typeof makeApp>;

/** Sends a request as the client at `address` would, through the runtime's `env`. */
async function from(
  app: App,
  address: string,
  method: string,
  path: string,
  init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  // Bun's server as Hono's env: its `requestIP` names the peer of the request's connection.
  const env = { requestIP: () => ({ address, family: "IPv4", port: 40000 }) };
  const res = await app.app.request(`${ORIGIN}${path}`, {
    method,
    headers,
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  }, env);
  const text = await res.text();
  const body = text.startsWith("{") ? JSON.parse(text) : undefined;
  checkContract(method, `${ORIGIN}${path}`, { status: res.status, headers: res.headers, body });
  return { status: res.status, headers: res.headers, body };
}

const RIVAL = "192.168.1.66";
const TEAM = "192.168.1.20";

describe("login attempts, per team name and client address", () => {
  test("a rival's wrong passwords from another address do not lock the team out", async () => {
    const app = makeApp();
    await app.register("Gulls");
    const login = (address: string, password: string) =>
      from(app, address, "POST", "/api/session", { body: { name: "Gulls", password } });
    for (let i = 0; i < 10; i++) expect((await login(RIVAL, `wrong-${i}xxx`)).status).toBe(401);
    // The rival's address is limited, even with the right password: guessing stays slow.
    const rival = await login(RIVAL, "correct horse");
    expect(rival.status).toBe(429);
    expect(rival.headers.get("retry-after")).toBe("300");
    expect(rival.body.error).toEqual({
      code: "rate_limited",
      message: "Too many login attempts for this team; try again later",
    });
    // The team's own phone, on its own address, logs in.
    const team = await login(TEAM, "correct horse");
    expect(team.status).toBe(200);
    expect(typeof team.body.token).toBe("string");
  }, 60_000);

  test("the login form of the pages is limited the same way", async () => {
    const app = makeApp();
    await app.register("Gulls");
    const form = (address: string, password: string) =>
      app.app.request(`${ORIGIN}/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ name: "Gulls", password }).toString(),
      }, { requestIP: () => ({ address }) });
    for (let i = 0; i < 10; i++) await form(RIVAL, `wrong-${i}xxx`);
    const rival = await form(RIVAL, "correct horse");
    expect(rival.headers.get("set-cookie") ?? "").not.toContain("cairn_session=");
    const team = await form(TEAM, "correct horse");
    expect(team.headers.get("set-cookie")).toContain("cairn_session=");
  }, 60_000);
});

describe("password work under way at once", () => {
  // The places are held by hand, as checks under way would hold them: argon2 takes its time on
  // a thread, so a test that raced real checks against a new request would depend on the timing.
  test("past the limit, a login or registration gets 503 at once, and is not counted", async () => {
    const app = makeApp({ passwordJobs: 2 });
    await app.register("Gulls");
    const held = [app.game.accounts.passwordSlot(), app.game.accounts.passwordSlot()];
    expect(held.every((release) => release !== undefined)).toBe(true);
    const login = (address: string, password: string) =>
      from(app, address, "POST", "/api/session", { body: { name: "Gulls", password } });
    // More than the name's limit from one address, all refused at once, none counted.
    for (let i = 0; i < 12; i++) {
      const busy = await login(RIVAL, `wrong-${i}xxx`);
      expect(busy.status).toBe(503);
      expect(busy.headers.get("retry-after")).toBe("2");
      expect(busy.body.error).toEqual({
        code: "unavailable",
        message: "Too many logins at once; try again in a few seconds",
      });
    }
    const registration = await from(app, TEAM, "POST", "/api/teams", {
      body: { name: "Terns", password: "correct horse" },
    });
    expect([registration.status, registration.body.error.code]).toEqual([503, "unavailable"]);
    for (const release of held) release!();
    // The places are back, and the refused attempts left the address its ten tries.
    for (let i = 0; i < 9; i++) expect((await login(RIVAL, `wrong-${i}xxx`)).status).toBe(401);
    expect((await login(RIVAL, "correct horse")).status).toBe(200);
    expect((await login(RIVAL, "correct horse")).status).toBe(429);
    expect(
      (await from(app, TEAM, "POST", "/api/teams", {
        body: { name: "Terns", password: "correct horse" },
      })).status,
    ).toBe(201);
    // Every check and hash gave its place back.
    const all = [app.game.accounts.passwordSlot(), app.game.accounts.passwordSlot()];
    expect(all.every((release) => release !== undefined)).toBe(true);
  }, 60_000);
});

describe("wrong registration codes, per client address", () => {
  test("the limit tripping is logged as a warning, at most one line a minute", async () => {
    const lines: string[] = [];
    const app = makeApp({
      log: (line) => lines.push(line),
      toml: HUNT_TOML.replace(
        'title = "Test Hunt"',
        'title = "Test Hunt"\nregistration = "code"\nregistration_codes = ["GULL-4412"]',
      ),
    });
    const join = (address: string, code: string) =>
      from(app, address, "POST", "/api/teams", {
        body: { name: `Team ${code}`, password: "correct horse", code },
      });
    for (let i = 0; i < 9; i++) expect((await join(RIVAL, `GULL-${1000 + i}`)).status).toBe(403);
    const warned = () => lines.filter((line) => line.includes("event=registration_code_limited"));
    expect(warned()).toEqual([]);
    expect((await join(RIVAL, "GULL-1009")).status).toBe(403);
    expect((await join(RIVAL, "GULL-4412")).status).toBe(429);
    // A second address trips it within the same minute: counted, not logged.
    for (let i = 0; i < 10; i++) await join("10.9.9.9", `GULL-${2000 + i}`);
    expect(warned()).toHaveLength(1);
    expect(warned()[0]).toContain(
      `level=warn event=registration_code_limited address=${RIVAL} wrong_codes=10 per=1m ` +
        "other_addresses=0",
    );
    app.clock.advance(60_000);
    for (let i = 0; i < 10; i++) await join(RIVAL, `GULL-${3000 + i}`);
    expect(warned()).toHaveLength(2);
    expect(warned()[1]).toContain(`address=${RIVAL} wrong_codes=10 per=1m other_addresses=1`);
    // No line holds a code.
    expect(lines.filter((line) => line.includes("GULL-"))).toEqual([]);
  });
});

describe("wrong admin tokens, per client address", () => {
  test("ten different wrong tokens a minute, then 429 for that address only", async () => {
    const app = makeApp();
    for (let i = 0; i < 10; i++) {
      expect((await from(app, RIVAL, "GET", "/api/admin/teams", { token: `guess-${i}` })).status)
        .toBe(401);
    }
    const limited = await from(app, RIVAL, "GET", "/api/admin/teams", { token: "guess-10" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.body.error).toEqual({
      code: "rate_limited",
      message: "Too many wrong admin tokens from this address; try again later",
    });
    // Not even the right token is compared from there, so a guess that is right tells nothing.
    expect((await from(app, RIVAL, "GET", "/api/admin/teams", { token: ADMIN_TOKEN })).status)
      .toBe(429);
    // Nor can another route that tells an organizer apart be used to go on guessing.
    expect(
      (await from(app, RIVAL, "POST", "/api/admin/judge/claim", {
        token: ADMIN_TOKEN,
        body: { judge: "ann" },
      })).status,
    ).toBe(429);
    // Another address is not affected.
    expect((await from(app, TEAM, "GET", "/api/admin/teams", { token: ADMIN_TOKEN })).status)
      .toBe(200);
    // A minute later, the address may try again.
    app.clock.advance(60_000);
    expect((await from(app, RIVAL, "GET", "/api/admin/teams", { token: ADMIN_TOKEN })).status)
      .toBe(200);
  });

  test("the same wrong token sent again and again (a stale cookie) counts once", async () => {
    const app = makeApp();
    for (let i = 0; i < 30; i++) {
      const stale = await from(app, TEAM, "GET", "/api/admin/teams", {
        headers: { cookie: "cairn_admin=the-old-admin-token" },
      });
      expect(stale.status).toBe(401);
    }
    expect((await from(app, TEAM, "GET", "/api/admin/teams", { token: ADMIN_TOKEN })).status)
      .toBe(200);
  });

  test("a team's own session token is no wrong admin token", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    for (let i = 0; i < 12; i++) {
      expect((await from(app, TEAM, "GET", "/api/admin/teams", { token })).status).toBe(401);
      expect((await from(app, TEAM, "GET", "/docs/api", { token })).status).toBe(200);
    }
    expect((await from(app, TEAM, "GET", "/api/admin/teams", { token: ADMIN_TOKEN })).status)
      .toBe(200);
  });

  test("the limit tripping is logged as a warning, at most one line a minute", async () => {
    const lines: string[] = [];
    const app = makeApp({ log: (line) => lines.push(line) });
    const guess = (address: string, i: number) =>
      from(app, address, "GET", "/api/admin/teams", { token: `${address}-guess-${i}` });
    for (let i = 0; i < 15; i++) await guess(RIVAL, i);
    // A second address trips it within the same minute: counted, not logged.
    for (let i = 0; i < 10; i++) await guess("10.9.9.9", i);
    const warned = () => lines.filter((line) => line.includes("event=admin_token_limited"));
    expect(warned()).toHaveLength(1);
    expect(warned()[0]).toContain(
      `level=warn event=admin_token_limited address=${RIVAL} wrong_tokens=10 per=1m other_addresses=0`,
    );
    app.clock.advance(60_000);
    for (let i = 20; i < 30; i++) await guess(RIVAL, i);
    expect(warned()).toHaveLength(2);
    expect(warned()[1]).toContain(`address=${RIVAL} wrong_tokens=10 per=1m other_addresses=1`);
    // No line holds a token.
    expect(lines.filter((line) => line.includes("guess-"))).toEqual([]);
  });

  test("the sign-in form is limited too, and says so", async () => {
    const app = makeApp();
    const signIn = (token: string) =>
      app.app.request(`${ORIGIN}/admin/session`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
      }, { requestIP: () => ({ address: RIVAL }) });
    for (let i = 0; i < 10; i++) await signIn(`guess-${i}`);
    const limited = await signIn(ADMIN_TOKEN);
    expect(limited.status).toBe(303);
    expect(limited.headers.get("set-cookie") ?? "").not.toContain("cairn_admin=");
    const page = await app.app.request(`${ORIGIN}/admin`, {
      headers: { cookie: (limited.headers.get("set-cookie") ?? "").split(";")[0]! },
    }, { requestIP: () => ({ address: RIVAL }) });
    expect(await page.text()).toContain("Too many wrong admin tokens from this address");
  });
});
