/**
 * TLS records (RFC 8446 §5.1, RFC 5246 §6.2) from the first bytes of a TCP
 * segment, and the handshake messages they carry in that segment: the
 * ClientHello and ServerHello (RFC 8446 §4.1.2-4.1.3, RFC 5246 §7.4.1) with
 * versions, SNI (RFC 6066 §3), ALPN (RFC 7301 §3.1), supported_versions
 * (RFC 8446 §4.2.1), signature_algorithms (§4.2.3), cipher suites and
 * extension list; JA4/JA4S (ja4.ts); the first certificate's subject and
 * issuer from a TLS 1.2 Certificate message (cert.ts). No reassembly: a
 * hello cut by the segment end is reported as incomplete, not malformed.
 *
 * Bytes that do not start with a record header (type 20-24, version 3.x)
 * are not this decoder's: it returns undefined.
 */
import { u16be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { certNames, type CertNames } from './cert.js';
import { isGrease, TLS_CONTENT, TLS_EXT, TLS_HANDSHAKE, TLS_MAX_MESSAGES, TLS_MAX_NAME, TLS_MAX_RECORD } from './consts.js';
import { ja4, ja4s } from './ja4.js';

/** Where a hello's parts lie in the frame (offsets only, found once at decode). */
interface HelloLoc {
  readonly type: number;
  readonly version: number;
  /** ClientHello: the cipher_suites vector's content; ServerHello: the chosen suite (2 bytes). */
  readonly cipherOff: number;
  readonly cipherLen: number;
  readonly extOff: number;
  readonly extEnd: number;
  readonly extCount: number;
  /** Content offsets of known extensions, or -1. */
  readonly sni: number;
  readonly alpn: number;
  readonly sv: number;
  readonly svLen: number;
  readonly sig: number;
}

const u24 = (b: Uint8Array, o: number): number => (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;

export class TlsView implements Layer {
  readonly name = 'tls';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  /** Handshake messages in this segment: [type, bodyOffset, bodyAvailableEnd, declaredLength] per message. */
  private readonly msgs: readonly number[];
  private readonly hello: HelloLoc | undefined;

  constructor(bytes: Uint8Array, offset: number, end: number, msgs: readonly number[], hello: HelloLoc | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.msgs = msgs;
    this.hello = hello;
  }

  /** Content type of the first record (RFC 8446 §5.1). */
  get contentType(): number {
    return this.bytes[this.offset]!;
  }

  /** The first record's legacy_record_version. */
  get recordVersion(): number {
    return u16be(this.bytes, this.offset + 1);
  }

  /** Handshake message types that start in this segment, in order. */
  get handshakeTypes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.msgs.length; i += 4) out.push(this.msgs[i]!);
    return out;
  }

  get isClientHello(): boolean {
    return this.hello?.type === TLS_HANDSHAKE.clientHello;
  }

  get isServerHello(): boolean {
    return this.hello?.type === TLS_HANDSHAKE.serverHello;
  }

  /** True when the segment starts a hello that it does not hold whole (no reassembly). */
  get helloIncomplete(): boolean {
    const t = this.msgs[0];
    return this.hello === undefined && (t === TLS_HANDSHAKE.clientHello || t === TLS_HANDSHAKE.serverHello);
  }

  /** The hello's legacy_version field. */
  get helloVersion(): number | undefined {
    return this.hello?.version;
  }

  /** supported_versions: the client's list, or the server's selected version, GREASE included. */
  get supportedVersions(): number[] {
    const h = this.hello;
    if (h === undefined || h.sv < 0) return [];
    const b = this.bytes;
    if (h.type === TLS_HANDSHAKE.serverHello) return [u16be(b, h.sv)];
    const out: number[] = [];
    for (let o = h.sv + 1; o + 2 <= h.sv + h.svLen; o += 2) out.push(u16be(b, o));
    return out;
  }

  /** The version that counts: the highest non-GREASE supported_versions entry, else the hello's legacy_version. */
  get version(): number | undefined {
    const h = this.hello;
    if (h === undefined) return undefined;
    let best = -1;
    for (const v of this.supportedVersions) if (!isGrease(v) && v > best) best = v;
    return best >= 0 ? best : h.version;
  }

  /** Cipher suites offered (ClientHello) or the one chosen (ServerHello), in wire order, GREASE included. */
  get cipherSuites(): number[] {
    const h = this.hello;
    if (h === undefined) return [];
    const out: number[] = [];
    for (let o = h.cipherOff; o + 2 <= h.cipherOff + h.cipherLen; o += 2) out.push(u16be(this.bytes, o));
    return out;
  }

  /** Extension types in wire order, GREASE included. */
  get extensions(): number[] {
    const h = this.hello;
    if (h === undefined) return [];
    const out: number[] = [];
    const b = this.bytes;
    for (let o = h.extOff; o + 4 <= h.extEnd; o += 4 + u16be(b, o + 2)) out.push(u16be(b, o));
    return out;
  }

  /** signature_algorithms in wire order (RFC 8446 §4.2.3). */
  get signatureAlgorithms(): number[] {
    const h = this.hello;
    if (h === undefined || h.sig < 0) return [];
    const b = this.bytes;
    const n = u16be(b, h.sig);
    const out: number[] = [];
    for (let o = h.sig + 2; o + 2 <= h.sig + 2 + n; o += 2) out.push(u16be(b, o));
    return out;
  }

  /** The first host_name of server_name (RFC 6066 §3), bounded. */
  get sni(): string | undefined {
    const h = this.hello;
    if (h === undefined || h.sni < 0) return undefined;
    const b = this.bytes;
    const listEnd = h.sni + 2 + u16be(b, h.sni);
    for (let o = h.sni + 2; o + 3 <= listEnd; o += 3 + u16be(b, o + 1)) {
      const len = u16be(b, o + 1);
      if (b[o] === 0 && o + 3 + len <= listEnd) return latin1(b, o + 3, Math.min(len, TLS_MAX_NAME));
    }
    return undefined;
  }

  /** ALPN protocol names (RFC 7301 §3.1), in order. */
  get alpn(): string[] {
    const h = this.hello;
    if (h === undefined || h.alpn < 0) return [];
    const b = this.bytes;
    const listEnd = h.alpn + 2 + u16be(b, h.alpn);
    const out: string[] = [];
    for (let o = h.alpn + 2; o < listEnd && o + 1 + b[o]! <= listEnd; o += 1 + b[o]!) out.push(latin1(b, o + 1, b[o]!));
    return out;
  }

  /** The first ALPN name's raw bytes (JA4 reads its first and last byte). */
  get alpnFirstBytes(): Uint8Array | undefined {
    const h = this.hello;
    if (h === undefined || h.alpn < 0) return undefined;
    const b = this.bytes;
    const listLen = u16be(b, h.alpn);
    if (listLen < 1) return undefined;
    const n = b[h.alpn + 2]!;
    return b.subarray(h.alpn + 3, h.alpn + 3 + n);
  }

  /** JA4 of a ClientHello (FoxIO JA4 spec), over TCP. */
  get ja4(): string | undefined {
    return this.isClientHello ? ja4(this, 't') : undefined;
  }

  /** JA4S of a ServerHello (FoxIO JA4S spec). */
  get ja4s(): string | undefined {
    return this.isServerHello ? ja4s(this, 't') : undefined;
  }

  /** Subject and issuer CN/O of the first certificate of a TLS 1.2 Certificate message in this segment. */
  get certificate(): CertNames | undefined {
    const m = this.msgs;
    for (let i = 0; i < m.length; i += 4) {
      if (m[i] === TLS_HANDSHAKE.certificate) return certNames(this.bytes, m[i + 1]!, m[i + 2]!);
    }
    return undefined;
  }
}

function latin1(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) {
    const c = b[i]!;
    s += c < 0x20 || c === 0x7f ? '?' : String.fromCharCode(c);
  }
  return s;
}

/** True when the bytes start like a TLS record (content detection). */
export function looksLikeTls(b: Uint8Array, off: number, end: number): boolean {
  if (end - off < 5) return false;
  const t = b[off]!;
  return t >= TLS_CONTENT.changeCipherSpec && t <= TLS_CONTENT.heartbeat && b[off + 1] === 3 && b[off + 2]! <= 4;
}

/** Parses a complete hello body [p, bodyEnd); an anomaly when its vectors do not add up. */
function parseHello(b: Uint8Array, type: number, p0: number, bodyEnd: number): HelloLoc | Anomaly {
  const bad = (code: string, at: number): Anomaly => anomaly(code, 'tls', at);
  let p = p0;
  if (p + 35 > bodyEnd) return bad('tls.bad_hello', p);
  const version = u16be(b, p);
  p += 34;
  const sid = b[p]!;
  if (sid > 32 || p + 1 + sid > bodyEnd) return bad('tls.bad_hello', p);
  p += 1 + sid;
  let cipherOff: number;
  let cipherLen: number;
  if (type === TLS_HANDSHAKE.clientHello) {
    if (p + 2 > bodyEnd) return bad('tls.bad_hello', p);
    cipherLen = u16be(b, p);
    cipherOff = p + 2;
    if ((cipherLen & 1) !== 0 || cipherOff + cipherLen + 1 > bodyEnd) return bad('tls.bad_hello', p);
    p = cipherOff + cipherLen;
    const comp = b[p]!;
    if (p + 1 + comp > bodyEnd) return bad('tls.bad_hello', p);
    p += 1 + comp;
  } else {
    if (p + 3 > bodyEnd) return bad('tls.bad_hello', p);
    cipherOff = p;
    cipherLen = 2;
    p += 3;
  }
  let extOff = p;
  let extEnd = p;
  if (p < bodyEnd) {
    if (p + 2 > bodyEnd) return bad('tls.bad_hello', p);
    extOff = p + 2;
    extEnd = extOff + u16be(b, p);
    if (extEnd > bodyEnd) return bad('tls.bad_hello', p);
  }
  let sni = -1;
  let alpn = -1;
  let sv = -1;
  let svLen = 0;
  let sig = -1;
  let count = 0;
  for (let q = extOff; q < extEnd; ) {
    if (q + 4 > extEnd) return bad('tls.bad_extension', q);
    const et = u16be(b, q);
    const len = u16be(b, q + 2);
    const d = q + 4;
    if (d + len > extEnd) return bad('tls.bad_extension', q);
    switch (et) {
      case TLS_EXT.serverName:
        // An empty server_name is how a server acknowledges SNI (RFC 6066 §3).
        if (len > 0 && (len < 2 || u16be(b, d) !== len - 2)) return bad('tls.bad_extension', q);
        if (len > 0) sni = d;
        break;
      case TLS_EXT.alpn:
        if (len < 2 || u16be(b, d) !== len - 2) return bad('tls.bad_extension', q);
        alpn = d;
        break;
      case TLS_EXT.supportedVersions:
        if (type === TLS_HANDSHAKE.clientHello ? len < 1 || b[d] !== len - 1 || (len - 1) % 2 !== 0 : len !== 2) return bad('tls.bad_extension', q);
        sv = d;
        svLen = len;
        break;
      case TLS_EXT.signatureAlgorithms:
        if (len < 2 || u16be(b, d) !== len - 2 || len % 2 !== 0) return bad('tls.bad_extension', q);
        sig = d;
        break;
    }
    count++;
    q = d + len;
  }
  return { type, version, cipherOff, cipherLen, extOff, extEnd, extCount: count, sni, alpn, sv, svLen, sig };
}

class TlsDecoder implements Decoder {
  readonly name = 'tls';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): TlsView | Anomaly | undefined {
    if (!looksLikeTls(bytes, offset, end)) return undefined;
    const msgs: number[] = [];
    let r = offset;
    // Records of this segment, while they are handshake records (RFC 8446 §5.1).
    for (let records = 0; r + 5 <= end && records < TLS_MAX_MESSAGES; records++) {
      const rl = u16be(bytes, r + 3);
      if (rl > TLS_MAX_RECORD) return anomaly('tls.bad_record_length', 'tls', r + 3, TLS_MAX_RECORD, rl);
      if (bytes[r] !== TLS_CONTENT.handshake || bytes[r + 1] !== 3) break;
      const recEnd = r + 5 + rl;
      const fragEnd = Math.min(recEnd, end);
      let m = r + 5;
      while (m + 4 <= fragEnd && msgs.length < TLS_MAX_MESSAGES * 4) {
        const hl = u24(bytes, m + 1);
        msgs.push(bytes[m]!, m + 4, Math.min(m + 4 + hl, fragEnd), hl);
        m += 4 + hl;
      }
      // After the first record whose messages do not end inside it, what follows is a continuation.
      if (m !== recEnd) break;
      r = recEnd;
    }
    let hello: HelloLoc | undefined;
    const t = msgs[0];
    if (t === TLS_HANDSHAKE.clientHello || t === TLS_HANDSHAKE.serverHello) {
      const body = msgs[1]!;
      const declared = msgs[3]!;
      if (msgs[2]! - body === declared) {
        const h = parseHello(bytes, t, body, body + declared);
        if ('code' in h) return h;
        hello = h;
      }
    }
    return new TlsView(bytes, offset, end, msgs, hello);
  }
}

export const tlsDecoder: Decoder = new TlsDecoder();
