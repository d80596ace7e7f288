// `cairn backup` and `cairn export` with mission uploads: the backup copies the files its database
// copy names into OUT.files/, and the export lists submissions and copies the files with --files.
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { register, startServer } from "./_serve.ts";
import { jpegWithGps } from "../http/_jpeg.ts";
import { tempDirs } from "../_tmp.ts";
import { openConnection } from "../../src/store/driver.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const HUNT = `
[hunt]
title = "Files"

[[puzzle]]
id = "statue"
title = "Statue"
points = 30
submit = "photo"
judge = "auto"

[[puzzle]]
id = "story"
title = "Story"
points = 10
submit = "text"
`;

async function submit(base: string, token: string, puzzle: string, form: FormData) {
  const res = await fetch(`${base}/api/puzzles/${puzzle}/submissions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status).toBe(201);
}

function photo(scanBytes: number): FormData {
  const form = new FormData();
  form.append("file", new Blob([jpegWithGps(scanBytes)], { type: "image/jpeg" }), "me.jpg");
  return form;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("backup and export with mission files", () => {
  test("backup copies the named files beside the copy; export lists and copies them", async () => {
    const dir = dirs.make("cairn-files-");
    const server = await startServer(dir, HUNT);
    let stopped = false;
    try {
      const gulls = await register(server.base, "Gulls");
      const terns = await register(server.base, "Terns");
      await submit(server.base, gulls, "statue", photo(2_000));
      await submit(server.base, terns, "statue", photo(3_000));
      const text = new FormData();
      text.append("text", "We are named after a bird.");
      await submit(server.base, gulls, "story", text);
      const stored = readdirSync(`${server.db}.files`).sort();
      expect(stored).toHaveLength(2);

      // A file no submission names (as a crash would leave) is not backed up.
      writeFileSync(join(`${server.db}.files`, "f".repeat(64)), "orphan");
      const out = join(dir, "copy.db");
      const io = fakeIo();
      expect(await run(["backup", out, "--db", server.db], io)).toBe(0);
      expect(io.out()).toMatch(
        new RegExp(
          `^cairn backup: wrote ${out} \\(\\d+\\.\\d KiB\\) and 2 files to ${out}\\.files ` +
            `\\(2 new files, \\d+\\.\\d KiB\\) in \\d+ ms\\n$`,
        ),
      );
      expect(readdirSync(`${out}.files`).sort()).toEqual(stored);
      for (const name of stored) {
        const bytes = readFileSync(join(`${out}.files`, name));
        expect(sha256(bytes)).toBe(name);
      }
      const copy = openConnection(out, { readonly: true });
      expect(copy.query("SELECT count(*) AS n FROM submissions").get()).toEqual({ n: 3 });
      copy.close();

      // Again to the same OUT: nothing new is copied; a file the copy no longer names goes.
      writeFileSync(join(`${out}.files`, "e".repeat(64)), "stale");
      const again = fakeIo();
      expect(await run(["backup", out, "--db", server.db], again)).toBe(0);
      expect(again.out()).toContain("and 2 files to");
      expect(again.out()).toContain("(0 new files, 0.0 KiB)");
      expect(readdirSync(`${out}.files`).sort()).toEqual(stored);

      // Dated backups in a folder: the second links the first one's files instead of copying.
      const folder = join(dir, "dated");
      cpSync(out, join(folder, "cairn-20261121-100000.db"));
      cpSync(`${out}.files`, join(folder, "cairn-20261121-100000.db.files"), { recursive: true });
      const dated = fakeIo();
      expect(await run(["backup", folder, "--db", server.db], dated)).toBe(0);
      expect(dated.out()).toContain("(0 new files, 0.0 KiB, 2 linked)");
      const name = /wrote (\S+) /.exec(dated.out())![1]!;
      const first = statSync(join(folder, "cairn-20261121-100000.db.files", stored[0]!));
      const second = statSync(join(`${name}.files`, stored[0]!));
      expect(second.ino).toBe(first.ino);

      const exported = fakeIo();
      const filesOut = join(dir, "export-files");
      expect(await run(["export", "--db", server.db, "--files-out", filesOut], exported)).toBe(0);
      expect(exported.err()).toBe(
        `cairn export: 2 teams, 2 solves, 0 guesses, 3 submissions\ncairn export: 2 files in ${filesOut}\n`,
      );
      const results = JSON.parse(exported.out());
      expect(results.submissions).toHaveLength(3);
      expect(results.submissions[0]).toMatchObject({
        id: 1,
        team: 1,
        team_name: "Gulls",
        puzzle: "statue",
        submit: "photo",
        status: "accepted",
        points: 30,
        message: null,
        text: null,
        type: "image/jpeg",
      });
      expect(results.submissions[2]).toMatchObject({
        team_name: "Gulls",
        puzzle: "story",
        status: "pending",
        text: "We are named after a bird.",
        file: null,
        size: 0,
        accepted_at: null,
      });
      const names = results.submissions.slice(0, 2).map((row: { file: string }) => row.file);
      expect(readdirSync(filesOut).sort()).toEqual(names.sort());
      expect(names.every((file: string) => /^[0-9a-f]{64}\.jpg$/.test(file))).toBe(true);

      // Never into the live uploads folder: the server's own files live there.
      const live = fakeIo();
      const liveFolder = `${server.db}.files`;
      const held = readdirSync(liveFolder).sort();
      expect(await run(["export", "--db", server.db, "--files-out", liveFolder], live)).toBe(1);
      expect(live.err()).toBe(
        `cairn export: ${liveFolder} is the server's uploads folder; choose another folder\n`,
      );
      expect(live.out()).toBe("");
      expect(readdirSync(liveFolder).sort()).toEqual(held);

      expect(await server.stop()).toBe(0);
      stopped = true;
      // CSV has the submissions table too.
      const csv = fakeIo();
      expect(
        await run(["export", "--db", server.db, "--format", "csv", "--table", "submissions"], csv),
      ).toBe(0);
      expect(csv.out()).toStartWith(
        "\uFEFFid,team,team_name,puzzle,submit,status,points,message,text,file,type,size,at," +
          'accepted_at,judged_at\r\n1,1,"Gulls","statue","photo","accepted",30,,,"',
      );

      // A file missing from the database's folder is named, and the command fails.
      rmSync(join(`${server.db}.files`, stored[0]!));
      const lost = fakeIo();
      expect(await run(["backup", join(dir, "lost.db"), "--db", server.db], lost)).toBe(1);
      expect(lost.err()).toBe(
        `cairn backup: 1 file the database names is missing from ${server.db}.files: ${
          stored[0]
        }\n`,
      );
      expect(existsSync(join(dir, "lost.db"))).toBe(true);
      const lostExport = fakeIo();
      expect(
        await run(
          ["export", "--db", server.db, "--out", join(dir, "r.json"), "--files-out", filesOut],
          lostExport,
        ),
      ).toBe(1);
      expect(lostExport.err()).toContain(`cairn export: 1 file the database names is missing`);
    } finally {
      if (!stopped) await server.stop();
    }
  });

  test("export --files-by team writes a folder per team, each submission's file named after it", async () => {
    const dir = dirs.make("cairn-files-");
    const server = await startServer(dir, HUNT);
    try {
      // Two teams whose names give one folder, and one whose name is not a folder's.
      const names = ["Gulls?", "Gulls*", "../Terns: the return?"];
      const tokens = [];
      for (const name of names) tokens.push(await register(server.base, name));
      const photos = [jpegWithGps(2_000), jpegWithGps(3_000), jpegWithGps(4_000)];
      for (const [i, token] of tokens.entries()) {
        const form = new FormData();
        form.append("file", new Blob([photos[i]!], { type: "image/jpeg" }), "me.jpg");
        await submit(server.base, token, "statue", form);
      }
      const text = new FormData();
      text.append("text", "We are named after a bird.");
      await submit(server.base, tokens[0]!, "story", text);

      const to = join(dir, "by-team");
      const io = fakeIo();
      expect(
        await run(["export", "--db", server.db, "--files-out", to, "--files-by", "team"], io),
      ).toBe(0);
      expect(io.err()).toContain(`cairn export: 3 files in ${to}\n`);
      const tree = readdirSync(to, { recursive: true }).map(String).sort();
      expect(tree).toEqual([
        "Gulls_ (team 1)",
        "Gulls_ (team 1)/statue-1.jpg",
        "Gulls_ (team 2)",
        "Gulls_ (team 2)/statue-2.jpg",
        "__Terns_ the return_",
        "__Terns_ the return_/statue-3.jpg",
      ]);
      // Each is the stored file (its location removed), as the table's `file` names it.
      const rows = JSON.parse(io.out()).submissions as { id: number; file: string | null }[];
      for (const [folder, id] of [["Gulls_ (team 1)", 1], ["Gulls_ (team 2)", 2]] as const) {
        const stored = rows.find((row) => row.id === id)!.file!.replace(/\.jpg$/, "");
        expect(readFileSync(join(to, folder, `statue-${id}.jpg`))).toEqual(
          readFileSync(join(`${server.db}.files`, stored)),
        );
      }

      // Again into the same folder: the files there are kept, not copied again; one of the same
      // name and size but other bytes (another event's submission 2) is replaced.
      const kept = join(to, "Gulls_ (team 1)", "statue-1.jpg");
      const other = join(to, "Gulls_ (team 2)", "statue-2.jpg");
      const stored = readFileSync(other);
      writeFileSync(other, stored.map((byte) => byte ^ 0xff));
      const before = statSync(kept).ino;
      const again = fakeIo();
      expect(
        await run(["export", "--db", server.db, "--files-out", to, "--files-by", "team"], again),
      ).toBe(0);
      expect(readdirSync(to, { recursive: true }).map(String).sort()).toEqual(tree);
      expect(statSync(kept).ino).toBe(before);
      expect(readFileSync(other).equals(stored)).toBe(true);

      // A team's folder that is a file there stops it, in one line naming it.
      const blocked = join(dir, "blocked");
      mkdirSync(blocked);
      writeFileSync(join(blocked, "Gulls_ (team 1)"), "not a folder");
      const refused = fakeIo();
      expect(
        await run(
          ["export", "--db", server.db, "--files-out", blocked, "--files-by", "team"],
          refused,
        ),
      ).toBe(1);
      expect(refused.err()).toBe(
        `cairn export: cannot copy the files into ${blocked}: ${
          join(blocked, "Gulls_ (team 1)")
        } is a file, not a folder\n`,
      );

      // Without --files-out it has nothing to do: a usage error, in one line.
      const alone = fakeIo();
      expect(await run(["export", "--db", server.db, "--files-by", "team"], alone)).toBe(2);
      expect(alone.err()).toBe("cairn export: --files-by goes with --files-out DIR\n");
      expect(alone.out()).toBe("");
    } finally {
      await server.stop();
    }
  });

  test("a hunt without uploads gets no files folder beside its backup", async () => {
    const dir = dirs.make("cairn-files-");
    const server = await startServer(dir, HUNT);
    try {
      const io = fakeIo();
      expect(await run(["backup", join(dir, "copy.db"), "--db", server.db], io)).toBe(0);
      expect(io.out()).toMatch(/^cairn backup: wrote .*copy\.db \(\d+\.\d KiB\) in \d+ ms\n$/);
      expect(existsSync(join(dir, "copy.db.files"))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  test("a backup whose OUT.files is a file is refused in one line, and writes nothing", async () => {
    const dir = dirs.make("cairn-files-");
    const server = await startServer(dir, HUNT);
    try {
      writeFileSync(join(dir, "copy.db.files"), "mine");
      const io = fakeIo();
      expect(await run(["backup", join(dir, "copy.db"), "--db", server.db], io)).toBe(1);
      expect(io.err()).toBe(
        `cairn backup: ${dir}/copy.db.files is a file, not a folder: the copy's mission files go ` +
          "there; move it away\n",
      );
      expect(existsSync(join(dir, "copy.db"))).toBe(false);
      expect(readFileSync(join(dir, "copy.db.files"), "utf8")).toBe("mine");
    } finally {
      await server.stop();
    }
  });

  test("backup and export read the uploads from --files, as serve keeps them", async () => {
    const dir = dirs.make("cairn-files-");
    const uploads = join(dir, "uploads");
    const server = await startServer(dir, HUNT, ["--files", uploads]);
    try {
      await submit(server.base, await register(server.base, "Gulls"), "statue", photo(500));
      expect(readdirSync(uploads)).toHaveLength(1);
      const out = join(dir, "copy.db");
      const io = fakeIo();
      expect(await run(["backup", out, "--db", server.db, "--files", uploads], io)).toBe(0);
      expect(readdirSync(`${out}.files`)).toEqual(readdirSync(uploads));
      // Without it, the folder beside the database is looked in, and the file is not there.
      const wrong = fakeIo();
      expect(await run(["backup", join(dir, "b.db"), "--db", server.db], wrong)).toBe(1);
      expect(wrong.err()).toStartWith(`cairn backup: 1 file the database names is missing from `);
      const exported = fakeIo();
      const to = join(dir, "out");
      expect(
        await run(
          ["export", "--db", server.db, "--files", uploads, "--files-out", to],
          exported,
        ),
      ).toBe(0);
      expect(readdirSync(to)).toEqual([`${readdirSync(uploads)[0]}.jpg`]);
      const inside = fakeIo();
      const argv = ["export", "--db", server.db, "--files", uploads, "--files-out"];
      expect(await run([...argv, join(uploads, "export")], inside)).toBe(1);
      expect(inside.err()).toBe(
        `cairn export: ${
          join(uploads, "export")
        } is inside the server's uploads folder ${uploads}; choose another folder\n`,
      );
      expect(readdirSync(uploads)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
