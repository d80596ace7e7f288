// Organizers acting while players play, on nodes sharing one PostgreSQL log,
// each built in this process by the same composition root as `cairn serve`: a
// reload while a team's answer is being committed, freezes given on two nodes.
// Each commit that matters is held open, so the interleaving is the same every run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { Write } from "../../src/engine/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import { hashToken } from "../../src/play/mod.ts";
import { type Server, startGame } from "../../src/server/mod.ts";
import { PgStore } from "../../src/store/pg.ts";
import { FakeClock, HUNT_TOML, MINUTE, START } from "../engine/_hunt.ts";
import { type Pg, startPg } from "../_pg.ts";
import { jsonCaller } from "../_json_call.ts";

const ADMIN_TOKEN = "organizers-admin-token";

let pg: Pg;
let files: string;
const running: { server: Server; store: PgStore }[] = [];
/** The holds on a log not yet released (a test that failed while holding one). */
const holding = new Set<() => Promise<void>>();

beforeAll(async () => {
  pg = await startPg();
  files = mkdtempSync(join(tmpdir(), "cairn-organizers-"));
}, 60_000);

afterAll(async () => {
  for (const release of holding) await release();
  for (const { server, store } of running) {
    server.close();
    await store.drain();
  }
  await pg?.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

/** A node on the log at `url`, with a way to hold the commits that `hold` picks. */
async function node(url: string, name: string, clock: FakeClock) {
  const store = await PgStore.open(url, { filesDir: files, node: name });
  await store.setMeta({ hunt_started_at: String(START) });
  let toml = HUNT_TOML;
  const load = () => loadHunt(toml, { file: "hunt.toml" });
  const server = startGame({
    store,
    hunt: load().hunt!,
    reread: load,
    clock,
    logger: createLogger({ write: () => {} }),
    adminTokenHash: () => hashToken(ADMIN_TOKEN),
  });
  running.push({ server, store });
  // What the start commits without waiting (the hunt's scoring and fingerprint, the contact key) is
  // stored before a test holds the log: else the hold may catch that batch before its append, and
  // the request the test holds back waits behind it, is refused with a 503, and never commits.
  await store.drain();
  expect(store.unsettled()).toEqual([]);
  expect(store.failed).toBe(false);
  // Tells when a commit the test waits for has been decided and queued.
  const commit = store.commit.bind(store);
  let watching: { pick: (writes: readonly Write[]) => boolean; seen: () => void } | undefined;
  store.commit = (writes) => {
    const committing = commit(writes);
    if (watching?.pick(writes)) watching.seen();
    return committing;
  };
  const call = jsonCaller(server.app);
  return {
    server,
    store,
    call,
    admin: (method: string, path: string, body?: unknown) =>
      call(method, path, { token: ADMIN_TOKEN, body }),
    /** Edits the hunt file the node reloads. */
    setToml: (next: string) => (toml = next),
    /** Resolves once a commit `pick` chooses is decided and queued (not yet stored). */
    decided(pick: (writes: readonly Write[]) => boolean): Promise<void> {
      return new Promise((resolve) => {
        watching = {
          pick,
          seen: () => {
            watching = undefined;
            resolve();
          },
        };
      });
    },
  };
}

/**
 * Holds the log: no node can append to it (its batch waits for the lock on `cairn_log`) until
 * `release`, while nodes still decide and read. What a node decides meanwhile is neither stored
 * nor in its copy of the log.
 */
async function holdLog(url: string): Promise<{ release: () => Promise<void> }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const held = await sql.reserve();
  const release = async () => {
    holding.delete(release);
    await held`COMMIT`;
    held.release();
    await sql.end();
  };
  holding.add(release);
  await held`BEGIN`;
  await held`LOCK TABLE cairn_log IN EXCLUSIVE MODE`;
  return { release };
}

type Reply = Awaited<ReturnType<ReturnType<typeof jsonCaller>>>;

/**
 * Waits until `decided` (a node's `decided`) resolves; fails at once, saying what it waited for
 * and what came instead, if `request` is answered first (refused, say), as its commit then never comes.
 */
async function decidedBefore(
  decided: Promise<void>,
  request: Promise<Reply>,
  what: string,
): Promise<void> {
  const first = await Promise.race([decided.then(() => undefined), request]);
  if (first !== undefined) {
    throw new Error(
      `waited for ${what} to be decided, but it was answered first: ${first.status} ` +
        JSON.stringify(first.body),
    );
  }
}

test(
  "a reload while a solve is being committed keeps the solve, on the board and after it",
  async () => {
    const clock = new FakeClock(START + MINUTE);
    const url = await pg.createDatabase("reload_race");
    const a = await node(url, "a", clock);
    const joined = await a.call("POST", "/api/teams", {
      body: { name: "Gulls", password: "correct horse" },
    });
    expect(joined.status).toBe(201);
    const token = joined.body.token as string;

    // The solve is decided; its commit waits while an organizer reloads the (same) hunt file.
    const log = await holdLog(url);
    const solving = a.decided((writes) => writes.some((write) => write.kind === "guess"));
    const guess = a.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    await decidedBefore(solving, guess, "the solve's commit");
    expect((await a.admin("POST", "/api/admin/reload")).status).toBe(200);
    await log.release();
    expect((await guess).body.result).toBe("correct");

    // The board, the puzzle and the next guess's id agree with what was answered and stored.
    const board = await a.call("GET", "/api/scoreboard", {});
    expect(board.body.teams.map((t: { score: number }) => t.score)).toEqual([10]);
    expect((await a.call("GET", "/api/puzzles/a", { token })).body.solved).toBe(true);
    const again = await a.call("POST", "/api/puzzles/a/guesses", {
      token,
      body: { answer: "alpha" },
    });
    expect(again.body.result).toBe("already_solved");
    const next = await a.call("POST", "/api/puzzles/b/guesses", {
      token,
      body: { answer: "nope" },
    });
    expect(next.status).toBe(200);
    expect(a.store.failed).toBe(false);

    // A node started afresh from the log sees the same.
    const b = await node(url, "b", clock);
    const fresh = await b.call("GET", "/api/scoreboard", {});
    expect(fresh.body.teams.map((t: { score: number }) => t.score)).toEqual([10]);
  },
  30_000,
);

test("a reload that removes a puzzle whose solve is being committed is refused", async () => {
  const clock = new FakeClock(START + MINUTE);
  const url = await pg.createDatabase("reload_removes");
  const a = await node(url, "a", clock);
  const joined = await a.call("POST", "/api/teams", {
    body: { name: "Gulls", password: "correct horse" },
  });
  const token = joined.body.token as string;

  const log = await holdLog(url);
  const solving = a.decided((writes) => writes.some((write) => write.kind === "guess"));
  const guess = a.call("POST", "/api/puzzles/b/guesses", { token, body: { answer: "bravo" } });
  await decidedBefore(solving, guess, "the solve's commit");
  // "b" goes from the file while its solve is under way.
  const without = HUNT_TOML.replace(
    '[[puzzle]]\nid = "b"\ntitle = "B"\nround = "r1"\npoints = 20\nanswer = ["bravo"]\n',
    "",
  ).replace('solves_in_round("r1") >= 2', 'solves_in_round("r1") >= 1');
  expect(without).not.toContain('id = "b"');
  a.setToml(without);
  const reload = await a.admin("POST", "/api/admin/reload");
  await log.release();
  expect((await guess).body.result).toBe("correct");
  expect(reload.status).toBe(400);
  expect(reload.body.error.errors).toContain(
    'Puzzle "b" has solves, so it cannot be removed: put it back in the file',
  );
  const board = await a.call("GET", "/api/scoreboard", {});
  expect(board.body.teams.map((t: { score: number }) => t.score)).toEqual([20]);
}, 30_000);

test("a freeze pressed while another is being stored keeps the first one's time", async () => {
  const clock = new FakeClock(START + MINUTE);
  const url = await pg.createDatabase("freeze_twice");
  const a = await node(url, "a", clock);
  const frozenAt = () => a.store.meta("scoreboard_frozen_at");

  const log = await holdLog(url);
  const stored = a.decided((writes) => writes.some((write) => write.kind === "meta"));
  const first = a.admin("POST", "/api/admin/scoreboard", { frozen: true });
  await decidedBefore(stored, first, "the first freeze's commit");
  // A second organizer (or a double click) a minute later, while the first is not stored yet.
  clock.advance(MINUTE);
  const second = a.admin("POST", "/api/admin/scoreboard", { frozen: true });
  await log.release();
  expect([(await first).status, (await second).status]).toEqual([200, 200]);
  expect(frozenAt()).toBe(String(START + MINUTE));
}, 30_000);

test("a freeze pressed while a reveal is being stored freezes the board anew", async () => {
  const clock = new FakeClock(START + MINUTE);
  const url = await pg.createDatabase("reveal_freeze");
  const a = await node(url, "a", clock);
  expect((await a.admin("POST", "/api/admin/scoreboard", { frozen: true })).status).toBe(200);
  clock.advance(MINUTE);

  const log = await holdLog(url);
  const stored = a.decided((writes) => writes.some((write) => write.kind === "meta"));
  const reveal = a.admin("POST", "/api/admin/scoreboard", { frozen: false });
  await decidedBefore(stored, reveal, "the reveal's commit");
  clock.advance(MINUTE);
  const freeze = a.admin("POST", "/api/admin/scoreboard", { frozen: true });
  await log.release();
  expect([(await reveal).status, (await freeze).status]).toEqual([200, 200]);
  // Frozen now, as a freeze after the reveal does: not again at the first freeze's time.
  expect(a.store.meta("scoreboard_frozen_at")).toBe(String(START + 3 * MINUTE));
  expect(a.store.meta("scoreboard_revealed_at")).toBe(String(START + 2 * MINUTE));
}, 30_000);
