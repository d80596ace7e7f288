/**
 * Reading a JSON request body safely: at most 64 KiB, read before any
 * handler logic runs (whatever Content-Length claims, and for chunked bodies
 * too), valid UTF-8, valid JSON with only well-formed text (no lone
 * surrogate), and matching a strict valibot schema, so that unknown fields
 * are refused. Every failure is an ApiError: the one
 * `onError` turns it into the envelope.
 */
import type { Context } from "hono";
import * as v from "valibot";
import { ApiError, type Outcome, refusal } from "./errors.ts";

export const BODY_LIMIT = 64 * 1024;

/** The body of a POST that needs no data: empty, or `{}`. */
export const EmptyBody = v.strictObject({});

const decoder = new TextDecoder("utf-8", { fatal: true });

const UNREADABLE = "The request body could not be read";

/**
 * The raw body, or an ApiError for one that is too large. A body of declared
 * length is the server's own promise of its bytes, passed on as it is: one
 * await for the caller, and no more (a guess reads its body this way).
 */
function readLimited(request: Request): Promise<ArrayBuffer | Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > BODY_LIMIT) {
    return Promise.reject(new ApiError("payload_too_large"));
  }
  // With a declared length the server's framing stops the body there, so it can be read
  // whole, natively; only a chunked body is counted as it arrives. The declared path never
  // touches `request.body`: on Bun that getter builds a ReadableStream, which cost a guess
  // more CPU than reading the bytes did (see docs/performance.md).
  if (declared !== null && !request.headers.has("transfer-encoding")) {
    return request.arrayBuffer();
  }
  return readChunked(request);
}

/** A body without a declared length, counted as it arrives: at most BODY_LIMIT bytes. */
async function readChunked(request: Request): Promise<Uint8Array> {
  const body = request.body;
  if (body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      throw new ApiError("bad_request", UNREADABLE);
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > BODY_LIMIT) {
      void reader.cancel().catch(() => {});
      throw new ApiError("payload_too_large");
    }
    chunks.push(chunk.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The body as text: at most 64 KiB, and valid UTF-8, or a 400 or 413. */
async function readText(request: Request): Promise<string> {
  let bytes: ArrayBuffer | Uint8Array;
  try {
    bytes = await readLimited(request);
  } catch (error) {
    throw error instanceof ApiError ? error : new ApiError("bad_request", UNREADABLE);
  }
  return decodeText(bytes);
}

/** UTF-8 bytes as text, or a 400 for bytes that are not valid UTF-8. */
function decodeText(bytes: ArrayBuffer | Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ApiError("bad_request", "The request body is not valid UTF-8");
  }
}

/**
 * Parses and validates a JSON body. An empty body counts as `{}`, so a POST
 * that needs no data accepts it.
 */
export function readJson<S extends v.GenericSchema>(
  c: Context,
  schema: S,
): Promise<v.InferOutput<S>> {
  return readRequestJson(c.req.raw, schema);
}

/** `readJson` over a plain Request, with the same checks (the hot routes have no Context). */
export async function readRequestJson<S extends v.GenericSchema>(
  request: Request,
  schema: S,
): Promise<v.InferOutput<S>> {
  let bytes: ArrayBuffer | Uint8Array;
  try {
    bytes = await readLimited(request);
  } catch (error) {
    throw error instanceof ApiError ? error : new ApiError("bad_request", UNREADABLE);
  }
  const text = decodeText(bytes);
  let data: unknown = {};
  if (text.trim() !== "") {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError("bad_request", "The request body is not valid JSON");
    }
  }
  // valibot's objects accept arrays; a body must be a plain JSON object.
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ApiError("bad_request", "The request body must be a JSON object");
  }
  // Valid UTF-8 holds no lone surrogate, but a JSON escape can write one ("\ud800"); SQLite
  // would store it as U+FFFD, so two such names could pass the engine and collide on disk.
  if (text.includes("\\u")) {
    const path = malformedText(data);
    if (path !== undefined) {
      throw new ApiError(
        "bad_request",
        `Field "${path}": The text is not well-formed Unicode (it has a lone surrogate)`,
      );
    }
  }
  return validate(schema, data);
}

/**
 * The path of the first key or string in parsed JSON that is not well-formed
 * Unicode, if any. Walked with a stack of its own, and the path built only for
 * what it finds: a 64 KiB body can nest 32,000 levels deep.
 */
function malformedText(data: object): string | undefined {
  interface Step {
    value: unknown;
    key: string;
    parent: Step | undefined;
  }
  const pathOf = (step: Step): string => {
    const keys: string[] = [];
    for (let at: Step | undefined = step; at?.parent !== undefined; at = at.parent) {
      keys.push(at.key.toWellFormed());
    }
    return keys.reverse().join(".");
  };
  const stack: Step[] = [{ value: data, key: "", parent: undefined }];
  for (let step = stack.pop(); step !== undefined; step = stack.pop()) {
    const { value } = step;
    if (typeof value === "string") {
      if (!value.isWellFormed()) return pathOf(step);
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    // Pushed last to first, so the first field is looked at first.
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      const child = { value: item, key, parent: step };
      if (!key.isWellFormed()) return pathOf(child);
      stack.push(child);
    }
  }
  return undefined;
}

/** Validates data (a parsed JSON body) against a strict schema, or throws a 400. */
export function validate<S extends v.GenericSchema>(schema: S, data: unknown): v.InferOutput<S> {
  const result = check(schema, data);
  if (!result.ok) throw new ApiError(result.code, result.message);
  return result.reply;
}

/** Checks data (a form's fields) against a strict schema: the output, or a `bad_request` refusal. */
export function check<S extends v.GenericSchema>(
  schema: S,
  data: unknown,
): Outcome<v.InferOutput<S>> {
  const result = v.safeParse(schema, data);
  return result.success
    ? { ok: true, reply: result.output }
    : refusal("bad_request", describeIssue(result.issues[0]));
}

/**
 * Reads an HTML form post (application/x-www-form-urlencoded), at most 64 KiB
 * of valid UTF-8. Each field keeps its first value.
 */
export async function readForm(c: Context): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new ApiError("bad_request", "Send the form as application/x-www-form-urlencoded");
  }
  const text = await readText(c.req.raw);
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (!Object.hasOwn(fields, key)) fields[key] = value;
  }
  return fields;
}

/** One sentence for the first problem, naming the field. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = issue.path?.map((item) => String(item.key)).join(".");
  if (issue.type === "strict_object" && issue.expected === "never") {
    return `Unknown field "${path}"`;
  }
  if (issue.type === "strict_object" && issue.received === "undefined") {
    return `Missing field ${issue.expected}`;
  }
  if (issue.type === "object" || (issue.type === "strict_object" && path === undefined)) {
    return "The request body must be a JSON object";
  }
  // A form's number field holding words (Number("ten") is NaN; JSON has no NaN): say so plainly.
  if (issue.expected === "number" && issue.received === "NaN") {
    return path ? `Field "${path}": give a number` : "Give a number";
  }
  return path ? `Field "${path}": ${issue.message}` : issue.message;
}
