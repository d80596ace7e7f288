// This version's commands on a database an older Cairn wrote (an event it has not served yet,
// or a backup taken before the upgrade): `admin-token` leaves its schema as it is, so the older
// server that wrote it can still run on it.
import { afterAll, describe, expect, test } from "bun:test";
import { run } from "../../src/cli/mod.ts";
import { hashToken } from "../../src/play/mod.ts";
import { getMeta, MIGRATIONS, openForReading, schemaVersion } from "../../src/store/mod.ts";
import { tablesAt, writeEvent } from "../store/_old_event.ts";
import { fakeIo } from "../_io.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** The schema version of the database at `path`. */
function versionOf(path: string): number {
  const db = openForReading(path);
  try {
    return schemaVersion(db);
  } finally {
    db.close();
  }
}

describe("cairn admin-token on an older Cairn's database", () => {
  for (const version of [1, 8, MIGRATIONS.length - 1]) {
    test(`stores the new token and keeps schema ${version}, which the older server runs on`, async () => {
      const old = writeEvent(
        dirs.make(`cairn-admin-token-${version}-`),
        version,
        tablesAt(version),
      );
      const io = fakeIo();
      expect(await run(["admin-token", "--db", old], io)).toBe(0);
      const token = /^Token: +([\w-]+)$/m.exec(io.out())?.[1] ?? "";
      expect(versionOf(old)).toBe(version);
      const db = openForReading(old);
      try {
        expect(getMeta(db, "admin_token_hash")).toBe(hashToken(token));
      } finally {
        db.close();
      }
    });
  }
});
