// Admin and session writes on two nodes: a freeze is answered once it is in
// the log, so that the other node shows it too; a freeze or a logout is
// refused with 503 while PostgreSQL is down, and changes nothing; a session
// a node has not seen yet gets 503 while it cannot read the log, not 401; and
// so does a login to a team (or with a password) that node has not seen yet.
import { expect, test } from "bun:test";
import { sleep } from "../_runtime.ts";
import { ADMIN_TOKEN, clusterSuite, type Node, registerOn } from "./_nodes.ts";

const HUNT = `[hunt]\ntitle = "Freeze"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["a"]\n`;

const cluster = clusterSuite("freeze", {
  files: { "hunt.toml": HUNT },
  nodes: ["node-a", "node-b"],
});
const { nodes } = cluster;

const setFrozen = (node: Node, frozen: boolean) =>
  fetch(`${node.base}/api/admin/scoreboard`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ frozen }),
  });

const frozenOn = async (node: Node) =>
  (await (await fetch(`${node.base}/api/scoreboard`)).json() as { frozen: boolean }).frozen;

test(
  "a freeze is answered once stored, reaches the other node, and gets 503 while PostgreSQL is down",
  async () => {
    const [a, b] = nodes as [Node, Node];
    expect((await setFrozen(a, true)).status).toBe(200);
    // In the log before the answer: the other node plays it when woken, or at its next look (a
    // second at most); a busy machine gets more time, as the point is that it arrives.
    const deadline = Date.now() + 10_000;
    while (!(await frozenOn(b))) {
      if (Date.now() > deadline) throw new Error("node-b never showed the freeze");
      await sleep(50);
    }
    await cluster.pg.down();
    try {
      const refused = await setFrozen(a, false);
      expect(refused.status).toBe(503);
      expect((await refused.json() as { error: { code: string } }).error.code).toBe("unavailable");
      expect(await frozenOn(a)).toBe(true);
      // Logged as a write refused, not as the failure that stops a server.
      expect(a.output()).toContain("event=write_refused");
      expect(a.output()).not.toContain("event=commit_failed");
    } finally {
      await cluster.pg.up();
    }
  },
  60_000,
);

test(
  "a logout refused while PostgreSQL is down leaves the session open, here as on every node",
  async () => {
    const [a, b] = nodes as [Node, Node];
    const token = await registerOn(a, "Gulls");
    const puzzles = (node: Node) =>
      fetch(`${node.base}/api/puzzles`, { headers: { authorization: `Bearer ${token}` } });
    await cluster.pg.down();
    try {
      const out = await fetch(`${a.base}/api/session`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(out.status).toBe(503);
    } finally {
      await cluster.pg.up();
    }
    // Nothing was stored, and nothing changed here either: the session works on both nodes.
    expect((await puzzles(a)).status).toBe(200);
    expect((await puzzles(b)).status).toBe(200);
  },
  60_000,
);

/** Polls `node`'s /healthz until it answers `status`; returns that answer. */
async function healthBecomes(node: Node, status: number): Promise<Response> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${node.base}/healthz`);
    if (res.status === status) return res;
    await res.body?.cancel();
    if (Date.now() > deadline) throw new Error(`${node.name}'s /healthz never answered ${status}`);
    await sleep(100);
  }
}

/** Waits until `node` has printed as many `database_reachable` lines as `database_unreachable`. */
async function linesBalance(node: Node): Promise<void> {
  const count = (event: string) => node.output().split(`event=${event} `).length;
  const deadline = Date.now() + 10_000;
  while (count("database_unreachable") !== count("database_reachable")) {
    if (Date.now() > deadline) throw new Error(`the outage lines do not pair:\n${node.output()}`);
    await sleep(50);
  }
}

test(
  "PostgreSQL down: /healthz says so, a refused write says when to retry, and the log says once when it went and once when it came back",
  async () => {
    const a = nodes[0]!;
    // Back from the last test's outage, and its lines read.
    await healthBecomes(a, 200);
    await linesBalance(a);
    const frozen = await frozenOn(a);
    const from = a.output().length;
    await cluster.pg.down();
    try {
      const health = await healthBecomes(a, 503);
      expect(health.headers.get("retry-after")).toBe("5");
      expect((await health.json() as { error: { message: string } }).error.message)
        .toStartWith("Cannot reach the database: ");
      const refused = await setFrozen(a, !frozen);
      expect(refused.status).toBe(503);
      // The outbox and other clients wait this long before they send it again.
      expect(refused.headers.get("retry-after")).toBe("5");
    } finally {
      await cluster.pg.up();
    }
    await healthBecomes(a, 200);
    await linesBalance(a);
    const lines = a.output().slice(from).split("\n");
    const went = lines.filter((line) => line.includes("event=database_unreachable"));
    const back = lines.filter((line) => line.includes("event=database_reachable"));
    expect(went).toHaveLength(1);
    expect(went[0]).toContain("level=warn");
    expect(back).toHaveLength(1);
    expect(back[0]).toMatch(/level=warn event=database_reachable away_ms=\d+$/);
    expect(await frozenOn(a)).toBe(frozen);
  },
  60_000,
);

/**
 * Registers `name` on node-a while node-b is stopped, so that node-b has not read it when
 * PostgreSQL goes down; then `ask(token)` on node-b must get 503 `unavailable`, and 200 within 5 s
 * of PostgreSQL's return (503 meanwhile).
 */
async function unseenWhileDown(
  name: string,
  ask: (b: Node, token: string) => Promise<Response>,
): Promise<void> {
  const [a, b] = nodes as [Node, Node];
  b.signal("SIGSTOP");
  let token: string;
  try {
    token = await registerOn(a, name);
    await cluster.pg.down();
  } finally {
    b.signal("SIGCONT");
  }
  try {
    const refused = await ask(b, token);
    expect(refused.status).toBe(503);
    expect((await refused.json() as { error: { code: string } }).error.code).toBe("unavailable");
  } finally {
    await cluster.pg.up();
  }
  for (let attempt = 1;; attempt++) {
    const res = await ask(b, token);
    if (res.status === 200) break;
    expect(res.status).toBe(503);
    if (attempt === 20) throw new Error(`node-b never answered 200 for ${name}`);
    await sleep(250);
  }
}

/** A login on `node` as the team `name`. */
const login = (node: Node, name: string, password = "correct horse") =>
  fetch(`${node.base}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password }),
  });

test(
  "a session another node opened gets 503 while PostgreSQL is down, not 401, and 200 once it is back",
  () =>
    unseenWhileDown(
      "Terns",
      (b, token) =>
        fetch(`${b.base}/api/puzzles`, { headers: { authorization: `Bearer ${token}` } }),
    ),
  60_000,
);

test(
  "a login to a team another node registered gets 503 while PostgreSQL is down, not 401, and 200 once it is back",
  async () => {
    await unseenWhileDown("Skuas", (b) => login(b, "Skuas"));
    // With the log readable, a wrong password is a 401 as ever.
    expect((await login(nodes[1]!, "Skuas", "wrong horse")).status).toBe(401);
  },
  60_000,
);
