// PNG, WebP, HEIC, MP4 and MOV files with location metadata, built byte by byte for the strip tests.
import { deflateSync } from "node:zlib";
import { chunk } from "../../src/play/strip_png.ts";
import { tiffWithGps, XMP_MARK } from "../http/_jpeg.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const latin1 = (text: string) => Uint8Array.from([...text].map((ch) => ch.charCodeAt(0)));

export function cat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const u32be = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16be = (n: number) => [(n >>> 8) & 0xff, n & 0xff];
const u32le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

export const XMP_PACKET = `<x:xmpmeta xmlns:x="adobe:ns:meta/" ${XMP_MARK}="48,51.5N"/>`;
/** An ISO 6709 location, as phones write it in videos. */
export const ISO6709 = "+48.8577+002.2950+035.000/";

/** A 2×2 RGB PNG with an eXIf chunk (orientation + GPS), an iTXt XMP packet and a comment. */
export function pngWithGps(): Uint8Array {
  const ihdr = cat(u32be(2), u32be(2), [8, 2, 0, 0, 0]);
  const pixels = deflateSync(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12]));
  return cat(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    chunk("IHDR", ihdr),
    chunk("eXIf", tiffWithGps()),
    chunk("iTXt", cat(latin1("XML:com.adobe.xmp\0\0\0\0\0"), enc(XMP_PACKET))),
    chunk("tEXt", latin1("Comment\0Harbor hunt")),
    chunk("IDAT", pixels),
    chunk("IEND", new Uint8Array(0)),
  );
}

function riffChunk(type: string, data: Uint8Array): Uint8Array {
  return cat(latin1(type), u32le(data.length), data, data.length % 2 ? [0] : []);
}

/** An extended WebP: VP8X (flags EXIF and XMP), a lossless image, an EXIF and an XMP chunk. */
export function webpWithGps(): Uint8Array {
  const vp8x = cat([0x0c, 0, 0, 0], [1, 0, 0], [1, 0, 0]);
  const vp8l = new Uint8Array([0x2f, 0x01, 0x40, 0x00, 0x00, 0x07, 0x10, 0x11, 0x11, 0x88]);
  const body = cat(
    latin1("WEBP"),
    riffChunk("VP8X", vp8x),
    riffChunk("VP8L", vp8l),
    riffChunk("EXIF", tiffWithGps()),
    riffChunk("XMP ", enc(XMP_PACKET + " ")),
  );
  return cat(latin1("RIFF"), u32le(body.length), body);
}

export function box(type: string, ...content: ArrayLike<number>[]): Uint8Array {
  const body = cat(...content);
  return cat(u32be(8 + body.length), latin1(type), body);
}

const fullBox = (type: string, version: number, ...content: ArrayLike<number>[]) =>
  box(type, [version, 0, 0, 0], ...content);

/**
 * A HEIC: ftyp, a meta box with an image item (1), an Exif item (2) and an XMP
 * item (3). With `idat`, iloc is version 1 and the Exif and XMP items are in the
 * meta box's idat (construction method 1, offsets into idat); else iloc is
 * version 0 and every item is in mdat at an absolute offset.
 */
export function heicWithGps(idat = false): Uint8Array {
  const image = new Uint8Array(40).fill(0x77);
  const exif = cat([0, 0, 0, 6], latin1("Exif\0\0"), tiffWithGps());
  const xmp = enc(XMP_PACKET);
  const infe = (id: number, type: string, extra: ArrayLike<number> = []) =>
    fullBox("infe", 2, u16be(id), [0, 0], latin1(type), latin1("\0"), extra);
  const iinf = fullBox(
    "iinf",
    0,
    u16be(3),
    infe(1, "hvc1"),
    infe(2, "Exif"),
    infe(3, "mime", latin1("application/rdf+xml\0")),
  );
  const hdlr = fullBox("hdlr", 0, [0, 0, 0, 0], latin1("pict"), new Array(12).fill(0), [0]);
  const ftyp = box("ftyp", latin1("heic"), [0, 0, 0, 0], latin1("mif1heic"));
  const items = [image, exif, xmp];
  // Each item: id, (v1: construction method), data reference, extent count, offset, length.
  const entry = (i: number, offset: number) => [
    ...u16be(i + 1),
    ...(idat ? u16be(i === 0 ? 0 : 1) : []),
    0,
    0,
    ...u16be(1),
    ...u32be(offset),
    ...u32be(items[i]!.length),
  ];
  // iloc's size depends on nothing but the item count, so the offsets can be computed first.
  const ilocFor = (offsets: number[]) =>
    fullBox("iloc", idat ? 1 : 0, [0x44, 0x00], u16be(3), ...offsets.map((o, i) => entry(i, o)));
  const idatBox = box("idat", exif, xmp);
  const meta = (offsets: number[]) =>
    fullBox("meta", 0, hdlr, iinf, ilocFor(offsets), idat ? idatBox : []);
  const start = ftyp.length + meta([0, 0, 0]).length + 8;
  const offsets = idat
    ? [start, 0, exif.length]
    : [start, start + image.length, start + image.length + exif.length];
  return cat(ftyp, meta(offsets), box("mdat", image, ...(idat ? [] : [exif, xmp])));
}

/** XMP's uuid box user type. */
const XMP_UUID = [
  0xbe,
  0x7a,
  0xcf,
  0xcb,
  0x97,
  0xa9,
  0x42,
  0xe8,
  0x9c,
  0x71,
  0x99,
  0x94,
  0x91,
  0xe3,
  0xaf,
  0xac,
];

/**
 * A video: ftyp, mdat (first, as a camera writes it), then moov with a track whose
 * stco points into mdat, udta with ©xyz and loci, a QuickTime meta with a location key, and
 * an XMP uuid box. `quicktime` gives a MOV (brand "qt  ").
 */
export function movieWithGps(quicktime = false, mdatBytes = 4_000): Uint8Array {
  const ftyp = quicktime
    ? box("ftyp", latin1("qt  "), [0, 0, 2, 0], latin1("qt  "))
    : box("ftyp", latin1("isom"), [0, 0, 2, 0], latin1("isomiso2mp41"));
  const mdat = box("mdat", new Array(mdatBytes).fill(0x42));
  const stco = fullBox("stco", 0, u32be(1), u32be(ftyp.length + 8));
  const trak = box("trak", box("mdia", box("minf", box("stbl", stco))));
  const xyz = box("\u00a9xyz", u16be(ISO6709.length), [0x15, 0xc7], latin1(ISO6709));
  const loci = fullBox("loci", 0, [0x15, 0xc7], latin1("Harbor\0"), [0], latin1(ISO6709));
  const keys = fullBox(
    "keys",
    0,
    u32be(2),
    box("mdta", latin1("com.apple.quicktime.make")),
    box("mdta", latin1("com.apple.quicktime.location.ISO6709")),
  );
  const item = (index: number, value: string) =>
    cat(
      u32be(8 + 16 + value.length),
      u32be(index),
      box("data", [0, 0, 0, 1], [0, 0, 0, 0], latin1(value)),
    );
  const ilst = box("ilst", item(1, "Apple"), item(2, ISO6709));
  const hdlr = fullBox("hdlr", 0, [0, 0, 0, 0], latin1("mdta"), new Array(12).fill(0), [0]);
  const meta = box("meta", hdlr, keys, ilst);
  const uuid = box("uuid", XMP_UUID, enc(XMP_PACKET));
  // iTunes-style metadata: an ISO meta (a full box) whose ilst holds another ©xyz.
  const mdir = fullBox("hdlr", 0, [0, 0, 0, 0], latin1("mdir"), new Array(12).fill(0), [0]);
  const itunes = fullBox(
    "meta",
    0,
    mdir,
    box("ilst", box("\u00a9xyz", box("data", [0, 0, 0, 1], [0, 0, 0, 0], latin1(ISO6709)))),
  );
  const moov = box(
    "moov",
    fullBox("mvhd", 0, new Array(96).fill(0)),
    trak,
    box("udta", xyz, loci, itunes),
    meta,
    uuid,
  );
  return cat(ftyp, mdat, moov);
}

/** A PNG of `bytes` bytes of (zero) image data: it need not decode, only be sound. */
export function bigPng(bytes: number): Uint8Array {
  return cat(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    chunk("IHDR", new Uint8Array([0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0])),
    chunk("IDAT", new Uint8Array(bytes)),
    chunk("IEND", new Uint8Array(0)),
  );
}
