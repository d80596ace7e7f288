/**
 * Moving a CTFd event to Cairn: a CTFd export's tables converted to a hunt
 * file, the puzzles' files and the database's records. Pure; the command
 * (`cairn import ctfd`) reads the zip and writes the folder.
 */
export { convertExport } from "./convert.ts";
export type { Conversion, ConvertResult, ExportInput } from "./convert.ts";
export { parseTable } from "./tables.ts";
export type { Row } from "./tables.ts";
