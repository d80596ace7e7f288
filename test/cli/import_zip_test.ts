// cairn import reads the export's zip from disk entry by entry: the uploads go to their files a
// chunk at a time, whatever their size, and ZIP64 archives (Python writes them for large exports)
// read as any other.
import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync } from "fflate";
import { run } from "../../src/cli/mod.ts";
import { ZipFile } from "../../src/cli/_zip.ts";
import { fakeIo } from "../_io.ts";
import { harborCtf, type Tables } from "../ctfd/_export.ts";
import { spawnRuntime } from "../_runtime.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const PEAK = join(import.meta.dirname, "_peak_memory.ts");
const encoder = new TextEncoder();

/** Harbor CTF's tables as zip entries, with `uploads` as files of challenge 1 ("Web 1"). */
function entries(uploads: Record<string, Uint8Array>): Record<string, Uint8Array> {
  const tables: Tables = harborCtf("x");
  tables.files = Object.keys(uploads).map((path, i) => ({
    id: i + 1,
    type: "challenge",
    location: path.slice("uploads/".length),
    challenge_id: 1,
    sha1sum: null,
  }));
  const files: Record<string, Uint8Array> = { ...uploads };
  for (const [name, rows] of Object.entries(tables)) {
    files[`db/${name}.json`] = encoder.encode(
      JSON.stringify({ count: rows.length, results: rows }),
    );
  }
  return files;
}

async function importFile(file: string, out: string) {
  const io = fakeIo();
  const code = await run(["import", "ctfd", file, "--out", out], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** The most memory `cairn import` took, in bytes, importing `zip` in a process of its own. */
async function importMemory(dir: string, name: string, zip: Uint8Array): Promise<number> {
  const file = join(dir, `${name}.zip`);
  writeFileSync(file, zip);
  const child = spawnRuntime(PEAK, ["import", "ctfd", file, "--out", join(dir, name)]);
  const [output] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  const result = JSON.parse(output) as { code: number; stderr: string; peak: number };
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.peak;
}

describe("cairn import copies the uploads out of the zip", () => {
  test("an upload of 96 MB costs the import far less than 96 MB of memory", async () => {
    const dir = dirs.make("cairn-import-zip-");
    const upload = randomBytes(96 * 1024 * 1024);
    const small = await importMemory(dir, "small", zipSync(entries({})));
    const large = await importMemory(
      dir,
      "large",
      zipSync(entries({ "uploads/d1/disk.img": upload }), { level: 0 }),
    );
    expect(Buffer.compare(readFileSync(join(dir, "large", "assets", "web-1", "disk.img")), upload))
      .toBe(0);
    // Read whole, the zip and the inflated upload each took 96 MB more than the small import.
    expect(large - small).toBeLessThan(48 * 1024 * 1024);
  }, 60_000);

  test("deflated uploads of several chunks come out byte for byte; a lying one is cut at its size", async () => {
    const dir = dirs.make("cairn-import-zip-");
    const text = encoder.encode("a line of a log file\n".repeat(200_000)); // 4.2 MB, 4+ chunks
    const noise = randomBytes(3 * 1024 * 1024 + 17);
    const zip = zipSync(entries({ "uploads/a/log.txt": text, "uploads/b/noise.bin": noise }), {
      level: 6,
    });
    // The noise's declared size, in both headers, set to 1000 bytes.
    const view = new DataView(zip.buffer);
    for (let i = 0; i + 30 < zip.length; i++) {
      const signature = view.getUint32(i, true);
      const field = signature === 0x04034b50 ? i + 22 : signature === 0x02014b50 ? i + 24 : -1;
      if (field >= 0 && view.getUint32(field, true) === noise.length) {
        view.setUint32(field, 1000, true);
      }
    }
    const file = join(dir, "export.zip");
    writeFileSync(file, zip);
    const result = await importFile(file, join(dir, "event"));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const assets = join(dir, "event", "assets", "web-1");
    expect(Buffer.compare(readFileSync(join(assets, "log.txt")), text)).toBe(0);
    expect(Buffer.compare(readFileSync(join(assets, "noise.bin")), noise.subarray(0, 1000)))
      .toBe(0);
  });
});

test("files of one challenge whose names clash each keep their bytes", async () => {
  const dir = dirs.make("cairn-import-zip-");
  // The second a.txt was named 3-a.txt, the name of the file before it, and overwrote it.
  const uploads = {
    "uploads/h1/a.txt": encoder.encode("first"),
    "uploads/h2/3-a.txt": encoder.encode("second"),
    "uploads/h3/a.txt": encoder.encode("third"),
  };
  const file = join(dir, "export.zip");
  writeFileSync(file, zipSync(entries(uploads)));
  const result = await importFile(file, join(dir, "event"));
  expect(result.stderr).toBe("");
  const assets = join(dir, "event", "assets", "web-1");
  const body = readFileSync(join(dir, "event", "puzzles", "web-1.md"), "utf8");
  const linked = [...body.matchAll(/\(assets\/([^)]+)\)/g)].map((m) => m[1]!);
  expect(linked).toHaveLength(3);
  expect(linked.map((name) => readFileSync(join(assets, name), "utf8")).sort()).toEqual([
    "first",
    "second",
    "third",
  ]);
});

/**
 * A stored (uncompressed) zip written as a ZIP64 archive, as Python's zipfile writes one past
 * 4 GB or 65,535 entries: every size and offset in the ZIP64 extra fields and the ZIP64 end
 * records, with the 32-bit fields full.
 */
function zip64(files: Record<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const full = 0xffffffff;
  for (const [name, data] of Object.entries(files)) {
    const nameBytes = encoder.encode(name);
    const local = new DataView(new ArrayBuffer(30 + nameBytes.length + 20));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 45, true);
    local.setUint16(8, 0, true); // stored
    local.setUint32(18, full, true);
    local.setUint32(22, full, true);
    local.setUint16(26, nameBytes.length, true);
    local.setUint16(28, 20, true);
    new Uint8Array(local.buffer).set(nameBytes, 30);
    local.setUint16(30 + nameBytes.length, 1, true);
    local.setUint16(32 + nameBytes.length, 16, true);
    local.setBigUint64(34 + nameBytes.length, BigInt(data.length), true);
    local.setBigUint64(42 + nameBytes.length, BigInt(data.length), true);
    const entry = new DataView(new ArrayBuffer(46 + nameBytes.length + 28));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(6, 45, true);
    entry.setUint16(8, 0x800, true); // a UTF-8 name
    entry.setUint32(20, full, true);
    entry.setUint32(24, full, true);
    entry.setUint16(28, nameBytes.length, true);
    entry.setUint16(30, 28, true);
    entry.setUint32(42, full, true);
    new Uint8Array(entry.buffer).set(nameBytes, 46);
    const extra = 46 + nameBytes.length;
    entry.setUint16(extra, 1, true);
    entry.setUint16(extra + 2, 24, true);
    entry.setBigUint64(extra + 4, BigInt(data.length), true);
    entry.setBigUint64(extra + 12, BigInt(data.length), true);
    entry.setBigUint64(extra + 20, BigInt(offset), true);
    parts.push(new Uint8Array(local.buffer), data);
    central.push(new Uint8Array(entry.buffer));
    offset += local.byteLength + data.length;
  }
  const directorySize = central.reduce((sum, part) => sum + part.length, 0);
  const end = new DataView(new ArrayBuffer(56 + 20 + 22));
  end.setUint32(0, 0x06064b50, true);
  end.setBigUint64(4, 44n, true);
  end.setBigUint64(24, BigInt(central.length), true);
  end.setBigUint64(32, BigInt(central.length), true);
  end.setBigUint64(40, BigInt(directorySize), true);
  end.setBigUint64(48, BigInt(offset), true);
  end.setUint32(56, 0x07064b50, true);
  end.setBigUint64(64, BigInt(offset + directorySize), true);
  end.setUint32(72, 1, true);
  end.setUint32(76, 0x06054b50, true);
  end.setUint16(84, 0xffff, true);
  end.setUint16(86, 0xffff, true);
  end.setUint32(88, full, true);
  end.setUint32(92, full, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of all) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe("ZipFile", () => {
  test("reads a ZIP64 archive's names, sizes and bytes", () => {
    const dir = dirs.make("cairn-import-zip-");
    const file = join(dir, "a.zip");
    const bytes = zip64({
      "db/one.json": encoder.encode("[1]"),
      "uploads/x/é.txt": randomBytes(70),
    });
    writeFileSync(file, bytes);
    const zip = ZipFile.open(file, bytes.length);
    try {
      expect(zip.entries.map((e) => [e.name, e.originalSize])).toEqual([
        ["db/one.json", 3],
        ["uploads/x/é.txt", 70],
      ]);
      expect(new TextDecoder().decode(zip.read(zip.entries[0]!))).toBe("[1]");
    } finally {
      zip.close();
    }
  });

  test("cairn import reads an export written as ZIP64", async () => {
    const dir = dirs.make("cairn-import-zip-");
    const upload = randomBytes(5000);
    const file = join(dir, "export.zip");
    writeFileSync(file, zip64(entries({ "uploads/d1/disk.img": upload })));
    const result = await importFile(file, join(dir, "event"));
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("5 puzzles, 4 teams, 14 guesses (11 solves)");
    const copied = readFileSync(join(dir, "event", "assets", "web-1", "disk.img"));
    expect(Buffer.compare(copied, upload)).toBe(0);
  });

  const broken: [string, (zip: Uint8Array) => Uint8Array, RegExp][] = [
    ["cut short", (zip) => zip.subarray(0, zip.length - 30), /is not a readable zip file \(/],
    [
      "compressed with a method Cairn cannot inflate",
      (zip) => {
        const copy = zip.slice();
        const view = new DataView(copy.buffer);
        for (let i = 0; i + 4 < copy.length; i++) {
          if (view.getUint32(i, true) === 0x02014b50) view.setUint16(i + 10, 12, true);
        }
        return copy;
      },
      /is not a readable zip file \(db\/.*\.json uses compression method 12\)/,
    ],
  ];
  for (const [what, spoil, message] of broken) {
    test(`cairn import refuses a zip ${what}, in one line`, async () => {
      const dir = dirs.make("cairn-import-zip-");
      const file = join(dir, "export.zip");
      writeFileSync(file, spoil(zipSync(entries({}))));
      const result = await importFile(file, join(dir, "event"));
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^cairn import: /);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    });
  }
});
