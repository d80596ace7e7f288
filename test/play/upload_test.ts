// The words an upload's refusals use for sizes and limits, and what an upload holds in memory.
import { describe, expect, test } from "bun:test";
import { readUpload, sizeText, tooLargeText } from "../../src/play/upload.ts";
import { boxes } from "../../src/play/strip_bmff.ts";
import { busyRefusal } from "../../src/play/upload_gate.ts";
import type { UploadSink } from "../../src/store/mod.ts";
import { jpegWithGps } from "../http/_jpeg.ts";
import { bigPng, cat, movieWithGps, pngWithGps } from "./_media.ts";

describe("sizeText()", () => {
  const cases: [number, string][] = [
    [15 * 1_048_576, "15 MB"],
    [1_536 * 1_024, "1.5 MB"],
    // Rounded down: never more than there is.
    [2_097_151, "1.9 MB"],
    [1_048_576, "1 MB"],
    [1_048_575, "1023 KB"],
    [500 * 1_024, "500 KB"],
    [1_024, "1 KB"],
    [1_023, "1023 bytes"],
    [0, "0 bytes"],
    [1_073_741_824, "1 GB"],
    [1_610_612_736, "1.5 GB"],
  ];
  for (const [bytes, text] of cases) {
    test(`sizeText(${bytes}) is "${text}"`, () => expect(sizeText(bytes)).toBe(text));
  }
});

describe("tooLargeText()", () => {
  test("names the per-file cap, or what is left of the team's quota", () => {
    expect(tooLargeText(2_097_152, "cap")).toBe("The file is larger than 2 MB");
    expect(tooLargeText(1_258_291, "quota")).toBe("Your team has 1.1 MB of its upload quota left");
    expect(tooLargeText(700_000, "quota")).toBe("Your team has 683 KB of its upload quota left");
  });
});

/** A multipart body with one file part. */
function form(file: Uint8Array, type: string): Uint8Array {
  const part = `--B\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n` +
    `Content-Type: ${type}\r\n\r\n`;
  return cat(new TextEncoder().encode(part), file, new TextEncoder().encode("\r\n--B--\r\n"));
}

/** A body that arrives in pieces of `piece` bytes; with `stall`, the last piece never comes. */
function arriving(bytes: Uint8Array, piece: number, stall = false): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stall && at + piece >= bytes.length) return new Promise(() => {});
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + piece));
      at += piece;
    },
  });
}

/**
 * Reads `file` as an upload that arrives `piece` bytes at a time (4 KiB), against a memory budget
 * of `budget` bytes: the outcome, and every number of bytes it asked to hold, in turn.
 */
async function readHolding(
  file: Uint8Array,
  type: string,
  options: {
    budget?: number;
    declared?: boolean;
    stall?: boolean;
    idleMs?: number;
    piece?: number;
  } = {},
) {
  const body = form(file, type);
  const holds: number[] = [];
  let arrivals = 0;
  const sink: UploadSink = {
    write: async () => {},
    finish: () => Promise.resolve({ hash: "h", size: 0 }),
    abort: async () => {},
  };
  const outcome = await readUpload(arriving(body, options.piece ?? 4_096, options.stall), "B", {
    maxBytes: 2_000_000,
    tooLarge: "too large",
    maxText: 10,
    accept: type.startsWith("video/") ? "video" : "image",
    begin: () => Promise.resolve(sink),
    hold: (bytes) => {
      holds.push(bytes);
      return bytes <= (options.budget ?? Infinity) ? undefined : busyRefusal();
    },
    ...(options.declared && { declared: body.length }),
    ...(options.idleMs !== undefined && { idleMs: options.idleMs }),
    onBytes: () => arrivals++,
  });
  return { outcome, holds, arrivals, bodyLength: body.length };
}

describe("readUpload() holds what it keeps in memory", () => {
  const png = pngWithGps();
  test("a PNG with a declared length holds it at once, and nothing once stored", async () => {
    const { outcome, holds, bodyLength } = await readHolding(png, "image/png", { declared: true });
    expect(outcome.ok).toBe(true);
    expect(holds[0]).toBe(bodyLength);
    expect(Math.max(...holds)).toBe(bodyLength);
    expect(holds.at(-1)).toBe(0);
  });

  test("a PNG with none holds what has arrived, as it grows", async () => {
    const big = bigPng(20_000);
    const { outcome, holds } = await readHolding(big, "image/png");
    expect(outcome.ok).toBe(true);
    const growing = holds.slice(0, -1);
    expect(growing).toEqual([...growing].sort((a, b) => a - b));
    expect(Math.max(...holds)).toBe(big.length);
    expect(holds.at(-1)).toBe(0);
  });

  test("one the budget cannot hold is 503, and holds nothing after", async () => {
    const { outcome, holds } = await readHolding(bigPng(20_000), "image/png", { budget: 10_000 });
    expect(outcome).toEqual({
      ok: false,
      code: "unavailable",
      message: "The server is receiving too many photos at once: try again in a moment",
      retryAfter: 30,
    });
    expect(holds.at(-1)).toBe(0);
  });

  test("a JPEG holds only its head; a video the metadata box it gathers", async () => {
    const jpeg = await readHolding(jpegWithGps(50_000), "image/jpeg");
    expect(jpeg.outcome.ok).toBe(true);
    expect(Math.max(...jpeg.holds)).toBeLessThanOrEqual(4_096);
    const movie = movieWithGps(false, 50_000);
    const moov = boxes(movie, 0, movie.length, "video").find((box) => box.type === "moov")!;
    // In pieces smaller than the moov box: it is held, by its size, from its header on.
    const video = await readHolding(movie, "video/mp4", { piece: 256 });
    expect(video.outcome.ok).toBe(true);
    expect(Math.max(...video.holds)).toBe(moov.end - moov.start);
    expect(video.holds.at(-1)).toBe(0);
  });

  test("an upload that sends nothing for idleMs is 408; every read that brings bytes is told", async () => {
    const { outcome, holds, arrivals } = await readHolding(bigPng(20_000), "image/png", {
      stall: true,
      idleMs: 50,
    });
    expect(outcome).toEqual({
      ok: false,
      code: "request_timeout",
      message: "Nothing of the upload arrived for 1 second",
    });
    expect(arrivals).toBe(Math.ceil(form(bigPng(20_000), "image/png").length / 4_096) - 1);
    expect(holds.at(-1)).toBe(0);
  });
});

describe("readUpload() tells the server's failure to store from a body it cannot read", () => {
  const full = () =>
    Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
    });
  const upload = (sink: Partial<UploadSink> & { begin?: () => Promise<UploadSink> }) => {
    const told: unknown[] = [];
    let aborted = 0;
    const whole: UploadSink = {
      write: sink.write ?? (async () => {}),
      finish: sink.finish ?? (() => Promise.resolve({ hash: "h", size: 0 })),
      abort: () => {
        aborted++;
        return Promise.resolve();
      },
    };
    const outcome = readUpload(arriving(form(jpegWithGps(20_000), "image/jpeg"), 4_096), "B", {
      maxBytes: 2_000_000,
      tooLarge: "too large",
      maxText: 10,
      accept: "image",
      begin: sink.begin ?? (() => Promise.resolve(whole)),
      onStoreFailure: (error) => told.push(error),
    });
    return { outcome, told, aborted: () => aborted };
  };
  // 503 with Retry-After: a phone's outbox sends it again. It was 400 "The upload could not be
  // read", which the outbox takes as final: the team's photo was dropped as "Not sent".
  const unavailable = {
    ok: false,
    code: "unavailable",
    message: "The server cannot store the file right now; try again",
    retryAfter: 10,
  } as const;

  // A write fails: what was written is removed (abort). The fsync or rename fails: the sink's
  // `finish` removes its own file (FileStore does). Opening fails: there is nothing to remove.
  test.each(
    [
      ["a write", { write: () => Promise.reject(full()) }, 1],
      ["the fsync and rename", { finish: () => Promise.reject(full()) }, 0],
      ["opening the file", { begin: () => Promise.reject(full()) }, 0],
    ] as const,
  )(
    "a full disk at %s is 503 with Retry-After, and the server is told why",
    async (_, sink, aborts) => {
      const { outcome, told, aborted } = upload(sink);
      expect(await outcome).toEqual(unavailable);
      expect(told.map((error) => (error as { code: string }).code)).toEqual(["ENOSPC"]);
      expect(aborted()).toBe(aborts);
    },
  );

  test("a body that breaks off is still 400, and the server is told nothing", async () => {
    const told: unknown[] = [];
    const body = form(jpegWithGps(20_000), "image/jpeg");
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("connection reset"));
        sent = true;
        controller.enqueue(body.slice(0, 4_096));
      },
    });
    const outcome = await readUpload(broken, "B", {
      maxBytes: 2_000_000,
      tooLarge: "too large",
      maxText: 10,
      accept: "image",
      begin: () =>
        Promise.resolve({
          write: async () => {},
          finish: () => Promise.resolve({ hash: "h", size: 0 }),
          abort: async () => {},
        }),
      onStoreFailure: (error) => told.push(error),
    });
    expect(outcome).toEqual({
      ok: false,
      code: "bad_request",
      message: "The upload could not be read",
    });
    expect(told).toEqual([]);
  });
});
