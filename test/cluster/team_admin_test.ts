// Two nodes on one PostgreSQL log: a team renamed and given a new password on
// one node logs in by its new name and password on the other, whose board shows
// the new name; with logout, the team's sessions end on both. A team hidden on
// one node leaves the other's board, and comes back when shown again; one banned
// on one node is logged out and refused on the other. An organizer's route on one node names a
// team registered on the other a moment before.
import { expect, test } from "bun:test";
import { sleep } from "../_runtime.ts";
import { ADMIN_TOKEN, clusterSuite, type Node } from "./_nodes.ts";

const HUNT = `[hunt]\ntitle = "Teams"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["a"]\n`;

const cluster = clusterSuite("team_admin", {
  files: { "hunt.toml": HUNT },
  nodes: ["node-a", "node-b"],
});

/** Sends JSON to a node: the status and the parsed body. */
async function send(
  node: Node,
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<{ status: number; body: { [key: string]: unknown } }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${node.base}${path}`, {
    method,
    headers,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  return { status: res.status, body: await res.json() as { [key: string]: unknown } };
}

/** Polls `check` for up to 3 s, until it holds. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 60 && !(await check()); i++) await sleep(50);
  expect(await check()).toBe(true);
}

test(
  "a rename and a new password made on one node hold on the other",
  async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    const joined = await send(a, "POST", "/api/teams", {
      body: { name: "Gulls", password: "correct horse" },
    });
    expect(joined.status).toBe(201);
    const token = joined.body.token as string;
    const id = (joined.body.team as { id: number }).id;
    const admin = { token: ADMIN_TOKEN };
    expect(
      await send(a, "PUT", `/api/admin/teams/${id}/name`, { ...admin, body: { name: "Terns" } }),
    ).toEqual({ status: 200, body: { team: { id, name: "Terns" } } });
    const reset = { password: "battery staple" };
    expect(
      (await send(a, "PUT", `/api/admin/teams/${id}/password`, { ...admin, body: reset }))
        .status,
    ).toBe(200);

    const names = async (node: Node) =>
      ((await send(node, "GET", "/api/scoreboard")).body.teams as { name: string }[])
        .map((t) => t.name);
    await eventually(async () => (await names(b)).join() === "Terns");
    const login = (name: string, password: string) =>
      send(b, "POST", "/api/session", { body: { name, password } });
    expect((await login("Terns", "battery staple")).status).toBe(200);
    expect((await login("Gulls", "battery staple")).status).toBe(401);
    expect((await login("Terns", "correct horse")).status).toBe(401);
    // Taken on node b, though renamed on node a.
    expect(
      (await send(b, "POST", "/api/teams", { body: { name: "terns", password: "12345678" } }))
        .status,
    ).toBe(409);

    // With logout, from node b: the session opened on node a ends on both.
    const ended = await send(b, "PUT", `/api/admin/teams/${id}/password`, {
      ...admin,
      body: { ...reset, logout: true },
    });
    expect(ended.status).toBe(200);
    expect(ended.body.sessions_ended).toBe(2);
    await eventually(async () => (await send(a, "GET", "/api/puzzles", { token })).status === 401);
    expect((await send(b, "GET", "/api/puzzles", { token })).status).toBe(401);
  },
  60_000,
);

test(
  "a team hidden on one node leaves the other's board; shown again, it is back",
  async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    const joined = await send(b, "POST", "/api/teams", {
      body: { name: "Skuas", password: "correct horse" },
    });
    expect(joined.status).toBe(201);
    const id = (joined.body.team as { id: number }).id;
    const names = async (node: Node) =>
      ((await send(node, "GET", "/api/scoreboard")).body.teams as { name: string }[])
        .map((t) => t.name);
    await eventually(async () => (await names(a)).includes("Skuas"));
    const hide = (hidden: boolean) =>
      send(a, "PUT", `/api/admin/teams/${id}/hidden`, { token: ADMIN_TOKEN, body: { hidden } });
    expect(await hide(true)).toEqual({
      status: 200,
      body: { team: { id, name: "Skuas", hidden: true } },
    });
    await eventually(async () => !(await names(b)).includes("Skuas"));
    const listed = (await send(b, "GET", "/api/admin/teams", { token: ADMIN_TOKEN })).body
      .teams as { id: number; hidden: boolean }[];
    expect(listed.find((t) => t.id === id)?.hidden).toBe(true);
    // It still plays, on either node.
    expect(
      (await send(b, "POST", "/api/session", {
        body: { name: "Skuas", password: "correct horse" },
      })).status,
    ).toBe(200);
    expect((await hide(false)).status).toBe(200);
    await eventually(async () => (await names(b)).includes("Skuas"));
  },
  60_000,
);

test(
  "a team banned on one node is logged out and refused on the other",
  async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    const joined = await send(b, "POST", "/api/teams", {
      body: { name: "Petrels", password: "correct horse" },
    });
    expect(joined.status).toBe(201);
    const token = joined.body.token as string;
    const id = (joined.body.team as { id: number }).id;
    // At once: node a reads the log for a team it does not know yet.
    const ban = await send(a, "PUT", `/api/admin/teams/${id}/banned`, {
      token: ADMIN_TOKEN,
      body: { banned: true },
    });
    expect(ban).toEqual({
      status: 200,
      body: { team: { id, name: "Petrels", hidden: true, banned: true }, sessions_ended: 1 },
    });
    await eventually(async () => (await send(b, "GET", "/api/puzzles", { token })).status === 401);
    expect(
      await send(b, "POST", "/api/session", {
        body: { name: "Petrels", password: "correct horse" },
      }),
    ).toEqual({
      status: 403,
      body: {
        error: {
          code: "forbidden",
          message: "The organizers have banned this team from the hunt",
        },
      },
    });
    const names = ((await send(b, "GET", "/api/scoreboard")).body.teams as { name: string }[])
      .map((t) => t.name);
    expect(names).not.toContain("Petrels");
  },
  60_000,
);

test(
  "an admin route names a team registered on the other node a moment before",
  async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    const admin = { token: ADMIN_TOKEN };
    for (const name of ["Fulmars", "Shags", "Auks", "Gannets", "Razorbills"]) {
      const joined = await send(a, "POST", "/api/teams", {
        body: { name, password: "correct horse" },
      });
      expect(joined.status).toBe(201);
      const id = (joined.body.team as { id: number }).id;
      // Sent at once, before node b's next read of the log: it reads the log rather than 404.
      const [seen, hidden] = await Promise.all([
        send(b, "GET", `/api/admin/teams/${id}`, admin),
        send(b, "PUT", `/api/admin/teams/${id}/hidden`, { ...admin, body: { hidden: true } }),
      ]);
      expect([seen.status, (seen.body.team as { name: string } | undefined)?.name]).toEqual([
        200,
        name,
      ]);
      expect(hidden).toEqual({ status: 200, body: { team: { id, name, hidden: true } } });
    }
  },
  60_000,
);
