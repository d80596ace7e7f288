/**
 * Reading a mission upload: a multipart/form-data body read as a stream, never
 * whole. The one file part goes to the store's sink as it arrives, counted
 * against the cap, its type sniffed from its first bytes and its location
 * removed (strip.ts: a JPEG's head as it streams, and nothing after its first
 * image's end; a PNG, WebP or HEIC photo whole once received; a video's
 * metadata boxes as they pass); a `text` part
 * is kept (small). A file whose structure is damaged or cut short is refused.
 * Any failure aborts the sink, so nothing is half-stored. A failure of the
 * sink itself (a full disk) is the server's: 503, which a phone's outbox
 * sends again, never the 400 of a body that could not be read, which it
 * drops. What the upload
 * holds in memory is held against the server's budget (`hold`, upload_gate.ts)
 * as it grows, and an upload that sends nothing for `idleMs` is refused.
 */
import { Buffer } from "node:buffer";
import type { UploadSink } from "../store/mod.ts";
import { type Outcome, type Refusal, refusal } from "./errors.ts";
import { concat, type MediaType, sniff, SNIFF_BYTES } from "./media.ts";
import { isWholePhoto, JpegStripper, MediaError, MovieStripper, stripPhoto } from "./strip.ts";
import { stalledRefusal } from "./upload_gate.ts";

const MAX_HEADER_BYTES = 8_192;

/** What an upload held. */
export interface UploadFields {
  file?: { hash: string; type: MediaType; size: number };
  text?: string;
}

export interface UploadOptions {
  /** The largest file taken, in bytes. */
  maxBytes: number;
  /** What a file over `maxBytes` is told: the cap it is over, or the quota left (`tooLargeText`). */
  tooLarge: string;
  /** The largest text taken, in characters. */
  maxText: number;
  /** "image" or "video": what the mission takes (a file of the other kind is refused at once). */
  accept: "image" | "video" | "text";
  begin: () => Promise<UploadSink>;
  /**
   * Holds the bytes the upload keeps in memory, in all, against the server's
   * budget; or the refusal (its team's share, 429, or the budget, 503) that
   * the upload then ends with.
   */
  hold?: (bytes: number) => Refusal | undefined;
  /** The body's declared length: a photo held whole holds that much (up to `maxBytes`) at once. */
  declared?: number;
  /** How long to wait for the next bytes before the upload is refused (408), in ms. */
  idleMs?: number;
  /** Told whenever bytes arrive (the runtime's own idle timer is pushed back). */
  onBytes?: () => void;
  /** Told why the sink failed (the disk is full), before the upload is refused with 503. */
  onStoreFailure?: (error: unknown) => void;
}

/** Seconds a phone waits before sending again an upload the server could not store. */
export const STORE_RETRY_SECONDS = 10;

/** Thrown by a read that waited `idleMs` for bytes in vain. */
class Stalled extends Error {}

/** Thrown when the sink (the uploads folder) fails: the server's fault, not the request's. */
class StoreFailed extends Error {
  constructor(readonly reason: unknown) {
    super("The upload could not be stored");
  }
}

/** Runs a step of the sink, telling its failure apart from the body's. */
async function storing<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new StoreFailed(error);
  }
}

/** The sink, each of whose failures is a `StoreFailed`. */
function guarded(sink: UploadSink): UploadSink {
  return {
    write: (chunk) => storing(() => sink.write(chunk)),
    finish: () => storing(() => sink.finish()),
    abort: () => sink.abort(),
  };
}

const UNITS = [["GB", 1_073_741_824], ["MB", 1_048_576], ["KB", 1_024]] as const;

/** A size for people: "15 MB", "1.4 MB", "900 KB"; rounded down, so it never claims more than there is. */
export function sizeText(bytes: number): string {
  for (const [unit, size] of UNITS) {
    if (bytes < size) continue;
    // Tenths of a MB or GB; whole KB.
    const tenths = unit === "KB" ? 1 : 10;
    return `${Math.floor((bytes * tenths) / size) / tenths} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** The refusal of any upload once the team's quota is used up. */
export const QUOTA_USED = "Your team has used its upload quota";

/** The refusal of a file over `maxBytes`, naming the limit it is over: the cap, or the quota left. */
export function tooLargeText(maxBytes: number, by: "cap" | "quota"): string {
  return by === "cap"
    ? `The file is larger than ${sizeText(maxBytes)}`
    : `Your team has ${sizeText(maxBytes)} of its upload quota left`;
}

/** The boundary of a multipart/form-data Content-Type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const match = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(
    contentType,
  );
  return match?.[1] ?? match?.[2];
}

/** Reads a multipart upload from `body`: at most one file and one `text` field. */
export async function readUpload(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  options: UploadOptions,
): Promise<Outcome<UploadFields>> {
  const reader = body.getReader();
  const parser = new MultipartReader({ read: timedRead(reader, options) }, boundary);
  let sink: UploadSink | undefined;
  try {
    const fields: UploadFields = {};
    let type: MediaType | undefined;
    for (;;) {
      const part = await parser.nextPart();
      if (part.kind === "error") return part.refusal;
      if (part.kind === "end") break;
      if (part.name === "file" && part.filename !== undefined) {
        if (sink !== undefined) {
          return refusal("bad_request", "Send one file per submission");
        }
        if (/[/\\]|^\.\.?$/.test(part.filename) || part.filename.includes("\0")) {
          return refusal("bad_request", "The file name must not contain a path");
        }
        if (options.accept === "text") {
          return refusal("bad_request", "This mission takes a text, not a file");
        }
        sink = guarded(await storing(options.begin));
        let stored: Outcome<MediaType>;
        try {
          stored = await storeFile(parser, sink, options);
        } catch (error) {
          if (error instanceof MediaError) return refusal("bad_request", error.message);
          throw error;
        }
        if (!stored.ok) return stored;
        type = stored.reply;
      } else if (part.name === "text" && part.filename === undefined) {
        const text = await parser.readText(options.maxText * 4);
        if (!text.ok) return text;
        if ([...text.reply].length > options.maxText) {
          return refusal("bad_request", `A text is at most ${options.maxText} characters`);
        }
        // A blank text says nothing a judge could accept, yet would wait for one and block the next.
        if (options.accept === "text" && text.reply.trim() === "") {
          return refusal("bad_request", "The text is empty");
        }
        fields.text = text.reply;
      } else if (part.name === "file") {
        return refusal("bad_request", 'The "file" part is not a file: it has no file name');
      } else if (part.name === "text") {
        return refusal("bad_request", 'The "text" part must be a text, not a file');
      } else {
        return refusal(
          "bad_request",
          `Unknown field "${part.name.slice(0, 32)}": send "file" or "text"`,
        );
      }
    }
    // The file is made durable only once the whole body has been read and found sound.
    if (sink !== undefined && type !== undefined) {
      const done = sink;
      sink = undefined;
      const { hash, size } = await done.finish();
      fields.file = { hash, type, size };
    }
    return { ok: true, reply: fields };
  } catch (error) {
    if (error instanceof Stalled) return stalledRefusal(options.idleMs!);
    if (error instanceof StoreFailed) {
      options.onStoreFailure?.(error.reason);
      return refusal(
        "unavailable",
        "The server cannot store the file right now; try again",
        STORE_RETRY_SECONDS,
      );
    }
    return refusal("bad_request", "The upload could not be read");
  } finally {
    if (sink !== undefined) await sink.abort();
    void reader.cancel().catch(() => {});
  }
}

/**
 * Reads with `reader`, but waits at most `idleMs` for each read's bytes
 * (throwing Stalled), and tells `onBytes` when some arrive.
 */
function timedRead(
  reader: ByteReader,
  { idleMs, onBytes }: Pick<UploadOptions, "idleMs" | "onBytes">,
): ByteReader["read"] {
  return async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const result = idleMs === undefined ? await reader.read() : await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Stalled()), idleMs)),
      ]);
      if (!result.done) onBytes?.();
      return result;
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Streams the current part into the sink (not yet finished): sniffed, its location removed,
 * counted against the cap, and what it holds in memory held against the budget.
 */
async function storeFile(
  parser: MultipartReader,
  sink: UploadSink,
  options: UploadOptions,
): Promise<Outcome<MediaType>> {
  try {
    return await streamFile(parser, sink, options);
  } finally {
    // Whatever it held is garbage now: the budget has it back at once, before the sink finishes.
    options.hold?.(0);
  }
}

async function streamFile(
  parser: MultipartReader,
  sink: UploadSink,
  options: UploadOptions,
): Promise<Outcome<MediaType>> {
  let head: Uint8Array[] = [];
  let headSize = 0;
  let type: MediaType | undefined;
  let received = 0;
  /** A PNG, WebP or HEIC photo, held whole until its end (the photo cap bounds it). */
  let photo: Uint8Array[] | undefined;
  let jpeg: JpegStripper | undefined;
  let movie: MovieStripper | undefined;
  /** What a photo held whole will hold: its declared length, up to the cap. */
  let promised = 0;
  /** Holds what is in memory now against the budget: the refusal when it cannot. */
  const held = () => {
    const bytes = photo !== undefined
      ? Math.max(received, promised)
      : (jpeg?.heldBytes ?? movie?.heldBytes ?? headSize);
    return options.hold?.(bytes);
  };
  /** Writes bytes once the type is known: held, or streamed through the JPEG or video stripper. */
  const write = async (bytes: Uint8Array) => {
    if (photo !== undefined) photo.push(bytes);
    else if (jpeg !== undefined) await writeAll(sink, jpeg.push(bytes));
    else await writeAll(sink, movie!.push(bytes));
  };

  /** Decides the type from the first bytes, picks how its location is removed, and writes them. */
  const flushHead = async (): Promise<Outcome<true>> => {
    const bytes = Buffer.concat(head);
    type = sniff(bytes.subarray(0, SNIFF_BYTES));
    if (type === undefined) {
      return refusal(
        "bad_request",
        options.accept === "video"
          ? "This mission takes an MP4 or MOV video"
          : "This mission takes a JPEG, PNG, HEIC or WebP photo",
      );
    }
    if (type.startsWith("video/") !== (options.accept === "video")) {
      return refusal(
        "bad_request",
        `This mission takes a ${options.accept === "video" ? "video" : "photo"}`,
      );
    }
    if (type === "image/jpeg") jpeg = new JpegStripper();
    else if (isWholePhoto(type)) {
      photo = [];
      promised = Math.min(options.declared ?? 0, options.maxBytes);
    } else movie = new MovieStripper();
    await write(bytes);
    head = [];
    return held() ?? { ok: true, reply: true };
  };

  for (;;) {
    const chunk = await parser.readBody();
    if (chunk.kind === "error") return chunk.refusal;
    if (chunk.kind === "end") break;
    received += chunk.bytes.byteLength;
    if (received > options.maxBytes) return refusal("payload_too_large", options.tooLarge);
    if (type !== undefined) {
      await write(chunk.bytes);
      const refused = held();
      if (refused !== undefined) return refused;
      continue;
    }
    head.push(chunk.bytes);
    headSize += chunk.bytes.byteLength;
    if (headSize < SNIFF_BYTES) continue;
    const flushed = await flushHead();
    if (!flushed.ok) return flushed;
  }
  if (received === 0) return refusal("bad_request", "The file is empty");
  if (type === undefined) {
    const flushed = await flushHead();
    if (!flushed.ok) return flushed;
  }
  // The end: a JPEG must have ended, a held photo is rewritten whole (its parts let go of as they
  // are joined), a video's last boxes are checked.
  jpeg?.finish();
  if (photo !== undefined && isWholePhoto(type!)) {
    await sink.write(stripPhoto(type, concat(photo.splice(0))));
  }
  if (movie !== undefined) await writeAll(sink, movie.finish());
  return { ok: true, reply: type! };
}

async function writeAll(sink: UploadSink, parts: Uint8Array[]): Promise<void> {
  for (const part of parts) await sink.write(part);
}

/** What the multipart parser reads from. */
interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
}

type Part =
  | { kind: "part"; name: string; filename?: string }
  | { kind: "end" }
  | { kind: "error"; refusal: ReturnType<typeof refusal> };

type BodyChunk =
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "end" }
  | { kind: "error"; refusal: ReturnType<typeof refusal> };

const TRUNCATED = () => refusal("bad_request", "The upload ended before its closing boundary");

/**
 * A pull parser over a multipart stream: `nextPart()` reads up to a part's
 * headers, `readBody()` gives its bytes chunk by chunk up to the next
 * boundary (holding back only what could be the start of one).
 */
class MultipartReader {
  private buffer: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly delimiter: Buffer;
  private state: "start" | "headers" | "body" | "end" = "start";

  constructor(
    private readonly reader: ByteReader,
    boundary: string,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  /** Moves to the next part's headers (skipping what is left of the current part's body). */
  async nextPart(): Promise<Part> {
    if (this.state === "body") {
      for (;;) {
        const chunk = await this.readBody();
        if (chunk.kind === "error") return chunk;
        if (chunk.kind === "end") break;
      }
    }
    if (this.state === "end") return { kind: "end" };
    if (this.state === "start") {
      // The first boundary has no CRLF before it; a preamble may precede it.
      const first = this.delimiter.subarray(2);
      const found = await this.find(first, 4_096);
      if (found < 0) {
        return {
          kind: "error",
          refusal: refusal("bad_request", "The upload has no multipart boundary"),
        };
      }
      this.buffer = this.buffer.subarray(found + first.length);
      this.state = "headers";
      const after = await this.afterBoundary();
      if (after !== undefined) return after;
    }
    // Headers end at an empty line.
    const end = await this.find(Buffer.from("\r\n\r\n"), MAX_HEADER_BYTES);
    if (end < 0) {
      return {
        kind: "error",
        refusal: this.done ? TRUNCATED() : refusal("bad_request", "A part's headers are too long"),
      };
    }
    const headers = this.buffer.subarray(0, end).toString("utf8");
    this.buffer = this.buffer.subarray(end + 4);
    this.state = "body";
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers)?.[1];
    const name = disposition && /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined || name === "") {
      return { kind: "error", refusal: refusal("bad_request", "A part has no form-data name") };
    }
    const filename = /\bfilename="([^"]*)"/i.exec(disposition!)?.[1];
    return { kind: "part", name, ...(filename !== undefined && { filename }) };
  }

  /** The next bytes of the current part's body, or its end. */
  async readBody(): Promise<BodyChunk> {
    if (this.state !== "body") return { kind: "end" };
    for (;;) {
      const at = this.buffer.indexOf(this.delimiter);
      if (at >= 0) {
        const bytes = this.buffer.subarray(0, at);
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        this.state = "headers";
        const after = await this.afterBoundary();
        if (after?.kind === "error") return after;
        // The state has moved on: the next call answers the end.
        return bytes.byteLength > 0 ? { kind: "bytes", bytes } : { kind: "end" };
      }
      // Everything but a possible partial delimiter at the end is body.
      const safe = this.buffer.byteLength - (this.delimiter.length - 1);
      if (safe > 0) {
        const bytes = this.buffer.subarray(0, safe);
        this.buffer = this.buffer.subarray(safe);
        return { kind: "bytes", bytes };
      }
      if (this.done) return { kind: "error", refusal: TRUNCATED() };
      await this.pull();
    }
  }

  /** Reads text up to `maxBytes` bytes. */
  async readText(maxBytes: number): Promise<Outcome<string>> {
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const chunk = await this.readBody();
      if (chunk.kind === "error") return chunk.refusal;
      if (chunk.kind === "end") break;
      size += chunk.bytes.byteLength;
      if (size > maxBytes) return refusal("bad_request", "The text is too long");
      parts.push(chunk.bytes);
    }
    try {
      return {
        ok: true,
        reply: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(parts)),
      };
    } catch {
      return refusal("bad_request", "The text is not valid UTF-8");
    }
  }

  /** After a boundary: `--` ends the body, CRLF starts a part. */
  private async afterBoundary(): Promise<Part | undefined> {
    while (this.buffer.byteLength < 2 && !this.done) await this.pull();
    if (this.buffer.byteLength < 2) return { kind: "error", refusal: TRUNCATED() };
    const next = this.buffer.subarray(0, 2).toString("latin1");
    this.buffer = this.buffer.subarray(2);
    if (next === "--") {
      this.state = "end";
      return undefined;
    }
    if (next !== "\r\n") {
      return {
        kind: "error",
        refusal: refusal("bad_request", "The upload's multipart framing is not valid"),
      };
    }
    return undefined;
  }

  /** The index of `needle` in the buffer, reading until found, `limit` bytes, or the end. */
  private async find(needle: Buffer, limit: number): Promise<number> {
    for (;;) {
      const at = this.buffer.indexOf(needle);
      if (at >= 0) return at;
      if (this.done || this.buffer.byteLength > limit) return -1;
      await this.pull();
    }
  }

  private async pull(): Promise<void> {
    const { done, value } = await this.reader.read();
    if (done || value === undefined) {
      this.done = true;
      return;
    }
    this.buffer = this.buffer.byteLength === 0
      ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      : Buffer.concat([this.buffer, value]);
  }
}
