/**
 * Compressed answers, for phones on a venue's weak Wi-Fi when no reverse
 * proxy compresses for Cairn: which coding a request's `Accept-Encoding`
 * takes (RFC 9110, 12.5.3), the pages' gzip, and bodies built once (the
 * assets) in gzip and brotli, each made once. `node:zlib` does the work on
 * Bun and on Deno alike.
 */
import type * as Zlib from "node:zlib";

/** A content coding Cairn sends: brotli (the assets only, on Bun) or gzip. */
export type Coding = "br" | "gzip";

/** The request header that names the codings a client takes. */
export const ACCEPT_ENCODING = "accept-encoding";
/** The answer header that names it when the answer's coding depends on it. */
const VARY_HEADER = "vary";

/**
 * The smallest page compressed: below it, a gzip saves a few hundred bytes
 * at most (docs/performance.md, "Compressed pages and assets").
 */
export const PAGE_GZIP_MIN_BYTES = 1024;
/**
 * The pages' gzip level: level 4 gives the bytes of level 6 and 9 within
 * 1 %, at 20–65 % less CPU a page (docs/performance.md).
 */
const PAGE_GZIP_LEVEL = 4;

/** The q-value (0 to 1) a header gives each coding Cairn knows, or undefined where it names none. */
interface Weights {
  br?: number;
  gzip?: number;
  identity?: number;
  any?: number;
}

/** `q=0.5`, `Q=1.000`: a qvalue as RFC 9110 writes it. */
const QVALUE = /^\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*$/i;

/** The weights of the last header parsed: browsers send the same one on every request. */
let last: { header: string; weights: Weights } | undefined;

/** The q-values an `Accept-Encoding` value gives, by coding. */
function weightsOf(header: string): Weights {
  if (last?.header === header) return last.weights;
  const weights: Weights = {};
  for (const item of header.split(",")) {
    const [name = "", ...params] = item.split(";");
    let q = 1;
    for (const param of params) {
      if (!/^\s*q\s*=/i.test(param)) continue;
      const match = QVALUE.exec(param);
      // A malformed weight refuses the coding rather than guessing at it.
      q = match === null ? 0 : Number(match[1]);
    }
    const coding = name.trim().toLowerCase();
    // x-gzip is gzip (RFC 9110, 8.4.1.3); of a coding named twice, the higher weight counts.
    const key = coding === "*" ? "any" : coding === "x-gzip" ? "gzip" : coding;
    if (key === "br" || key === "gzip" || key === "identity" || key === "any") {
      weights[key] = Math.max(weights[key] ?? 0, q);
    }
  }
  last = { header, weights };
  return weights;
}

/**
 * The coding to send an answer in, of those `offered` (best first), or
 * undefined for none: no header, `identity` preferred, or every offered one
 * refused (`gzip;q=0`, `*;q=0`). A coding not named takes the weight of `*`.
 */
export function chooseCoding(
  header: string | null | undefined,
  offered: readonly Coding[],
): Coding | undefined {
  if (header === null || header === undefined || header.trim() === "") return undefined;
  const weights = weightsOf(header);
  let best: Coding | undefined;
  let bestQ = 0;
  for (const coding of offered) {
    const q = weights[coding] ?? weights.any ?? 0;
    if (q > bestQ) [best, bestQ] = [coding, q];
  }
  // Unnamed, identity ranks below every coding the client accepts.
  return best !== undefined && (weights.identity ?? 0) > bestQ ? undefined : best;
}

/** Adds `accept-encoding` to an answer's `vary` header, once. */
export function varyOnEncoding(headers: Headers): void {
  const vary = headers.get(VARY_HEADER);
  if (vary === null) headers.set(VARY_HEADER, ACCEPT_ENCODING);
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) {
    headers.set(VARY_HEADER, `${vary}, ${ACCEPT_ENCODING}`);
  }
}

let loaded: typeof Zlib | undefined;

/**
 * `node:zlib`, loaded by the first answer compressed rather than at start:
 * the module took 8–10 ms to load on Bun here, against a 300 ms start-up budget.
 */
export function zlib(): typeof Zlib {
  return loaded ??= process.getBuiltinModule("node:zlib");
}

/** A page's bytes, gzipped at the pages' level. */
export function gzipPage(bytes: Uint8Array): Uint8Array {
  return zlib().gzipSync(bytes, { level: PAGE_GZIP_LEVEL });
}

/** A body built once and sent as it is or compressed, each coding made once. */
export interface Compressible {
  body: Uint8Array;
  /** The body gzipped (level 9), once a request took gzip. */
  gzip?: Uint8Array;
  /** The body in brotli (quality 11), once made after the first request. */
  br?: Uint8Array;
  /** Settles when `br` is made (or could not be: gzip is sent then). */
  brotli?: Promise<void>;
}

const GZIP_ONLY: readonly Coding[] = ["gzip"];
const BROTLI_FIRST: readonly Coding[] = ["br", "gzip"];

/**
 * A built-once body in the best coding `acceptEncoding` takes, with
 * `headers`: brotli once made, else gzip; its first request starts the brotli.
 */
export function compressedResponse(
  item: Compressible,
  acceptEncoding: string | null | undefined,
  headers: Record<string, string>,
): Response {
  item.brotli ??= brotliOf(item);
  const coding = chooseCoding(acceptEncoding, item.br === undefined ? GZIP_ONLY : BROTLI_FIRST);
  let body = item.body;
  if (coding === "br") body = item.br!;
  else if (coding === "gzip") body = item.gzip ??= zlib().gzipSync(item.body, { level: 9 });
  return new Response(body, {
    headers: {
      ...headers,
      // Said here, for HEAD: its answer has no body for the runtime to count.
      "content-length": String(body.length),
      // Each coding is cached apart: a proxy never hands brotli to a browser that sent no `br`.
      vary: "accept-encoding",
      ...(coding !== undefined && { "content-encoding": coding }),
    },
  });
}

/**
 * Whether built-once bodies are also made in brotli: on Bun, whose zlib makes
 * it off the main thread. Deno's makes it on the main thread, which would hold
 * every request about 100 ms for the stylesheet alone: Deno sends gzip.
 */
export const BROTLI = "Bun" in globalThis;

/**
 * Makes a body's brotli coding (`br`) on zlib's side, off the main thread
 * (about 100 ms for the stylesheet); where that cannot be (`BROTLI`), none.
 */
export function brotliOf(item: Compressible): Promise<void> {
  if (!BROTLI) return Promise.resolve();
  const { brotliCompress, constants } = zlib();
  const params = {
    [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
    [constants.BROTLI_PARAM_SIZE_HINT]: item.body.length,
  };
  return new Promise((resolve) => {
    brotliCompress(item.body, { params }, (error, bytes) => {
      // Should zlib ever fail, the body goes on in gzip.
      if (error === null) item.br = new Uint8Array(bytes);
      resolve();
    });
  });
}
