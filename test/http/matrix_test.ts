// The authorization matrix: every route, called with no token, with team A's
// token, and with the admin token. No response may carry team B's private
// data, a puzzle A has not unlocked (its title or body), or the answer to a
// puzzle A has not solved. Secrets carry markers so a leak is easy to spot.
import { expect, test } from "bun:test";
import { ADMIN_TOKEN, makeApp } from "./_app.ts";

const TOML = `
[hunt]
title = "Matrix"
starts_at = 2026-11-21T10:00:00Z

[[puzzle]]
id = "open"
title = "Open puzzle"
body = "Open body"
answer = ["xq-answer-open"]

[[puzzle.hint]]
id = "h"
text = "xq-hint-text-open"

[[puzzle]]
id = "solved-by-b"
title = "Solved by B"
answer = ["xq-answer-solved-by-b"]

[[puzzle]]
id = "locked"
title = "xq-title-locked"
body = "xq-body-locked"
unlock = 'solved("open") and solved("solved-by-b")'
answer = ["xq-answer-locked"]
partial = [{ answer = "xq-partial-locked", message = "xq-message-locked" }]

[[puzzle.hint]]
id = "lh"
text = "xq-hint-text-locked"

[[puzzle]]
id = "gated"
title = "xq-title-gated"
body = "xq-body-gated"
checkpoint = { code = "xq-code-gated" }
unlock = 'checked_in("gated")'
answer = ["xq-answer-gated"]
`;

/** Every marker of something team A must never see. */
const SECRETS = [
  "xq-answer-open",
  "xq-answer-solved-by-b",
  "xq-answer-locked",
  "xq-partial-locked",
  "xq-message-locked",
  "xq-title-locked",
  "xq-body-locked",
  "xq-hint-text-locked",
  "xq-title-gated",
  "xq-body-gated",
  "xq-answer-gated",
  "xq-code-gated",
  "xq-member-b",
  "xq-guess-b",
  "xq-hint-text-open",
];

type Route = { method: string; path: string; body?: unknown; admin?: boolean; public?: boolean };

const ROUTES: Route[] = [
  { method: "GET", path: "/api/hunt", public: true },
  { method: "GET", path: "/api/scoreboard", public: true },
  { method: "GET", path: "/api/puzzles" },
  ...["open", "solved-by-b", "locked", "gated", "nope"].flatMap((id): Route[] => [
    { method: "GET", path: `/api/puzzles/${id}` },
    { method: "POST", path: `/api/puzzles/${id}/guesses`, body: { answer: "a wrong guess" } },
    { method: "POST", path: `/api/puzzles/${id}/hints/lh` },
  ]),
  { method: "POST", path: "/api/checkins", body: { code: "not-a-code" } },
  { method: "GET", path: "/api/admin/teams", admin: true },
  { method: "GET", path: "/api/admin/teams/2", admin: true },
  { method: "GET", path: "/api/admin/guesses", admin: true },
  { method: "GET", path: "/api/admin/export?format=json", admin: true },
  { method: "GET", path: "/api/admin/export?format=csv&table=guesses", admin: true },
  { method: "POST", path: "/api/admin/announcements", body: { text: "hello" }, admin: true },
  {
    method: "POST",
    path: "/api/admin/adjustments",
    body: { team: 2, points: 1, reason: "r" },
    admin: true,
  },
  {
    method: "POST",
    path: "/api/admin/extra-guesses",
    body: { team: 2, puzzle: "open", count: 1 },
    admin: true,
  },
  { method: "POST", path: "/api/admin/scoreboard", body: { frozen: false }, admin: true },
  { method: "POST", path: "/api/admin/reload", admin: true },
  // Team B's own name in another case, and its own password: a real write that changes nothing.
  { method: "PUT", path: "/api/admin/teams/2/name", body: { name: "team b" }, admin: true },
  {
    method: "PUT",
    path: "/api/admin/teams/2/password",
    body: { password: "correct horse" },
    admin: true,
  },
];

test("no credential, another team's token and the admin token each get only what they may", async () => {
  const { call, register } = makeApp({ toml: TOML });
  const a = await register("Team A");
  const b = await register("Team B", { members: ["xq-member-b"] });
  await call("POST", "/api/puzzles/solved-by-b/guesses", {
    token: b,
    body: { answer: "xq-answer-solved-by-b" },
  });
  await call("POST", "/api/puzzles/open/guesses", { token: b, body: { answer: "xq-guess-b" } });
  await call("POST", "/api/puzzles/open/hints/h", { token: b });
  await call("POST", "/api/checkins", { token: b, body: { code: "xq-code-gated" } });

  let checked = 0;
  for (const route of ROUTES) {
    const init = route.body === undefined ? {} : { body: route.body };
    const none = await call(route.method, route.path, init);
    const asA = await call(route.method, route.path, { ...init, token: a });
    const asAdmin = await call(route.method, route.path, { ...init, token: ADMIN_TOKEN });
    const where = `${route.method} ${route.path}`;

    if (route.public) expect(none.status, where).toBe(200);
    else expect([none.status, where]).toEqual([401, where]);
    if (route.admin) {
      expect([asA.status, where]).toEqual([401, where]);
      expect([asAdmin.status < 300, where]).toEqual([true, where]);
    } else {
      // The admin token is not a team's session.
      if (!route.public) expect([asAdmin.status, where]).toEqual([401, where]);
    }
    for (const reply of [none, asA]) {
      for (const secret of SECRETS) {
        expect([reply.text.includes(secret), where, secret]).toEqual([false, where, secret]);
      }
    }
    checked++;
  }
  expect(checked).toBe(ROUTES.length);

  // Team A's own view of the locked and gated puzzles: not found, like a puzzle that does not exist.
  for (const id of ["locked", "gated"]) {
    expect((await call("GET", `/api/puzzles/${id}`, { token: a })).status).toBe(404);
  }
  // The admin sees team B's data: the markers are there, so the check above can fail.
  const detail = await call("GET", "/api/admin/teams/2", { token: ADMIN_TOKEN });
  expect(detail.text).toContain("xq-member-b");
  expect(detail.text).toContain("xq-guess-b");
});
