import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { hostname, networkInterfaces } from "node:os";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import type { CommandSpec, Values } from "./_args.ts";
import { fingerprint, makeAuthority, makeServerCert, type Pem, readAuthority } from "./_certs.ts";
import { EXIT, type Io } from "./_io.ts";
import { folderProblem, writeProblem } from "./_paths.ts";
import { writeFiles } from "./_write.ts";

export const DEFAULT_TLS_DIR = "./cairn-data/tls";

export const tlsSpec: CommandSpec = {
  name: "tls",
  summary: "Make a local certificate authority and a server certificate, for HTTPS on a LAN.",
  usage: "cairn tls [--out DIR] [--names LIST]",
  options: {
    out: {
      type: "string",
      value: "DIR",
      env: "CAIRN_TLS_DIR",
      default: DEFAULT_TLS_DIR,
      help: "Folder for ca.crt, ca.key, server.crt and server.key",
    },
    names: {
      type: "string",
      value: "LIST",
      env: "CAIRN_TLS_NAMES",
      help: "More host names or IP addresses, comma-separated (e.g. cairn.lan,10.0.0.5)",
    },
  },
  positionals: { min: 0, max: 0, names: "" },
  notes: [
    "The server certificate covers localhost, this machine's name (and NAME.local),",
    "127.0.0.1, ::1 and every LAN address it has now, plus --names. Run it again when",
    "the addresses change: an existing ca.crt and ca.key are kept, so phones that",
    "trust the authority keep trusting it; one without the other is refused, never replaced.",
    "Each key is written with its certificate, both or neither (beside them, then renamed).",
    "Then start the server with",
    "  cairn serve --tls-cert DIR/server.crt --tls-key DIR/server.key",
    "and install ca.crt on each phone (steps: cairn docs offline). Keep ca.key secret.",
  ].join("\n"),
};

/** Writes the authority (unless one is there) and a new server certificate. */
export function tls(values: Values, _positionals: string[], io: Io): Promise<number> {
  const dir = resolve(values.out as string);
  const extra = ((values.names as string | undefined) ?? "").split(",").map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of extra) {
    if (
      isIP(name) === 0 &&
      !/^[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(name)
    ) {
      io.stderr(`cairn tls: "${name}" is neither a host name nor an IP address\n`);
      return Promise.resolve(EXIT.usage);
    }
  }
  const names = [...new Set([...localNames(), ...extra])];
  const now = Date.now();
  const where = folderProblem(dir);
  if (where !== undefined) {
    io.stderr(`cairn tls: ${where}\n`);
    return Promise.resolve(EXIT.failure);
  }
  try {
    // Folders made for the keys are their owner's only (./cairn-data too, which serve then keeps).
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const authority = existingAuthority(dir, io) ?? newAuthority(dir, now, io);
    if (authority === undefined) return Promise.resolve(EXIT.failure);
    const server = makeServerCert(authority, { names, now });
    // Both or neither: a key that does not match its certificate fails every TLS handshake.
    writeFiles([
      [join(dir, "server.key"), server.key, 0o600],
      [join(dir, "server.crt"), server.cert, 0o644],
    ]);
    io.stdout(
      [
        `cairn tls: wrote ${join(dir, "server.crt")} and server.key, for:`,
        `  ${names.join(", ")}`,
        `The authority's SHA-256 fingerprint (phones show it when installing ca.crt):`,
        `  ${fingerprint(authority.cert)}`,
        "Start the server with HTTPS:",
        `  cairn serve --tls-cert ${join(dir, "server.crt")} --tls-key ${join(dir, "server.key")}`,
        `Install ${join(dir, "ca.crt")} on each phone once; the steps: cairn docs offline`,
        "",
      ].join("\n"),
    );
    return Promise.resolve(EXIT.ok);
  } catch (error) {
    const problem = writeProblem(error, dir);
    io.stderr(
      problem === undefined
        ? `cairn tls: ${error instanceof Error ? error.message : String(error)}\n`
        : `cairn tls: cannot write the certificates to ${dir}: ${problem}; give --out a folder you can write to\n`,
    );
    return Promise.resolve(EXIT.failure);
  }
}

/** The authority already in `dir`, reused so that phones need not trust a new one. */
function existingAuthority(dir: string, io: Io): Pem | undefined {
  const certPath = join(dir, "ca.crt");
  const keyPath = join(dir, "ca.key");
  const [hasCert, hasKey] = [existsSync(certPath), existsSync(keyPath)];
  // Half an authority: a new one would replace the half phones may already trust.
  if (hasCert !== hasKey) {
    const [there, missing] = hasCert ? [certPath, "ca.key"] : [keyPath, "ca.crt"];
    throw new Error(
      `${there} is there but ${missing} is not: put ${missing} back to keep the authority the ` +
        `phones trust, or move ${there} away to make a new one (each phone must then install ` +
        "the new ca.crt)",
    );
  }
  if (!hasCert) return undefined;
  const found = readAuthority(readFileSync(certPath, "utf8"), readFileSync(keyPath, "utf8"));
  if (found === undefined) {
    throw new Error(
      `${certPath} and ${keyPath} are not a certificate authority with its key; move them away to make a new one`,
    );
  }
  io.stdout(`cairn tls: kept the authority in ${certPath}\n`);
  return found;
}

function newAuthority(dir: string, now: number, io: Io): Pem {
  const authority = makeAuthority({ host: hostname(), now });
  writeFiles([
    [join(dir, "ca.key"), authority.key, 0o600],
    [join(dir, "ca.crt"), authority.cert, 0o644],
  ]);
  io.stdout(`cairn tls: wrote a new certificate authority, ${join(dir, "ca.crt")} and ca.key\n`);
  return authority;
}

/** localhost, this machine's name, loopback, and every address it has on a network now. */
function localNames(): string[] {
  const names = ["localhost"];
  const host = hostname().toLowerCase();
  if (/^[a-z0-9-.]+$/.test(host) && host !== "localhost") {
    names.push(host);
    if (!host.includes(".")) names.push(`${host}.local`);
  }
  names.push("127.0.0.1", "::1");
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal) continue;
      // Link-local IPv6 addresses carry a zone and cannot go in a certificate.
      if (address.family === "IPv6" && address.address.toLowerCase().startsWith("fe80")) continue;
      names.push(address.address);
    }
  }
  return names;
}
