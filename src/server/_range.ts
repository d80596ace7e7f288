/**
 * Byte ranges of files on Deno, answered as Bun.serve answers them for a
 * `Bun.file` body (Safari plays a <video> only from a server that does): one
 * range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) gets 206 with its bytes, read
 * from disk; a range past the end gets 416; anything else (several ranges, a
 * malformed header, an `If-Range` that does not hold, HEAD) gets the whole
 * file, as if no range was asked.
 */
import { diskFileOf, readRange } from "../store/mod.ts";

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`: one range, in bytes. */
const RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * The response to a GET: `response` itself unless its body is a DiskFile's;
 * then the range asked for, or the whole file with its length, as Bun sends it.
 */
export function answerRange(request: Request, response: Response): Response {
  if (response.status !== 200) return response;
  const file = diskFileOf(response);
  if (file === undefined) return response;
  if (!ifRangeHolds(request, response)) return whole(response, file.size);
  const match = RANGE.exec(request.headers.get("range") ?? "");
  const [, from = "", to = ""] = match ?? [];
  if (from === "" && to === "") return whole(response, file.size);
  const size = file.size;
  let start: number;
  let end: number; // inclusive
  if (from === "") {
    // The last n bytes (all of them when n is larger than the file).
    start = Math.max(0, size - Number(to));
    end = size - 1;
    if (Number(to) === 0) return unsatisfiable(response, size);
  } else {
    start = Number(from);
    end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
    if (to !== "" && Number(to) < start) return whole(response, size);
    if (start >= size) return unsatisfiable(response, size);
  }
  // The whole file's stream is not read: its file was never opened.
  void response.body?.cancel();
  const headers = new Headers(response.headers);
  headers.set("accept-ranges", "bytes");
  headers.set("content-range", `bytes ${start}-${end}/${size}`);
  headers.set("content-length", String(end - start + 1));
  return new Response(readRange(file.path, start, end + 1), { status: 206, headers });
}

/**
 * Whether a range may be answered under `If-Range` (RFC 9110, 13.1.5): with
 * none, or an empty one, yes; otherwise only for the response's own strong
 * ETag, as Bun.serve decides. A date, a weak or another ETag asks for a copy
 * the client kept of an earlier file, so it gets the whole file, not a piece
 * of this one to splice onto it (Cairn's files carry no ETag, so only the
 * whole file).
 */
function ifRangeHolds(request: Request, response: Response): boolean {
  const condition = request.headers.get("if-range") ?? "";
  if (condition === "") return true;
  return condition.startsWith('"') && condition === response.headers.get("etag");
}

/** The whole file, with its length (a streamed body is sent chunked without it). */
function whole(response: Response, size: number): Response {
  if (!response.headers.has("content-length")) {
    response.headers.set("content-length", String(size));
  }
  return response;
}

function unsatisfiable(response: Response, size: number): Response {
  void response.body?.cancel();
  const headers = new Headers(response.headers);
  headers.set("accept-ranges", "bytes");
  headers.set("content-range", `bytes */${size}`);
  headers.set("content-length", "0");
  return new Response(null, { status: 416, headers });
}
