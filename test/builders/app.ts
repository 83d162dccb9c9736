/**
 * Frame builders for the application protocols (issue 7 part B): TLS
 * records and hellos (RFC 8446 §4.1.2/§4.1.3), a TLS 1.2 Certificate
 * message around a minimal DER certificate (RFC 5280 §4.1), SNMP messages
 * in BER (RFC 1157 §4, RFC 3416 §3), and the text protocols. They build
 * bytes from fields, so a test states what it sends.
 */
import { concat, ethernet, ipv4, tcp, udp, TCP_FLAGS, type Bytes } from './frames.js';

const u16 = (v: number): Bytes => Uint8Array.of(v >> 8, v & 0xff);
const u24 = (v: number): Bytes => Uint8Array.of(v >> 16, (v >> 8) & 0xff, v & 0xff);
export const text = (s: string): Bytes => Uint8Array.from(Buffer.from(s, 'latin1'));

/** A TLS record of `type` (22 handshake) around `body`. */
export function tlsRecord(type: number, body: Bytes, version = 0x0301): Bytes {
  return concat(Uint8Array.of(type), u16(version), u16(body.length), body);
}

/** A handshake message (RFC 8446 §4). */
export function handshake(type: number, body: Bytes): Bytes {
  return concat(Uint8Array.of(type), u24(body.length), body);
}

export interface Ext {
  readonly type: number;
  readonly data?: Bytes;
}

export const ext = {
  sni: (host: string): Ext => {
    const h = text(host);
    return { type: 0, data: concat(u16(h.length + 3), Uint8Array.of(0), u16(h.length), h) };
  },
  alpn: (...names: string[]): Ext => {
    const list = concat(...names.map((n) => concat(Uint8Array.of(n.length), text(n))));
    return { type: 16, data: concat(u16(list.length), list) };
  },
  versionsClient: (...v: number[]): Ext => ({ type: 43, data: concat(Uint8Array.of(v.length * 2), ...v.map(u16)) }),
  versionServer: (v: number): Ext => ({ type: 43, data: u16(v) }),
  sigAlgs: (...a: number[]): Ext => ({ type: 13, data: concat(u16(a.length * 2), ...a.map(u16)) }),
  empty: (type: number): Ext => ({ type }),
};

function extensions(exts: readonly Ext[] | undefined): Bytes {
  if (exts === undefined) return new Uint8Array(0);
  const body = concat(...exts.map((e) => concat(u16(e.type), u16(e.data?.length ?? 0), e.data ?? new Uint8Array(0))));
  return concat(u16(body.length), body);
}

export interface HelloOpts {
  readonly version?: number;
  readonly ciphers: readonly number[];
  /** undefined: no extensions block at all (allowed before TLS 1.3). */
  readonly exts?: readonly Ext[];
  readonly sessionId?: Bytes;
}

export function clientHello(o: HelloOpts): Bytes {
  const sid = o.sessionId ?? new Uint8Array(32).fill(7);
  return handshake(1, concat(u16(o.version ?? 0x0303), new Uint8Array(32).fill(1), Uint8Array.of(sid.length), sid,
    u16(o.ciphers.length * 2), ...o.ciphers.map(u16), Uint8Array.of(1, 0), extensions(o.exts)));
}

export function serverHello(o: HelloOpts): Bytes {
  const sid = o.sessionId ?? new Uint8Array(32).fill(9);
  return handshake(2, concat(u16(o.version ?? 0x0303), new Uint8Array(32).fill(2), Uint8Array.of(sid.length), sid, u16(o.ciphers[0] ?? 0), Uint8Array.of(0), extensions(o.exts)));
}

/** A DER TLV (short or long length form). */
export function der(tag: number, ...content: Bytes[]): Bytes {
  const c = concat(...content);
  const len = c.length < 0x80 ? Uint8Array.of(c.length) : c.length < 0x100 ? Uint8Array.of(0x81, c.length) : Uint8Array.of(0x82, c.length >> 8, c.length & 0xff);
  return concat(Uint8Array.of(tag), len, c);
}

/** A Name with CN and O (RFC 5280 §4.1.2.4), PrintableString / UTF8String. */
export function derName(cn: string | undefined, o: string | undefined, cnTag = 0x0c): Bytes {
  const rdn = (attr: number, tag: number, v: string): Bytes => der(0x31, der(0x30, der(0x06, Uint8Array.of(0x55, 4, attr)), der(tag, Buffer.from(v, 'utf8'))));
  return der(0x30, der(0x31, der(0x30, der(0x06, Uint8Array.of(0x55, 4, 6)), der(0x13, text('US')))), ...(o ? [rdn(0x0a, 0x13, o)] : []), ...(cn ? [rdn(0x03, cnTag, cn)] : []));
}

/** A certificate with just enough structure for the TBSCertificate walk (the signature is filler). */
export function derCertificate(subject: Bytes, issuer: Bytes): Bytes {
  const alg = der(0x30, der(0x06, Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 0x0b)), Uint8Array.of(5, 0));
  const validity = der(0x30, der(0x17, text('250101000000Z')), der(0x17, text('350101000000Z')));
  const tbs = der(0x30, der(0xa0, der(0x02, Uint8Array.of(2))), der(0x02, Uint8Array.of(0x01, 0x23)), alg, issuer, validity, subject, der(0x30, alg, der(0x03, Uint8Array.of(0, 1, 2))));
  return der(0x30, tbs, alg, der(0x03, new Uint8Array(65)));
}

/** A TLS 1.2 Certificate handshake message holding `certs`. */
export function certificateMsg(...certs: Bytes[]): Bytes {
  const list = concat(...certs.map((c) => concat(u24(c.length), c)));
  return handshake(11, concat(u24(list.length), list));
}

/** An SNMP v1/v2c message (RFC 1157 §4.1, RFC 3416 §3). `varbinds` are [OID content bytes, value TLV]. */
export function snmpMessage(o: { version: number; community: string; pdu: number; requestId: number; varbinds: ReadonlyArray<readonly [Bytes, Bytes]> }): Bytes {
  const vbs = der(0x30, ...o.varbinds.map(([oid, v]) => der(0x30, der(0x06, oid), v)));
  const id = o.requestId < 0x80 ? Uint8Array.of(o.requestId) : Uint8Array.of(0, ...u16(o.requestId));
  const pdu = der(o.pdu, der(0x02, id), der(0x02, Uint8Array.of(0)), der(0x02, Uint8Array.of(0)), vbs);
  return der(0x30, der(0x02, Uint8Array.of(o.version)), der(0x04, text(o.community)), pdu);
}

export const snmpValue = {
  octets: (s: string): Bytes => der(0x04, text(s)),
  oid: (content: Bytes): Bytes => der(0x06, content),
  null: (): Bytes => Uint8Array.of(5, 0),
};

export interface Endpoints {
  readonly clientMac?: string;
  readonly serverMac?: string;
  readonly client?: string;
  readonly server?: string;
}

const CLIENT_MAC = '02:00:00:00:00:01';
const SERVER_MAC = '02:00:00:00:00:02';

/** Ethernet/IPv4/TCP from client (port `cport`) to server (`sport`), or back when `toClient`. */
export function tcpFrame(cport: number, sport: number, payload: Bytes, toClient = false, e: Endpoints = {}, seq = 1): Bytes {
  const c = { mac: e.clientMac ?? CLIENT_MAC, ip: e.client ?? '10.0.0.1' };
  const s = { mac: e.serverMac ?? SERVER_MAC, ip: e.server ?? '10.0.0.2' };
  const [from, to, fp, tp] = toClient ? [s, c, sport, cport] : [c, s, cport, sport];
  return ethernet({ src: from.mac, dst: to.mac, type: 0x0800 }, ipv4({ src: from.ip, dst: to.ip, proto: 6 }, tcp({ sport: fp, dport: tp, seq, flags: TCP_FLAGS.PSH | TCP_FLAGS.ACK }, payload)));
}

/** Ethernet/IPv4/UDP, same conventions. */
export function udpFrame(cport: number, sport: number, payload: Bytes, toClient = false, e: Endpoints = {}): Bytes {
  const c = { mac: e.clientMac ?? CLIENT_MAC, ip: e.client ?? '10.0.0.1' };
  const s = { mac: e.serverMac ?? SERVER_MAC, ip: e.server ?? '10.0.0.2' };
  const [from, to, fp, tp] = toClient ? [s, c, sport, cport] : [c, s, cport, sport];
  return ethernet({ src: from.mac, dst: to.mac, type: 0x0800 }, ipv4({ src: from.ip, dst: to.ip, proto: 17 }, udp({ sport: fp, dport: tp }, payload)));
}
