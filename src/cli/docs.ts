// The reference pages are embedded in the binary, so someone given only the binary can read
// them: `cairn docs hunt-file` prints the very file in docs/.
import apiText from "../../docs/api.md" with { type: "text" };
import asksText from "../../docs/asks.md" with { type: "text" };
import ctfdText from "../../docs/ctfd.md" with { type: "text" };
import huntFileText from "../../docs/hunt-file.md" with { type: "text" };
import missionsText from "../../docs/missions.md" with { type: "text" };
import offlineText from "../../docs/offline.md" with { type: "text" };
import operationsText from "../../docs/operations.md" with { type: "text" };
import scaleOutText from "../../docs/scale-out.md" with { type: "text" };
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";

/** Each topic: the file it comes from, a line saying what it covers, and its text. */
export const DOC_TOPICS: Readonly<Record<string, { file: string; summary: string; text: string }>> =
  {
    "hunt-file": {
      file: "docs/hunt-file.md",
      summary: "The hunt file: every key, the rule language, and what `cairn check` reports",
      text: huntFileText as unknown as string,
    },
    api: {
      file: "docs/api.md",
      summary: "The HTTP API: every route, its body and its answers; live events; metrics",
      text: apiText as unknown as string,
    },
    ctfd: {
      file: "docs/ctfd.md",
      summary: "Moving a CTFd event to Cairn: cairn import ctfd, the report, CTF scoring, CTFtime",
      text: ctfdText as unknown as string,
    },
    offline: {
      file: "docs/offline.md",
      summary:
        "Bad Wi-Fi: what works on plain HTTP, what needs HTTPS, HTTPS at a venue (cairn tls)",
      text: offlineText as unknown as string,
    },
    missions: {
      file: "docs/missions.md",
      summary: "Photo, video and text missions: uploads, judging, the gallery, files and backups",
      text: missionsText as unknown as string,
    },
    asks: {
      file: "docs/asks.md",
      summary: "Hints a team asks for in its own words, and answering them",
      text: asksText as unknown as string,
    },
    operations: {
      file: "docs/operations.md",
      summary: "Checklists for the day: restore drill, a full disk, someone guessing",
      text: operationsText as unknown as string,
    },
    "scale-out": {
      file: "docs/scale-out.md",
      summary: "Several nodes on one PostgreSQL log behind nginx, and moving an event there",
      text: scaleOutText as unknown as string,
    },
  };

export const docsSpec: CommandSpec = {
  name: "docs",
  summary: "Print a reference page (Markdown) that is built into the binary.",
  usage: "cairn docs [TOPIC]",
  options: {},
  positionals: { min: 0, max: 1, names: "TOPIC" },
  notes: [
    "With no TOPIC, lists the topics. For example:",
    "  cairn docs hunt-file | less",
  ].join("\n"),
};

/** Lists the topics, or prints one. */
export function docs(_values: Values, positionals: string[], io: Io): Promise<number> {
  const topic = positionals[0];
  if (topic === undefined) {
    io.stdout(topicList());
    return Promise.resolve(EXIT.ok);
  }
  const doc = Object.hasOwn(DOC_TOPICS, topic) ? DOC_TOPICS[topic] : undefined;
  if (doc === undefined) {
    const names = Object.keys(DOC_TOPICS).join(", ");
    io.stderr(`cairn docs: unknown topic "${topic}"; the topics are ${names}\n`);
    return Promise.resolve(EXIT.usage);
  }
  io.stdout(doc.text);
  return Promise.resolve(EXIT.ok);
}

function topicList(): string {
  const names = Object.keys(DOC_TOPICS);
  const width = Math.max(...names.map((name) => name.length)) + 2;
  return [
    "Reference pages built into this binary. Print one with `cairn docs TOPIC`:",
    "",
    ...names.map((name) => `  ${name.padEnd(width)}${DOC_TOPICS[name]!.summary}`),
  ].join("\n") + "\n";
}
