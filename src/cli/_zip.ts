/**
 * A zip file read from disk entry by entry, for `cairn import`: the central
 * directory (ZIP64 included) is read first, then each entry is inflated on
 * its own, and a large one straight into a file, a megabyte at a time. So the
 * memory an import needs does not grow with the size of the uploads in the
 * export, nor with the size of the zip.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { Inflate, inflateSync } from "fflate";

/** One file in the zip, as the central directory describes it. */
export type ZipEntry = {
  name: string;
  /** 0 (stored) or 8 (deflated); anything else is refused when read. */
  method: number;
  /** Bytes in the zip. */
  size: number;
  /** Bytes once inflated, as the zip declares them. */
  originalSize: number;
  encrypted: boolean;
  localOffset: number;
};

/** A zip that cannot be read as one: the message says why, for "is not a readable zip file (…)". */
export class ZipError extends Error {}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const CHUNK = 1024 * 1024;
const MAX_U32 = 0xffffffff;

/** An open zip file; close it when done. */
export class ZipFile {
  readonly entries: readonly ZipEntry[];
  readonly #fd: number;
  readonly #fileSize: number;

  constructor(fd: number, fileSize: number) {
    this.#fd = fd;
    this.#fileSize = fileSize;
    this.entries = this.#readDirectory();
  }

  /** Opens `path`; throws the file system's error when it cannot be opened, ZipError when it is no zip. */
  static open(path: string, fileSize: number): ZipFile {
    const fd = openSync(path, "r");
    try {
      return new ZipFile(fd, fileSize);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** An entry's bytes, inflated at most to the size it declares. */
  read(entry: ZipEntry): Uint8Array {
    const data = this.#bytes(this.#dataOffset(entry), entry.size);
    if (entry.method === 0) return data.subarray(0, entry.originalSize);
    try {
      const out = inflateSync(data, { out: new Uint8Array(entry.originalSize) });
      return out;
    } catch (error) {
      throw new ZipError(`${entry.name} cannot be inflated: ${(error as Error).message}`);
    }
  }

  /**
   * Writes an entry's bytes, inflated at most to the size it declares, to the
   * open file `fd`, a chunk at a time. Returns the bytes written.
   */
  copy(entry: ZipEntry, fd: number): number {
    let offset = this.#dataOffset(entry);
    let left = entry.size;
    let written = 0;
    const room = () => entry.originalSize - written;
    const put = (chunk: Uint8Array) => {
      const part = chunk.length > room() ? chunk.subarray(0, room()) : chunk;
      for (let at = 0; at < part.length;) at += writeSync(fd, part, at, part.length - at);
      written += part.length;
    };
    const inflate = entry.method === 8 ? new Inflate((chunk) => put(chunk)) : undefined;
    // One buffer for every read: Inflate copies what it keeps of a chunk.
    const buffer = new Uint8Array(Math.min(CHUNK, left));
    while (left > 0 && room() > 0) {
      const chunk = this.#fill(buffer.subarray(0, Math.min(CHUNK, left)), offset);
      offset += chunk.length;
      left -= chunk.length;
      if (inflate === undefined) put(chunk);
      else {
        try {
          inflate.push(chunk, left === 0);
        } catch (error) {
          throw new ZipError(`${entry.name} cannot be inflated: ${(error as Error).message}`);
        }
      }
    }
    return written;
  }

  #readDirectory(): ZipEntry[] {
    const tailSize = Math.min(this.#fileSize, 22 + 0xffff);
    const tail = this.#bytes(this.#fileSize - tailSize, tailSize);
    const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let end = tail.length - 22;
    while (end >= 0 && view.getUint32(end, true) !== EOCD) end--;
    if (end < 0) throw new ZipError("no end of central directory");
    let count = view.getUint16(end + 10, true);
    let size = view.getUint32(end + 12, true);
    let start = view.getUint32(end + 16, true);
    if (end >= 20 && view.getUint32(end - 20, true) === ZIP64_LOCATOR) {
      const record = this.#bytes(Number(view.getBigUint64(end - 12, true)), 56);
      const zip64 = new DataView(record.buffer, record.byteOffset, record.byteLength);
      if (zip64.getUint32(0, true) !== ZIP64_EOCD) throw new ZipError("a broken ZIP64 record");
      count = Number(zip64.getBigUint64(32, true));
      size = Number(zip64.getBigUint64(40, true));
      start = Number(zip64.getBigUint64(48, true));
    }
    if (start + size > this.#fileSize) throw new ZipError("a central directory past the end");
    return centralEntries(this.#bytes(start, size), count);
  }

  #dataOffset(entry: ZipEntry): number {
    const header = this.#bytes(entry.localOffset, 30);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (view.getUint32(0, true) !== LOCAL) throw new ZipError(`${entry.name} has no local header`);
    if (entry.encrypted) throw new ZipError(`${entry.name} is encrypted`);
    if (entry.method !== 0 && entry.method !== 8) {
      throw new ZipError(`${entry.name} uses compression method ${entry.method}`);
    }
    return entry.localOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  }

  /** Exactly `length` bytes at `position`, or ZipError when the file ends first. */
  #bytes(position: number, length: number): Uint8Array {
    return this.#fill(new Uint8Array(length), position);
  }

  /** Fills `buffer` with the bytes at `position`, or throws ZipError when the file ends first. */
  #fill(buffer: Uint8Array, position: number): Uint8Array {
    for (let done = 0; done < buffer.length;) {
      const n = readSync(this.#fd, buffer, done, buffer.length - done, position + done);
      if (n === 0) throw new ZipError("the file ends inside an entry");
      done += n;
    }
    return buffer;
  }
}

/** The central directory's entries, with ZIP64 sizes and offsets where the 32-bit fields are full. */
function centralEntries(directory: Uint8Array, count: number): ZipEntry[] {
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || view.getUint32(at, true) !== CENTRAL) {
      throw new ZipError("a broken central directory");
    }
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const nameBytes = directory.subarray(at + 46, at + 46 + nameLength);
    const entry: ZipEntry = {
      name: new TextDecoder(flags & 0x800 ? "utf-8" : "latin1").decode(nameBytes),
      method: view.getUint16(at + 10, true),
      size: view.getUint32(at + 20, true),
      originalSize: view.getUint32(at + 24, true),
      encrypted: (flags & 1) === 1,
      localOffset: view.getUint32(at + 42, true),
    };
    const extra = at + 46 + nameLength;
    readZip64(view, extra, extra + extraLength, entry);
    entries.push(entry);
    at = extra + extraLength + commentLength;
  }
  return entries;
}

/** Fills the fields a ZIP64 extra field (id 1) holds: each one whose 32-bit field is full, in order. */
function readZip64(view: DataView, from: number, to: number, entry: ZipEntry): void {
  for (let at = from; at + 4 <= to;) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === 1) {
      let field = at + 4;
      const next = () => {
        if (field + 8 > at + 4 + length) throw new ZipError("a broken ZIP64 extra field");
        const value = Number(view.getBigUint64(field, true));
        field += 8;
        return value;
      };
      if (entry.originalSize === MAX_U32) entry.originalSize = next();
      if (entry.size === MAX_U32) entry.size = next();
      if (entry.localOffset === MAX_U32) entry.localOffset = next();
      return;
    }
    at += 4 + length;
  }
}
