// A photo mission's photo made smaller on the phone before it goes, in a real browser against
// the compiled binary: a 12 MP photo leaves as a JPEG of `photo_size` pixels, the way up it shows;
// one already small, one the browser cannot draw (HEIC in Chromium), and every photo with
// `photo_size = "original"` go as they are. And the mission's page shows what the team sent, on
// the phone that sent it and on a teammate's. Screenshots go to test-results/screenshots/.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import type { BrowserContext, Page } from "playwright-core";
import { chunk } from "../../src/play/strip_png.ts";
import { tiffWithGps } from "../http/_jpeg.ts";
import { cat, heicWithGps } from "../play/_media.ts";
import {
  chromiumAvailable,
  registerTeam,
  type Served,
  serveForSuite,
  SHOTS,
  until,
} from "./_browser.ts";

const ADMIN_TOKEN = "photos-admin-token";

const hunt = (uploads: string) => `
[hunt]
title = "Harbour Photo Hunt"
${uploads}

[[puzzle]]
id = "crane"
title = "The crane"
points = 30
submit = "photo"
body = "A photo of your team under the harbour crane."

[[puzzle]]
id = "boat"
title = "The boat"
points = 20
submit = "photo"
body = "A photo of the red boat."

[[puzzle]]
id = "gull"
title = "A gull"
points = 10
submit = "photo"
body = "A photo of a gull."
`;

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

/**
 * A photo as a phone's camera makes it, drawn on a canvas of `width` x `height`: sky, sea and
 * some grain (so that it weighs what a phone's photo weighs), a red band along its left edge and a
 * blue one along its right, as a JPEG of the given quality.
 */
async function drawPhoto(
  context: BrowserContext,
  { width, height, quality }: { width: number; height: number; quality: number },
): Promise<Uint8Array> {
  const page = await context.newPage();
  const base64 = await page.evaluate(`(async () => {
    const [w, h] = [${width}, ${height}];
    const canvas = document.createElement("canvas");
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext("2d");
    const sky = g.createLinearGradient(0, 0, 0, h);
    sky.addColorStop(0, "#60a5fa");
    sky.addColorStop(0.6, "#e0f2fe");
    sky.addColorStop(0.61, "#1e3a8a");
    sky.addColorStop(1, "#0f766e");
    g.fillStyle = sky;
    g.fillRect(0, 0, w, h);
    // Grain, from a fixed seed: a camera's noise, which is what makes a photo weigh megabytes.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pixels = g.getImageData(0, 0, w, h);
    for (let i = 0; i < pixels.data.length; i += 4) {
      const grain = (random() - 0.5) * 24;
      pixels.data[i] += grain;
      pixels.data[i + 1] += grain;
      pixels.data[i + 2] += grain;
    }
    g.putImageData(pixels, 0, 0);
    g.fillStyle = "#dc2626";
    g.fillRect(0, 0, w / 10, h);
    g.fillStyle = "#2563eb";
    g.fillRect(w - w / 10, 0, w / 10, h);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", ${quality}));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  })()`) as string;
  await page.close();
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

/** `jpeg` with an EXIF block saying "rotated" (orientation 6, as a phone held upright writes it). */
function withOrientation6(jpeg: Uint8Array): Uint8Array {
  const payload = cat([..."Exif\0\0"].map((ch) => ch.charCodeAt(0)), tiffWithGps());
  const length = payload.length + 2;
  return cat(
    jpeg.subarray(0, 2),
    [0xff, 0xe1, length >> 8, length & 0xff],
    payload,
    jpeg.subarray(2),
  );
}

/** A JPEG's width and height, from its frame header. */
function jpegSize(jpeg: Uint8Array): { width: number; height: number } {
  let at = 2;
  while (at + 9 < jpeg.length) {
    const marker = jpeg[at + 1]!;
    const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
    // SOF0 to SOF15, but not DHT (C4), JPG (C8) or DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return {
        height: (jpeg[at + 5]! << 8) | jpeg[at + 6]!,
        width: (jpeg[at + 7]! << 8) | jpeg[at + 8]!,
      };
    }
    at += 2 + length;
  }
  throw new Error("no frame header");
}

/** Whether a JPEG holds an EXIF block (APP1 "Exif"). */
function hasExif(jpeg: Uint8Array): boolean {
  return Buffer.from(jpeg).includes(Buffer.from("Exif\0\0", "latin1"));
}

/**
 * The pixels of one frame, `width` x `height` RGB, as PNG scanlines (each after its filter byte
 * 0): a gradient with some grain from `seed`, so that the frame weighs what a photo does.
 */
function frameRows(width: number, height: number, seed: number): Uint8Array {
  const rows = new Uint8Array(height * (1 + width * 3));
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let y = 0, at = 0; y < height; y++) {
    rows[at++] = 0;
    for (let x = 0; x < width; x++) {
      const grain = (random() - 0.5) * 24;
      rows[at++] = Math.max(0, Math.min(255, (x * 255) / width + grain));
      rows[at++] = Math.max(0, Math.min(255, seed * 60 + grain));
      rows[at++] = Math.max(0, Math.min(255, (y * 255) / height + grain));
    }
  }
  return rows;
}

const u32be = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u24le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff];
const u32le = (n: number) => [...u24le(n), n >>> 24];
const latin1 = (text: string) => [...text].map((ch) => ch.charCodeAt(0));

/** An animated PNG of two frames of `width` x `height`, half a second each, looping. */
function apng(width: number, height: number): Uint8Array {
  const frameControl = (sequence: number) =>
    chunk(
      "fcTL",
      cat(u32be(sequence), u32be(width), u32be(height), u32be(0), u32be(0), [0, 1, 0, 2, 0, 0]),
    );
  return cat(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    chunk("IHDR", cat(u32be(width), u32be(height), [8, 2, 0, 0, 0])),
    chunk("acTL", cat(u32be(2), u32be(0))),
    frameControl(0),
    chunk("IDAT", deflateSync(frameRows(width, height, 1))),
    frameControl(1),
    chunk("fdAT", cat(u32be(2), deflateSync(frameRows(width, height, 2)))),
    chunk("IEND", new Uint8Array(0)),
  );
}

/** The RIFF chunk `type` around `data`, padded to an even size. */
const riffChunk = (type: string, data: Uint8Array) =>
  cat(latin1(type), u32le(data.length), data, data.length % 2 ? [0] : []);

/**
 * An animated WebP of two frames of `width` x `height`, half a second each, looping: each frame
 * is a still WebP the browser encodes (lossless), put in an ANMF chunk after VP8X and ANIM.
 */
async function animatedWebp(context: BrowserContext, width: number, height: number) {
  const page = await context.newPage();
  const frames: Uint8Array[] = [];
  for (const seed of [1, 2]) {
    const rows = Buffer.from(frameRows(width, height, seed)).toString("base64");
    const base64 = await page.evaluate(`(async () => {
      const [w, h] = [${width}, ${height}];
      const rows = Uint8Array.from(atob("${rows}"), (ch) => ch.charCodeAt(0));
      const canvas = new OffscreenCanvas(w, h);
      const g = canvas.getContext("2d");
      const pixels = g.createImageData(w, h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const from = y * (1 + w * 3) + 1 + x * 3;
          pixels.data.set([rows[from], rows[from + 1], rows[from + 2], 255], (y * w + x) * 4);
        }
      }
      g.putImageData(pixels, 0, 0);
      const blob = await canvas.convertToBlob({ type: "image/webp", quality: 1 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = "";
      for (let i = 0; i < bytes.length; i += 0x8000) {
        text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      }
      return btoa(text);
    })()`) as string;
    const still = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    expect(String.fromCharCode(...still.subarray(8, 12))).toBe("WEBP");
    // Its image chunks (VP8L, or ALPH and VP8), without the VP8X and ICCP a still may have.
    const view = new DataView(still.buffer);
    const kept: Uint8Array[] = [];
    for (let at = 12; at + 8 <= still.length;) {
      const size = view.getUint32(at + 4, true);
      const next = at + 8 + size + (size & 1);
      if (["VP8L", "VP8 ", "ALPH"].includes(String.fromCharCode(...still.subarray(at, at + 4)))) {
        kept.push(still.subarray(at, next));
      }
      at = next;
    }
    frames.push(cat(...kept));
  }
  await page.close();
  const body = cat(
    // Flags: animation; the canvas's width and height less one.
    riffChunk("VP8X", cat([0x02, 0, 0, 0], u24le(width - 1), u24le(height - 1))),
    // Background colour, and a loop count of 0 (for ever).
    riffChunk("ANIM", new Uint8Array([255, 255, 255, 255, 0, 0])),
    ...frames.map((frame) =>
      riffChunk(
        "ANMF",
        cat(u24le(0), u24le(0), u24le(width - 1), u24le(height - 1), u24le(500), [0], frame),
      )
    ),
  );
  return cat(latin1("RIFF"), u32le(4 + body.length), latin1("WEBP"), body);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** Everything the tests of one server share. */
function bench(served: Partial<Served>) {
  const server = () => served.server!;
  const context = () => served.browser!.context;
  return {
    /** A new tab of the team `token` at `path`, its script errors kept in `errors`. */
    async open(token: string, path: string, errors: string[]): Promise<Page> {
      await context().addCookies([{ name: "cairn_session", value: token, url: server().base }]);
      const page = await context().newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server().base}${path}`);
      return page;
    },
    /** Chooses the file `bytes` (written to disk as `name`) on the page's form, and sends it. */
    async send(page: Page, name: string, bytes: Uint8Array): Promise<void> {
      const path = join(server().dir, name);
      writeFileSync(path, bytes);
      await page.locator("#mission-form input[type=file]").setInputFiles(path);
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator("#mission-status", { hasText: "Waiting for a judge" }).waitFor({
        timeout: 30_000,
      });
    },
    /** The team's latest submission for `puzzle`, as stored: its type, hash and bytes. */
    async stored(team: string, puzzle: string) {
      const [row] = server().query<{ id: number; file_type: string; file_hash: string }>(
        `SELECT submissions.id, file_type, file_hash FROM submissions
         JOIN teams ON teams.id = team_id WHERE teams.name = ? AND puzzle = ?
         ORDER BY submissions.id DESC LIMIT 1`,
        team,
        puzzle,
      );
      const res = await fetch(`${server().base}/api/submissions/${row!.id}/file`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(res.status).toBe(200);
      return {
        id: row!.id,
        type: row!.file_type,
        hash: row!.file_hash,
        bytes: new Uint8Array(await res.arrayBuffer()),
      };
    },
    /** The colour (r, g, b) of a stored JPEG at (x, y) as fractions of its size, drawn by the browser. */
    async colourAt(jpeg: Uint8Array, points: [number, number][]): Promise<number[][]> {
      const page = await context().newPage();
      await page.goto(`${server().base}/healthz`);
      const base64 = Buffer.from(jpeg).toString("base64");
      const colours = await page.evaluate(`(async () => {
        const bytes = Uint8Array.from(atob("${base64}"), (ch) => ch.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/jpeg" }));
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const g = canvas.getContext("2d");
        g.drawImage(bitmap, 0, 0);
        return ${JSON.stringify(points)}.map(([x, y]) => [
          ...g.getImageData(Math.floor(x * bitmap.width), Math.floor(y * bitmap.height), 1, 1).data,
        ].slice(0, 3));
      })()`) as number[][];
      await page.close();
      return colours;
    },
  };
}

suite("a photo made smaller on the phone (photo_size, default 2048)", () => {
  const served: Partial<Served> = {};
  serveForSuite(served, hunt(""), ["--admin-token", ADMIN_TOKEN]);
  const { open, send, stored, colourAt } = bench(served);

  test(
    "a 12 MP photo held upright goes as a portrait JPEG 2048 px high, and the page shows it to the team",
    async () => {
      const context = served.browser!.context;
      const errors: string[] = [];
      const token = await registerTeam(served.server!.base, "Gulls");
      // 4000 x 3000 as the sensor wrote it, with EXIF orientation 6: a portrait photo, 3000 x 4000.
      const taken = withOrientation6(
        await drawPhoto(context, { width: 4000, height: 3000, quality: 0.92 }),
      );
      const phone = await open(token, "/puzzles/crane", errors);
      const teammate = await open(token, "/puzzles/crane", errors);
      await phone.evaluate(`(() => {
        window.preparing = [];
        document.addEventListener("cairn:upload-preparing", (e) => window.preparing.push(e.detail.done));
      })()`);
      expect(await phone.locator("#mission-form").getAttribute("data-photo-size")).toBe("2048");
      expect(await phone.locator("#mission-sent").count()).toBe(0);
      await send(phone, "IMG_0001.jpg", taken);
      // The page said it was preparing the photo, then that it was done.
      expect(await phone.evaluate("window.preparing")).toEqual([false, true]);

      const photo = await stored("Gulls", "crane");
      expect(photo.type).toBe("image/jpeg");
      expect(jpegSize(photo.bytes)).toEqual({ width: 1536, height: 2048 });
      expect(hasExif(photo.bytes)).toBe(false);
      expect(photo.bytes.length).toBeLessThan(1_048_576);
      console.log(
        `photo_size 2048: a 4000x3000 photo of ${kb(taken.length)} went as 1536x2048, ${
          kb(photo.bytes.length)
        }`,
      );
      // The way up it showed: the sensor's left edge (red) on top, its right edge (blue) below.
      const [top, bottom] = await colourAt(photo.bytes, [[0.5, 0.02], [0.5, 0.98]]);
      expect(top![0]).toBeGreaterThan(150);
      expect(top![2]).toBeLessThan(100);
      expect(bottom![2]).toBeGreaterThan(150);
      expect(bottom![0]).toBeLessThan(100);

      // The phone that sent it, and a teammate's (live), show the photo, whole.
      for (const page of [phone, teammate]) {
        const img = page.getByRole("img", { name: "The photo your team sent" });
        await img.waitFor();
        await until(page, `document.querySelector("#mission-sent img")?.naturalWidth > 0`);
        expect(await page.locator("#mission-sent img").getAttribute("src")).toBe(
          `/api/submissions/${photo.id}/file`,
        );
        const box = (await img.boundingBox())!;
        // Portrait and whole: its shape is the photo's (3:4).
        expect(Math.abs(box.width / box.height - 0.75)).toBeLessThan(0.02);
      }
      await phone.screenshot({ path: join(SHOTS, "mission-sent-phone-390.png"), fullPage: true });
      await teammate.setViewportSize({ width: 1280, height: 900 });
      await teammate.screenshot({ path: join(SHOTS, "mission-sent-teammate-1280.png") });
      // After a reload too, its space kept while it loads: the page below it does not move.
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await teammate.route(`**/api/submissions/${photo.id}/file`, async (route) => {
        await held;
        await route.continue();
      });
      await teammate.reload({ waitUntil: "domcontentloaded" });
      const figure = teammate.locator("#mission-sent");
      const before = (await figure.boundingBox())!;
      expect(await teammate.evaluate(`document.querySelector("#mission-sent img").complete`))
        .toBe(false);
      release();
      await until(teammate, `document.querySelector("#mission-sent img")?.naturalWidth === 1536`);
      expect((await figure.boundingBox())!.height).toBe(before.height);
      const whole = (await teammate.getByRole("img", { name: "The photo your team sent" })
        .boundingBox())!;
      expect(Math.abs(whole.width / whole.height - 0.75)).toBeLessThan(0.02);
      expect(errors).toEqual([]);
      await phone.close();
      await teammate.close();
    },
    90_000,
  );

  test("a 20 MB photo that is made 1 MB or less is sent, under the 15 MB cap", async () => {
    const context = served.browser!.context;
    const errors: string[] = [];
    const token = await registerTeam(served.server!.base, "Terns");
    const drawn = await drawPhoto(context, { width: 4000, height: 3000, quality: 0.92 });
    // A phone's photo with a motion photo's video after it: 20 MB in all.
    const taken = cat(drawn, new Uint8Array(20 * 1_048_576 - drawn.length));
    const phone = await open(token, "/puzzles/boat", errors);
    await send(phone, "PXL_0002.MP.jpg", taken);
    const photo = await stored("Terns", "boat");
    expect(jpegSize(photo.bytes)).toEqual({ width: 2048, height: 1536 });
    expect(photo.bytes.length).toBeLessThan(1_048_576);
    expect(errors).toEqual([]);
    await phone.close();
  }, 90_000);

  test("a photo already small goes as it is, byte for byte", async () => {
    const context = served.browser!.context;
    const errors: string[] = [];
    const token = await registerTeam(served.server!.base, "Puffins");
    const taken = await drawPhoto(context, { width: 1600, height: 1200, quality: 0.8 });
    expect(taken.length).toBeLessThan(1_048_576);
    const phone = await open(token, "/puzzles/gull", errors);
    await send(phone, "small.jpg", taken);
    const photo = await stored("Puffins", "gull");
    expect(Buffer.from(photo.bytes).equals(Buffer.from(taken))).toBe(true);
    expect(errors).toEqual([]);
    await phone.close();
  }, 60_000);

  test("a photo the browser cannot draw (HEIC in Chromium) goes as it is", async () => {
    const errors: string[] = [];
    const heic = heicWithGps();
    // The same HEIC sent by a script, as it is: what the server keeps of it.
    const scripted = await registerTeam(served.server!.base, "Skuas");
    const form = new FormData();
    form.append("file", new Blob([heic], { type: "image/heic" }), "IMG_0003.HEIC");
    const res = await fetch(`${served.server!.base}/api/puzzles/crane/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${scripted}` },
      body: form,
    });
    expect(res.status).toBe(201);
    const token = await registerTeam(served.server!.base, "Kittiwakes");
    const phone = await open(token, "/puzzles/crane", errors);
    await send(phone, "IMG_0003.HEIC", heic);
    const photo = await stored("Kittiwakes", "crane");
    expect(photo.type).toBe("image/heic");
    expect(photo.hash).toBe((await stored("Skuas", "crane")).hash);
    // No error on the page: it says it waits for a judge, as for any photo.
    expect(await phone.locator("#result").isHidden()).toBe(true);
    // Chromium draws no HEIC: what the team sent is then a link by that name, to the file.
    const link = phone.getByRole("link", { name: "The photo your team sent" });
    expect(await link.getAttribute("href")).toBe(`/api/submissions/${photo.id}/file`);
    await phone.screenshot({
      path: join(SHOTS, "mission-sent-heic-phone-390.png"),
      fullPage: true,
    });
    // With no broken picture, as the server draws the page too.
    for (const again of [false, true]) {
      if (again) await phone.reload();
      await until(phone, `!document.querySelector("#mission-sent img")`);
      expect(await link.textContent()).toBe("The photo your team sent");
    }
    expect(errors).toEqual([]);
    await phone.close();
  }, 60_000);

  test(
    "a photo the phone fails to make smaller goes as taken, with no error; a slow one says it is being prepared",
    async () => {
      const context = served.browser!.context;
      const taken = await drawPhoto(context, { width: 4000, height: 3000, quality: 0.92 });
      const failures = {
        // A phone short of memory: the canvas cannot be encoded. Its decoding takes a while first.
        "no memory": `(() => {
          const decode = globalThis.createImageBitmap;
          globalThis.createImageBitmap = (...args) =>
            new Promise((resolve) => setTimeout(resolve, 1500)).then(() => decode(...args));
          OffscreenCanvas.prototype.convertToBlob = () =>
            Promise.reject(new DOMException("Out of memory", "EncodingError"));
        })()`,
        // An old browser.
        "no createImageBitmap": "delete globalThis.createImageBitmap",
      };
      for (const [what, script] of Object.entries(failures)) {
        const errors: string[] = [];
        const team = `Auks, ${what}`;
        const token = await registerTeam(served.server!.base, team);
        const phone = await open(token, "/puzzles/gull", errors);
        await phone.evaluate(script);
        const path = join(served.server!.dir, "taken.jpg");
        writeFileSync(path, taken);
        await phone.locator("#mission-form input[type=file]").setInputFiles(path);
        await phone.getByRole("button", { name: "Send" }).click();
        if (what === "no memory") {
          // Said to a screen reader too: the progress's words are a status.
          await phone.getByRole("status").filter({ hasText: "Preparing the photo…" }).waitFor();
          await phone.screenshot({ path: join(SHOTS, "mission-preparing-phone-390.png") });
        }
        await phone.locator("#mission-status", { hasText: "Waiting for a judge" }).waitFor();
        const photo = await stored(team, "gull");
        expect({ what, same: Buffer.from(photo.bytes).equals(Buffer.from(taken)) }).toEqual({
          what,
          same: true,
        });
        expect(await phone.locator("#result").isHidden()).toBe(true);
        expect(errors).toEqual([]);
        await phone.close();
      }
    },
    90_000,
  );

  test(
    "an animated PNG or WebP goes as it is, byte for byte, and moves on the page",
    async () => {
      const context = served.browser!.context;
      // Longer than photo_size (2048 px): a still photo this long would go as a smaller JPEG.
      const [width, height] = [2400, 60];
      const files = {
        "moving.png": { bytes: apng(width, height), type: "image/png", puzzle: "crane" },
        "moving.webp": {
          bytes: await animatedWebp(context, width, height),
          type: "image/webp",
          puzzle: "boat",
        },
      };
      for (const [name, { bytes, type, puzzle }] of Object.entries(files)) {
        const errors: string[] = [];
        const team = `Shags, ${name}`;
        const token = await registerTeam(served.server!.base, team);
        const phone = await open(token, `/puzzles/${puzzle}`, errors);
        // The browser draws it, and the way it shrinks a still photo would make it lighter: the
        // phone keeps it whole because it moves, not because it could not make it smaller.
        const shrunk = await phone.evaluate(`(async () => {
          const bytes = Uint8Array.from(atob("${Buffer.from(bytes).toString("base64")}"),
            (ch) => ch.charCodeAt(0));
          const bitmap = await createImageBitmap(new Blob([bytes]));
          const canvas = new OffscreenCanvas(2048, Math.round(bitmap.height * 2048 / bitmap.width));
          canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
          const jpeg = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.85 });
          return [bitmap.width, jpeg.size];
        })()`) as [number, number];
        expect(shrunk[0]).toBe(width);
        expect(shrunk[1]).toBeLessThan(bytes.length);
        await send(phone, name, bytes);
        const photo = await stored(team, puzzle);
        expect({
          name,
          type: photo.type,
          same: Buffer.from(photo.bytes).equals(Buffer.from(bytes)),
        })
          .toEqual({ name, type, same: true });
        console.log(`${name}: ${kb(bytes.length)} went as it is, its two frames kept`);
        // What the team sent is shown as a picture, the file the server keeps (so it moves).
        await until(
          phone,
          `document.querySelector("#mission-sent img")?.naturalWidth === ${width}`,
        );
        expect(await phone.locator("#mission-sent img").getAttribute("src")).toBe(
          `/api/submissions/${photo.id}/file`,
        );
        expect(errors).toEqual([]);
        await phone.close();
      }
    },
    90_000,
  );

  test(
    "offline, the outbox keeps the smaller photo, and sends it when the network is back",
    async () => {
      const context = served.browser!.context;
      const errors: string[] = [];
      const token = await registerTeam(served.server!.base, "Fulmars");
      const taken = await drawPhoto(context, { width: 4000, height: 3000, quality: 0.92 });
      const phone = await open(token, "/puzzles/boat", errors);
      await context.setOffline(true);
      try {
        const path = join(served.server!.dir, "offline.jpg");
        writeFileSync(path, taken);
        await phone.locator("#mission-form input[type=file]").setInputFiles(path);
        await phone.getByRole("button", { name: "Send" }).click();
        await phone.locator("#mission-status", { hasText: "Saved on this phone" }).waitFor();
        const kept = await phone.evaluate(`new Promise((resolve) => {
        const open = indexedDB.open("cairn-outbox");
        open.onsuccess = () => {
          const all = open.result.transaction("outbox").objectStore("outbox").getAll();
          // This team's: an earlier test's tab may have closed before its outbox heard the answer.
          const mine = (item) => item.team === document.body.dataset.team;
          all.onsuccess = () => resolve(all.result.filter(mine).map((item) => ({
            name: item.name, type: item.file.type, size: item.file.size,
          })));
        };
      })`) as { name: string; type: string; size: number }[];
        expect(kept.length).toBe(1);
        expect(kept[0]!.name).toBe("offline.jpg");
        expect(kept[0]!.type).toBe("image/jpeg");
        expect(kept[0]!.size).toBeLessThan(1_048_576);
      } finally {
        await context.setOffline(false);
      }
      await phone.evaluate("cairnOutbox.flush()");
      await phone.locator("#mission-status", { hasText: "Waiting for a judge" }).waitFor();
      expect(jpegSize((await stored("Fulmars", "boat")).bytes)).toEqual({
        width: 2048,
        height: 1536,
      });
      expect(errors).toEqual([]);
      await phone.close();
    },
    90_000,
  );
});

suite('photos sent as taken (photo_size = "original")', () => {
  const served: Partial<Served> = {};
  serveForSuite(served, hunt(`uploads = { photo_size = "original" }`), [
    "--admin-token",
    ADMIN_TOKEN,
  ]);
  const { open, send, stored } = bench(served);

  test("a 12 MP photo is stored with the bytes chosen", async () => {
    const errors: string[] = [];
    const token = await registerTeam(served.server!.base, "Gulls");
    const taken = await drawPhoto(served.browser!.context, {
      width: 4000,
      height: 3000,
      quality: 0.92,
    });
    const phone = await open(token, "/puzzles/crane", errors);
    expect(await phone.locator("#mission-form").getAttribute("data-photo-size")).toBe("original");
    await send(phone, "IMG_0004.jpg", taken);
    const photo = await stored("Gulls", "crane");
    expect(Buffer.from(photo.bytes).equals(Buffer.from(taken))).toBe(true);
    console.log(`photo_size "original": the same photo went as taken, ${kb(taken.length)}`);
    expect(errors).toEqual([]);
    await phone.close();
  }, 90_000);
});
