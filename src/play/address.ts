/**
 * Where a request came from, for the limits that count per client: logins
 * (per team name and address) and failed admin tokens (per address).
 *
 * It is the peer of the request's connection, as the runtime gives it: Bun's
 * `server.requestIP(request)` and Deno's `info.remoteAddr`, which Hono passes
 * as the context's `env`. Behind reverse proxies listed with `serve
 * --trust-proxy`, it is the client their `X-Forwarded-For` names instead: the
 * header is read only from a peer on that list, since any client can write
 * one. An IPv6 address counts by its /64, the block one host is given.
 */
import type { Context } from "hono";

/** What the runtime passes a handler besides the request (Hono's `env`). */
interface Peer {
  /** Bun: the server. */
  requestIP?: (request: Request) => { address: string } | null;
  /** Deno: the handler's info. */
  remoteAddr?: { hostname?: string };
}

/**
 * The address a limit counts a request's client by: the connection's peer, or,
 * when that peer is one of `proxies`, the client its `X-Forwarded-For` names
 * (`forwardedClient`); "unknown" when the runtime does not say.
 */
export function clientAddress(c: Context, proxies: TrustedProxies): string {
  const peer = c.env as Peer | undefined;
  let address: string | undefined;
  try {
    address = peer?.requestIP?.(c.req.raw)?.address ?? peer?.remoteAddr?.hostname;
  } catch {
    // A request the server did not receive itself (one made in a test) has no peer.
  }
  if (address === undefined || address === "") return "unknown";
  if (proxies.trusts(address)) {
    address = forwardedClient(c.req.raw.headers.get("x-forwarded-for"), proxies) ?? address;
  }
  return addressKey(address);
}

/**
 * The client an `X-Forwarded-For` names, read from the right: each trusted
 * proxy appended the address it was reached from, so the first address that
 * is not a trusted proxy is the client (left of it, anyone could have written
 * anything). When every address is a trusted proxy, the leftmost one.
 * Undefined for no header, or an entry that is not an IP address before the
 * client is found: the peer then counts as the client.
 */
function forwardedClient(header: string | null, proxies: TrustedProxies): string | undefined {
  if (header === null) return undefined;
  // Several X-Forwarded-For headers arrive joined by ", ", as one list.
  let end = header.length;
  for (;;) {
    // The entry left of `end`, walking from the right with no list built.
    const comma = end === 0 ? -1 : header.lastIndexOf(",", end - 1);
    const entry = header.slice(comma + 1, end).trim();
    // An empty entry, a port, a name or other garbage: no client can be told from it.
    if (parseIp(entry) === undefined) return undefined;
    if (comma === -1 || !proxies.trusts(entry)) return entry;
    end = comma;
  }
}

/** The reverse proxies in front of the server (`serve --trust-proxy`), parsed once at start. */
export interface TrustedProxies {
  /** The entries, as given: addresses and CIDR blocks. */
  readonly list: readonly string[];
  /** Whether `address` is one of them (an IPv4-mapped IPv6 address matches its IPv4 entries). */
  trusts(address: string): boolean;
}

/** None: every client is the connection's peer, and no `X-Forwarded-For` is read. */
export const NO_PROXIES: TrustedProxies = { list: [], trusts: () => false };

/** What `parseTrustedProxies` makes of a list: the matcher, or the first entry it refuses. */
export type ParsedProxies =
  | { kind: "ok"; proxies: TrustedProxies }
  | { kind: "invalid"; entry: string };

/**
 * Reads a comma-separated list of IPv4 and IPv6 addresses and CIDR blocks
 * (`127.0.0.1,::1`, `10.0.0.0/8`, `2001:db8::/32`). An IPv4 entry also
 * matches its IPv4-mapped IPv6 form; bits past a block's prefix are ignored.
 */
export function parseTrustedProxies(text: string): ParsedProxies {
  const list = text.split(",").map((entry) => entry.trim());
  const blocks: Block[] = [];
  for (const entry of list) {
    const block = parseBlock(entry);
    if (block === undefined) return { kind: "invalid", entry };
    blocks.push(block);
  }
  return {
    kind: "ok",
    proxies: {
      list,
      trusts(address) {
        const ip = parseIp(address);
        return ip !== undefined && blocks.some((block) => inBlock(ip, block));
      },
    },
  };
}

/** An address as 128 bits in four 32-bit words, most significant first; IPv4 as IPv4-mapped. */
type Ip = [number, number, number, number];

/** A CIDR block: its network's words, and the mask of its prefix. */
interface Block {
  network: Ip;
  mask: Ip;
}

/** Whether `ip` is inside `block`. */
function inBlock(ip: Ip, { network, mask }: Block): boolean {
  return (ip[0] & mask[0]) === network[0] && (ip[1] & mask[1]) === network[1] &&
    (ip[2] & mask[2]) === network[2] && (ip[3] & mask[3]) === network[3];
}

/** An address (a block of one) or `address/prefix`; undefined when it is neither. */
function parseBlock(entry: string): Block | undefined {
  const slash = entry.indexOf("/");
  const address = slash === -1 ? entry : entry.slice(0, slash);
  // A zone (`fe80::1%eth0`) names an interface of this host, not a proxy's address.
  const ip = address.includes("%") ? undefined : parseIp(address);
  if (ip === undefined) return undefined;
  const ipv4 = !address.includes(":");
  let bits = 128;
  if (slash !== -1) {
    const prefix = decimal(entry.slice(slash + 1), ipv4 ? 32 : 128);
    if (prefix === undefined) return undefined;
    // An IPv4 block is the same block of IPv4-mapped addresses, 96 bits further in.
    bits = ipv4 ? 96 + prefix : prefix;
  }
  const mask = ip.map((_, word) => {
    const ones = Math.min(32, Math.max(0, bits - 32 * word));
    return ones === 0 ? 0 : (~0 << (32 - ones)) | 0;
  }) as Ip;
  return { network: ip.map((value, word) => value & mask[word]!) as Ip, mask };
}

/** An IPv4 or IPv6 address (a zone, `%eth0`, is ignored); undefined for anything else. */
function parseIp(text: string): Ip | undefined {
  if (!text.includes(":")) {
    const ipv4 = parseIpv4(text);
    return ipv4 === undefined ? undefined : [0, 0, 0xffff, ipv4];
  }
  const zone = text.indexOf("%");
  const halves = (zone === -1 ? text : text.slice(0, zone)).split("::");
  if (halves.length > 2) return undefined;
  // Each half's 16-bit groups; only the address's last group may be a dotted IPv4 address.
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  // "::" stands for one or more zero groups; without it there are exactly 8.
  const zeros = 8 - head.length - tail.length;
  if (halves.length === 2 ? zeros < 1 : zeros !== 0) return undefined;
  const all = [...head, ...Array<number>(zeros).fill(0), ...tail];
  return [0, 1, 2, 3].map((word) => ((all[2 * word]! << 16) | all[2 * word + 1]!) | 0) as Ip;
}

/** The 16-bit groups of part of an IPv6 address; a dotted IPv4 last group, if allowed, is two. */
function groups(part: string, last: boolean): number[] | undefined {
  if (part === "") return [];
  const texts = part.split(":");
  const values: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    if (last && i === texts.length - 1 && text.includes(".")) {
      const ipv4 = parseIpv4(text);
      if (ipv4 === undefined) return undefined;
      values.push(ipv4 >>> 16, ipv4 & 0xffff);
    } else {
      if (text.length < 1 || text.length > 4 || !isHex(text)) return undefined;
      values.push(Number.parseInt(text, 16));
    }
  }
  return values;
}

/** A dotted IPv4 address as a 32-bit word: four decimal bytes, with no leading zeros. */
function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const byte = decimal(part, 255);
    if (byte === undefined) return undefined;
    value = (value << 8) | byte;
  }
  return value | 0;
}

/** A decimal number from 0 to `max`, digits only, with no leading zero; undefined otherwise. */
function decimal(text: string, max: number): number | undefined {
  if (text.length === 0 || text.length > 3 || (text.length > 1 && text[0] === "0")) {
    return undefined;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  const value = Number(text);
  return value <= max ? value : undefined;
}

function isHex(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code >= 48 && code <= 57;
    if (!digit && !(code >= 65 && code <= 70) && !(code >= 97 && code <= 102)) return false;
  }
  return true;
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/;

/**
 * An address as a limit counts it: an IPv4 address whole (also when written
 * IPv4-mapped, `::ffff:10.0.0.7`), an IPv6 address by its first 64 bits
 * (`2001:db8:0:1::/64`), since one host may use any address of its /64.
 */
export function addressKey(address: string): string {
  const plain = address.replace(/%.*$/, "").toLowerCase();
  const mapped = MAPPED_IPV4.exec(plain);
  if (mapped !== null) return mapped[1]!;
  if (!plain.includes(":")) return plain;
  // Expand "::" to the zero groups it stands for (a dotted IPv4 tail is two groups).
  const [head = "", tail] = plain.split("::", 2);
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const width = (groups: string[]) =>
    groups.reduce((n, group) => n + (group.includes(".") ? 2 : 1), 0);
  const zeros = tail === undefined ? 0 : Math.max(0, 8 - width(left) - width(right));
  const groups = [...left, ...Array<string>(zeros).fill("0"), ...right].slice(0, 4);
  const prefix = groups.map((group) => {
    const value = Number.parseInt(group, 16);
    return Number.isNaN(value) ? group : value.toString(16);
  });
  return `${prefix.join(":")}::/64`;
}

/**
 * Whether an address key (`addressKey`) is this machine's own: a loopback address (a reverse proxy
 * beside the node that is not trusted, a benchmark), or "unknown" (a request made in-process).
 */
export function ownMachine(key: string): boolean {
  return key === "unknown" || key.startsWith("127.") || key === "0:0:0:0::/64";
}

/** Whether `serve --host` is every address of the machine (`0.0.0.0`, `::`), not one. */
export function listensEverywhere(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]" || host === "";
}

/** Whether `serve --host` is a loopback address only, which no other machine can connect to. */
export function listensOnLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "::1" || host === "[::1]";
}

/**
 * Whether phones cannot reach a server on `host` at all: it listens on loopback only, and no
 * trusted proxy on this machine (`--trust-proxy 127.0.0.1,::1`, nginx beside the node) is in
 * front of it to pass them on.
 */
export function outOfReach(host: string, proxies: TrustedProxies): boolean {
  return listensOnLoopback(host) && !proxies.trusts("127.0.0.1") && !proxies.trusts("::1");
}
