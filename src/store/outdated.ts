/**
 * The refusal of data newer than this Cairn: an SQLite database of a later
 * schema, or a shared log of a later format. Only a newer binary can go on,
 * so the commands exit 3 (`EXIT.outdated`) on it, and the systemd units do not
 * start the same binary again.
 */
export class OutdatedError extends Error {
  override readonly name: string = "OutdatedError";
}
