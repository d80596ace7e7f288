/**
 * Location removal for every type a mission takes, before a file is stored.
 * A JPEG streams through a `JpegStripper`, which rewrites its head (media.ts)
 * and keeps nothing after its first image's end; a PNG, WebP or HEIC
 * photo is rewritten whole (photos are capped at a few MB); a video streams
 * through a `MovieStripper`, which holds only its metadata boxes. Each throws
 * only MediaError, for a file that is damaged or cut short.
 */
import type { MediaType } from "./media.ts";
import { stripHeic } from "./strip_bmff.ts";
import { stripPng } from "./strip_png.ts";
import { stripWebp } from "./strip_webp.ts";

export { MovieStripper } from "./strip_bmff.ts";
export { JpegStripper } from "./strip_jpeg.ts";
export { MediaError } from "./strip_error.ts";

/** The types rewritten whole by `stripPhoto`. */
export type WholePhoto = "image/png" | "image/webp" | "image/heic";

export const isWholePhoto = (type: MediaType): type is WholePhoto =>
  type === "image/png" || type === "image/webp" || type === "image/heic";

/** The photo without its location metadata; throws MediaError for a damaged one. */
export function stripPhoto(type: WholePhoto, bytes: Uint8Array): Uint8Array {
  if (type === "image/png") return stripPng(bytes);
  if (type === "image/webp") return stripWebp(bytes);
  return stripHeic(bytes);
}
