// The unit file is embedded in the binary, so `cairn systemd` prints the very file in deploy/.
import unitText from "../../deploy/cairn.service" with { type: "text" };
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";

/** deploy/cairn.service, as shipped. */
export const SYSTEMD_UNIT: string = unitText as unknown as string;

export const systemdSpec: CommandSpec = {
  name: "systemd",
  summary: "Print a hardened systemd unit for running Cairn as a service.",
  usage: "cairn systemd",
  options: {},
  positionals: { min: 0, max: 0, names: "" },
  notes: [
    "Install it with:",
    "  cairn systemd > /etc/systemd/system/cairn.service",
    "  systemctl daemon-reload && systemctl enable --now cairn",
    "It runs /usr/local/bin/cairn with the hunt /etc/cairn/hunt.toml and keeps its data in",
    "/var/lib/cairn; logs go to the journal (journalctl -u cairn).",
  ].join("\n"),
};

/** Prints the unit file. */
export function systemd(_values: Values, _positionals: string[], io: Io): Promise<number> {
  io.stdout(SYSTEMD_UNIT);
  return Promise.resolve(EXIT.ok);
}
