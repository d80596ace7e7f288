// The real app over an in-memory database, with a clock tests move by hand,
// and helpers to call it as a team, as the admin, or as nobody.
import { Accounts, createApp, dbFreeze, hashToken, type Runtime } from "../../src/http/mod.ts";
import { loadHunt, sortProblems } from "../../src/hunt/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import {
  type Game,
  openDatabase,
  reloadGame,
  saveScoring,
  setMeta,
  writeProblem,
  Writer,
} from "../../src/store/mod.ts";
import { Engine, type Write } from "../../src/engine/mod.ts";
import { type Announcement, Live } from "../../src/live/mod.ts";
import { Metrics } from "../../src/metrics/mod.ts";
import { FakeClock, HUNT_TOML, START } from "../engine/_hunt.ts";

export const ADMIN_TOKEN = "admin-secret-token";
export const ORIGIN = "http://localhost";

export interface Reply {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any -- test replies are inspected field by field
  body: any;
  text: string;
}

export function makeApp(
  options: { toml?: string; clock?: FakeClock; coalesceMs?: number; assetsDir?: string } = {},
) {
  const clock = options.clock ?? new FakeClock();
  let toml = options.toml ?? HUNT_TOML;
  const db = openDatabase(":memory:");
  setMeta(db, "hunt_started_at", String(START));
  const load = () =>
    loadHunt(toml, {
      file: "hunt.toml",
      ...(options.assetsDir !== undefined && { assetsDir: options.assetsDir }),
    });
  const { hunt, problems } = load();
  if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
  saveScoring(db, hunt);
  const metrics = new Metrics();
  const store = new Writer(db, { onBatch: (stats) => metrics.batch(stats) });
  const freeze = dbFreeze(db, () => game.engine.hunt.freezeAt);
  const live = new Live({
    engine: () => game.engine,
    frozenAt: (now) => freeze.frozenAt(now),
    announcementsAfter: (id) =>
      db.query<Announcement, [number]>(
        "SELECT id, text, at FROM announcements WHERE id > ? ORDER BY id",
      ).all(id),
    lastAnnouncementId: 0,
    coalesceMs: options.coalesceMs ?? 250,
  });
  const writer = {
    commit: (writes: readonly Write[]) =>
      store.commit(writes).then(() => {
        live.committed(writes);
        metrics.committed(writes);
      }),
  };
  const game: Game = {
    db,
    engine: new Engine(hunt, { clock, startsAt: START }),
    writer: store,
    loadMs: 0,
    close: () => db.close(),
  };
  const runtime: Runtime = {
    get engine() {
      return game.engine;
    },
    writer,
    accounts: Accounts.load(db),
    adminTokenHash: hashToken(ADMIN_TOKEN),
    db,
    writeProblem: () => writeProblem(db, { failed: store.failed }),
    reload: () => {
      const next = load();
      if (!next.hunt) {
        return {
          kind: "error",
          errors: sortProblems(next.problems).filter((p) => p.severity === "error").map((p) =>
            p.message
          ),
        };
      }
      // As the server does: publish the unlocks the new rules allowed, and the new board.
      const result = reloadGame(game, next.hunt, clock);
      if (result.kind === "ok") {
        live.committed(result.writes);
        live.scoreboardChanged();
      }
      return result;
    },
  };
  metrics.track({ teams: () => game.engine.teams.size, streams: () => live.connections });
  const app = createApp({
    logger: createLogger({ write: () => {} }),
    runtime,
    freeze,
    live,
    metrics,
  });

  async function call(
    method: string,
    path: string,
    init: {
      token?: string;
      body?: unknown;
      raw?: RequestInit["body"];
      headers?: Record<string, string>;
    } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    let body: RequestInit["body"] | undefined = init.raw;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await app.request(`${ORIGIN}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  /** Registers a team and returns its token. */
  async function register(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const reply = await call("POST", "/api/teams", {
      body: { name, password: "correct horse", ...extra },
    });
    if (reply.status !== 201) throw new Error(`cannot register ${name}: ${reply.text}`);
    return reply.body.token;
  }

  return {
    app,
    call,
    register,
    clock,
    db,
    game,
    runtime,
    live,
    metrics,
    admin: (method: string, path: string, body?: unknown) =>
      call(method, path, { token: ADMIN_TOKEN, ...(body !== undefined && { body }) }),
    setToml: (next: string) => (toml = next),
  };
}
