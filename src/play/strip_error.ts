/** The one error the location strippers throw: a file that is damaged, truncated or unreadable. */
export class MediaError extends Error {
  override name = "MediaError";
}
