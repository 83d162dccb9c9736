/**
 * JA4 and JA4S, per FoxIO's published definitions (github.com/FoxIO-LLC/ja4,
 * technical_details/JA4.md and JA4S.md; BSD-3-Clause): GREASE ignored
 * everywhere, counts capped at 99, sorted lists hashed with SHA-256 and cut
 * to 12 lower-case hex characters, "000000000000" for an empty list.
 */
import { createHash } from 'node:crypto';
import { isGrease, JA4_VERSIONS, TLS_EXT } from './consts.js';

/** What JA4 reads from a hello (TlsView has these getters). */
export interface HelloFields {
  readonly version: number | undefined;
  readonly cipherSuites: readonly number[];
  readonly extensions: readonly number[];
  readonly signatureAlgorithms: readonly number[];
  readonly alpnFirstBytes: Uint8Array | undefined;
}

const EMPTY_HASH = '000000000000';

const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const count2 = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');

export function ja4Version(v: number | undefined): string {
  for (const [code, s] of JA4_VERSIONS) if (code === v) return s;
  return '00';
}

/** sha256 of `s`, first 12 hex characters. */
export function hash12(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * First and last character of the first ALPN value; "00" when there is none;
 * the first and last hex digit of its bytes when either end is not
 * alphanumeric (JA4.md "ALPN Extension Value").
 */
export function ja4Alpn(a: Uint8Array | undefined): string {
  if (a === undefined || a.length === 0) return '00';
  const first = a[0]!;
  const last = a[a.length - 1]!;
  if (isAlnum(first) && isAlnum(last)) return String.fromCharCode(first, last);
  const h = Buffer.from(a.buffer, a.byteOffset, a.length).toString('hex');
  return h[0]! + h[h.length - 1]!;
}

/** JA4 (client): `<t><version><d|i><ciphers><extensions><alpn>_<cipher hash>_<extension hash>`. */
export function ja4(h: HelloFields, transport: 't' | 'q' | 'd'): string {
  const ciphers = h.cipherSuites.filter((c) => !isGrease(c));
  const exts = h.extensions.filter((e) => !isGrease(e));
  const sni = exts.includes(TLS_EXT.serverName) ? 'd' : 'i';
  const a = `${transport}${ja4Version(h.version)}${sni}${count2(ciphers.length)}${count2(exts.length)}${ja4Alpn(h.alpnFirstBytes)}`;
  const b = ciphers.length === 0 ? EMPTY_HASH : hash12(ciphers.map(hex4).sort().join(','));
  const sorted = exts.filter((e) => e !== TLS_EXT.serverName && e !== TLS_EXT.alpn).map(hex4).sort();
  const sigs = h.signatureAlgorithms.filter((s) => !isGrease(s)).map(hex4);
  const c = sorted.length === 0 ? EMPTY_HASH : hash12(sigs.length === 0 ? sorted.join(',') : `${sorted.join(',')}_${sigs.join(',')}`);
  return `${a}_${b}_${c}`;
}

/** JA4S (server): `<t><version><extensions><alpn>_<cipher>_<hash of extensions in order>`. */
export function ja4s(h: HelloFields, transport: 't' | 'q' | 'd'): string {
  const exts = h.extensions.filter((e) => !isGrease(e));
  const a = `${transport}${ja4Version(h.version)}${count2(exts.length)}${ja4Alpn(h.alpnFirstBytes)}`;
  const cipher = hex4(h.cipherSuites[0] ?? 0);
  const c = exts.length === 0 ? EMPTY_HASH : hash12(exts.map(hex4).join(','));
  return `${a}_${cipher}_${c}`;
}
