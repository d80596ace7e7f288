/**
 * A zip archive written as it is sent (`zipArchive`): each file stored as it
 * is (photos and videos do not compress), read only when the archive reaches
 * it, its CRC-32 computed as its bytes go out and given after them in a data
 * descriptor; ZIP64 records where a size, an offset or the count of files
 * passes what the classic format holds. The archive's length is known before
 * its first byte, from the files' sizes, so the answer can say it (Deno sends
 * it; Bun sends any stream chunked, oven-sh/bun#10507, and a HEAD says it).
 *
 * The layout follows PKWARE's APPNOTE: local headers with bit 3 (sizes and
 * CRC after the data) and bit 11 (UTF-8 names), a central directory whose
 * entries say each file's size, CRC and offset, and the end records.
 */
import { crc32 } from "node:zlib";

/** One file of the archive. */
export interface ZipSource {
  /** Its path in the archive, folders separated by "/". */
  name: string;
  /** Its bytes, read when the archive reaches it; its size is the entry's. */
  blob: Blob;
  /** When it was made, in ms since 1970: the entry's date, in this machine's time zone. */
  modified: number;
}

const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const CENTRAL = 0x02014b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const END = 0x06054b50;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;
/** Bit 3: CRC and sizes follow the data; bit 11: the name is UTF-8. */
const FLAGS = 0x0808;
/** Made on Unix (3), by a writer of APPNOTE 4.5 (45): the external attributes are a Unix mode. */
const MADE_BY = (3 << 8) | 45;
/** A regular file, rw-r--r--. */
const FILE_MODE = 0o100644;

/** What the archive needs of a file's stream reader. */
interface ChunkReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

/** Where each entry goes, worked out before any byte is written. */
interface Placed {
  source: ZipSource;
  name: Uint8Array;
  size: number;
  /** Its local header's offset. */
  offset: number;
  /** Its sizes need 8 bytes (in its data descriptor and the central directory). */
  wide: boolean;
  dos: { time: number; date: number };
  crc: number;
}

/**
 * The archive of `sources`, in their order: its length in bytes, and its
 * bytes as a stream. A file whose bytes are not as many as its size says
 * ends the stream with an error (a broken download, never a wrong file).
 * `zip64: true` writes every ZIP64 record even when none is needed (tests).
 */
export function zipArchive(
  sources: readonly ZipSource[],
  options: { zip64?: boolean } = {},
): { length: number; stream: ReadableStream<Uint8Array> } {
  const always = options.zip64 === true;
  const encoder = new TextEncoder();
  const placed: Placed[] = [];
  let offset = 0;
  for (const source of sources) {
    const name = encoder.encode(source.name);
    const size = source.blob.size;
    const wide = always || size >= MAX32;
    placed.push({ source, name, size, offset, wide, dos: dosTime(source.modified), crc: 0 });
    offset += 30 + name.length + (wide ? 20 : 0) + size + (wide ? 24 : 16);
  }
  const directoryAt = offset;
  const directorySize = placed.reduce((sum, entry) => sum + centralLength(entry, always), 0);
  const zip64 = always || placed.length >= MAX16 || directoryAt >= MAX32 ||
    directorySize >= MAX32 || placed.some((entry) => entry.wide);
  const length = directoryAt + directorySize + (zip64 ? 56 + 20 : 0) + 22;

  let next = 0;
  let reader: ChunkReader | undefined;
  let current: { entry: Placed; read: number; crc: number } | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (current === undefined) {
        const entry = placed[next++];
        if (entry === undefined) {
          controller.enqueue(ending(placed, { directoryAt, directorySize, zip64, always }));
          controller.close();
          return;
        }
        current = { entry, read: 0, crc: 0 };
        reader = entry.source.blob.stream().getReader();
        controller.enqueue(localHeader(entry));
        return;
      }
      const chunk = await reader!.read();
      if (!chunk.done && chunk.value !== undefined) {
        current.read += chunk.value.byteLength;
        current.crc = crc32(chunk.value, current.crc);
        if (current.read > current.entry.size) {
          controller.error(new Error(`${current.entry.source.name} grew while it was sent`));
          return;
        }
        controller.enqueue(chunk.value);
        return;
      }
      const { entry, read, crc } = current;
      if (read !== entry.size) {
        controller.error(
          new Error(`${entry.source.name} holds ${read} of its ${entry.size} bytes`),
        );
        return;
      }
      entry.crc = crc;
      controller.enqueue(descriptor(entry));
      current = undefined;
      reader = undefined;
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
  return { length, stream };
}

/**
 * An entry's local header. One with wide sizes carries them in a ZIP64 extra
 * field too (its 4-byte fields say 0xffffffff), so that a reader that unpacks
 * as it reads, without the central directory, knows its data descriptor's
 * sizes take 8 bytes; the others leave CRC and sizes to the descriptor.
 */
function localHeader(entry: Placed): Uint8Array {
  const extra = entry.wide ? 20 : 0;
  const bytes = new Uint8Array(30 + entry.name.length + extra);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, LOCAL, true);
  view.setUint16(4, entry.wide ? 45 : 20, true);
  view.setUint16(6, FLAGS, true);
  view.setUint16(8, 0, true); // stored
  view.setUint16(10, entry.dos.time, true);
  view.setUint16(12, entry.dos.date, true);
  // The CRC (14 to 17) is 0: it follows the data.
  if (entry.wide) {
    view.setUint32(18, MAX32, true);
    view.setUint32(22, MAX32, true);
  }
  view.setUint16(26, entry.name.length, true);
  view.setUint16(28, extra, true);
  bytes.set(entry.name, 30);
  if (entry.wide) {
    const at = 30 + entry.name.length;
    view.setUint16(at, 0x0001, true);
    view.setUint16(at + 2, 16, true);
    view.setBigUint64(at + 4, BigInt(entry.size), true);
    view.setBigUint64(at + 12, BigInt(entry.size), true);
  }
  return bytes;
}

function descriptor(entry: Placed): Uint8Array {
  const bytes = new Uint8Array(entry.wide ? 24 : 16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, DESCRIPTOR, true);
  view.setUint32(4, entry.crc, true);
  if (entry.wide) {
    view.setBigUint64(8, BigInt(entry.size), true);
    view.setBigUint64(16, BigInt(entry.size), true);
  } else {
    view.setUint32(8, entry.size, true);
    view.setUint32(12, entry.size, true);
  }
  return bytes;
}

/** What of an entry's sizes and offset goes in its ZIP64 extra field, in the field's order. */
function wideFields(entry: Placed, always: boolean): bigint[] {
  const fields: bigint[] = [];
  if (entry.wide) fields.push(BigInt(entry.size), BigInt(entry.size));
  if (always || entry.offset >= MAX32) fields.push(BigInt(entry.offset));
  return fields;
}

function centralLength(entry: Placed, always: boolean): number {
  const fields = wideFields(entry, always).length;
  return 46 + entry.name.length + (fields > 0 ? 4 + 8 * fields : 0);
}

function central(entry: Placed, always: boolean): Uint8Array {
  const fields = wideFields(entry, always);
  const extra = fields.length > 0 ? 4 + 8 * fields.length : 0;
  const bytes = new Uint8Array(46 + entry.name.length + extra);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, CENTRAL, true);
  view.setUint16(4, MADE_BY, true);
  view.setUint16(6, entry.wide || extra > 0 ? 45 : 20, true);
  view.setUint16(8, FLAGS, true);
  view.setUint16(10, 0, true);
  view.setUint16(12, entry.dos.time, true);
  view.setUint16(14, entry.dos.date, true);
  view.setUint32(16, entry.crc, true);
  view.setUint32(20, entry.wide ? MAX32 : entry.size, true);
  view.setUint32(24, entry.wide ? MAX32 : entry.size, true);
  view.setUint16(28, entry.name.length, true);
  view.setUint16(30, extra, true);
  // Comment length, disk number and internal attributes (32 to 37) are 0.
  view.setUint32(38, (FILE_MODE << 16) >>> 0, true);
  view.setUint32(42, always || entry.offset >= MAX32 ? MAX32 : entry.offset, true);
  bytes.set(entry.name, 46);
  if (extra > 0) {
    const at = 46 + entry.name.length;
    view.setUint16(at, 0x0001, true);
    view.setUint16(at + 2, 8 * fields.length, true);
    for (const [i, field] of fields.entries()) view.setBigUint64(at + 4 + 8 * i, field, true);
  }
  return bytes;
}

/** The central directory and the end records. */
function ending(
  placed: readonly Placed[],
  at: { directoryAt: number; directorySize: number; zip64: boolean; always: boolean },
): Uint8Array {
  const { directoryAt, directorySize, zip64, always } = at;
  const tail = new Uint8Array(directorySize + (zip64 ? 56 + 20 : 0) + 22);
  const view = new DataView(tail.buffer);
  let offset = 0;
  for (const entry of placed) {
    const bytes = central(entry, always);
    tail.set(bytes, offset);
    offset += bytes.length;
  }
  const count = placed.length;
  if (zip64) {
    const end64At = directoryAt + directorySize;
    view.setUint32(offset, ZIP64_END, true);
    view.setBigUint64(offset + 4, 44n, true); // the record's size after this field
    view.setUint16(offset + 12, MADE_BY, true);
    view.setUint16(offset + 14, 45, true);
    // This disk and the directory's disk (16 to 23) are 0.
    view.setBigUint64(offset + 24, BigInt(count), true);
    view.setBigUint64(offset + 32, BigInt(count), true);
    view.setBigUint64(offset + 40, BigInt(directorySize), true);
    view.setBigUint64(offset + 48, BigInt(directoryAt), true);
    offset += 56;
    view.setUint32(offset, ZIP64_LOCATOR, true);
    view.setBigUint64(offset + 8, BigInt(end64At), true);
    view.setUint32(offset + 16, 1, true); // one disk in all
    offset += 20;
  }
  view.setUint32(offset, END, true);
  // Each field that cannot hold its value holds the most it can: readers then take the ZIP64 one.
  view.setUint16(offset + 8, Math.min(count, MAX16), true);
  view.setUint16(offset + 10, Math.min(count, MAX16), true);
  view.setUint32(offset + 12, Math.min(directorySize, MAX32), true);
  view.setUint32(offset + 16, Math.min(directoryAt, MAX32), true);
  return tail;
}

/** A time as MS-DOS writes it (two-second steps, local time, 1980 at the earliest). */
function dosTime(ms: number): { time: number; date: number } {
  const at = new Date(Math.max(ms, new Date(1980, 0, 1).getTime()));
  return {
    time: (at.getHours() << 11) | (at.getMinutes() << 5) | (at.getSeconds() >> 1),
    date: ((at.getFullYear() - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
  };
}
