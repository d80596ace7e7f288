/**
 * What an uploaded file is, told from its first bytes (never from its name or
 * the type the client claims), and the removal of the location in a JPEG's
 * head: the GPS tags of its EXIF block and any XMP packet (which can repeat
 * them). Pure functions over bytes.
 */

/** The types a mission accepts. */
export type MediaType =
  | "image/jpeg"
  | "image/png"
  | "image/heic"
  | "image/webp"
  | "video/mp4"
  | "video/quicktime";

/** How many first bytes `sniff` needs to decide. */
export const SNIFF_BYTES = 32;

const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]);
const MP4_BRANDS = new Set([
  "isom",
  "iso2",
  "iso3",
  "iso4",
  "iso5",
  "iso6",
  "mp41",
  "mp42",
  "avc1",
  "M4V ",
  "dash",
  "3gp4",
  "3gp5",
  "3gp6",
  "3g2a",
]);

const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

/** The file's type from its first bytes, or undefined for anything a mission does not take. */
export function sniff(head: Uint8Array): MediaType | undefined {
  if (head.length < 12) return undefined;
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (ascii(head, 0, 8) === "\x89PNG\r\n\x1a\n") return "image/png";
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "image/webp";
  const box = ascii(head, 4, 8);
  if (box === "ftyp") {
    // The major brand, then the compatible ones, up to the box's end.
    const end = Math.min(head.length, new DataView(head.buffer, head.byteOffset).getUint32(0));
    const brands = [ascii(head, 8, 12)];
    for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(head, at, at + 4));
    if (brands[0] === "qt  ") return "video/quicktime";
    if (brands.some((brand) => HEIC_BRANDS.has(brand))) return "image/heic";
    if (brands.some((brand) => MP4_BRANDS.has(brand))) return "video/mp4";
    if (brands.includes("qt  ")) return "video/quicktime";
    return undefined;
  }
  // Old QuickTime files start straight with an atom.
  if (box === "moov" || box === "mdat" || box === "wide") return "video/quicktime";
  return undefined;
}

/** What `stripJpegLocation` gives: the rewritten head, or why the photo cannot be taken. */
export type StripResult =
  /** `bytes`: the head up to its first start-of-scan marker, rewritten; `scan`: where that marker is in the input. */
  | { ok: true; bytes: Uint8Array; scan: number }
  /** The head ends before the image data starts: at least `need` bytes are needed. */
  | { ok: false; kind: "short"; need: number }
  | { ok: false; kind: "damaged"; message: string };

const XMP = ["http://ns.adobe.com/xap/1.0/\0", "http://ns.adobe.com/xmp/extension/\0"];
/** The APP2 block indexing the images after the first (MPF): they are not kept (strip_jpeg.ts). */
const MPF = "MPF\0";
const GPS_IFD_TAG = 0x8825;
/** Bytes per value of each TIFF field type (1 BYTE … 12 DOUBLE, 13 IFD). */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];

/**
 * Rewrites the start of a JPEG (everything before its image data) without
 * location: the EXIF GPS directory is zeroed and unlinked, XMP packets are
 * dropped, and so is the MPF index of the images after the first (which are
 * not kept); the rest (orientation, camera) stays. An EXIF block it cannot
 * read is dropped whole, so a location never survives by being hard to parse.
 * `head` must reach the start-of-scan marker, else the result is `short`;
 * what follows that marker is not looked at (strip_jpeg.ts reads it).
 */
export function stripJpegLocation(head: Uint8Array): StripResult {
  if (head.length < 2) return { ok: false, kind: "short", need: 2 };
  if (head[0] !== 0xff || head[1] !== 0xd8) {
    return { ok: false, kind: "damaged", message: "The photo is not a valid JPEG" };
  }
  const kept: Uint8Array[] = [head.subarray(0, 2)];
  let at = 2;
  for (;;) {
    if (at + 4 > head.length) return { ok: false, kind: "short", need: at + 4 };
    if (head[at] !== 0xff) {
      return { ok: false, kind: "damaged", message: "The photo is not a valid JPEG" };
    }
    const marker = head[at + 1]!;
    // Fill bytes before a marker.
    if (marker === 0xff) {
      at++;
      continue;
    }
    // Start of scan: the image data follows, with no more metadata before it.
    if (marker === 0xda) return { ok: true, bytes: concat(kept), scan: at };
    // Markers with no length (RSTn, TEM).
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      kept.push(head.subarray(at, at + 2));
      at += 2;
      continue;
    }
    const length = (head[at + 2]! << 8) | head[at + 3]!;
    if (length < 2) return { ok: false, kind: "damaged", message: "The photo is not a valid JPEG" };
    const end = at + 2 + length;
    if (end > head.length) return { ok: false, kind: "short", need: end };
    const payload = head.subarray(at + 4, end);
    if (marker === 0xe1 && ascii(payload, 0, 6) === "Exif\0\0") {
      const tiff = payload.slice(6);
      // A block that cannot be read is dropped whole.
      if (removeGps(tiff)) {
        kept.push(head.subarray(at, at + 10), tiff);
      }
    } else if (
      !(marker === 0xe1 && XMP.some((id) => ascii(payload, 0, id.length) === id)) &&
      !(marker === 0xe2 && ascii(payload, 0, MPF.length) === MPF)
    ) {
      kept.push(head.subarray(at, end));
    }
    at = end;
  }
}

/**
 * Zeroes the GPS directory of a TIFF block (and its values) and unlinks it, in
 * place and at the same length; false if the block cannot be read.
 */
export function removeGps(tiff: Uint8Array): boolean {
  if (tiff.length < 8) return false;
  const order = ascii(tiff, 0, 2);
  if (order !== "II" && order !== "MM") return false;
  const little = order === "II";
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  const inside = (from: number, size: number) =>
    from >= 0 && size >= 0 && from + size <= tiff.length;
  if (u16(2) !== 42) return false;
  const ifd0 = u32(4);
  if (!inside(ifd0, 2)) return false;
  const count = u16(ifd0);
  if (!inside(ifd0 + 2, count * 12 + 4)) return false;
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (u16(entry) !== GPS_IFD_TAG) continue;
    const gps = u32(entry + 8);
    if (!inside(gps, 2)) return false;
    const gpsCount = u16(gps);
    if (!inside(gps + 2, gpsCount * 12 + 4)) return false;
    // Each value longer than 4 bytes lives elsewhere in the block: zero it too.
    for (let j = 0; j < gpsCount; j++) {
      const field = gps + 2 + j * 12;
      const size = (TYPE_SIZE[u16(field + 2)] ?? 0) * u32(field + 4);
      if (size > 4) {
        const value = u32(field + 8);
        if (!inside(value, size)) return false;
        tiff.fill(0, value, value + size);
      }
    }
    tiff.fill(0, gps, gps + 2 + gpsCount * 12 + 4);
    // Unlink it: the later entries and the next-directory offset move up one entry.
    const rest = ifd0 + 2 + count * 12 + 4;
    tiff.copyWithin(entry, entry + 12, rest);
    tiff.fill(0, rest - 12, rest);
    view.setUint16(ifd0, count - 1, little);
    return true;
  }
  return true;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}
