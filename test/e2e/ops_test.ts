// Running Cairn for real, from the compiled binary: the systemd unit, backups
// under guess load, export, /metrics through promtool, SIGHUP reload, health.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import {
  cpSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { buildBinary, freePort, waitFor } from "../_binary.ts";
import { open } from "../_sse.ts";
import { EXIT } from "../../src/cli/_io.ts";
import { openDatabase } from "../../src/store/mod.ts";
import { inspect } from "../store/_inspect.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const UNIT = join(import.meta.dir, "..", "..", "deploy", "cairn.service");

let binary = "";
beforeAll(async () => {
  binary = await buildBinary();
}, 120_000);

/** Runs the binary to completion and returns what it printed. */
async function cairn(args: string[]) {
  const proc = Bun.spawn([binary, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, code };
}

/** A hunt with many open puzzles and a generous guess limit, for load. */
function loadHunt(puzzles: number): string {
  let text = '[hunt]\ntitle = "Load"\n';
  for (let i = 1; i <= puzzles; i++) {
    text += `\n[[puzzle]]\nid = "p${i}"\ntitle = "P${i}"\npoints = ${i}\nanswer = ["a${i}"]\n` +
      'guess_limit = { count = 1000000, per = "1m" }\n';
  }
  return text;
}

/** Starts `cairn serve` from the binary; collects its stdout. */
async function startServer(dir: string, hunt: string) {
  const port = freePort();
  const db = join(dir, "cairn.db");
  const proc = Bun.spawn(
    [binary, "serve", "--hunt", hunt, "--db", db, "--host", "127.0.0.1", "--port", String(port)],
    { stdout: "pipe", stderr: "pipe", env: { CAIRN_ADMIN_TOKEN: "ops-e2e-admin-token" } },
  );
  let out = "";
  const reading = (async () => {
    for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
  })();
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`);
  return {
    proc,
    base,
    db,
    out: () => out,
    stop: async () => {
      proc.kill("SIGTERM");
      const code = await proc.exited;
      await reading;
      return code;
    },
  };
}

/**
 * Waits for a server's /healthz; if the process exits first (a missing module, a system
 * call the filter denies), fails at once with its exit code and stderr instead of a timeout.
 */
async function readyOrExited(proc: Subprocess<"ignore", "pipe", "pipe">, url: string) {
  const health = waitFor(url).then(() => "ready" as const);
  const outcome = await Promise.race([health, proc.exited.then(() => "exited" as const)]);
  if (outcome === "ready") return;
  health.catch(() => {});
  const stderr = await new Response(proc.stderr).text();
  throw new Error(`The server exited with code ${proc.exitCode} before it was ready:\n${stderr}`);
}

async function post(base: string, path: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

describe("systemd", () => {
  test("cairn systemd prints deploy/cairn.service", async () => {
    const { stdout, code } = await cairn(["systemd"]);
    expect(code).toBe(0);
    expect(stdout).toBe(readFileSync(UNIT, "utf8"));
    expect(stdout).toContain("DynamicUser=yes\n");
    expect(stdout).toContain("StateDirectory=cairn\n");
    expect(stdout).toContain("ProtectSystem=strict\n");
    expect(stdout).not.toMatch(/^MemoryDenyWriteExecute=/m);
    // It restarts for as long as a full disk makes starts fail (docs/operations.md).
    expect(stdout).toMatch(/^\[Unit\][^[]*^StartLimitIntervalSec=0$/m);
    expect(stdout).toContain("Restart=on-failure\nRestartSec=2s\n");
    // A binary older than the database exits with this status: starting it again cannot help.
    expect(stdout).toMatch(new RegExp(`^RestartPreventExitStatus=${EXIT.outdated}$`, "m"));
  });

  /**
   * systemd-analyze verify over a temporary root holding the unit, the binary where ExecStart
   * looks, kill for ExecReload, systemd's own units (sysinit.target and the like), and the
   * drop-ins given: what it says (nothing when the unit is clean) and its exit code.
   */
  async function verify(dropIns: Record<string, string> = {}) {
    const root = dirs.make("cairn-root-");
    for (const dir of ["usr/local/bin", "bin", "etc/systemd/system", "usr/lib/systemd"]) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    const installed = join(root, "usr/local/bin/cairn");
    try {
      linkSync(binary, installed);
    } catch {
      cpSync(binary, installed);
    }
    cpSync("/bin/kill", join(root, "bin/kill"));
    cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true });
    writeFileSync(
      join(root, "etc/systemd/system/cairn.service"),
      (await cairn(["systemd"])).stdout,
    );
    for (const [name, text] of Object.entries(dropIns)) {
      mkdirSync(join(root, "etc/systemd/system/cairn.service.d"), { recursive: true });
      writeFileSync(join(root, "etc/systemd/system/cairn.service.d", name), text);
    }
    const proc = Bun.spawn(
      ["systemd-analyze", "verify", `--root=${root}`, "/etc/systemd/system/cairn.service"],
      { stdout: "pipe", stderr: "pipe" },
    );
    const output = (await new Response(proc.stdout).text()) +
      (await new Response(proc.stderr).text());
    return { code: await proc.exited, output };
  }

  test("systemd-analyze verify is clean with the binary at the ExecStart path", async () => {
    expect(await verify()).toEqual({ code: 0, output: "" });
  });

  test("the HTTPS drop-in docs/offline.md gives (LoadCredential, %d) verifies clean", async () => {
    const doc = readFileSync(join(import.meta.dir, "..", "..", "docs", "offline.md"), "utf8");
    const section = doc.slice(doc.indexOf("### HTTPS as a service"));
    const dropIn = /```ini\n([\s\S]*?)```/.exec(section)?.[1];
    expect(dropIn).toContain("LoadCredential=server.key:/etc/cairn/tls/server.key\n");
    expect(dropIn).toContain("Environment=CAIRN_TLS_KEY=%d/server.key\n");
    expect(await verify({ "override.conf": dropIn! })).toEqual({ code: 0, output: "" });
    // A misspelt key is reported: the check reads the drop-in.
    const misspelt = dropIn!.replace("LoadCredential=server.key", "LoadCredentials=server.key");
    expect((await verify({ "override.conf": misspelt })).output).toContain(
      "Unknown key 'LoadCredentials'",
    );
  });

  test("the unit's system-call filter lets the server do everything it does", async () => {
    // The filter systemd would load (an allow list less the denied groups, EPERM for the
    // rest), loaded with libseccomp around the binary: a system call Bun needs and the unit
    // denies would show here as a failure.
    // Without the module, python exits at once: say so, rather than wait for /healthz.
    const probe = Bun.spawnSync(["/usr/bin/python3", "-c", "import seccomp"], { stderr: "pipe" });
    if (probe.exitCode !== 0) {
      throw new Error(
        "python3-seccomp is missing (/usr/bin/python3 cannot import seccomp): " +
          "apt-get install -y python3-seccomp, or run npm test, whose setup installs it",
      );
    }
    const dir = dirs.make("cairn-e2e-ops-");
    const port = freePort();
    const proc = Bun.spawn(
      [
        "/usr/bin/python3",
        join(import.meta.dir, "_seccomp.py"),
        UNIT,
        binary,
        "serve",
        "--db",
        join(dir, "cairn.db"),
        "--port",
        String(port),
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const base = `http://127.0.0.1:${port}`;
    try {
      await readyOrExited(proc, `${base}/healthz`);
      const token = (await post(base, "/api/teams", {
        name: "Gulls",
        password: "correct horse",
      })).body.token as string;
      expect(
        (await post(base, "/api/puzzles/lighthouse/guesses", { answer: "polaris" }, token)).body,
      )
        .toMatchObject({ result: "correct" });
      const stream = await open(base);
      await stream.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":100'));
      await stream.close();
      expect(await (await fetch(`${base}/metrics`)).text()).toContain("cairn_teams 1");
      proc.kill("SIGHUP");
      // Stopped only once the reload is done (its counter says so), not after a fixed 200 ms.
      const reloaded = async () =>
        (await (await fetch(`${base}/metrics`)).text()).includes(
          'cairn_hunt_reloads_total{result="ok"} 1',
        );
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !(await reloaded())) await Bun.sleep(20);
    } finally {
      proc.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
    const out = await new Response(proc.stdout).text();
    expect(out).toContain("event=hunt_reloaded source=sighup");
    expect(out).toContain("event=stopped");
    expect(await new Response(proc.stderr).text()).toBe("");
  }, 30_000);

  test("systemd-analyze security rates the exposure at 2.0 or lower", async () => {
    const proc = Bun.spawn(["systemd-analyze", "security", "--offline=true", UNIT], {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, SYSTEMD_COLORS: "0" },
    });
    const output = await new Response(proc.stdout).text();
    await proc.exited;
    const score = /Overall exposure level for cairn\.service: (\d+\.\d+)/.exec(output)?.[1];
    expect(score).toBeDefined();
    expect(Number(score)).toBeLessThanOrEqual(2.0);
  });
});

describe("the binary in operation", () => {
  test("backups taken under guess load are whole and consistent; export reads them", async () => {
    const dir = dirs.make("cairn-e2e-ops-");
    const hunt = join(dir, "hunt.toml");
    writeFileSync(hunt, loadHunt(40));
    const server = await startServer(dir, hunt);
    let acknowledged = 0;
    let running = true;
    try {
      const tokens: string[] = [];
      for (let i = 0; i < 8; i++) {
        tokens.push(
          (await post(server.base, "/api/teams", {
            name: `Team ${i}`,
            password: "correct horse",
          })).body.token as string,
        );
      }
      // Each team works through the puzzles (a wrong guess, then the answer), then goes on
      // guessing wrong on the last one, so that the load lasts until every backup is taken.
      const load = tokens.map(async (token) => {
        for (let p = 1; running; p = Math.min(p + 1, 40)) {
          for (const answer of p < 40 ? ["wrong", `a${p}`] : ["wrong"]) {
            const reply = await post(server.base, `/api/puzzles/p${p}/guesses`, { answer }, token);
            if (reply.status === 200) acknowledged++;
          }
        }
      });
      const copies: string[] = [];
      for (let i = 0; i < 3; i++) {
        await Bun.sleep(60);
        const out = join(dir, `backup-${i}.db`);
        const result = await cairn(["backup", out, "--db", server.db]);
        expect(result).toMatchObject({ code: 0, stderr: "" });
        copies.push(out);
      }
      const during = acknowledged;
      running = false;
      await Promise.all(load);
      expect(during).toBeGreaterThan(0);
      let previous = -1;
      for (const copy of copies) {
        const seen = inspect(copy);
        expect(seen).toMatchObject({
          integrity: "ok",
          teams: 8,
          solvesWithoutTheirGuess: 0,
          correctWithoutSolve: 0,
        });
        expect(seen.guesses).toBeGreaterThan(previous);
        previous = seen.guesses;
      }

      // Export, while the server runs, agrees with the live scoreboard.
      const exported = await cairn(["export", "--db", server.db]);
      expect(exported.code).toBe(0);
      const results = JSON.parse(exported.stdout);
      const live = await (await fetch(`${server.base}/api/scoreboard`)).json() as {
        teams: { name: string; score: number }[];
      };
      expect(results.scoreboard.map((r: { name: string; score: number }) => [r.name, r.score]))
        .toEqual(live.teams.map((r) => [r.name, r.score]));
      expect(results.guesses).toHaveLength(acknowledged);
    } finally {
      running = false;
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);

  test("/metrics passes promtool; SIGHUP reloads the edited file and pushes unlocks", async () => {
    const dir = dirs.make("cairn-e2e-ops-");
    const hunt = join(dir, "hunt.toml");
    const locked = loadHunt(2) + '\n[[puzzle]]\nid = "late"\ntitle = "Late"\n' +
      'unlock = \'after("2099-01-01T00:00:00Z")\'\nanswer = ["z"]\n';
    writeFileSync(hunt, locked);
    const server = await startServer(dir, hunt);
    try {
      const health = await fetch(`${server.base}/healthz`);
      expect(await health.json()).toEqual({ ok: true, db: "writable" });

      const token = (await post(server.base, "/api/teams", {
        name: "Gulls",
        password: "correct horse",
      })).body.token as string;
      await post(server.base, "/api/puzzles/p1/guesses", { answer: "a1" }, token);
      const metrics = await (await fetch(`${server.base}/metrics`)).text();
      expect(metrics).toContain('cairn_guesses_total{result="correct"} 1');
      const promtool = Bun.spawn(["promtool", "check", "metrics"], {
        stdin: new TextEncoder().encode(metrics),
        stdout: "pipe",
        stderr: "pipe",
      });
      const lint = (await new Response(promtool.stdout).text()) +
        (await new Response(promtool.stderr).text());
      expect({ code: await promtool.exited, lint }).toEqual({ code: 0, lint: "" });

      const stream = await open(server.base, { authorization: `Bearer ${token}` });
      await stream.wait((e) => e.event === "scoreboard");
      writeFileSync(hunt, locked.replace(/unlock = .*\n/, ""));
      server.proc.kill("SIGHUP");
      const unlock = await stream.wait((e) => e.event === "unlock");
      expect(JSON.parse(unlock.data!)).toEqual({ puzzles: ["late"], titles: ["Late"] });
      await stream.close();
      expect(server.out()).toContain("event=hunt_reloaded source=sighup puzzles=3 changed=late");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 30_000);

  test("refuses to start on a damaged database, in one line", async () => {
    // A Cairn database damaged so that reading it fails, whatever else it holds. (Another
    // program's file is refused before the check, as not a Cairn database.)
    const dir = dirs.make("cairn-e2e-ops-");
    const path = join(dir, "cairn.db");
    const db = openDatabase(path);
    db.exec("CREATE TABLE filler (x TEXT); CREATE INDEX filler_x ON filler (x)");
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) db.query("INSERT INTO filler VALUES (?)").run(`row ${i}`);
    })();
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const pages = db.query<{ page_count: number }>("PRAGMA page_count").get()!.page_count;
    db.close();
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages / 2) * 4096);
    const result = await cairn(["serve", "--db", path, "--port", "0", "--host", "127.0.0.1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^cairn serve: cannot open the database .*: The database fails its integrity check \(.+\); restore it from a backup\n$/,
    );
  }, 30_000);
});
