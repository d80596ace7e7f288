/**
 * Password hashes brought over from CTFd, which hashes with passlib's
 * `bcrypt_sha256`: the password is first reduced to a SHA-256 digest (so
 * bcrypt's 72-byte limit does not cut it), written in base64, and that text
 * is what bcrypt hashes. Version 2 of the format keys the digest with the
 * bcrypt salt (HMAC-SHA256); version 1 used a plain SHA-256. Cairn only
 * verifies these, and replaces them with argon2id at the team's next login.
 */
import { createHash, createHmac } from "node:crypto";
import { verifyPassword } from "./password.ts";

/** `$bcrypt-sha256$v=2,t=2b,r=12$<salt>$<digest>`, or version 1's `$bcrypt-sha256$2a,12$<salt>$<digest>`. */
const V2 = /^\$bcrypt-sha256\$v=2,t=(2a|2b),r=(\d{1,2})\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/;
const V1 = /^\$bcrypt-sha256\$(2a|2b),(\d{1,2})\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/;

/** Whether a stored hash is passlib's bcrypt_sha256. */
export function isBcryptSha256(hash: string): boolean {
  return hash.startsWith("$bcrypt-sha256$");
}

/** Checks a password against a passlib bcrypt_sha256 hash; false for one it cannot read. */
export async function verifyBcryptSha256(password: string, hash: string): Promise<boolean> {
  const v2 = V2.exec(hash);
  const match = v2 ?? V1.exec(hash);
  if (match === null) return false;
  const [, ident, rounds, salt, digest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const prehash = v2 !== null
    ? createHmac("sha256", salt).update(password, "utf8").digest("base64")
    : createHash("sha256").update(password, "utf8").digest("base64");
  const bcrypt = `$${ident}$${rounds.padStart(2, "0")}$${salt}${digest}`;
  try {
    return await verifyPassword(prehash, bcrypt);
  } catch {
    return false;
  }
}
