/**
 * Location removal for ISO base media files (HEIC photos, MP4 and MOV videos),
 * always in place and at the same length, so that every offset into the file
 * (a HEIC's `iloc`, a video's `stco`/`co64` chunk tables) stays right.
 *
 * - HEIC: the Exif item's GPS directory is zeroed and unlinked (the whole item
 *   is zeroed when it cannot be read), and XMP items are blanked.
 * - MP4/MOV: the location atoms (`©xyz`, `loci`, `XMP_`, XMP `uuid` boxes, and
 *   the QuickTime `keys`/`ilst` entries whose key names a location) become
 *   `free` boxes of the same size with zeroed contents. A video is read as a
 *   stream: only its metadata boxes are held in memory, never `mdat`.
 */
import { removeGps } from "./media.ts";
import { MediaError, typed } from "./strip_error.ts";

/** A box: its type, where its header starts, where its payload starts, and its end. */
export interface Box {
  type: string;
  start: number;
  body: number;
  end: number;
}

const text = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

const viewOf = (bytes: Uint8Array) =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * The boxes between `from` and `to`, in order; throws MediaError if one does
 * not fit. A size of 0 means "to the end"; a size of 1, a 64-bit size after the type.
 */
export function boxes(bytes: Uint8Array, from: number, to: number, what: string): Box[] {
  const view = viewOf(bytes);
  const found: Box[] = [];
  for (let at = from; at < to;) {
    if (at + 8 > to) throw new MediaError(`${what}: a box header is cut short`);
    let size = view.getUint32(at);
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > to) throw new MediaError(`${what}: a box header is cut short`);
      size = Number(view.getBigUint64(at + 8));
      body = at + 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < body - at || at + size > to) {
      throw new MediaError(
        `${what}: a ${typed(text(bytes, at + 4, at + 8), "box")} is cut short`,
      );
    }
    found.push({ type: text(bytes, at + 4, at + 8), start: at, body, end: at + size });
    at += size;
  }
  return found;
}

/** The location boxes of a video, by type. */
const LOCATION_BOXES = new Set(["\u00a9xyz", "loci", "XMP_"]);
/** XMP's `uuid` box user type. */
const XMP_UUID = [
  0xbe,
  0x7a,
  0xcf,
  0xcb,
  0x97,
  0xa9,
  0x42,
  0xe8,
  0x9c,
  0x71,
  0x99,
  0x94,
  0x91,
  0xe3,
  0xaf,
  0xac,
];
/** Boxes that hold boxes, where location can sit (a `meta` is handled apart). */
const CONTAINERS = new Set(["moov", "trak", "mdia", "minf", "udta", "edts", "ilst"]);

/** Turns a box into a `free` box of the same size, its contents zeroed. */
function blank(bytes: Uint8Array, box: Box): void {
  bytes.set([0x66, 0x72, 0x65, 0x65], box.start + 4);
  bytes.fill(0, box.body, box.end);
}

const isXmpUuid = (bytes: Uint8Array, box: Box) =>
  box.type === "uuid" && box.end - box.body >= 16 &&
  XMP_UUID.every((byte, i) => bytes[box.body + i] === byte);

/** Blanks, in place, every location box inside `box` (itself included). */
export function blankMovieLocation(bytes: Uint8Array, box: Box): void {
  if (LOCATION_BOXES.has(box.type) || isXmpUuid(bytes, box)) return blank(bytes, box);
  if (CONTAINERS.has(box.type)) {
    for (const child of boxes(bytes, box.body, box.end, "The video is not a valid MP4 or MOV")) {
      blankMovieLocation(bytes, child);
    }
  } else if (box.type === "meta") {
    blankMeta(bytes, box);
  }
}

/**
 * A `meta` box: a full box (4 bytes of version and flags) in ISO files, a plain
 * one in QuickTime; told apart by where its `hdlr` starts. Its `keys` name
 * QuickTime's metadata, and the `ilst` entries of the location keys are blanked.
 */
function blankMeta(bytes: Uint8Array, meta: Box): void {
  const full = text(bytes, meta.body + 8, meta.body + 12) === "hdlr";
  const children = boxes(
    bytes,
    meta.body + (full ? 4 : 0),
    meta.end,
    "The video is not a valid MP4 or MOV",
  );
  const keys = children.find((child) => child.type === "keys");
  const located = keys === undefined ? new Set<number>() : locationKeys(bytes, keys);
  for (const child of children) {
    if (child.type === "ilst" && located.size > 0) {
      for (
        const item of boxes(bytes, child.body, child.end, "The video is not a valid MP4 or MOV")
      ) {
        // An item's type is the 1-based index of its key.
        if (located.has(viewOf(bytes).getUint32(item.start + 4))) blank(bytes, item);
        else blankMovieLocation(bytes, item);
      }
    } else {
      blankMovieLocation(bytes, child);
    }
  }
}

/** The 1-based indexes of the `keys` entries that name a location (`…location.ISO6709`…). */
function locationKeys(bytes: Uint8Array, keys: Box): Set<number> {
  const view = viewOf(bytes);
  const found = new Set<number>();
  if (keys.body + 8 > keys.end) {
    throw new MediaError("The video is not a valid MP4 or MOV: keys is cut short");
  }
  const count = view.getUint32(keys.body + 4);
  let at = keys.body + 8;
  for (let index = 1; index <= count; index++) {
    if (at + 8 > keys.end) {
      throw new MediaError("The video is not a valid MP4 or MOV: keys is cut short");
    }
    const size = view.getUint32(at);
    if (size < 8 || at + size > keys.end) {
      throw new MediaError("The video is not a valid MP4 or MOV: keys is cut short");
    }
    if (/location/i.test(text(bytes, at + 8, at + size))) found.add(index);
    at += size;
  }
  return found;
}

/** Top-level boxes a video stripper holds in memory to rewrite; all others stream through. */
const HELD = new Set(["moov", "meta", "udta", "uuid", "XMP_"]);
/** The largest metadata box held (a long video's `moov` is a few MB). */
const MAX_HELD = 64 * 1_048_576;

/**
 * Removes a video's location as it streams: `push` takes the next bytes and
 * gives what can be written, `finish` checks that the file ended on a box
 * boundary. Throws MediaError for a damaged or truncated video.
 */
export class MovieStripper {
  private pending: Uint8Array[] = [];
  private pendingSize = 0;
  /** Bytes of the current box still to pass through, or Infinity for a box that runs to the end. */
  private passing = 0;
  /** The size of the held box being gathered (Infinity for one that runs to the end), or 0. */
  private holding = 0;

  /** The bytes it holds in memory, or will once the metadata box it gathers is whole. */
  get heldBytes(): number {
    return this.holding > 0 && this.holding !== Infinity ? this.holding : this.pendingSize;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.passing > 0) {
        const take = Math.min(this.passing, chunk.length - at);
        out.push(chunk.subarray(at, at + take));
        this.passing -= take;
        at += take;
        continue;
      }
      // Gathering a header (up to 16 bytes) or a held box.
      const want = this.holding > 0 ? this.holding - this.pendingSize : 16 - this.pendingSize;
      const take = Math.min(want, chunk.length - at);
      this.pending.push(chunk.subarray(at, at + take));
      this.pendingSize += take;
      at += take;
      if (this.pendingSize > MAX_HELD) throw new MediaError("The video's metadata is too large");
      const ready = this.decide();
      if (ready !== undefined) out.push(ready);
    }
    return out;
  }

  /** Checks the end: no box may be cut short. */
  finish(): Uint8Array[] {
    if (this.passing === Infinity) return [];
    if (this.holding === Infinity) {
      // A held box that ran to the end (size 0): rewritten now that it is whole.
      const box = joined(this.pending);
      this.reset();
      blankMovieLocation(box, { type: text(box, 4, 8), start: 0, body: 8, end: box.length });
      return [box];
    }
    if (this.passing > 0 || this.holding > 0) {
      throw new MediaError("The video is not a valid MP4 or MOV: it ends inside a box");
    }
    if (this.pendingSize === 0) return [];
    // Fewer than 16 bytes left: they must be whole boxes.
    const rest = joined(this.pending);
    this.pending = [];
    this.pendingSize = 0;
    const found = boxes(rest, 0, rest.length, "The video is not a valid MP4 or MOV");
    for (const box of found) {
      if (HELD.has(box.type)) blankMovieLocation(rest, box);
    }
    return [rest];
  }

  /** With a whole header (or a whole held box) pending, moves on; returns bytes to write. */
  private decide(): Uint8Array | undefined {
    if (this.holding > 0) {
      if (this.pendingSize < this.holding) return undefined;
      const box = joined(this.pending);
      this.reset();
      const top = boxes(box, 0, box.length, "The video is not a valid MP4 or MOV")[0]!;
      blankMovieLocation(box, top);
      return box;
    }
    if (this.pendingSize < 16) return undefined;
    const head = joined(this.pending);
    const view = viewOf(head);
    const type = text(head, 4, 8);
    let size = view.getUint32(0);
    if (size === 1) size = Number(view.getBigUint64(8));
    else if (size === 0) size = Infinity;
    if (size < 8 || (view.getUint32(0) === 1 && size < 16)) {
      throw new MediaError(
        `The video is not a valid MP4 or MOV: a ${typed(type, "box")} has a bad size`,
      );
    }
    if (size < 16) {
      // A small box: its bytes (rewritten if held), then the next header starts in what is gathered.
      const small = head.slice(0, size);
      if (HELD.has(type)) blankMovieLocation(small, { type, start: 0, body: 8, end: size });
      this.reset();
      this.pending = [head.subarray(size)];
      this.pendingSize = 16 - size;
      return small;
    }
    if (HELD.has(type)) {
      if (size !== Infinity && size > MAX_HELD) {
        throw new MediaError("The video's metadata is too large");
      }
      this.holding = size;
      this.pending = [head];
      return this.decide();
    }
    // Streams through: the 16 bytes gathered, then the rest of the box.
    this.reset();
    this.passing = size === Infinity ? Infinity : size - 16;
    return head;
  }

  private reset(): void {
    this.pending = [];
    this.pendingSize = 0;
    this.holding = 0;
  }
}

function joined(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!.slice();
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The item ids of a HEIC's `iinf` entries of `Exif` type, and of XMP (`mime` as RDF). */
function metadataItems(bytes: Uint8Array, iinf: Box): { exif: Set<number>; xmp: Set<number> } {
  const view = viewOf(bytes);
  const exif = new Set<number>();
  const xmp = new Set<number>();
  const version = bytes[iinf.body]!;
  const first = iinf.body + 4 + (version === 0 ? 2 : 4);
  for (const infe of boxes(bytes, first, iinf.end, "The photo is not a valid HEIC")) {
    if (infe.type !== "infe" || infe.body + 4 > infe.end) continue;
    const v = bytes[infe.body]!;
    if (v < 2) continue;
    const idSize = v === 2 ? 2 : 4;
    const typeAt = infe.body + 4 + idSize + 2;
    if (typeAt + 4 > infe.end) {
      throw new MediaError("The photo is not a valid HEIC: infe is cut short");
    }
    const id = v === 2 ? view.getUint16(infe.body + 4) : view.getUint32(infe.body + 4);
    const type = text(bytes, typeAt, typeAt + 4);
    if (type === "Exif") exif.add(id);
    // "mime": the item name, then the content type, each NUL-terminated.
    if (type === "mime") {
      const rest = text(bytes, typeAt + 4, infe.end);
      if (/application\/rdf\+xml/.test(rest)) xmp.add(id);
    }
  }
  return { exif, xmp };
}

/** Each item's extents as absolute ranges of the file, from `iloc` (and `idat` for method 1). */
function itemExtents(
  bytes: Uint8Array,
  iloc: Box,
  idat: Box | undefined,
): Map<number, [number, number][]> {
  const view = viewOf(bytes);
  const cut = () => new MediaError("The photo is not a valid HEIC: iloc is cut short");
  const version = bytes[iloc.body]!;
  let at = iloc.body + 4;
  const read = (size: number): number => {
    if (at + size > iloc.end) throw cut();
    const value = size === 0
      ? 0
      : size === 2
      ? view.getUint16(at)
      : size === 4
      ? view.getUint32(at)
      : size === 8
      ? Number(view.getBigUint64(at))
      : NaN;
    if (Number.isNaN(value)) throw new MediaError("The photo is not a valid HEIC: bad iloc sizes");
    at += size;
    return value;
  };
  const sizes = read(2);
  const offsetSize = sizes >> 12;
  const lengthSize = (sizes >> 8) & 0xf;
  const baseSize = (sizes >> 4) & 0xf;
  const indexSize = version === 0 ? 0 : sizes & 0xf;
  const count = read(version < 2 ? 2 : 4);
  const items = new Map<number, [number, number][]>();
  for (let i = 0; i < count; i++) {
    const id = read(version < 2 ? 2 : 4);
    const method = version === 0 ? 0 : read(2) & 0xf;
    read(2);
    const base = read(baseSize);
    const extents: [number, number][] = [];
    const n = read(2);
    for (let e = 0; e < n; e++) {
      read(indexSize);
      const offset = base + read(offsetSize);
      const length = read(lengthSize);
      let from = offset;
      if (method === 1) {
        if (idat === undefined) throw new MediaError("The photo is not a valid HEIC: no idat");
        from = idat.body + offset;
      } else if (method !== 0) {
        from = -1;
      }
      const to = length === 0 ? bytes.length : from + length;
      if (from < 0 || to > bytes.length || from > to) {
        throw new MediaError("The photo is not a valid HEIC: an item lies outside the file");
      }
      extents.push([from, to]);
    }
    items.set(id, extents);
  }
  return items;
}

/**
 * A HEIC without location, at the same length: the Exif item's GPS directory
 * is zeroed and unlinked (the item is zeroed whole when it cannot be read),
 * and XMP items are blanked. Throws MediaError for a damaged or truncated one.
 */
export function stripHeic(input: Uint8Array): Uint8Array {
  const bytes = input.slice();
  const top = boxes(bytes, 0, bytes.length, "The photo is not a valid HEIC");
  const meta = top.find((box) => box.type === "meta");
  if (top[0]?.type !== "ftyp" || meta === undefined) {
    throw new MediaError("The photo is not a valid HEIC: it has no meta box");
  }
  const children = boxes(bytes, meta.body + 4, meta.end, "The photo is not a valid HEIC");
  const iinf = children.find((box) => box.type === "iinf");
  const iloc = children.find((box) => box.type === "iloc");
  if (iinf === undefined || iloc === undefined) {
    throw new MediaError("The photo is not a valid HEIC: it has no item table");
  }
  const { exif, xmp } = metadataItems(bytes, iinf);
  const extents = itemExtents(bytes, iloc, children.find((box) => box.type === "idat"));
  for (const id of exif) {
    const ranges = extents.get(id) ?? [];
    // One extent: 4 bytes giving where the TIFF header starts, then the block.
    const [from, to] = ranges[0] ?? [0, 0];
    const skip = ranges.length === 1 && to - from >= 4 ? viewOf(bytes).getUint32(from) : -1;
    const tiff = skip >= 0 && from + 4 + skip <= to
      ? bytes.subarray(from + 4 + skip, to)
      : undefined;
    if (tiff === undefined || !removeGps(tiff)) {
      for (const [start, end] of ranges) bytes.fill(0, start, end);
    }
  }
  for (const id of xmp) {
    for (const [start, end] of extents.get(id) ?? []) bytes.fill(0x20, start, end);
  }
  return bytes;
}
