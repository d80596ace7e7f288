// Location removal for JPEG, PNG, WebP, HEIC, MP4 and MOV: the location bytes are gone, the file is
// still well formed (CRCs, RIFF sizes, box sizes, offsets), and damaged files only ever raise
// MediaError.
import { describe, expect, test } from "bun:test";
import {
  JpegStripper,
  MediaError,
  MovieStripper,
  stripPhoto,
  type WholePhoto,
} from "../../src/play/strip.ts";
import { boxes } from "../../src/play/strip_bmff.ts";
import { crc32 } from "../../src/play/strip_png.ts";
import { contains, GPS_LATITUDE, jpegWithGps, tiffWithGps, XMP_MARK } from "../http/_jpeg.ts";
import { cat, heicWithGps, ISO6709, movieWithGps, pngWithGps, webpWithGps } from "./_media.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const has = (bytes: Uint8Array, text: string) => contains(bytes, enc(text));
const u32 = (bytes: Uint8Array, at: number, little = false) =>
  new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, little);

/** Every chunk of a PNG, with its CRC checked. */
function pngChunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  const found = [];
  for (let at = 8; at < png.length;) {
    const length = u32(png, at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    expect(crc32(png.subarray(at + 4, at + 8 + length))).toBe(u32(png, at + 8 + length));
    found.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return found;
}

/** Every chunk of a WebP, checking that the sizes add up to the RIFF size. */
function riffChunks(webp: Uint8Array): { type: string; data: Uint8Array }[] {
  expect(u32(webp, 4, true)).toBe(webp.length - 8);
  const found = [];
  let at = 12;
  while (at < webp.length) {
    const size = u32(webp, at + 4, true);
    found.push({
      type: new TextDecoder().decode(webp.subarray(at, at + 4)),
      data: webp.subarray(at + 8, at + 8 + size),
    });
    at += 8 + size + (size & 1);
  }
  expect(at).toBe(webp.length);
  return found;
}

/** Streams a video through a stripper in chunks of random sizes. */
function stripMovie(bytes: Uint8Array, random = Math.random): Uint8Array {
  const stripper = new MovieStripper();
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * 700);
    out.push(...stripper.push(bytes.subarray(at, at + size)));
    at += size;
  }
  out.push(...stripper.finish());
  return cat(...out);
}

/** Streams a JPEG through a stripper in chunks of `size()` bytes. */
function stripJpeg(bytes: Uint8Array, size: () => number = () => 700): Uint8Array {
  const stripper = new JpegStripper();
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const end = at + size();
    out.push(...stripper.push(bytes.subarray(at, end)));
    at = end;
  }
  stripper.finish();
  return cat(...out);
}

const segment = (marker: number, payload: ArrayLike<number>) =>
  cat([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff], payload);

/**
 * A progressive-like JPEG whose image data holds what must not end it early:
 * stuffing (FF00), restarts (FFD0-D7), fill bytes, a table between scans whose
 * bytes read FF D9, and an APP1 block with GPS between scans.
 */
function multiScanJpeg(): { jpeg: Uint8Array; expected: Uint8Array } {
  const first = jpegWithGps(0);
  const head = first.subarray(0, first.length - 2);
  const scan1 = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0x00, 0xff, 0xd7, 0x78];
  const table = segment(0xc4, [0x00, 0xff, 0xd9, 0xff, 0xe1, 0x01]);
  const app = segment(0xe1, cat(enc("Exif\0\0"), tiffWithGps()));
  const sos = segment(0xda, [1, 1, 0, 0, 63, 0]);
  const scan2 = [0x9a, 0xff, 0x00, 0xbc];
  const jpeg = cat(head, scan1, table, app, [0xff, 0xff], sos, scan2, [0xff, 0xd9]);
  // The head loses its GPS and XMP (as the first test shows); the APP1 between scans goes whole.
  const stripped = stripJpeg(first);
  const expected = cat(
    stripped.subarray(0, stripped.length - 2),
    scan1,
    table,
    [0xff, 0xff],
    sos,
    scan2,
    [0xff, 0xd9],
  );
  return { jpeg, expected };
}

/** A box tree's types, depth first (`meta` is read as QuickTime's or ISO's). */
function tree(bytes: Uint8Array, from = 0, to = bytes.length): string[] {
  return boxes(bytes, from, to, "test").flatMap((b) => {
    if (["moov", "trak", "mdia", "minf", "stbl", "udta"].includes(b.type)) {
      return [b.type, ...tree(bytes, b.body, b.end)];
    }
    return [b.type];
  });
}

describe("JPEG", () => {
  test("loses its GPS directory and XMP, keeps orientation and the image data", () => {
    const before = jpegWithGps();
    const after = stripJpeg(before);
    expect(contains(after, GPS_LATITUDE)).toBe(false);
    expect(has(after, XMP_MARK)).toBe(false);
    expect(contains(after, [0x12, 0x01, 0x03, 0x00, 0x01, 0, 0, 0, 0x06, 0])).toBe(true);
    expect(after.subarray(after.length - 1_002)).toEqual(before.subarray(before.length - 1_002));
    // A second pass changes nothing.
    expect(stripJpeg(after)).toEqual(after);
  });

  test("keeps nothing after the first image's end: a second image with GPS (MPF, motion photo) goes", () => {
    const clean = stripJpeg(jpegWithGps());
    const mpf = segment(0xe2, cat(enc("MPF\0"), new Uint8Array(40).fill(7)));
    const primary = cat(clean.subarray(0, 2), mpf, clean.subarray(2));
    const motion = cat(primary, jpegWithGps(), enc("ftypmp42 a video"));
    expect(contains(motion, GPS_LATITUDE) && has(motion, XMP_MARK)).toBe(true);
    for (const size of [1, 2, 3, 700, 1 << 20]) {
      const after = stripJpeg(motion, () => size);
      // The first image as it was, without its MPF index of the images that are gone.
      expect(after).toEqual(clean);
    }
  });

  test("image data is read marker by marker: stuffing, restarts and tables never end it early", () => {
    const { jpeg, expected } = multiScanJpeg();
    const trailed = cat(jpeg, jpegWithGps());
    expect(contains(jpeg, GPS_LATITUDE)).toBe(true);
    for (const size of [1, 2, 3, 5, 7, 64].map((n) => () => n)) {
      const after = stripJpeg(trailed, size);
      expect(contains(after, GPS_LATITUDE)).toBe(false);
      expect(after).toEqual(expected);
    }
  });

  const cuts: [string, (jpeg: Uint8Array) => Uint8Array][] = [
    ["inside the image data", (jpeg) => jpeg.subarray(0, jpeg.length - 100)],
    ["just before its end marker", (jpeg) => jpeg.subarray(0, jpeg.length - 2)],
    ["between the 0xFF and the end marker", (jpeg) => jpeg.subarray(0, jpeg.length - 1)],
    ["before the image data", (jpeg) => jpeg.subarray(0, 40)],
    ["after its start", (jpeg) => jpeg.subarray(0, 2)],
  ];
  for (const [where, cut] of cuts) {
    test(`a photo cut ${where} is refused as cut short`, () => {
      for (const size of [1, 700]) {
        expect(() => stripJpeg(cut(jpegWithGps()), () => size)).toThrow(
          new MediaError("The photo is not a valid JPEG: it is cut short"),
        );
      }
    });
  }
});

describe("PNG", () => {
  test("loses its GPS directory and XMP, keeps orientation and the image, with valid CRCs", () => {
    const before = pngWithGps();
    expect(contains(before, GPS_LATITUDE) && has(before, XMP_MARK)).toBe(true);
    const after = stripPhoto("image/png", before);
    expect(contains(after, GPS_LATITUDE)).toBe(false);
    expect(has(after, XMP_MARK)).toBe(false);
    const chunks = pngChunks(after);
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "eXIf", "tEXt", "IDAT", "IEND"]);
    // The EXIF block still has IFD0 with Orientation (0x0112 = 6) and no GPS pointer (0x8825).
    const exif = chunks[1]!.data;
    expect(exif[8]).toBe(1);
    expect([exif[10], exif[11], exif[18]]).toEqual([0x12, 0x01, 6]);
    expect(contains(exif, [0x25, 0x88])).toBe(false);
    expect(pngChunks(before).find((c) => c.type === "IDAT")!.data).toEqual(chunks[3]!.data);
    // A second pass changes nothing.
    expect(stripPhoto("image/png", after)).toEqual(after);
  });
});

describe("WebP", () => {
  test("loses its GPS directory and XMP chunk; VP8X flags and the RIFF size follow", () => {
    const before = webpWithGps();
    expect(riffChunks(before)[0]!.data[0]).toBe(0x0c);
    const after = stripPhoto("image/webp", before);
    expect(contains(after, GPS_LATITUDE)).toBe(false);
    expect(has(after, XMP_MARK)).toBe(false);
    const chunks = riffChunks(after);
    expect(chunks.map((c) => c.type)).toEqual(["VP8X", "VP8L", "EXIF"]);
    // XMP flag cleared, EXIF flag kept (the block is still there, with its orientation).
    expect(chunks[0]!.data[0]).toBe(0x08);
    expect(chunks[2]!.data[18]).toBe(6);
    const xmp = riffChunks(before)[3]!.data.length;
    expect(after.length).toBe(before.length - 8 - xmp - (xmp & 1));
  });
});

describe("HEIC", () => {
  test("zeroes the Exif item's GPS and blanks XMP in place: same length, same offsets", () => {
    const before = heicWithGps();
    const after = stripPhoto("image/heic", before);
    expect(after.length).toBe(before.length);
    expect(contains(after, GPS_LATITUDE)).toBe(false);
    expect(has(after, XMP_MARK)).toBe(false);
    expect(tree(after)).toEqual(tree(before));
    expect(tree(after)).toEqual(["ftyp", "meta", "mdat"]);
    // Everything before mdat (ftyp, meta with iloc) is byte for byte the same.
    const mdat = boxes(after, 0, after.length, "test")[2]!;
    expect(after.subarray(0, mdat.body)).toEqual(before.subarray(0, mdat.body));
    // The Exif item keeps its header and IFD0's orientation.
    const exifAt = mdat.body + 40;
    expect(new TextDecoder().decode(after.subarray(exifAt + 4, exifAt + 10))).toBe("Exif\0\0");
    expect(after[exifAt + 10 + 18]).toBe(6);
  });

  test("also with iloc version 1 and the Exif and XMP items in the meta box's idat", () => {
    const before = heicWithGps(true);
    expect(contains(before, GPS_LATITUDE) && has(before, XMP_MARK)).toBe(true);
    const after = stripPhoto("image/heic", before);
    expect(after.length).toBe(before.length);
    expect(contains(after, GPS_LATITUDE)).toBe(false);
    expect(has(after, XMP_MARK)).toBe(false);
    // Orientation (IFD0's first entry, value 6) is still there, inside idat.
    expect(contains(after, [0x12, 0x01, 0x03, 0x00, 0x01, 0, 0, 0, 0x06, 0])).toBe(true);
    expect(tree(after)).toEqual(["ftyp", "meta", "mdat"]);
  });
});

describe("MP4 and MOV", () => {
  for (const quicktime of [false, true]) {
    test(`${quicktime ? "MOV" : "MP4"}: location atoms become free boxes of the same size`, () => {
      const before = movieWithGps(quicktime);
      expect(has(before, ISO6709)).toBe(true);
      const after = stripMovie(before);
      expect(after.length).toBe(before.length);
      expect(has(after, ISO6709)).toBe(false);
      expect(has(after, XMP_MARK)).toBe(false);
      // Other metadata stays, and the sample data and the chunk offsets do not move.
      expect(has(after, "Apple")).toBe(true);
      const [, mdat] = boxes(after, 0, after.length, "test");
      expect(after.subarray(0, mdat!.end)).toEqual(before.subarray(0, mdat!.end));
      expect(tree(after)).toEqual([
        "ftyp",
        "mdat",
        "moov",
        "mvhd",
        "trak",
        "mdia",
        "minf",
        "stbl",
        "stco",
        "udta",
        "free",
        "free",
        "meta",
        "meta",
        "free",
      ]);
      expect(has(after, "stco")).toBe(true);
    });
  }

  test("a moov first (fast start) and a last box running to the end are streamed too", () => {
    const movie = movieWithGps();
    const [ftyp, mdat, moov] = boxes(movie, 0, movie.length, "test");
    const open = movie.slice(mdat!.start, mdat!.end);
    open.set([0, 0, 0, 0], 0);
    const fast = cat(
      movie.subarray(ftyp!.start, ftyp!.end),
      movie.subarray(moov!.start, moov!.end),
      open,
    );
    const after = stripMovie(fast);
    expect(after.length).toBe(fast.length);
    expect(has(after, ISO6709)).toBe(false);
    expect(after.subarray(after.length - open.length)).toEqual(open);
  });

  test("a moov that runs to the end (size 0) is held and stripped too", () => {
    const movie = movieWithGps();
    const [, , moov] = boxes(movie, 0, movie.length, "test");
    const open = movie.slice();
    open.set([0, 0, 0, 0], moov!.start);
    const after = stripMovie(open);
    expect(after.length).toBe(open.length);
    expect(has(after, ISO6709)).toBe(false);
    expect(has(after, XMP_MARK)).toBe(false);
  });

  test("a video cut inside a box is refused", () => {
    const movie = movieWithGps();
    expect(() => stripMovie(movie.subarray(0, movie.length - 10))).toThrow(MediaError);
  });
});

describe("messages about damaged files", () => {
  /** A copy whose box (or RIFF chunk) header at `at` has type `type` and a size far past the end. */
  function overrun(bytes: Uint8Array, at: number, type: number[], riff = false): Uint8Array {
    const copy = bytes.slice();
    new DataView(copy.buffer).setUint32(riff ? at + 4 : at, 0x7fff_ffff, riff);
    copy.set(type, riff ? at : at + 4);
    return copy;
  }
  const raw = [0x00, 0x01, 0x1b, 0x7f];
  const heic = heicWithGps();
  const mdat = boxes(heic, 0, heic.length, "test")[2]!.start;
  const tiny = (type: number[]) => {
    const movie = movieWithGps().slice();
    movie.set([0, 0, 0, 3, ...type], 0);
    return movie;
  };
  const cases: [string, () => unknown, string][] = [
    [
      "a HEIC box with a printable type is named",
      () => stripPhoto("image/heic", overrun(heic, mdat, [...enc("mdat")])),
      'The photo is not a valid HEIC: a "mdat" box is cut short',
    ],
    [
      "a HEIC box with raw bytes for a type is not echoed",
      () => stripPhoto("image/heic", overrun(heic, mdat, raw)),
      "The photo is not a valid HEIC: a box is cut short",
    ],
    [
      "a video box with a printable type is named",
      () => stripMovie(tiny([...enc("ftyp")])),
      'The video is not a valid MP4 or MOV: a "ftyp" box has a bad size',
    ],
    [
      "a video box with raw bytes for a type is not echoed",
      () => stripMovie(tiny(raw)),
      "The video is not a valid MP4 or MOV: a box has a bad size",
    ],
    [
      "a WebP chunk with raw bytes for a type is not echoed",
      () => stripPhoto("image/webp", overrun(webpWithGps(), 12, raw, true)),
      "The photo is not a valid WebP: a chunk is cut short",
    ],
  ];
  for (const [what, strip, message] of cases) {
    test(what, () => expect(strip).toThrow(new MediaError(message)));
  }
});

/** A deterministic generator, so that a failure can be replayed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A damaged copy: cut short, bytes flipped, or a 32-bit field overwritten. */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const pick = random();
  if (pick < 0.3) return bytes.slice(0, Math.floor(random() * bytes.length));
  const copy = bytes.slice();
  if (pick < 0.65) {
    const flips = 1 + Math.floor(random() * 8);
    for (let i = 0; i < flips; i++) copy[Math.floor(random() * copy.length)] = random() * 256;
  } else {
    const at = Math.floor(random() * (copy.length - 4));
    const values = [0, 1, 0xffffffff, 0x7fffffff, Math.floor(random() * 2 ** 32), copy.length];
    new DataView(copy.buffer).setUint32(at, values[Math.floor(random() * values.length)]!);
  }
  return copy;
}

describe("damaged files", () => {
  const RUNS = 3_000;
  const cases: [string, () => Uint8Array, (bytes: Uint8Array, random: () => number) => void][] = [
    ["JPEG", () => multiScanJpeg().jpeg, (bytes, random) => {
      void stripJpeg(bytes, () => 1 + Math.floor(random() * 300));
    }],
    ["HEIC with idat", () => heicWithGps(true), (bytes) => void stripPhoto("image/heic", bytes)],
    ...(["image/png", "image/webp", "image/heic"] as WholePhoto[]).map((type) =>
      [
        type,
        { "image/png": pngWithGps, "image/webp": webpWithGps, "image/heic": heicWithGps }[type],
        (bytes: Uint8Array) => void stripPhoto(type, bytes),
      ] as [string, () => Uint8Array, (bytes: Uint8Array) => void]
    ),
    ["MP4", () => movieWithGps(false, 300), (bytes, random) => void stripMovie(bytes, random)],
    ["MOV", () => movieWithGps(true, 300), (bytes, random) => void stripMovie(bytes, random)],
  ];
  for (const [name, make, strip] of cases) {
    test(`${name}: ${RUNS} random truncations and corruptions raise nothing but MediaError`, () => {
      const random = mulberry32(21);
      const valid = make();
      const outcomes = { stripped: 0, refused: 0 };
      for (let run = 0; run < RUNS; run++) {
        const damaged = mutate(valid, random);
        try {
          strip(damaged, random);
          outcomes.stripped++;
        } catch (error) {
          if (!(error instanceof MediaError)) {
            throw new Error(
              `run ${run}: ${String(error)} (${error instanceof Error && error.stack})`,
            );
          }
          outcomes.refused++;
        }
      }
      console.log(
        `${name}: ${RUNS} damaged files, ${outcomes.stripped} stripped, ${outcomes.refused} refused`,
      );
      expect(outcomes.stripped + outcomes.refused).toBe(RUNS);
      // Truncation alone is a third of the runs, and most of those must be refused.
      expect(outcomes.refused).toBeGreaterThan(RUNS / 5);
    });
  }
});
