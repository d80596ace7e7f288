/**
 * Where a request came from, for the limits that count per client: logins
 * (per team name and address) and failed admin tokens (per address).
 *
 * It is the peer of the request's connection, as the runtime gives it: Bun's
 * `server.requestIP(request)` and Deno's `info.remoteAddr`, which Hono passes
 * as the context's `env`. No header is read: any client can write an
 * `X-Forwarded-For`, so behind a reverse proxy every request comes from the
 * proxy. An IPv6 address counts by its /64, the block one host is given.
 */
import type { Context } from "hono";

/** What the runtime passes a handler besides the request (Hono's `env`). */
interface Peer {
  /** Bun: the server. */
  requestIP?: (request: Request) => { address: string } | null;
  /** Deno: the handler's info. */
  remoteAddr?: { hostname?: string };
}

/** The address a limit counts a request's client by; "unknown" when the runtime does not say. */
export function clientAddress(c: Context): string {
  const peer = c.env as Peer | undefined;
  let address: string | undefined;
  try {
    address = peer?.requestIP?.(c.req.raw)?.address ?? peer?.remoteAddr?.hostname;
  } catch {
    // A request the server did not receive itself (one made in a test) has no peer.
  }
  return address === undefined || address === "" ? "unknown" : addressKey(address);
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
