// The test that decides scale-out: three Cairn nodes on one PostgreSQL log,
// a bounded load of 100 teams sent to nodes at random, and faults during it
// (a node killed, a node stopped, a node's connections terminated, the
// database restarted). Afterwards: every acknowledged write is in the log
// exactly once, no puzzle is solved twice, guess limits hold across nodes,
// and every node serves what a fresh node booted from the log serves.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { sleep } from "../_runtime.ts";
import { open as openEvents } from "../_sse.ts";
import { ADMIN_TOKEN, clusterSuite, type Node, startNode } from "./_nodes.ts";

const TEAMS = 100;
const WORKERS = 24;
const LOAD_MS = 30_000;
const PUZZLES = 8;

const HUNT = (() => {
  let text = `[hunt]\ntitle = "Cluster"\n`;
  for (let i = 1; i <= PUZZLES; i++) {
    text +=
      `\n[[puzzle]]\nid = "p${i}"\ntitle = "P${i}"\npoints = ${10 * i}\nanswer = ["a${i}"]\n` +
      `guess_limit = { count = 1000000, per = "1s" }\n` +
      (i > 4 ? `unlock = 'solves() >= ${i - 4}'\n` : "") +
      `\n[[puzzle.hint]]\nid = "h"\ntext = "Hint ${i}"\ncost = ${i}\n`;
  }
  text += `\n[[puzzle]]\nid = "cp"\ntitle = "Checkpoint"\npoints = 5\n` +
    `checkpoint = { code = "cp-1" }\nanswer = ["cp"]\n`;
  text += `\n[[puzzle]]\nid = "limited"\ntitle = "Limited"\npoints = 1\nanswer = ["yes"]\n` +
    `guess_limit = { count = 5, per = "1m" }\n`;
  return text;
})();

const cluster = clusterSuite("cluster", {
  files: { "hunt.toml": HUNT },
  nodes: ["node-a", "node-b", "node-c"],
  timeoutMs: 120_000,
});
const { nodes } = cluster;

/** What the load saw: every acknowledged keyed request, and every status. */
interface Ack {
  team: number;
  key: string;
  status: number;
  path: string;
  /** A guess's result. */
  result?: string;
}

const json = { "content-type": "application/json" };
const bearer = (token: string) => ({ ...json, authorization: `Bearer ${token}` });

/**
 * Sends a request to a node picked at random, retrying on a connection error
 * or a 503 (another node, the same key) for up to 30 s.
 */
async function send(
  path: string,
  init: RequestInit,
  statuses: Map<number, number>,
): Promise<Response> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 0;; attempt++) {
    const node = nodes[Math.floor(Math.random() * nodes.length)]!;
    try {
      const res = await fetch(node.base + path, { ...init, signal: AbortSignal.timeout(8_000) });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status !== 503) return res;
      await res.arrayBuffer();
    } catch {
      // Refused, reset or timed out: another try, with the same key.
    }
    if (Date.now() > deadline) throw new Error(`${path}: no answer after ${attempt + 1} tries`);
    await sleep(100 + Math.random() * 200);
  }
}

describe("three nodes on one PostgreSQL log", () => {
  const statuses = new Map<number, number>();
  const acks: Ack[] = [];
  const tokens = new Map<number, string>();
  let loadEnded = 0;

  test(
    "a 30 s load with a node killed, a node stopped, its connections cut and PostgreSQL restarted",
    async () => {
      const started = Date.now();
      const teamIds: number[] = [];
      let registered = 0;

      /** Registers team `n`, or logs in when a retried registration finds the name taken. */
      const register = async (n: number) => {
        const body = JSON.stringify({ name: `Team ${n}`, password: "password-" + n });
        const res = await send("/api/teams", { method: "POST", headers: json, body }, statuses);
        if (res.status === 201) {
          const reply = await res.json() as { team: { id: number }; token: string };
          tokens.set(reply.team.id, reply.token);
          teamIds.push(reply.team.id);
          return;
        }
        expect(res.status).toBe(409);
        await res.arrayBuffer();
        const login = await send("/api/session", {
          method: "POST",
          headers: json,
          body: JSON.stringify({ name: `Team ${n}`, password: "password-" + n }),
        }, statuses);
        expect(login.status).toBe(200);
        const { token } = await login.json() as { token: string };
        const teams = await send("/api/admin/teams", {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        }, statuses);
        const list = (await teams.json() as { teams: { id: number; name: string }[] }).teams;
        const id = list.find((team) => team.name === `Team ${n}`)!.id;
        tokens.set(id, token);
        teamIds.push(id);
      };

      /** One keyed action of a team, retried with its key until answered. */
      const act = async (team: number) => {
        const token = tokens.get(team)!;
        const key = crypto.randomUUID();
        const roll = Math.random();
        const puzzle = `p${1 + Math.floor(Math.random() * PUZZLES)}`;
        let path: string;
        let body: string | undefined;
        if (roll < 0.75) {
          const right = Math.random() < 0.3;
          path = `/api/puzzles/${puzzle}/guesses`;
          body = JSON.stringify({ answer: right ? `a${puzzle.slice(1)}` : `wrong-${key}` });
        } else if (roll < 0.9) {
          path = `/api/puzzles/${puzzle}/hints/h`;
        } else {
          path = "/api/checkins";
          body = JSON.stringify({ code: "cp-1" });
        }
        const res = await send(path, {
          method: "POST",
          headers: { ...bearer(token), "idempotency-key": key },
          ...(body !== undefined && { body }),
        }, statuses);
        const text = await res.text();
        if (res.status !== 200) return;
        const ack: Ack = { team, key, status: res.status, path };
        if (path.endsWith("/guesses")) ack.result = (JSON.parse(text) as { result: string }).result;
        acks.push(ack);
      };

      const worker = async () => {
        while (Date.now() - started < LOAD_MS) {
          if (registered < TEAMS) {
            await register(++registered);
            continue;
          }
          await act(teamIds[Math.floor(Math.random() * teamIds.length)]!);
        }
      };

      const [a, b, c] = nodes as [Node, Node, Node];
      const faults = (async () => {
        await sleep(5_000);
        b.signal("SIGKILL"); // restarted by its supervisor
        await sleep(3_000);
        c.signal("SIGSTOP");
        await sleep(5_000);
        c.signal("SIGCONT");
        await sleep(2_000);
        const cut = await cluster.pg.terminate("node-a");
        expect(cut).toBeGreaterThan(0);
        await sleep(3_000);
        await cluster.pg.restart({ mode: "fast" });
      })();

      try {
        await Promise.all([...Array.from({ length: WORKERS }, worker), faults]);
      } catch (error) {
        // What the nodes said, to tell a stuck node from a slow machine.
        for (const node of nodes) console.error(`--- ${node.name}:\n${node.output().slice(-3000)}`);
        throw error;
      }
      loadEnded = Date.now();
      console.log(
        `cluster: ${acks.length} acknowledged actions, ${teamIds.length} teams, statuses ${
          JSON.stringify(Object.fromEntries(statuses))
        }, node exits ${nodes.map((n) => `${n.name}=${n.exits()}`).join(" ")}`,
      );
      expect(teamIds.length).toBe(TEAMS);
      expect(acks.length).toBeGreaterThan(1_000);
      // 7. Nothing answers 5xx but the 503 of a database that is down.
      const bad = [...statuses.keys()].filter((status) => status >= 500 && status !== 503);
      expect(bad).toEqual([]);
      expect(b.exits()).toBeGreaterThanOrEqual(1);
      // 6. The restarted nodes caught up and serve.
      await Promise.all(nodes.map((node) => node.ready()));
      void a;
    },
    120_000,
  );

  test("every acknowledged write is in the log exactly once, with no gap and no double solve", async () => {
    const rows = await cluster.pg.query(
      "SELECT seq, body FROM cairn_log ORDER BY seq",
      { database: "cluster" },
    ) as { seq: string; body: string }[];
    const seqs = rows.map((row) => Number(row.seq));
    expect(seqs[0]).toBe(1);
    expect(seqs.at(-1)).toBe(seqs.length);
    const head = await cluster.pg.query("SELECT seq FROM cairn_log_head", {
      database: "cluster",
    }) as {
      seq: string;
    }[];
    expect(Number(head[0]!.seq)).toBe(seqs.length);

    const keys = new Map<string, number>();
    const solves = new Map<string, number>();
    for (const row of rows) {
      const write = JSON.parse(row.body) as {
        kind: string;
        teamId: number;
        key?: string;
        puzzle?: string;
        result?: string;
      };
      if (write.kind === "idempotency") {
        const slot = `${write.teamId} ${write.key}`;
        keys.set(slot, (keys.get(slot) ?? 0) + 1);
      }
      if (write.kind === "guess" && write.result === "correct") {
        const slot = `${write.teamId} ${write.puzzle}`;
        solves.set(slot, (solves.get(slot) ?? 0) + 1);
      }
    }
    // 1. Exactly once: no answer is in the log twice. An acknowledged action that changed
    // something has its answer there; one that changed nothing has none (a guess answered
    // `already_solved`, or a hint take or check-in that another of the team's actions made).
    expect([...keys.values()].filter((count) => count > 1)).toEqual([]);
    const recorded = new Set(
      acks.filter((ack) => keys.has(`${ack.team} ${ack.key}`)).map((a) => `${a.team} ${a.path}`),
    );
    const missing = acks.filter((ack) => {
      if (keys.has(`${ack.team} ${ack.key}`)) return ack.result === "already_solved";
      return ack.result === undefined
        ? !recorded.has(`${ack.team} ${ack.path}`)
        : ack.result !== "already_solved";
    });
    expect(missing).toEqual([]);
    expect(recorded.size).toBeGreaterThan(100);
    // 2. No puzzle solved twice by one team.
    expect([...solves.values()].filter((count) => count > 1)).toEqual([]);
    expect(solves.size).toBeGreaterThan(50);
  });

  test("within 2 s every node serves what a fresh node booted from the log serves", async () => {
    const fresh = startNode({
      name: "node-fresh",
      url: cluster.url,
      hunt: join(cluster.dir, "hunt.toml"),
      files: join(cluster.dir, "files"),
    });
    try {
      await fresh.ready();
      const read = async (base: string, path: string, token?: string) => {
        const res = await fetch(base + path, {
          headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        });
        return `${res.status} ${await res.text()}`;
      };
      const expected = new Map<string, string>();
      expected.set("board", await read(fresh.base, "/api/scoreboard"));
      for (const [team, token] of tokens) {
        expected.set(`team ${team}`, await read(fresh.base, "/api/puzzles", token));
      }
      // 4. Every node within 2 s of the load's end (the fresh node's boot time included: less).
      const deadline = Math.max(loadEnded + 2_000, Date.now() + 500);
      const differences = async () => {
        const wrong: string[] = [];
        for (const node of nodes) {
          if ((await read(node.base, "/api/scoreboard")) !== expected.get("board")) {
            wrong.push(`${node.name} board`);
          }
          for (const [team, token] of tokens) {
            const got = await read(node.base, "/api/puzzles", token);
            if (got !== expected.get(`team ${team}`)) wrong.push(`${node.name} team ${team}`);
          }
        }
        return wrong;
      };
      let wrong = await differences();
      while (wrong.length > 0 && Date.now() < deadline) {
        await sleep(100);
        wrong = await differences();
      }
      console.log(`cluster: converged ${Date.now() - loadEnded} ms after the load ended`);
      expect(wrong).toEqual([]);
      expect(expected.get("board")!.startsWith("200 ")).toBe(true);
    } finally {
      await fresh.stop();
    }
  }, 60_000);

  test("a guess limit of 5 a minute holds over three nodes: the 6th wrong guess gets 429", async () => {
    const res = await fetch(`${nodes[0]!.base}/api/teams`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "Limit team", password: "password-limit" }),
    });
    const { token } = await res.json() as { token: string };
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) {
      const node = nodes[i % 3]!;
      const guess = await fetch(`${node.base}/api/puzzles/limited/guesses`, {
        method: "POST",
        headers: bearer(token),
        body: JSON.stringify({ answer: `no-${i}` }),
      });
      await guess.arrayBuffer();
      answers.push(guess.status);
    }
    expect(answers).toEqual([200, 200, 200, 200, 200, 429]);
  });

  // How long each took is printed (a few hundred ms here), not bounded: a wall-clock bound fails a
  // loaded machine, not the product.
  test("a stream on node A gets a solve made on node C and an announcement posted on node B", async () => {
    const [a, b, c] = nodes as [Node, Node, Node];
    const res = await fetch(`${c.base}/api/teams`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "Stream team", password: "password-stream" }),
    });
    const { token } = await res.json() as { token: string };
    const stream = await openEvents(a.base, { authorization: `Bearer ${token}` });
    try {
      await stream.wait((e) => e.event === "scoreboard" || e.comment !== undefined);
      let sent = Date.now();
      const guess = await fetch(`${c.base}/api/puzzles/p1/guesses`, {
        method: "POST",
        headers: bearer(token),
        body: JSON.stringify({ answer: "a1" }),
      });
      expect((await guess.json() as { result: string }).result).toBe("correct");
      await stream.wait((e) => e.event === "solve" && e.data!.includes('"p1"'), 15_000);
      const solveMs = Date.now() - sent;
      sent = Date.now();
      const posted = await fetch(`${b.base}/api/admin/announcements`, {
        method: "POST",
        headers: bearer(ADMIN_TOKEN),
        body: JSON.stringify({ text: "From node B" }),
      });
      expect(posted.status).toBe(201);
      await stream.wait(
        (e) => e.event === "announcement" && e.data!.includes("From node B"),
        15_000,
      );
      const announceMs = Date.now() - sent;
      console.log(
        `cluster: solve on C seen on A in ${solveMs} ms, announcement in ${announceMs} ms`,
      );
    } finally {
      await stream.close();
    }
  });
});
