/**
 * Location removal for a JPEG as it streams. Its head (everything before the
 * image data) is held and rewritten by `stripJpegLocation`; the image data
 * then streams through, read marker by marker up to the first image's end
 * (EOI). Nothing after that end is kept: phones append a second image there
 * (MPF, "motion photos" with their video), and it carries its own EXIF and
 * XMP. Between scans, application and comment blocks are dropped too.
 */
import { concat, stripJpegLocation } from "./media.ts";
import { MediaError } from "./strip_error.ts";

/** A JPEG's head must fit in its first MiB (EXIF itself is at most 64 KiB). */
export const JPEG_HEAD_BYTES = 1_048_576;

const CUT_SHORT = "The photo is not a valid JPEG: it is cut short";
const FF = Uint8Array.of(0xff);

/**
 * Where the reader is: in the head, in image data (looking for a marker), just
 * after an 0xFF, in a block's 2-byte length, inside a block, or past the end.
 */
type Phase = "head" | "data" | "marker" | "length" | "block" | "end";

/**
 * Removes a JPEG's location as it streams: `push` takes the next bytes and
 * gives what can be written, `finish` checks that the image ended. Holds at
 * most the head; throws MediaError for a damaged or truncated photo.
 */
export class JpegStripper {
  private phase: Phase = "head";
  private head: Uint8Array[] = [];
  private headSize = 0;
  /** The head's length the next attempt to rewrite it needs. */
  private need = 0;
  /** In a block: whether it is written, its length's first byte, and its bytes still to pass. */
  private keep = true;
  private lengthHigh = -1;
  private left = 0;
  /** Whether the last chunk ended with an 0xFF whose marker is not known yet. */
  private held = false;

  /** The bytes it holds in memory: the head, until it is rewritten. */
  get heldBytes(): number {
    return this.phase === "head" ? this.headSize : 0;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.phase !== "head") return this.data(chunk);
    this.head.push(chunk);
    this.headSize += chunk.length;
    if (this.headSize < this.need) return [];
    const head = this.head.length === 1 ? this.head[0]! : concat(this.head);
    this.head = [head];
    const result = stripJpegLocation(head);
    if (!result.ok) {
      if (result.kind === "damaged") throw new MediaError(result.message);
      if (this.headSize >= JPEG_HEAD_BYTES) {
        throw new MediaError("The photo's metadata is too large");
      }
      this.need = result.need;
      return [];
    }
    // The rewritten head, then the image data from its start-of-scan marker on.
    this.head = [];
    this.phase = "data";
    return [result.bytes, ...this.data(head.subarray(result.scan))];
  }

  /** Checks the end: the first image must have ended. */
  finish(): void {
    if (this.phase !== "end") throw new MediaError(CUT_SHORT);
  }

  /** Reads image data and the blocks between scans; gives the bytes kept. */
  private data(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const dropping = this.phase === "end" ||
      ((this.phase === "length" || this.phase === "block") && !this.keep);
    // Where the run of kept bytes in this chunk starts, or -1 while dropping.
    let from = dropping ? -1 : 0;
    const cut = (to: number) => {
      if (from >= 0 && to > from) out.push(chunk.subarray(from, to));
      from = -1;
    };
    let at = 0;
    while (at < chunk.length && this.phase !== "end") {
      switch (this.phase) {
        case "data": {
          // Image data: an 0xFF starts stuffing (FF00), a restart (FFD0-D7) or a marker.
          const ff = chunk.indexOf(0xff, at);
          at = ff < 0 ? chunk.length : ff + 1;
          if (ff >= 0) this.phase = "marker";
          break;
        }
        case "marker": {
          const marker = chunk[at]!;
          const drop = (marker >= 0xe0 && marker <= 0xef) || marker === 0xfe;
          // The 0xFF before it, when it ended the last chunk, is written now unless its block is dropped.
          if (at === 0 && this.held && !drop) out.push(FF);
          this.held = false;
          if (drop) cut(Math.max(at - 1, 0));
          at++;
          if (marker === 0x00 || (marker >= 0xd0 && marker <= 0xd7)) {
            this.phase = "data";
          } else if (marker === 0xff) {
            // A fill byte: this one may start the marker.
          } else if (marker === 0xd9) {
            // The first image's end: nothing after it is kept.
            cut(at);
            this.phase = "end";
          } else if (marker === 0xd8 || marker === 0x01) {
            throw new MediaError("The photo is not a valid JPEG");
          } else {
            // A block with a length; application data and comments are dropped.
            this.keep = !drop;
            this.lengthHigh = -1;
            this.phase = "length";
          }
          break;
        }
        case "length": {
          if (this.lengthHigh < 0) {
            this.lengthHigh = chunk[at++]!;
            break;
          }
          const length = (this.lengthHigh << 8) | chunk[at++]!;
          if (length < 2) throw new MediaError("The photo is not a valid JPEG");
          this.left = length - 2;
          this.phase = "block";
          break;
        }
        case "block": {
          const take = Math.min(this.left, chunk.length - at);
          this.left -= take;
          at += take;
          break;
        }
      }
      // After a block: the next marker, or (after a start of scan) its image data.
      if (this.phase === "block" && this.left === 0) {
        this.phase = "data";
        if (!this.keep) from = at;
      }
    }
    // An 0xFF ending the chunk waits for its marker's byte.
    if (this.phase === "marker") {
      cut(chunk.length - 1);
      this.held = true;
    } else {
      cut(chunk.length);
    }
    return out;
  }
}
