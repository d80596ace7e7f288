// The cluster's deploy files: deploy/nginx-cluster.conf passes `nginx -t` and, run for real in
// front of two stand-in nodes, spreads requests over both, forwards the client's address and
// Host, takes a 60 MB upload and streams live events, with buffering off for them;
// deploy/cairn-node@.service passes `systemd-analyze verify`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server, Subprocess } from "bun";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../_binary.ts";
import { EXIT } from "../../src/cli/_io.ts";

const DEPLOY = join(import.meta.dir, "..", "..", "deploy");
const CONF = join(DEPLOY, "nginx-cluster.conf");
const UNIT = join(DEPLOY, "cairn-node@.service");
const NGINX = "/usr/sbin/nginx";

/** Runs a command to completion. */
async function run(cmd: string[]) {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, output: stdout + stderr };
}

/**
 * A folder nginx runs in without touching /etc or /var: a main configuration that includes
 * `site` inside its http block, with its pid, logs and temporary files in the folder. One
 * process (no master, no workers), so no user switch and nothing left behind after a kill.
 */
function nginxPrefix(site: string): { dir: string; conf: string } {
  if (!existsSync(NGINX)) {
    throw new Error(
      "nginx is not installed: install the Debian package `nginx` (sh scripts/setup.sh does)",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "cairn-nginx-"));
  const conf = join(dir, "nginx.conf");
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`).join("\n");
  writeFileSync(
    conf,
    `daemon off;\nmaster_process off;\npid ${join(dir, "nginx.pid")};\n` +
      `error_log ${join(dir, "error.log")} warn;\n` +
      `events { worker_connections 256; }\n` +
      `http {\n  access_log off;\n${temp}\n  include ${site};\n}\n`,
  );
  return { dir, conf };
}

/** The nginx command line for a prefix; -e keeps even the first log lines in the folder. */
const nginx = (prefix: { dir: string; conf: string }, ...args: string[]) => [
  NGINX,
  "-p",
  prefix.dir,
  "-e",
  join(prefix.dir, "error.log"),
  "-c",
  prefix.conf,
  ...args,
];

describe("deploy/nginx-cluster.conf", () => {
  test("nginx -t accepts it as shipped", async () => {
    const prefix = nginxPrefix(CONF);
    try {
      const result = await run(nginx(prefix, "-t"));
      expect(result.output).toContain("test is successful");
      expect(result.output).not.toContain("[warn]");
      expect(result.code).toBe(0);
    } finally {
      rmSync(prefix.dir, { recursive: true, force: true });
    }
  });

  describe("in front of two stand-in nodes", () => {
    let nodes: Server<unknown>[] = [];
    let proxy: Subprocess;
    let prefix: { dir: string; conf: string };
    let base = "";
    /** Ends the stand-ins' event streams; until then they stay open. */
    let closeStreams = () => {};
    const streamsClosed = new Promise<void>((resolve) => (closeStreams = resolve));

    beforeAll(async () => {
      // Each stand-in answers with its name and the headers it got; /api/events writes one
      // event at once and ends only when the test says so (without the X-Accel-Buffering header
      // a real node sends: here only the configuration speaks).
      nodes = ["a", "b"].map((name) =>
        Bun.serve({
          hostname: "127.0.0.1",
          port: 0,
          idleTimeout: 0,
          async fetch(req) {
            if (new URL(req.url).pathname === "/api/events") {
              const body = new ReadableStream({
                async start(controller) {
                  controller.enqueue(new TextEncoder().encode(`event: hello\ndata: ${name}\n\n`));
                  await streamsClosed;
                  controller.close();
                },
              });
              return new Response(body, { headers: { "content-type": "text/event-stream" } });
            }
            const bytes = req.body ? (await req.arrayBuffer()).byteLength : 0;
            return Response.json({ node: name, bytes, headers: Object.fromEntries(req.headers) });
          },
        })
      );
      // The shipped file, with this test's port and the stand-ins in place of 8081..8083.
      const port = freePort();
      const shipped = await Bun.file(CONF).text();
      const servers = /( *server 127\.0\.0\.1:8081 .*\n)(?: *server 127\.0\.0\.1:808[23] .*\n){2}/;
      expect(shipped).toMatch(servers);
      expect(shipped).toMatch(/listen 80;/);
      const site = shipped
        .replace(
          servers,
          (_, line: string) =>
            nodes.map((node) => line.replace("8081", String(node.port))).join(""),
        )
        .replace("listen 80;", `listen 127.0.0.1:${port};`);
      prefix = nginxPrefix(join(tmpdir(), "unused"));
      const sitePath = join(prefix.dir, "site.conf");
      writeFileSync(sitePath, site);
      const main = await Bun.file(prefix.conf).text();
      writeFileSync(prefix.conf, main.replace(join(tmpdir(), "unused"), sitePath));
      proxy = Bun.spawn(nginx(prefix), { stdout: "pipe", stderr: "pipe" });
      base = `http://127.0.0.1:${port}`;
      const start = Date.now();
      while (true) {
        if (proxy.exitCode !== null) {
          const log = await Bun.file(join(prefix.dir, "error.log")).text().catch(() => "");
          throw new Error(`nginx exited with ${proxy.exitCode}:\n${log}`);
        }
        if (await fetch(`${base}/who`).then((r) => r.ok, () => false)) break;
        if (Date.now() - start > 10_000) throw new Error("nginx did not answer within 10 s");
        await Bun.sleep(20);
      }
    }, 20_000);

    afterAll(async () => {
      closeStreams();
      proxy?.kill();
      await proxy?.exited;
      for (const node of nodes) node.stop(true);
      if (prefix) rmSync(prefix.dir, { recursive: true, force: true });
    });

    test("requests reach both nodes, with the client's address, Host and scheme", async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const answer = await (await fetch(`${base}/who`)).json() as {
          node: string;
          headers: Record<string, string>;
        };
        seen.add(answer.node);
        expect(answer.headers["x-forwarded-for"]).toBe("127.0.0.1");
        expect(answer.headers["x-forwarded-proto"]).toBe("http");
        // The port too: a node checks a form post's Origin against it.
        expect(answer.headers["host"]).toBe(new URL(base).host);
        // Kept-alive connections to the nodes, not one per request.
        expect(answer.headers["connection"]).toBeUndefined();
      }
      expect([...seen].sort()).toEqual(["a", "b"]);
    });

    test("a 60 MB upload goes through", async () => {
      const size = 61 * 1000 * 1000;
      const res = await fetch(`${base}/api/puzzles/p1/submissions`, {
        method: "POST",
        body: new Uint8Array(size),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { bytes: number }).bytes).toBe(size);
    }, 30_000);

    test("live events stream through: the first arrives while the node holds the stream open", async () => {
      const res = await fetch(`${base}/api/events`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/event-stream");
      const reader = res.body!.getReader();
      const first = await Promise.race([
        reader.read().then(({ value }) => new TextDecoder().decode(value)),
        Bun.sleep(3_000).then(() => "nothing within 3 s"),
      ]);
      expect(first).toMatch(/^event: hello\ndata: [ab]\n\n$/);
      await reader.cancel();
    });

    test("the events location turns buffering off and outlives the heartbeat", async () => {
      // nginx 1.22 passes a fast reader's events on even with buffering on, so the stream above
      // cannot tell. Buffering off matters for a slow phone: its backlog stays with the node,
      // which drops a stream that falls behind (docs/api.md), instead of piling up in nginx's
      // buffers and temporary files. So read it from the block itself.
      const shipped = await Bun.file(CONF).text();
      const block = /location = \/api\/events \{([^}]*)\}/.exec(shipped)?.[1] ?? "";
      expect(block).toMatch(/^\s*proxy_pass http:\/\/cairn_nodes;$/m);
      expect(block).toMatch(/^\s*proxy_buffering off;$/m);
      const timeout = /^\s*proxy_read_timeout (\d+)([smh]);$/m.exec(block);
      expect(timeout).not.toBeNull();
      const seconds = Number(timeout![1]) *
        { s: 1, m: 60, h: 3600 }[timeout![2] as "s" | "m" | "h"];
      // The server writes a heartbeat about every 20 s.
      expect(seconds).toBeGreaterThan(60);
    });
  });
});

describe("deploy/cairn-node@.service", () => {
  test("systemd-analyze verify is clean for an instance", async () => {
    // A temporary root with the template, an executable where ExecStart looks, kill for
    // ExecReload, the environment file it requires, and systemd's own units.
    const root = mkdtempSync(join(tmpdir(), "cairn-root-"));
    try {
      for (const dir of ["usr/local/bin", "bin", "etc/systemd/system", "etc/cairn"]) {
        mkdirSync(join(root, dir), { recursive: true });
      }
      const cairn = join(root, "usr/local/bin/cairn");
      writeFileSync(cairn, "#!/bin/sh\nexit 0\n");
      chmodSync(cairn, 0o755);
      cpSync("/bin/kill", join(root, "bin/kill"));
      cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true });
      cpSync(UNIT, join(root, "etc/systemd/system/cairn-node@.service"));
      writeFileSync(
        join(root, "etc/cairn/cluster.env"),
        "CAIRN_DB=postgres://cairn@127.0.0.1/cairn\n",
      );
      const result = await run([
        "systemd-analyze",
        "verify",
        `--root=${root}`,
        "/etc/systemd/system/cairn-node@8081.service",
      ]);
      expect(result).toEqual({ code: 0, output: "" });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("the unit runs cairn serve on the instance's port with the shared settings from the environment file", async () => {
    const unit = await Bun.file(UNIT).text();
    expect(unit).toMatch(
      /^ExecStart=\/usr\/local\/bin\/cairn serve --port %i --files \/srv\/cairn\/files$/m,
    );
    // Not `-/etc/…`: a node without its database URL must not start an event of its own.
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/cairn\/cluster\.env$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    // A node older than the log exits with this status: starting it again cannot help.
    expect(unit).toMatch(new RegExp(`^RestartPreventExitStatus=${EXIT.outdated}$`, "m"));
    expect(unit).not.toMatch(/^ExecStart=.*postgres:/m);
  });
});
