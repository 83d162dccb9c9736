/**
 * Subject and issuer of the first certificate of a TLS 1.2 Certificate
 * message (RFC 5246 §7.4.2: a 3-byte certificate_list length, then each
 * ASN.1Cert with a 3-byte length). A minimal, bounded DER walk of RFC 5280
 * §4.1: Certificate -> TBSCertificate -> [0] version, serialNumber,
 * signature, issuer, validity, subject. Only CN (2.5.4.3) and O (2.5.4.10)
 * are read (§4.1.2.4). The walk stops at `end` (the segment may cut the
 * message): a name that is not whole is not returned. Never throws.
 */
import { berContentLength, berHeaderLength } from '../ber.js';
import { TLS_MAX_NAME } from './consts.js';

export interface CertNames {
  /** `CN=...,O=...` (either part may be missing), or undefined when the name is not in the segment. */
  readonly subject: string | undefined;
  readonly issuer: string | undefined;
  /** The parts, for callers that must not split on a comma inside a value ("GoDaddy.com, Inc."). */
  readonly subjectCn?: string;
  readonly subjectO?: string;
  readonly issuerCn?: string;
  readonly issuerO?: string;
}

interface NameParts {
  readonly cn: string | undefined;
  readonly o: string | undefined;
}

function format(n: NameParts | undefined): string | undefined {
  if (n === undefined) return undefined;
  const parts: string[] = [];
  if (n.cn !== undefined) parts.push(`CN=${n.cn}`);
  if (n.o !== undefined) parts.push(`O=${n.o}`);
  return parts.length === 0 ? undefined : parts.join(',');
}

const SEQ = 0x30;
const SET = 0x31;

/** [contentStart, contentEnd] of the TLV at `off` with tag `tag`, or undefined. */
function tlv(b: Uint8Array, off: number, end: number, tag: number): [number, number] | undefined {
  if (b[off] !== tag) return undefined;
  const h = berHeaderLength(b, off, end);
  if (h < 0) return undefined;
  return [off + h, off + h + berContentLength(b, off)];
}

/** Skips the TLV at `off`; the offset after it, or -1 when it is cut by `end`. */
function skip(b: Uint8Array, off: number, end: number): number {
  const h = berHeaderLength(b, off, end);
  if (h < 0) return -1;
  const n = off + h + berContentLength(b, off);
  return n > end ? -1 : n;
}

/** Reads a directory string (UTF8String, PrintableString, IA5String, T61String, BMPString). */
function dirString(b: Uint8Array, off: number, end: number): string | undefined {
  const tag = b[off];
  const h = berHeaderLength(b, off, end);
  if (h < 0) return undefined;
  const s = off + h;
  const e = s + berContentLength(b, off);
  if (e > end) return undefined;
  const n = Math.min(e - s, TLS_MAX_NAME * 2);
  const buf = Buffer.from(b.buffer, b.byteOffset + s, n);
  let text: string;
  if (tag === 0x0c) text = buf.toString('utf8');
  else if (tag === 0x13 || tag === 0x16 || tag === 0x14) text = buf.toString('latin1');
  // BMPString is UCS-2 big-endian (X.680 §41): an odd last octet is dropped, not thrown on.
  else if (tag === 0x1e) text = Buffer.from(buf.subarray(0, n & ~1)).swap16().toString('utf16le');
  else return undefined;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, TLS_MAX_NAME);
}

/** CN and O of a Name (RDNSequence); undefined when the Name is cut. */
function nameParts(b: Uint8Array, off: number, end: number): NameParts | undefined {
  const seq = tlv(b, off, end, SEQ);
  if (seq === undefined || seq[1] > end) return undefined;
  let cn: string | undefined;
  let o: string | undefined;
  for (let p = seq[0], n = 0; p < seq[1] && n < 32; n++) {
    const set = tlv(b, p, seq[1], SET);
    if (set === undefined || set[1] > seq[1]) return undefined;
    const atv = tlv(b, set[0], set[1], SEQ);
    if (atv !== undefined && b[atv[0]] === 0x06 && b[atv[0] + 1] === 3 && b[atv[0] + 2] === 0x55 && b[atv[0] + 3] === 0x04) {
      const attr = b[atv[0] + 4];
      const v = atv[0] + 5;
      if (attr === 0x03 && cn === undefined) cn = dirString(b, v, atv[1]);
      else if (attr === 0x0a && o === undefined) o = dirString(b, v, atv[1]);
    }
    p = set[1];
  }
  return { cn, o };
}

/** Names of the first certificate in the Certificate message body [body, end). */
export function certNames(b: Uint8Array, body: number, end: number): CertNames | undefined {
  // certificate_list<0..2^24-1>, then the first ASN.1Cert<1..2^24-1>.
  const certStart = body + 6;
  if (certStart + 4 > end) return undefined;
  const cert = b[certStart] === SEQ && berHeaderLength(b, certStart, end) > 0 ? certStart + berHeaderLength(b, certStart, end) : -1;
  if (cert < 0) return undefined;
  const tbs = tlv(b, cert, end, SEQ);
  if (tbs === undefined) return undefined;
  let p = tbs[0];
  if (b[p] === 0xa0) p = skip(b, p, end); // [0] EXPLICIT version
  if (p < 0 || b[p] !== 0x02) return undefined;
  p = skip(b, p, end); // serialNumber
  if (p < 0 || b[p] !== SEQ) return undefined;
  p = skip(b, p, end); // signature AlgorithmIdentifier
  if (p < 0) return undefined;
  const issuer = nameParts(b, p, end);
  const afterIssuer = skip(b, p, end);
  const validity = afterIssuer < 0 ? -1 : skip(b, afterIssuer, end);
  const subject = validity < 0 ? undefined : nameParts(b, validity, end);
  const s = format(subject);
  const i = format(issuer);
  if (s === undefined && i === undefined) return undefined;
  const out: { -readonly [K in keyof CertNames]: CertNames[K] } = { subject: s, issuer: i };
  if (subject?.cn !== undefined) out.subjectCn = subject.cn;
  if (subject?.o !== undefined) out.subjectO = subject.o;
  if (issuer?.cn !== undefined) out.issuerCn = issuer.cn;
  if (issuer?.o !== undefined) out.issuerO = issuer.o;
  return out;
}
