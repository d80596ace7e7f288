// Nodes sharing a log with different hunt files: the node that starts with
// another hunt, and the nodes already running, each log `hunt_differs`; a
// reload to the same file ends it.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../_runtime.ts";
import { ADMIN_TOKEN, clusterSuite, type Node } from "./_nodes.ts";

const hunt = (points: number) =>
  `[hunt]\ntitle = "Same"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\npoints = ${points}\nanswer = ["a"]\n`;

const cluster = clusterSuite("hunts", {
  files: { "a.toml": hunt(10), "b.toml": hunt(10), "c.toml": hunt(99) },
});

const start = (name: string, file: string) => cluster.start(name, file);

/**
 * Waits up to 15 s for `pattern` in what the node printed: a node hears of another's record at once
 * (a notification), or at its next look at the log, but on a loaded machine it may get no CPU for
 * a second or two.
 */
async function until(node: Node, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 300 && !pattern.test(node.output()); i++) await sleep(50);
  expect(node.output()).toMatch(pattern);
}

type Health = { ok: boolean; db: string; hunt?: string };
const health = async (node: Node): Promise<Health> =>
  (await (await fetch(`${node.base}/healthz`)).json()) as Health;

/** Waits up to 15 s until the node's /healthz says `hunt` (undefined: says nothing of it). */
async function untilHealth(node: Node, hunt: string | undefined): Promise<void> {
  for (let i = 0; i < 300 && (await health(node)).hunt !== hunt; i++) await sleep(50);
}

test(
  "a node started with another hunt file is reported by it and by the running nodes",
  async () => {
    const a = await start("node-a", "a.toml");
    const b = await start("node-b", "b.toml");
    await sleep(1_200);
    // The same hunt, from another copy of the file: nothing to report.
    expect(a.output() + b.output()).not.toContain("hunt_differs");
    const c = await start("node-c", "c.toml");
    await until(c, /level=error event=hunt_differs source=start/);
    await until(a, /level=error event=hunt_differs source="another node"/);
    await until(b, /level=error event=hunt_differs source="another node"/);
    // /healthz says so, and stays 200: the node that recorded last runs the other file.
    expect(await health(a)).toEqual({ ok: true, db: "writable", hunt: "differs" });
    expect(await health(b)).toEqual({ ok: true, db: "writable", hunt: "differs" });
    expect(await health(c)).toEqual({ ok: true, db: "writable" });
    // A reload with the right file on node-c records the hunt again; the others stay quiet.
    writeFileSync(join(cluster.dir, "c.toml"), hunt(10));
    const before = a.output().length;
    const reloaded = await fetch(`${c.base}/api/admin/reload`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(reloaded.status).toBe(200);
    // Once the others have read node-c's record (their /healthz no longer says it differs).
    for (const node of [a, b]) await untilHealth(node, undefined);
    expect(a.output().slice(before)).not.toContain("hunt_differs");
    for (const node of [a, b, c]) expect(await health(node)).toEqual({ ok: true, db: "writable" });
  },
  90_000,
);

test(
  "a node's /healthz does not say its hunt differs once its own reload has answered",
  async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    // node-a reloads an edited file: it records it, so it is node-b that differs from then on.
    writeFileSync(join(cluster.dir, "a.toml"), hunt(20));
    const reloaded = await fetch(`${a.base}/api/admin/reload`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(reloaded.status).toBe(200);
    expect(await health(a)).toEqual({ ok: true, db: "writable" });
    await untilHealth(b, "differs");
    expect(await health(b)).toEqual({ ok: true, db: "writable", hunt: "differs" });
    expect(await health(a)).toEqual({ ok: true, db: "writable" });
  },
  30_000,
);
