/**
 * A file on disk as a `Blob` that reads nothing until its body is read, and
 * then streams it from disk: on Deno, which has no lazy file (Bun has
 * `Bun.file`), a Blob of the bytes read every uploaded file whole into memory
 * for each request. The listener on Deno answers a byte range of such a body
 * (`diskFileOf`), as Bun.serve does for its own files: a file's response is
 * made by `fileResponse`, which remembers its file, so that telling it from
 * any other response never reads `response.body` (on Deno that getter turns a
 * string or bytes body into a stream, which Deno then sends more slowly).
 */
import { readFileSync } from "node:fs";
import { open, readFile } from "node:fs/promises";

/** The bytes one read takes from disk. */
const CHUNK = 64 * 1024;

/** The file of each response `fileResponse` made from a DiskFile. */
const responses = new WeakMap<Response, DiskFile>();

/** A file on disk, read only when its body is. */
export class DiskFile extends Blob {
  readonly path: string;
  private readonly length: number;
  private readonly kind: string;

  constructor(path: string, size: number, type = "") {
    super([]);
    this.path = path;
    this.length = size;
    this.kind = type;
  }

  override get size(): number {
    return this.length;
  }

  override get type(): string {
    return this.kind;
  }

  /** The whole file as a stream, read from disk as the reader takes it. */
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return readRange(this.path, 0, this.length);
  }

  // Whoever asks for the bytes at once gets them read from disk.
  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await readFile(this.path));
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  override async text(): Promise<string> {
    return await readFile(this.path, "utf8");
  }

  override slice(start?: number, end?: number, type?: string): Blob {
    return new Blob([readFileSync(this.path)]).slice(start, end, type);
  }
}

/**
 * A response whose body is a file (Bun's, or a DiskFile, which `diskFileOf` then gives), with its
 * length: a HEAD says it without reading the file (http/_head.ts counts a body it is not told).
 */
export function fileResponse(
  file: Blob,
  init: { status?: number; headers: Record<string, string> },
): Response {
  const headers = { "content-length": String(file.size), ...init.headers };
  const response = new Response(file, { ...init, headers });
  if (file instanceof DiskFile) responses.set(response, file);
  return response;
}

/** The DiskFile a response's body streams, if `fileResponse` made it from one. */
export function diskFileOf(response: Response): DiskFile | undefined {
  return responses.get(response);
}

/**
 * Bytes `start` to `end` (exclusive) of a file as a stream: the file is opened
 * at the first read, read a chunk at a time, and closed at the end or when the
 * reader cancels.
 */
export function readRange(
  path: string,
  start: number,
  end: number,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let file: Awaited<ReturnType<typeof open>> | undefined;
  let position = start;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      file ??= await open(path, "r");
      const want = Math.min(CHUNK, end - position);
      const chunk = new Uint8Array(want);
      const { bytesRead } = want > 0 ? await file.read(chunk, 0, want, position) : { bytesRead: 0 };
      position += bytesRead;
      if (bytesRead > 0) controller.enqueue(bytesRead === want ? chunk : chunk.slice(0, bytesRead));
      if (bytesRead === 0 || position >= end) {
        await file.close();
        controller.close();
      }
    },
    async cancel() {
      await file?.close();
    },
  });
}
