// A JPEG with an EXIF block (orientation and a GPS directory) and an XMP packet, for the upload tests.

/** The GPS latitude's rational bytes: distinctive, so a test can look for them in the stored file. */
export const GPS_LATITUDE = [0x4c, 0x41, 0x54, 0x31, 0x4c, 0x41, 0x54, 0x32];
export const XMP_MARK = "exif:GPSLatitude";

/** An EXIF TIFF block: IFD0 with Orientation 6 and a GPS directory (latitude GPS_LATITUDE). */
export function tiffWithGps(): Uint8Array {
  // TIFF, little-endian: IFD0 at 8 with 2 entries (Orientation, GPS pointer), GPS IFD at 38.
  const tiff = new Uint8Array(38 + 2 + 2 * 12 + 4 + 24);
  const view = new DataView(tiff.buffer);
  tiff.set([0x49, 0x49, 42, 0], 0);
  view.setUint32(4, 8, true);
  view.setUint16(8, 2, true);
  // Orientation (0x0112), SHORT, 1, value 6.
  view.setUint16(10, 0x0112, true);
  view.setUint16(12, 3, true);
  view.setUint32(14, 1, true);
  view.setUint16(18, 6, true);
  // GPS IFD pointer (0x8825), LONG, 1, offset 38.
  view.setUint16(22, 0x8825, true);
  view.setUint16(24, 4, true);
  view.setUint32(26, 1, true);
  view.setUint32(30, 38, true);
  view.setUint32(34, 0, true); // no next IFD
  // GPS IFD: LatitudeRef "N", Latitude 3 RATIONALs at 68.
  view.setUint16(38, 2, true);
  view.setUint16(40, 1, true);
  view.setUint16(42, 2, true);
  view.setUint32(44, 2, true);
  tiff.set([0x4e, 0], 48);
  view.setUint16(52, 2, true);
  view.setUint16(54, 5, true);
  view.setUint32(56, 3, true);
  view.setUint32(60, 68, true);
  view.setUint32(64, 0, true);
  for (let i = 0; i < 24; i++) tiff[68 + i] = GPS_LATITUDE[i % 8]!;
  return tiff;
}

/** A JPEG with location metadata; `scanBytes` of image data after the start-of-scan marker. */
export function jpegWithGps(scanBytes = 1_000): Uint8Array {
  const tiff = tiffWithGps();

  const exif = [..."Exif\0\0"].map((ch) => ch.charCodeAt(0));
  const xmp = [...`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta ${XMP_MARK}="48,51.5N"/>`].map((ch) =>
    ch.charCodeAt(0)
  );
  const segment = (marker: number, payload: ArrayLike<number>) => {
    const length = payload.length + 2;
    return [0xff, marker, length >> 8, length & 0xff, ...Array.from(payload)];
  };
  const head = new Uint8Array([
    0xff,
    0xd8,
    ...segment(0xe1, [...exif, ...tiff]),
    ...segment(0xe1, xmp),
    ...segment(0xdb, new Array(65).fill(1)),
    ...segment(0xda, [1, 1, 0, 0, 63, 0]),
  ]);
  // The image data, then the end marker (built without spreading: it can be megabytes).
  const jpeg = new Uint8Array(head.length + scanBytes + 2).fill(0x55);
  jpeg.set(head);
  jpeg.set([0xff, 0xd9], head.length + scanBytes);
  return jpeg;
}

/** Whether `needle` occurs in `bytes`. */
export function contains(bytes: Uint8Array, needle: ArrayLike<number>): boolean {
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** `jpeg` (a real, decodable one) with the same EXIF GPS and XMP segments spliced in after its start. */
export function addGps(jpeg: Uint8Array): Uint8Array {
  const tagged = jpegWithGps(0);
  // The metadata segments run from after the start marker to the quantization table (FF DB).
  let end = 2;
  while (!(tagged[end] === 0xff && tagged[end + 1] === 0xdb)) {
    end += 2 + ((tagged[end + 2]! << 8) | tagged[end + 3]!);
  }
  return new Uint8Array([...jpeg.subarray(0, 2), ...tagged.subarray(2, end), ...jpeg.subarray(2)]);
}
