// An independent check that stripped photos are still images: chromium draws a real PNG, WebP and
// JPEG (its own encoder's), the test adds EXIF with GPS and XMP to each (and to the JPEG a second
// image after its end, as motion photos have), strips them, and chromium decodes the result to the
// same size and pixels as the original.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { JpegStripper, stripPhoto } from "../../src/play/strip.ts";
import { chunk } from "../../src/play/strip_png.ts";
import {
  addGps,
  contains,
  GPS_LATITUDE,
  jpegWithGps,
  tiffWithGps,
  XMP_MARK,
} from "../http/_jpeg.ts";
import { cat, XMP_PACKET } from "../play/_media.ts";
import { chromiumAvailable, launchChromium } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;
const latin1 = (text: string) => Uint8Array.from([...text].map((ch) => ch.charCodeAt(0)));
const u32le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
const u24le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff];

/** A 40×30 image with a gradient, encoded by chromium's canvas. */
async function encode(
  page: Page,
  type: "image/png" | "image/webp" | "image/jpeg",
): Promise<Uint8Array> {
  const base64 = await page.evaluate(`(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 40;
    canvas.height = 30;
    const g = canvas.getContext("2d");
    for (let x = 0; x < 40; x++) {
      g.fillStyle = "rgb(" + x * 6 + ", " + (255 - x * 6) + ", 90)";
      g.fillRect(x, 0, 1, 30);
    }
    return canvas.toDataURL(${JSON.stringify(type)}, 1).split(",")[1];
  })()`) as string;
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

type Decoded = { error: string } | { width: number; height: number; pixels: number[][] };

/** The decoded size and a few pixels of an image, as chromium sees it (or the decode error). */
async function decode(page: Page, bytes: Uint8Array, type: string): Promise<Decoded> {
  const url = `data:${type};base64,${btoa(String.fromCharCode(...bytes))}`;
  return await page.evaluate(`(async () => {
    const img = new Image();
    img.src = ${JSON.stringify(url)};
    try {
      await img.decode();
    } catch (error) {
      return { error: String(error) };
    }
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext("2d");
    g.drawImage(img, 0, 0);
    const pixels = [0, 13, 27].map((x) => Array.from(g.getImageData(x, 15, 1, 1).data));
    return { width: img.naturalWidth, height: img.naturalHeight, pixels };
  })()`) as Decoded;
}

/** The PNG with an eXIf chunk (GPS) and an iTXt XMP packet after its IHDR. */
function pngWithMetadata(png: Uint8Array): Uint8Array {
  const ihdrEnd = 8 + 12 + 13;
  return cat(
    png.subarray(0, ihdrEnd),
    chunk("eXIf", tiffWithGps()),
    chunk("iTXt", cat(latin1("XML:com.adobe.xmp\0\0\0\0\0"), latin1(XMP_PACKET))),
    png.subarray(ihdrEnd),
  );
}

/**
 * The WebP made extended, if it is not yet: VP8X with the EXIF and XMP flags
 * set (and ALPHA kept), its chunks, then an EXIF and an XMP chunk.
 */
function webpWithMetadata(webp: Uint8Array, width: number, height: number): Uint8Array {
  const riffChunk = (type: string, data: ArrayLike<number>) =>
    cat(latin1(type), u32le(data.length), data, data.length % 2 ? [0] : []);
  const extended = String.fromCharCode(...webp.subarray(12, 16)) === "VP8X";
  const flags = (extended ? webp[20]! : 0) | 0x0c;
  const vp8x = riffChunk("VP8X", cat([flags, 0, 0, 0], u24le(width - 1), u24le(height - 1)));
  const body = cat(
    latin1("WEBP"),
    vp8x,
    webp.subarray(extended ? 30 : 12),
    riffChunk("EXIF", tiffWithGps()),
    riffChunk("XMP ", latin1(XMP_PACKET)),
  );
  return cat(latin1("RIFF"), u32le(body.length), body);
}

suite("stripped photos still decode in chromium", () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setContent("<!doctype html><title>strip</title>");
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const type of ["image/png", "image/webp"] as const) {
    test(`${type}: the same pixels before and after, and no GPS or XMP`, async () => {
      const plain = await encode(page, type);
      const original = await decode(page, plain, type);
      expect(original).toMatchObject({ width: 40, height: 30 });
      const tagged = type === "image/png"
        ? pngWithMetadata(plain)
        : webpWithMetadata(plain, 40, 30);
      expect(contains(tagged, GPS_LATITUDE)).toBe(true);
      const rotated = await decode(page, tagged, type);
      expect(rotated).not.toHaveProperty("error");
      // The EXIF block says "rotated" (orientation 6): chromium applies it to a PNG (30×40), and
      // decodes a WebP as it is.
      expect(rotated).toMatchObject(
        type === "image/png" ? { width: 30, height: 40 } : { width: 40, height: 30 },
      );
      const stripped = stripPhoto(type, tagged);
      expect(contains(stripped, GPS_LATITUDE)).toBe(false);
      expect(contains(stripped, latin1(XMP_MARK))).toBe(false);
      // The orientation stays, and so does every pixel.
      expect(await decode(page, stripped, type)).toEqual(rotated);
    }, 30_000);
  }

  test(
    "image/jpeg: the first image's pixels, streamed in small chunks, without what follows it",
    async () => {
      const tagged = addGps(await encode(page, "image/jpeg"));
      const rotated = await decode(page, tagged, "image/jpeg");
      // Chromium applies the EXIF orientation (6) to a JPEG.
      expect(rotated).toMatchObject({ width: 30, height: 40 });
      // A second image with GPS and XMP after the first one's end, then a motion photo's video.
      const motion = cat(tagged, jpegWithGps(300), latin1("....ftypmp42"));
      const stripper = new JpegStripper();
      const parts: Uint8Array[] = [];
      for (let at = 0; at < motion.length; at += 7) {
        parts.push(...stripper.push(motion.subarray(at, at + 7)));
      }
      stripper.finish();
      const stripped = cat(...parts);
      expect(contains(stripped, GPS_LATITUDE)).toBe(false);
      expect(contains(stripped, latin1(XMP_MARK))).toBe(false);
      expect(stripped.length).toBeLessThan(tagged.length);
      expect(await decode(page, stripped, "image/jpeg")).toEqual(rotated);
    },
    30_000,
  );
});
