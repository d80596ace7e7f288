// A node on PostgreSQL that starts again in place (a batch refused before or at its COMMIT),
// run in-process: browsers get a page saying when to try again during its pause, the new game
// runs the hunt the node ran, not the file as edited since, and a SIGHUP that comes during the
// pause reloads the file once the node serves again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { type Pg, startPg } from "../_pg.ts";
import { sleep } from "../_runtime.ts";

const HUNT = (title: string) =>
  `[hunt]\ntitle = "${title}"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["a"]\n`;

let pg: Pg;
let dir: string;

beforeAll(async () => {
  pg = await startPg();
  dir = mkdtempSync(join(tmpdir(), "cairn-restart-"));
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `cairn serve` on database `name`, in-process; resolves once it listens. */
async function serve(name: string) {
  const url = await pg.createDatabase(name);
  const hunt = join(dir, `${name}.toml`);
  writeFileSync(hunt, HUNT("Before"));
  const io = fakeIo();
  const exited = run([
    "serve",
    ...["--hunt", hunt, "--db", url, "--files", join(dir, `${name}-files`)],
    ...["--host", "127.0.0.1", "--port", "0", "--admin-token", "restart-admin-token"],
  ], io);
  let code: number | undefined;
  void exited.then((c) => (code = c));
  for (let i = 0; i < 1000 && code === undefined && !/event=listening/.test(io.out()); i++) {
    await sleep(10);
  }
  const port = /url=http:\/\/127\.0\.0\.1:(\d+)\//.exec(io.out())?.[1];
  if (port === undefined) throw new Error(`the server did not start: ${io.out()}${io.err()}`);
  const stop = async () => {
    io.stop();
    return await exited;
  };
  return { io, base: `http://127.0.0.1:${port}`, hunt, stop, exited: () => code };
}

/** Makes the log refuse (at append) every guess whose answer holds `refuse`. */
async function refuseGuesses(database: string): Promise<void> {
  await pg.query(
    `CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN
       IF NEW.body LIKE '%refuse%' THEN RAISE EXCEPTION 'refused guess'; END IF;
       RETURN NEW; END $$ LANGUAGE plpgsql;
     CREATE TRIGGER refuse BEFORE INSERT ON cairn_log FOR EACH ROW EXECUTE FUNCTION refuse();`,
    { database },
  );
}

async function register(base: string): Promise<string> {
  const res = await fetch(`${base}/api/teams`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Gulls", password: "correct horse" }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function guess(base: string, token: string, answer: string): Promise<number> {
  const res = await fetch(`${base}/api/puzzles/p/guesses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ answer }),
  });
  await res.body?.cancel();
  return res.status;
}

async function title(base: string): Promise<string> {
  return ((await (await fetch(`${base}/api/hunt`)).json()) as { title: string }).title;
}

/** Waits until the output holds `event` `count` times. */
async function logged(out: () => string, event: string, count: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (out().split(`event=${event}`).length - 1 >= count) return;
    await sleep(10);
  }
  throw new Error(`no ${count}× event=${event} in:\n${out()}`);
}

/** The lines of the output about `event`, without their time. */
function lines(out: string, event: string): string[] {
  return out.split("\n").filter((line) => line.includes(` event=${event} `))
    .map((line) => line.slice(line.indexOf("level=")));
}

describe("a restart in place", () => {
  test(
    "shows browsers a page in its pause, keeps the hunt it ran; a SIGHUP then reloads once it serves",
    async () => {
      const node = await serve("restart");
      try {
        const token = await register(node.base);
        await refuseGuesses("restart");
        writeFileSync(node.hunt, HUNT("Edited"));

        // Without a SIGHUP, the edited file is not read: the node serves the hunt it ran.
        expect(await guess(node.base, token, "refuse 1")).toBe(503);
        await logged(node.io.out, "restarting_in_place", 1);
        // During the pause a browser gets a page saying when to try again, the API the envelope.
        const page = await fetch(`${node.base}/puzzles`, { headers: { accept: "text/html" } });
        expect(page.status).toBe(503);
        expect(page.headers.get("retry-after")).toBe("5");
        expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
        const text = await page.text();
        expect(text).toContain("<title>Starting again · Before</title>");
        expect(text).toContain('<p>Try again in <span data-countdown="5">5 s</span>.</p>');
        expect(text).toContain('<a href="/puzzles">Back to the page</a>');
        const api = await fetch(`${node.base}/api/hunt`, { headers: { accept: "text/html" } });
        expect(api.status).toBe(503);
        expect(api.headers.get("retry-after")).toBe("5");
        expect(((await api.json()) as { error: { message: string } }).error.message).toBe(
          "The server is starting again after a failed commit: Cannot save to the database: " +
            "refused guess",
        );
        await logged(node.io.out, "restarted_in_place", 1);
        expect(await title(node.base)).toBe("Before");
        // One failure, one line: the request it refused and the server's restart do not both
        // log it.
        expect(lines(node.io.out(), "commit_failed")).toEqual([
          'level=error event=commit_failed message="Cannot save to the database: refused guess"',
        ]);

        // A SIGHUP during the pause is heard, and takes effect once the node serves again.
        expect(await guess(node.base, token, "refuse 2")).toBe(503);
        await logged(node.io.out, "restarting_in_place", 2);
        node.io.hup();
        expect(node.io.out()).not.toContain("event=hunt_reloaded");
        await logged(node.io.out, "restarted_in_place", 2);
        await logged(node.io.out, "hunt_reloaded", 1);
        expect(node.io.out()).toMatch(
          /event=restarted_in_place .*\n.*event=hunt_reloaded source=sighup/,
        );
        expect(await title(node.base)).toBe("Edited");
        // The second failure, as like the first as can be and within 10 s of it, has its line.
        expect(lines(node.io.out(), "commit_failed")).toHaveLength(2);
        expect(await guess(node.base, token, "a")).toBe(200);
        expect(node.exited()).toBeUndefined();
      } finally {
        expect(await node.stop()).toBe(0);
      }
    },
    30_000,
  );

  test(
    "with PostgreSQL gone meanwhile answers 503 and waits for it, then serves, without exiting",
    async () => {
      const node = await serve("gone");
      try {
        const token = await register(node.base);
        await refuseGuesses("gone");
        expect(await guess(node.base, token, "refuse")).toBe(503);
        await logged(node.io.out, "restarting_in_place", 1);
        // PostgreSQL stops during the 2 s pause, as when its shutdown cut the failed batch.
        await pg.down();
        try {
          expect(node.io.out()).not.toContain("event=restarted_in_place");
          await logged(node.io.out, "database_unreachable", 1);
          // It keeps its socket and says why, past its first tries (it tries every second).
          await sleep(2_500);
          expect(node.exited()).toBeUndefined();
          const health = await fetch(`${node.base}/healthz`);
          expect(health.status).toBe(503);
          expect(health.headers.get("retry-after")).toBe("5");
          expect(((await health.json()) as { error: { message: string } }).error.message)
            .toStartWith("Cannot reach the database: ");
          expect(await guess(node.base, token, "a")).toBe(503);
        } finally {
          await pg.up();
        }
        await logged(node.io.out, "restarted_in_place", 1);
        await logged(node.io.out, "database_reachable", 1);
        expect(await guess(node.base, token, "a")).toBe(200);
        expect(node.exited()).toBeUndefined();
        expect(node.io.err()).toBe("");
      } finally {
        expect(await node.stop()).toBe(0);
      }
    },
    60_000,
  );
});
