/** The one error the location strippers throw: a file that is damaged, truncated or unreadable. */
export class MediaError extends Error {
  override name = "MediaError";
}

/**
 * A box's or chunk's four-character type for a message: `"moov" box` when it
 * is printable, else just `box`, so a damaged file's bytes are never echoed.
 */
export function typed(type: string, noun: string): string {
  return /^[\x20-\x7e\u00a9]{4}$/.test(type) ? `${JSON.stringify(type)} ${noun}` : noun;
}
