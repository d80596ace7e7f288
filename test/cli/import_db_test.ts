// cairn import ctfd leaves the event's folder as its table says: one database file, closed.
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { exportZip, GULLS_HASH, harborCtf } from "../ctfd/_export.ts";

test("import ctfd closes its database: no -wal or -shm file is left beside cairn.db", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-import-db-"));
  try {
    const file = join(dir, "export.zip");
    writeFileSync(file, exportZip(harborCtf(GULLS_HASH)));
    const out = join(dir, "event");
    const io = fakeIo();
    expect(await run(["import", "ctfd", file, "--out", out], io)).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      "cairn.db",
      "hunt.toml",
      "import-report.txt",
      "puzzles",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
