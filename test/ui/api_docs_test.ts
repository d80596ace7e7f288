// The API reference page: rendered from the OpenAPI document, served from the
// binary with the pages' security headers and nothing from elsewhere, and
// linked from the organizers' pages.
import { describe, expect, test } from "bun:test";
import { ERRORS, ROUTES } from "../../src/play/mod.ts";
import { ADMIN_TOKEN, makeApp, ORIGIN } from "../http/_app.ts";

const page = (app: ReturnType<typeof makeApp>, path: string, cookie?: string) =>
  app.app.request(`${ORIGIN}${path}`, {
    headers: { accept: "text/html", ...(cookie !== undefined && { cookie }) },
  });

describe("GET /docs/api", () => {
  test("lists every operation of the document, the error codes and the live events", async () => {
    const res = await page(makeApp(), "/docs/api");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/html");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const text = await res.text();
    expect(text).toContain('<a href="/api/openapi.json">/api/openapi.json</a>');
    for (const route of ROUTES) {
      expect(text).toContain(
        `<span class="badge">${route.method.toUpperCase()}</span> ${route.path}`,
      );
    }
    for (const code of Object.keys(ERRORS)) expect(text).toContain(`<td class="mono">${code}</td>`);
    for (const event of ["scoreboard", "announcement", "solve", "unlock"]) {
      expect(text).toContain(`id="event-${event}"`);
    }
    // A body's fields with their limits, and an answer's shape, resolved from the schemas.
    expect(text).toContain(
      '<td class="mono">password</td><td class="mono">string</td><td>8–256 characters</td>',
    );
    expect(text).toContain(
      "{result: &quot;correct&quot; | &quot;incorrect&quot; | &quot;partial&quot; | &quot;already_solved&quot;, message?: string, unlocked: [string]}",
    );
    // Nothing is loaded from elsewhere.
    expect(text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  test("the organizers' pages link to it", async () => {
    const app = makeApp();
    const signIn = await app.app.request(`${ORIGIN}/admin/session`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    });
    const cookie = signIn.headers.getSetCookie()[0]!.split(";")[0]!;
    const text = await (await page(app, "/admin", cookie)).text();
    expect(text).toContain('<a href="/docs/api">API</a>');
    // An organizer who follows it keeps the admin navigation; anyone else gets the guests'.
    const docs = await (await page(app, "/docs/api", cookie)).text();
    expect(docs).toContain('<a href="/admin">Dashboard</a>');
    expect(docs).toContain('<a href="/docs/api" aria-current="page">API</a>');
    expect(docs).toContain('action="/admin/logout"');
    const guest = await (await page(app, "/docs/api")).text();
    expect(guest).not.toContain('<a href="/admin">Dashboard</a>');
    expect(guest).toContain('<a href="/scoreboard">Scoreboard</a>');
  });
});
