/**
 * A PNG without location: its eXIf chunk keeps everything but the GPS
 * directory (or goes whole when it cannot be read), and the text chunks that
 * carry XMP or a raw EXIF/XMP profile go. Every chunk's CRC is checked on the
 * way, and a rewritten chunk gets its new one, so the result is a valid PNG.
 */
import { concat, removeGps } from "./media.ts";
import { MediaError } from "./strip_error.ts";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Text-chunk keywords that hold XMP, or EXIF as ImageMagick and ExifTool write it. */
const LOCATION_KEYWORD = /^(XML:com\.adobe\.xmp|Raw profile type (exif|xmp|app1))$/i;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of PNG (and zlib) over `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const damaged = (why: string) => new MediaError(`The photo is not a valid PNG: ${why}`);

/** The PNG without its location metadata; throws MediaError for a damaged or truncated one. */
export function stripPng(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 8 || SIGNATURE.some((byte, i) => bytes[i] !== byte)) {
    throw damaged("no PNG signature");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kept: Uint8Array[] = [bytes.subarray(0, 8)];
  let at = 8;
  let first = true;
  for (;;) {
    if (at + 12 > bytes.length) throw damaged("it ends before its IEND chunk");
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw damaged("a chunk has no valid type");
    if (length > 0x7fffffff || at + 12 + length > bytes.length) {
      throw damaged(`its ${type} chunk is cut short`);
    }
    if (first && type !== "IHDR") throw damaged("it does not start with IHDR");
    first = false;
    const end = at + 12 + length;
    const body = bytes.subarray(at + 4, at + 8 + length);
    if (crc32(body) !== view.getUint32(at + 8 + length)) {
      throw damaged(`its ${type} chunk fails its CRC`);
    }
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === "eXIf") {
      const tiff = data.slice();
      // A block that cannot be read goes whole.
      if (removeGps(tiff)) kept.push(chunk("eXIf", tiff));
    } else if (!(isText(type) && LOCATION_KEYWORD.test(keyword(data)))) {
      kept.push(bytes.subarray(at, end));
    }
    at = end;
    // Whatever follows IEND is not part of the image, and is not kept.
    if (type === "IEND") return concat(kept);
  }
}

const isText = (type: string) => type === "tEXt" || type === "zTXt" || type === "iTXt";

/** A text chunk's keyword: Latin-1 up to its NUL. */
function keyword(data: Uint8Array): string {
  const end = data.indexOf(0);
  return String.fromCharCode(...data.subarray(0, end < 0 ? Math.min(data.length, 80) : end));
}

/** A whole chunk (length, type, data, CRC) around `data`. */
export function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
