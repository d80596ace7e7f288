// GET /api/admin/export/files: the submissions' uploaded files as one zip, a folder per team and a
// file per submission, or one team's; and the zip writer itself (http/_zip.ts), ZIP64 records
// included. Each archive is checked by Info-ZIP's `unzip -t` (its CRCs and layout) and read back
// with the zip reader `cairn import` uses.
import { afterAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ZipFile } from "../../src/cli/_zip.ts";
import { zipArchive } from "../../src/http/_zip.ts";
import { MISSIONS_TOML } from "../engine/_hunt.ts";
import { tempDirs } from "../_tmp.ts";
import { ADMIN_TOKEN, makeApp, ORIGIN, removeUploads } from "./_app.ts";
import { jpegWithGps } from "./_jpeg.ts";

afterAll(removeUploads);
const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** Info-ZIP's unzip, which checks what the archive says against its bytes. */
function unzipTest(path: string): string {
  try {
    return execFileSync("unzip", ["-t", path], { encoding: "utf8" });
  } catch (error) {
    const failed = error as { code?: string; stdout?: string };
    if (failed.code === "ENOENT") {
      throw new Error("unzip is missing: install the Debian package unzip (scripts/setup.sh)");
    }
    throw new Error(`unzip -t refused the archive:\n${failed.stdout}`);
  }
}

/** The archive's entries (names and bytes), read back with `cairn import`'s zip reader. */
function entriesOf(bytes: Uint8Array): { path: string; entries: Record<string, Uint8Array> } {
  const path = join(dirs.make("cairn-zip-"), "files.zip");
  writeFileSync(path, bytes);
  const zip = ZipFile.open(path, bytes.length);
  try {
    const entries: Record<string, Uint8Array> = {};
    for (const entry of zip.entries) entries[entry.name] = zip.read(entry);
    return { path, entries };
  } finally {
    zip.close();
  }
}

async function upload(app: ReturnType<typeof makeApp>, token: string, bytes: Uint8Array) {
  const form = new FormData();
  form.append("file", new Blob([bytes], { type: "image/jpeg" }), "me.jpg");
  const res = await app.app.request(`${ORIGIN}/api/puzzles/statue/submissions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status).toBe(201);
}

describe("GET /api/admin/export/files", () => {
  test("a folder per team, a file per submission, each the stored file; or one team's", async () => {
    const app = makeApp({ toml: MISSIONS_TOML });
    app.clock.advance(60_000);
    const gulls = await app.register("Gulls");
    const terns = await app.register("Les Sternes / été");
    await upload(app, gulls, jpegWithGps(2_000));
    await upload(app, terns, jpegWithGps(3_000));
    // A text submission has no file, and is not in the zip.
    const story = new FormData();
    story.append("text", "We are named after a bird.");
    const text = await app.app.request(`${ORIGIN}/api/puzzles/story/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${gulls}` },
      body: story,
    });
    expect(text.status).toBe(201);

    const get = (query = "") =>
      app.app.request(`${ORIGIN}/api/admin/export/files${query}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="cairn-files.zip"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    const { path, entries } = entriesOf(bytes);
    expect(unzipTest(path)).toContain("No errors detected");
    expect(Object.keys(entries)).toEqual(["Gulls/statue-1.jpg", "Les Sternes _ été/statue-2.jpg"]);
    const named = [["Gulls/statue-1.jpg", 1], ["Les Sternes _ été/statue-2.jpg", 2]] as const;
    for (const [name, id] of named) {
      const stored = app.game.engine.submissions.get(id)!.file!;
      const blob = app.game.store.upload(stored.hash)!;
      expect({ name, same: Buffer.compare(entries[name]!, await blob.bytes()) === 0 }).toEqual({
        name,
        same: true,
      });
    }

    // A HEAD says the length, and reads no file.
    const head = await app.app.request(`${ORIGIN}/api/admin/export/files`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(bytes.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const one = await get("?team=2");
    expect(one.headers.get("content-disposition")).toBe(
      'attachment; filename="cairn-files-team-2.zip"',
    );
    const mine = entriesOf(new Uint8Array(await one.arrayBuffer()));
    expect(Object.keys(mine.entries)).toEqual(["Les Sternes _ été/statue-2.jpg"]);

    // A team with no files gets an empty zip; a team that does not exist, a 404.
    await app.register("Puffins");
    const none = new Uint8Array(await (await get("?team=3")).arrayBuffer());
    expect(none.length).toBe(22);
    expect(entriesOf(none).entries).toEqual({});
    for (const query of ["?team=99", "?team=abc"]) {
      const refused = await get(query);
      expect({ query, status: refused.status }).toEqual({ query, status: 404 });
    }
    // Organizers only.
    const player = await app.app.request(`${ORIGIN}/api/admin/export/files`, {
      headers: { authorization: `Bearer ${gulls}` },
    });
    expect(player.status).toBe(401);
  });

  test("a file missing from the uploads folder is left out, and named in MISSING.txt", async () => {
    const app = makeApp({ toml: MISSIONS_TOML });
    app.clock.advance(60_000);
    const gulls = await app.register("Gulls");
    const terns = await app.register("Terns");
    await upload(app, gulls, jpegWithGps(2_000));
    await upload(app, terns, jpegWithGps(3_000));
    app.game.store.removeUpload(app.game.engine.submissions.get(1)!.file!.hash);
    const res = await app.app.request(`${ORIGIN}/api/admin/export/files`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    const { path, entries } = entriesOf(bytes);
    expect(unzipTest(path)).toContain("No errors detected");
    expect(Object.keys(entries)).toEqual(["Terns/statue-2.jpg", "MISSING.txt"]);
    expect(new TextDecoder().decode(entries["MISSING.txt"])).toBe(
      "This file is not in the uploads folder:\r\nGulls/statue-1.jpg\r\n",
    );
  });
});

describe("the zip writer", () => {
  const sources = () => [
    { name: "a/one.txt", blob: new Blob(["first file\n"]), modified: Date.UTC(2026, 10, 21, 10) },
    { name: "b/é 🐦.bin", blob: new Blob([new Uint8Array(70_000).fill(7)]), modified: 0 },
    { name: "empty", blob: new Blob([]), modified: Date.UTC(2026, 10, 21, 11) },
  ];

  for (const zip64 of [false, true]) {
    test(`writes what unzip and cairn's reader take, its length said first (zip64: ${zip64})`, async () => {
      const { length, stream } = zipArchive(sources(), { zip64 });
      const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      expect(bytes.length).toBe(length);
      const { path, entries } = entriesOf(bytes);
      const checked = unzipTest(path);
      expect(checked).toContain("No errors detected");
      expect(checked).toContain("testing: b/é 🐦.bin");
      expect(Object.keys(entries)).toEqual(["a/one.txt", "b/é 🐦.bin", "empty"]);
      expect(new TextDecoder().decode(entries["a/one.txt"])).toBe("first file\n");
      expect(entries["b/é 🐦.bin"]).toEqual(new Uint8Array(70_000).fill(7));
      expect(entries["empty"]!.length).toBe(0);
      // The ZIP64 end records are there only when asked for (or needed).
      const hasZip64End = Buffer.from(bytes).includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
      expect(hasZip64End).toBe(zip64);
    });
  }

  test("a file shorter than its size ends the stream with an error, never a wrong archive", async () => {
    const short = new Blob(["12345"]);
    Object.defineProperty(short, "size", { value: 10 });
    const { stream } = zipArchive([{ name: "short.txt", blob: short, modified: 0 }]);
    await expect(new Response(stream).arrayBuffer()).rejects.toThrow(
      "short.txt holds 5 of its 10 bytes",
    );
  });
});
