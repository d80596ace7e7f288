/**
 * A WebP without location: its EXIF chunk keeps everything but the GPS
 * directory (or goes whole when it cannot be read), its XMP chunk goes, and
 * the VP8X flags and the RIFF size are set to what is left.
 */
import { concat, removeGps } from "./media.ts";
import { MediaError, typed } from "./strip_error.ts";

const damaged = (why: string) => new MediaError(`The photo is not a valid WebP: ${why}`);
const IMAGE_CHUNKS = new Set(["VP8 ", "VP8L", "VP8X"]);
const FLAG_EXIF = 0x08;
const FLAG_XMP = 0x04;

/** The WebP without its location metadata; throws MediaError for a damaged or truncated one. */
export function stripWebp(bytes: Uint8Array): Uint8Array {
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length < 12 || text(0, 4) !== "RIFF" || text(8, 12) !== "WEBP") {
    throw damaged("no RIFF WEBP header");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = 8 + view.getUint32(4, true);
  if (end > bytes.length) throw damaged("it is shorter than its RIFF header says");
  if (end < 20) throw damaged("it holds no image");
  const kept: Uint8Array[] = [];
  let flags: Uint8Array | undefined;
  let exif = false;
  for (let at = 12; at < end;) {
    if (at + 8 > end) throw damaged("a chunk header is cut short");
    const type = text(at, at + 4);
    const size = view.getUint32(at + 4, true);
    const next = at + 8 + size + (size & 1);
    if (at + 8 + size > end) throw damaged(`a ${typed(type, "chunk")} is cut short`);
    if (at === 12 && !IMAGE_CHUNKS.has(type)) throw damaged("it does not start with an image");
    // A last chunk of odd size may lack its padding byte: it gets one.
    const whole = next <= end
      ? bytes.subarray(at, next)
      : concat([bytes.subarray(at, end), new Uint8Array(1)]);
    if (type === "EXIF") {
      // The TIFF block, sometimes after an "Exif\0\0" prefix as in a JPEG.
      const copy = whole.slice();
      const skip = text(at + 8, at + 14) === "Exif\0\0" ? 6 : 0;
      if (removeGps(copy.subarray(8 + skip, 8 + size))) {
        kept.push(copy);
        exif = true;
      }
    } else if (type === "VP8X") {
      if (size < 10) throw damaged("its VP8X chunk is too short");
      const copy = whole.slice();
      flags = copy.subarray(8, 9);
      kept.push(copy);
    } else if (type !== "XMP ") {
      kept.push(whole);
    }
    at = next;
  }
  // The flags say which metadata chunks follow: no XMP now, and EXIF only if it was kept.
  if (flags !== undefined) flags[0] = flags[0]! & ~FLAG_XMP & ~(exif ? 0 : FLAG_EXIF);
  const body = concat(kept);
  const header = new Uint8Array(12);
  header.set(bytes.subarray(0, 12));
  new DataView(header.buffer).setUint32(4, 4 + body.length, true);
  return concat([header, body]);
}
