/**
 * Application payloads for the ward generator. Each is well-formed enough
 * that tshark dissects it without an expert error; content is metadata
 * only. Nothing here is, or imitates, patient data: HL7 bodies are opaque
 * bytes from 0x80-0xFF (they cannot spell a name, an ID or a date), DICOM
 * carries a SOP class, a modality and opaque pixel data.
 */
import { concat, parseIpv4, parseMac } from '../../test/builders/frames.js';
import type { Prng } from './prng.js';

type Bytes = Uint8Array;
const enc = new TextEncoder();

function u16(v: number): Bytes {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}
function u32(v: number): Bytes {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
function u16le(v: number): Bytes {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff);
}
function u32le(v: number): Bytes {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

// ---------------------------------------------------------------- DHCP

export const DHCP = { DISCOVER: 1, OFFER: 2, REQUEST: 3, ACK: 5 } as const;

export interface DhcpMsg {
  readonly op: 1 | 2;
  readonly type: number;
  readonly xid: number;
  readonly clientMac: string;
  readonly ciaddr?: string;
  readonly yiaddr?: string;
  readonly siaddr?: string;
  readonly broadcast?: boolean;
  /** Client: options 12, 55, 60, 61, 50, 54 as applicable. */
  readonly hostName?: string;
  readonly paramList?: readonly number[];
  readonly vendorClass?: string;
  readonly requestedIp?: string;
  readonly serverId?: string;
  /** Server: lease parameters. */
  readonly lease?: { readonly mask: string; readonly router: string; readonly dns: string; readonly seconds: number; readonly domain: string };
}

function opt(code: number, value: Bytes): Bytes {
  return concat(Uint8Array.of(code, value.length), value);
}

/** A BOOTP/DHCP message (RFC 2131 §2, options RFC 2132). */
export function dhcp(m: DhcpMsg): Bytes {
  const fixed = new Uint8Array(236);
  fixed[0] = m.op;
  fixed[1] = 1;
  fixed[2] = 6;
  fixed.set(u32(m.xid), 4);
  if (m.broadcast === true) fixed[10] = 0x80;
  if (m.ciaddr !== undefined) fixed.set(parseIpv4(m.ciaddr), 12);
  if (m.yiaddr !== undefined) fixed.set(parseIpv4(m.yiaddr), 16);
  if (m.siaddr !== undefined) fixed.set(parseIpv4(m.siaddr), 20);
  fixed.set(parseMac(m.clientMac), 28);
  const opts: Bytes[] = [Uint8Array.of(99, 130, 83, 99), opt(53, Uint8Array.of(m.type))];
  if (m.op === 1) opts.push(opt(61, concat(Uint8Array.of(1), parseMac(m.clientMac))));
  if (m.requestedIp !== undefined) opts.push(opt(50, parseIpv4(m.requestedIp)));
  if (m.serverId !== undefined) opts.push(opt(54, parseIpv4(m.serverId)));
  if (m.hostName !== undefined) opts.push(opt(12, enc.encode(m.hostName)));
  if (m.vendorClass !== undefined) opts.push(opt(60, enc.encode(m.vendorClass)));
  if (m.paramList !== undefined && m.paramList.length > 0) opts.push(opt(55, Uint8Array.from(m.paramList)));
  if (m.lease !== undefined) {
    opts.push(opt(51, u32(m.lease.seconds)), opt(58, u32(m.lease.seconds / 2)), opt(59, u32((m.lease.seconds * 7) / 8)));
    opts.push(opt(1, parseIpv4(m.lease.mask)), opt(3, parseIpv4(m.lease.router)), opt(6, parseIpv4(m.lease.dns)));
    opts.push(opt(15, enc.encode(m.lease.domain)));
  }
  opts.push(Uint8Array.of(255));
  return concat(fixed, ...opts);
}

// ---------------------------------------------------------------- DNS

function dnsName(name: string): Bytes {
  const parts: Bytes[] = [];
  for (const label of name.split('.')) {
    const b = enc.encode(label);
    parts.push(Uint8Array.of(b.length), b);
  }
  parts.push(Uint8Array.of(0));
  return concat(...parts);
}

/** A recursive A query (RFC 1035 §4.1). */
export function dnsQuery(id: number, name: string): Bytes {
  return concat(u16(id), u16(0x0100), u16(1), u16(0), u16(0), u16(0), dnsName(name), u16(1), u16(1));
}

/** The answer to dnsQuery: one A record, the name compressed to the question (offset 12). */
export function dnsResponse(id: number, name: string, addr: string, ttl: number): Bytes {
  return concat(
    u16(id), u16(0x8180), u16(1), u16(1), u16(0), u16(0), dnsName(name), u16(1), u16(1),
    u16(0xc00c), u16(1), u16(1), u32(ttl), u16(4), parseIpv4(addr),
  );
}

// ---------------------------------------------------------------- NTP

/** Seconds between the NTP era 0 epoch (1900) and the Unix epoch. */
const NTP_UNIX_OFFSET = 2_208_988_800;

function ntpTs(unixUs: number): Bytes {
  const sec = Math.floor(unixUs / 1e6);
  const frac = Math.floor(((unixUs % 1e6) / 1e6) * 4294967296);
  return concat(u32((sec + NTP_UNIX_OFFSET) >>> 0), u32(frac >>> 0));
}

/** NTPv4 client request, mode 3 (RFC 5905 §7.3). */
export function ntpRequest(unixUs: number): Bytes {
  const b = new Uint8Array(48);
  b[0] = (4 << 3) | 3;
  b[2] = 6;
  b[3] = 0xec;
  b.set(ntpTs(unixUs), 40);
  return b;
}

/** NTPv4 server reply, mode 4, stratum 2, echoing the client's transmit time. */
export function ntpReply(clientUs: number, recvUs: number, sendUs: number, refId: string): Bytes {
  const b = new Uint8Array(48);
  b[0] = (4 << 3) | 4;
  b[1] = 2;
  b[2] = 6;
  b[3] = 0xe9;
  b.set(u32(0x00000200), 4);
  b.set(u32(0x00000400), 8);
  b.set(parseIpv4(refId), 12);
  b.set(ntpTs(sendUs - 32_000_000), 16);
  b.set(ntpTs(clientUs), 24);
  b.set(ntpTs(recvUs), 32);
  b.set(ntpTs(sendUs), 40);
  return b;
}

// ---------------------------------------------------------------- SNMP (BER, X.690)

function ber(tag: number, content: Bytes): Bytes {
  const n = content.length;
  const len = n < 0x80 ? Uint8Array.of(n) : n < 0x100 ? Uint8Array.of(0x81, n) : Uint8Array.of(0x82, n >> 8, n & 0xff);
  return concat(Uint8Array.of(tag), len, content);
}

function berInt(v: number): Bytes {
  const out: number[] = [];
  let x = v >>> 0;
  do {
    out.unshift(x & 0xff);
    x >>>= 8;
  } while (x > 0);
  if (out[0]! & 0x80) out.unshift(0);
  return ber(0x02, Uint8Array.from(out));
}

function berOid(oid: string): Bytes {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const a of arcs.slice(2)) {
    const sub: number[] = [a & 0x7f];
    for (let x = a >>> 7; x > 0; x >>>= 7) sub.unshift(0x80 | (x & 0x7f));
    out.push(...sub);
  }
  return ber(0x06, Uint8Array.from(out));
}

export const SNMP_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysName: '1.3.6.1.2.1.1.5.0',
} as const;

/** SNMPv2c GetRequest (RFC 3416) with community "public", as NMS defaults ship. */
export function snmpGet(requestId: number, oid: string): Bytes {
  const vb = ber(0x30, ber(0x30, concat(berOid(oid), Uint8Array.of(0x05, 0x00))));
  const pdu = ber(0xa0, concat(berInt(requestId), berInt(0), berInt(0), vb));
  return ber(0x30, concat(berInt(1), ber(0x04, enc.encode('public')), pdu));
}

/** The GetResponse: an OCTET STRING, or TimeTicks (0x43) for sysUpTime. */
export function snmpResponse(requestId: number, oid: string, value: string | number): Bytes {
  const v = typeof value === 'string' ? ber(0x04, enc.encode(value)) : ber(0x43, berInt(value).subarray(2));
  const vb = ber(0x30, ber(0x30, concat(berOid(oid), v)));
  const pdu = ber(0xa2, concat(berInt(requestId), berInt(0), berInt(0), vb));
  return ber(0x30, concat(berInt(1), ber(0x04, enc.encode('public')), pdu));
}

// ---------------------------------------------------------------- syslog

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** An RFC 3164 line: `<PRI>Mmm dd hh:mm:ss HOST TAG: MSG`. */
export function syslogLine(pri: number, unixSec: number, host: string, tag: string, msg: string): Bytes {
  const d = new Date(unixSec * 1000);
  const dd = String(d.getUTCDate()).padStart(2, ' ');
  const hms = d.toISOString().slice(11, 19);
  return enc.encode(`<${pri}>${MONTHS[d.getUTCMonth()]} ${dd} ${hms} ${host} ${tag}: ${msg}`);
}

// ---------------------------------------------------------------- TLS 1.3 (RFC 8446)

function tlsRecord(type: number, body: Bytes, version = 0x0303): Bytes {
  return concat(Uint8Array.of(type), u16(version), u16(body.length), body);
}

function ext(type: number, body: Bytes): Bytes {
  return concat(u16(type), u16(body.length), body);
}

/** ClientHello offering TLS 1.3 and 1.2, x25519, with SNI (§4.1.2). */
export function tlsClientHello(rng: Prng, sni: string): Bytes {
  const name = enc.encode(sni);
  const sniBody = concat(u16(name.length + 3), Uint8Array.of(0), u16(name.length), name);
  const exts = concat(
    ext(0x0000, sniBody),
    ext(0x000a, concat(u16(4), u16(0x001d), u16(0x0017))),
    ext(0x000d, concat(u16(8), u16(0x0403), u16(0x0804), u16(0x0401), u16(0x0201))),
    ext(0x002b, Uint8Array.of(4, 0x03, 0x04, 0x03, 0x03)),
    ext(0x0033, concat(u16(36), u16(0x001d), u16(32), rng.bytes(32))),
  );
  const suites = concat(u16(0x1301), u16(0x1302), u16(0x1303), u16(0xc02f), u16(0xc030));
  const body = concat(
    u16(0x0303), rng.bytes(32), Uint8Array.of(32), rng.bytes(32),
    u16(suites.length), suites, Uint8Array.of(1, 0), u16(exts.length), exts,
  );
  const hs = concat(Uint8Array.of(1, 0, body.length >> 8, body.length & 0xff), body);
  return tlsRecord(0x16, hs, 0x0301);
}

/** ServerHello selecting TLS 1.3 (supported_versions), then ChangeCipherSpec and the encrypted flight. */
export function tlsServerFlight(rng: Prng, encryptedBytes: number): Bytes {
  const exts = concat(ext(0x002b, u16(0x0304)), ext(0x0033, concat(u16(0x001d), u16(32), rng.bytes(32))));
  const body = concat(u16(0x0303), rng.bytes(32), Uint8Array.of(32), rng.bytes(32), u16(0x1301), Uint8Array.of(0), u16(exts.length), exts);
  const hs = concat(Uint8Array.of(2, 0, body.length >> 8, body.length & 0xff), body);
  return concat(tlsRecord(0x16, hs), tlsRecord(0x14, Uint8Array.of(1)), tlsAppData(rng, encryptedBytes));
}

/** Client's ChangeCipherSpec and Finished (encrypted) after the server flight. */
export function tlsClientFinish(rng: Prng): Bytes {
  return concat(tlsRecord(0x14, Uint8Array.of(1)), tlsAppData(rng, 53));
}

/** Encrypted records (opaque type 23) carrying `n` bytes, split at 16 KiB + overhead. */
export function tlsAppData(rng: Prng, n: number): Bytes {
  const parts: Bytes[] = [];
  for (let left = n; left > 0;) {
    const k = Math.min(left, 16384 + 17);
    parts.push(tlsRecord(0x17, rng.bytes(k)));
    left -= k;
  }
  return concat(...parts);
}

// ---------------------------------------------------------------- HL7 MLLP

/**
 * An MLLP block (HL7 v2.5.1 Appendix C.4.3: VT ... FS CR) around an opaque
 * body of bytes 0x80-0xFF. Later capabilities put real HL7 content here; the
 * generator never does, so it can never leak anything resembling PHI.
 */
const EMPTY_MSH = enc.encode(`MSH|^~\\&${'|'.repeat(10)}\r`);

export function mllpOpaque(rng: Prng, n: number): Bytes {
  // An MSH segment with every field empty (HL7 v2.5.1 §2.14.9: MSH-1 and MSH-2
  // are the separators, the rest carry nothing), so dissectors find the
  // message header they require, then the opaque body as one CR-terminated
  // segment.
  return concat(Uint8Array.of(0x0b), EMPTY_MSH, rng.bytes(n, true), Uint8Array.of(0x0d, 0x1c, 0x0d));
}

// ---------------------------------------------------------------- monitoring stream

/**
 * A datagram of a proprietary monitor-to-central-station stream (vendors
 * use their own, e.g. udp/24105): a small big-endian header (version 0,
 * message type, sequence, body length) and an opaque body. The leading zero
 * byte keeps heuristic dissectors (RTCP, Thrift, CLTP) from claiming it.
 */
export function monitorDatagram(rng: Prng, type: number, seq: number, n: number): Bytes {
  return concat(Uint8Array.of(0, type & 0xff), u32(seq), u16(n), rng.bytes(n));
}

// ---------------------------------------------------------------- ZPL print job

export function zplLabel(n: number): Bytes {
  const head = '^XA^CI28^PW400^FO20,20^A0N,28,28^FDSPECIMEN LABEL^FS';
  const fill = '^FO20,60^GB360,2,2^FS';
  let s = head;
  while (s.length + fill.length + 3 < n) s += fill;
  return enc.encode(`${s}^XZ`);
}

// ---------------------------------------------------------------- DICOM upper layer (PS3.8)

const DICOM_APP_CONTEXT = '1.2.840.10008.3.1.1.1';
const IMPLICIT_VR_LE = '1.2.840.10008.1.2';
/** Ultrasound Image Storage (PS3.4 Annex B.5). */
export const US_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.6.1';
const IMPL_CLASS_UID = '1.2.826.0.1.3680043.10.999.1';
export const DICOM_MAX_PDU = 16384;

function ae(title: string): Bytes {
  return enc.encode(title.padEnd(16, ' ').slice(0, 16));
}

function uid(s: string): Bytes {
  const b = enc.encode(s);
  return b.length % 2 === 0 ? b : concat(b, Uint8Array.of(0));
}

function item(type: number, body: Bytes): Bytes {
  return concat(Uint8Array.of(type, 0), u16(body.length), body);
}

function pdu(type: number, body: Bytes): Bytes {
  return concat(Uint8Array.of(type, 0), u32(body.length), body);
}

function userInfo(): Bytes {
  return item(0x50, concat(item(0x51, u32(DICOM_MAX_PDU)), item(0x52, enc.encode(IMPL_CLASS_UID))));
}

/** A-ASSOCIATE-RQ (PS3.8 §9.3.2) proposing one presentation context. */
export function dicomAssociateRq(called: string, calling: string, sopClass: string): Bytes {
  const pc = item(0x20, concat(Uint8Array.of(1, 0, 0, 0), item(0x30, enc.encode(sopClass)), item(0x40, enc.encode(IMPLICIT_VR_LE))));
  return pdu(0x01, concat(u16(1), u16(0), ae(called), ae(calling), new Uint8Array(32), item(0x10, enc.encode(DICOM_APP_CONTEXT)), pc, userInfo()));
}

/** A-ASSOCIATE-AC (PS3.8 §9.3.3) accepting presentation context 1. */
export function dicomAssociateAc(called: string, calling: string): Bytes {
  const pc = item(0x21, concat(Uint8Array.of(1, 0, 0, 0), item(0x40, enc.encode(IMPLICIT_VR_LE))));
  return pdu(0x02, concat(u16(1), u16(0), ae(called), ae(calling), new Uint8Array(32), item(0x10, enc.encode(DICOM_APP_CONTEXT)), pc, userInfo()));
}

/** One implicit-VR little-endian element (PS3.5 §7.1.3). */
function elem(group: number, el: number, value: Bytes): Bytes {
  return concat(u16le(group), u16le(el), u32le(value.length), value);
}

function commandSet(elements: readonly Bytes[]): Bytes {
  const body = concat(...elements);
  return concat(elem(0x0000, 0x0000, u32le(body.length)), body);
}

/** C-STORE-RQ command set (PS3.7 §9.3.1.1). */
export function cStoreRq(msgId: number, sopClass: string, sopInstance: string): Bytes {
  return commandSet([
    elem(0x0000, 0x0002, uid(sopClass)), elem(0x0000, 0x0100, u16le(0x0001)), elem(0x0000, 0x0110, u16le(msgId)),
    elem(0x0000, 0x0700, u16le(0)), elem(0x0000, 0x0800, u16le(0x0000)), elem(0x0000, 0x1000, uid(sopInstance)),
  ]);
}

/** C-STORE-RSP with status Success. */
export function cStoreRsp(msgId: number, sopClass: string, sopInstance: string): Bytes {
  return commandSet([
    elem(0x0000, 0x0002, uid(sopClass)), elem(0x0000, 0x0100, u16le(0x8001)), elem(0x0000, 0x0120, u16le(msgId)),
    elem(0x0000, 0x0800, u16le(0x0101)), elem(0x0000, 0x0900, u16le(0)), elem(0x0000, 0x1000, uid(sopInstance)),
  ]);
}

/** An image data set: SOP class and instance, modality, opaque pixel data. No patient module at all. */
export function imageDataset(rng: Prng, sopClass: string, sopInstance: string, pixelBytes: number): Bytes {
  return concat(
    elem(0x0008, 0x0016, uid(sopClass)), elem(0x0008, 0x0018, uid(sopInstance)),
    elem(0x0008, 0x0060, enc.encode('US')), elem(0x7fe0, 0x0010, rng.bytes(pixelBytes & ~1)),
  );
}

/** P-DATA-TF PDUs (PS3.8 §9.3.5) carrying `data` in PDVs of at most the negotiated PDU size. */
export function pData(data: Bytes, command: boolean): Bytes {
  const max = DICOM_MAX_PDU - 6;
  const out: Bytes[] = [];
  for (let o = 0; o < data.length || o === 0; o += max) {
    const chunk = data.subarray(o, Math.min(data.length, o + max));
    const last = o + max >= data.length;
    const mch = (command ? 1 : 0) | (last ? 2 : 0);
    out.push(pdu(0x04, concat(u32(chunk.length + 2), Uint8Array.of(1, mch), chunk)));
    if (last) break;
  }
  return concat(...out);
}

export const DICOM_RELEASE_RQ = pdu(0x05, new Uint8Array(4));
export const DICOM_RELEASE_RP = pdu(0x06, new Uint8Array(4));
