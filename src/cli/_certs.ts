// Certificates for HTTPS on a local network: a certificate authority that
// phones trust once, and a server certificate it signs for the machine's
// addresses and names. Keys come from node:crypto; node-forge builds and
// signs the certificates. Nothing is asked of the host (no openssl).
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

const DAY = 24 * 60 * 60 * 1000;
/** Apple's platforms refuse server certificates valid longer than this. */
export const SERVER_DAYS = 397;
export const CA_DAYS = 10 * 365;

/** A certificate and its private key, PEM-encoded. */
export interface Pem {
  cert: string;
  key: string;
}

/** An RSA 2048 key pair, made natively (node-forge's own would take seconds). */
function newKeys(): {
  publicKey: forge.pki.rsa.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
  pem: string;
} {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    pem: privateKey,
  };
}

/** A positive random serial number, as hex. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}

function validity(cert: forge.pki.Certificate, now: number, days: number): void {
  // A little slack before now, for phones whose clocks run behind.
  cert.validity.notBefore = new Date(now - DAY);
  cert.validity.notAfter = new Date(now + days * DAY);
}

/** A new certificate authority, named after the machine. */
export function makeAuthority(options: { host: string; now: number }): Pem {
  const keys = newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, options.now, CA_DAYS);
  const subject = [
    { name: "commonName", value: `Cairn local CA (${options.host})` },
    { name: "organizationName", value: "Cairn" },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/** A server certificate for `names` (host names and IP addresses), signed by `authority`. */
export function makeServerCert(
  authority: Pem,
  options: { names: readonly string[]; now: number },
): Pem {
  const ca = forge.pki.certificateFromPem(authority.cert);
  const caKey = forge.pki.privateKeyFromPem(authority.key);
  const keys = newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, options.now, SERVER_DAYS);
  cert.setSubject([{ name: "commonName", value: options.names[0] ?? "localhost" }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      // Type 7 is an IP address, type 2 a DNS name.
      altNames: options.names.map((name) =>
        isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }
      ),
    },
    { name: "subjectKeyIdentifier" },
    {
      name: "authorityKeyIdentifier",
      keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/** Whether a PEM file holds a certificate authority this command made (and can sign with). */
export function readAuthority(cert: string, key: string): Pem | undefined {
  try {
    const parsed = forge.pki.certificateFromPem(cert);
    forge.pki.privateKeyFromPem(key);
    const basic = parsed.getExtension("basicConstraints") as { cA?: boolean } | null;
    return basic?.cA === true ? { cert, key } : undefined;
  } catch {
    return undefined;
  }
}

/** The SHA-256 fingerprint of a certificate, as colon-separated hex (what phones show). */
export function fingerprint(cert: string): string {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(cert)));
  const md = forge.md.sha256.create();
  md.update(der.getBytes());
  return md.digest().toHex().toUpperCase().match(/../g)!.join(":");
}
