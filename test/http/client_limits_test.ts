// The limits that count per client address: logins (per team name and address, under a ceiling
// per name). Each request here comes from an address, as Bun's server gives it (`requestIP`).
import { describe, expect, test } from "bun:test";
import { makeApp, ORIGIN } from "./_app.ts";
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
