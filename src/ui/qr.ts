/** QR codes as inline SVG, generated in the process with `uqr`. */
import { encode } from "uqr";

/**
 * An SVG of the QR code for `text`: one path of dark modules on a light
 * square (with the standard 4-module quiet zone), medium error correction.
 */
export function qrSvg(text: string, label: string): string {
  const { data, size } = encode(text, { ecc: "M", border: 4 });
  let path = "";
  for (let y = 0; y < size; y++) {
    const row = data[y]!;
    for (let x = 0; x < size; x++) {
      // Runs of dark modules in a row become one rectangle.
      if (!row[x]) continue;
      let run = 1;
      while (x + run < size && row[x + run]) run++;
      path += `M${x} ${y}h${run}v1h-${run}z`;
      x += run - 1;
    }
  }
  const title = label.replace(/[<&>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" role="img" ` +
    `shape-rendering="crispEdges"><title>${title}</title>` +
    `<rect class="qr-light" width="${size}" height="${size}" fill="#fff"/>` +
    `<path class="qr-dark" fill="#000" d="${path}"/></svg>`;
}
