/**
 * Frame builders: pure functions that return the bytes of one protocol
 * layer wrapped around a payload, for tests, the ward traffic generator
 * and benchmarks. Compose them inside out:
 *
 *   ethernet({ src: MAC_A, dst: MAC_B, type: 0x0800 },
 *     ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 },
 *       tcp({ sport: 40000, dport: 104, flags: TCP_FLAGS.SYN }, new Uint8Array(0))))
 *
 * Lengths and the IPv4 header checksum are filled in; every field can be
 * overridden (e.g. `totalLength`, `dataOffset`) to build malformed frames on
 * purpose. Addresses are strings ("aa:bb:cc:dd:ee:ff", "10.0.0.1", "fe80::1").
 * `rawFrame` wraps bytes in the `RawFrame` the decoder takes.
 */
import { concatBytes } from '../../src/capture/pcap/writer.js';
import type { RawFrame } from '../../src/capture/types.js';

export type Bytes = Uint8Array;

/** TCP flag bits (RFC 9293 §3.1). */
export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/** Concatenate byte arrays. */
export function concat(...parts: readonly Bytes[]): Bytes {
  return concatBytes(parts);
}

/** Bytes from hex; whitespace, colons and `|` are ignored (so hexdump text can be pasted). */
export function hex(s: string): Bytes {
  const clean = s.replace(/[\s:|]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function parseMac(s: string): Bytes {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6) throw new Error(`bad MAC: ${s}`);
  return Uint8Array.from(parts.map((p) => {
    const v = parseInt(p, 16);
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) throw new Error(`bad MAC: ${s}`);
    return v;
  }));
}

export function parseIpv4(s: string): Bytes {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`bad IPv4: ${s}`);
  return Uint8Array.from(parts.map(Number));
}

/** An IPv6 address in any RFC 4291 §2.2 text form, including "::" and a trailing dotted quad. */
export function parseIpv6(s: string): Bytes {
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // A trailing dotted quad is the last two groups (RFC 4291 §2.2 form 3).
    const v4 = parseIpv4(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6: ${s}`);
  const group = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`bad IPv6: ${s}`);
    return parseInt(g, 16);
  }));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const known = head.length + rest.length;
  if (halves.length === 1 && known !== 8) throw new Error(`bad IPv6: ${s}`);
  if (known > (halves.length === 2 ? 7 : 8)) throw new Error(`bad IPv6: ${s}`);
  const words = [...head, ...new Array<number>(8 - known).fill(0), ...rest];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** RFC 1071 Internet checksum over `data` (plus an initial partial sum). */
export function internetChecksum(data: Bytes, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length % 2 === 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function put16(b: Bytes, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function put32(b: Bytes, o: number, v: number): void {
  put16(b, o, (v >>> 16) & 0xffff);
  put16(b, o + 2, v & 0xffff);
}

export interface VlanTag {
  vid: number;
  pcp?: number;
  dei?: boolean;
  /** Tag protocol id; 0x8100 by default (use 0x88a8 for an 802.1ad outer tag). */
  tpid?: number;
}

export interface EthernetOpts {
  src: string;
  dst: string;
  /** EtherType of the payload (or an 802.3 length below 0x600). */
  type: number;
  /** One tag, or several outermost first (QinQ). */
  vlan?: VlanTag | readonly VlanTag[];
}

/** Ethernet II header (+ 802.1Q tags); no FCS and no padding. */
export function ethernet(o: EthernetOpts, payload: Bytes): Bytes {
  const tags = o.vlan === undefined ? [] : Array.isArray(o.vlan) ? o.vlan : [o.vlan as VlanTag];
  const h = new Uint8Array(14 + 4 * tags.length);
  h.set(parseMac(o.dst), 0);
  h.set(parseMac(o.src), 6);
  let p = 12;
  for (const t of tags) {
    put16(h, p, t.tpid ?? 0x8100);
    put16(h, p + 2, ((t.pcp ?? 0) << 13) | (t.dei ? 0x1000 : 0) | (t.vid & 0xfff));
    p += 4;
  }
  put16(h, p, o.type);
  return concat(h, payload);
}

export interface Ipv4Opts {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  tos?: number;
  /** Three flag bits: 2 = DF, 1 = MF. */
  flags?: number;
  /** Fragment offset in 8-byte units. */
  fragOffset?: number;
  /** Options, padded by the caller to a multiple of 4. */
  options?: Bytes;
  /** Overrides: the IHL nibble, the total length, the version nibble, the checksum. */
  ihl?: number;
  totalLength?: number;
  version?: number;
  checksum?: number;
}

/** IPv4 header with a correct header checksum (RFC 791 §3.1) unless overridden. */
export function ipv4(o: Ipv4Opts, payload: Bytes): Bytes {
  const opts = o.options ?? new Uint8Array(0);
  const hl = 20 + opts.length;
  const h = new Uint8Array(hl);
  h[0] = ((o.version ?? 4) << 4) | ((o.ihl ?? hl / 4) & 0xf);
  h[1] = o.tos ?? 0;
  put16(h, 2, o.totalLength ?? hl + payload.length);
  put16(h, 4, o.id ?? 0);
  put16(h, 6, ((o.flags ?? 0) << 13) | ((o.fragOffset ?? 0) & 0x1fff));
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  h.set(parseIpv4(o.src), 12);
  h.set(parseIpv4(o.dst), 16);
  h.set(opts, 20);
  put16(h, 10, o.checksum ?? internetChecksum(h));
  return concat(h, payload);
}

/** An IPv6 extension header: options-like (0, 43, 60, 51) with a body, or a fragment header (44). */
export type Ipv6Ext =
  | { type: 0 | 43 | 60 | 51; body?: Bytes }
  | { type: 44; offset?: number; more?: boolean; id?: number };

export interface Ipv6Opts {
  src: string;
  dst: string;
  /** Upper-layer protocol (after any extension headers). */
  next: number;
  hopLimit?: number;
  flowLabel?: number;
  trafficClass?: number;
  ext?: readonly Ipv6Ext[];
  /** Override the payload length field. */
  payloadLength?: number;
}

function extBytes(e: Ipv6Ext, next: number): Bytes {
  if (e.type === 44) {
    const b = new Uint8Array(8);
    b[0] = next;
    put16(b, 2, ((e.offset ?? 0) << 3) | (e.more ? 1 : 0));
    put32(b, 4, e.id ?? 0);
    return b;
  }
  // Pad the body so the header is a multiple of 8 (4 for AH) bytes; the
  // length field counts 8-byte units after the first (AH: 4-byte units minus 2).
  const unit = e.type === 51 ? 4 : 8;
  const body = e.body ?? new Uint8Array(e.type === 51 ? 10 : 6);
  const total = Math.max(8, Math.ceil((body.length + 2) / unit) * unit);
  const b = new Uint8Array(total);
  b[0] = next;
  b[1] = e.type === 51 ? total / 4 - 2 : total / 8 - 1;
  b.set(body, 2);
  return b;
}

/** IPv6 header (RFC 8200 §3) with extension headers chained in order. */
export function ipv6(o: Ipv6Opts, payload: Bytes): Bytes {
  const ext = o.ext ?? [];
  const exts: Bytes[] = [];
  for (let i = 0; i < ext.length; i++) exts.push(extBytes(ext[i]!, i + 1 < ext.length ? ext[i + 1]!.type : o.next));
  const body = concat(...exts, payload);
  const h = new Uint8Array(40);
  put32(h, 0, (6 << 28) | ((o.trafficClass ?? 0) << 20) | ((o.flowLabel ?? 0) & 0xfffff));
  put16(h, 4, o.payloadLength ?? body.length);
  h[6] = ext.length > 0 ? ext[0]!.type : o.next;
  h[7] = o.hopLimit ?? 64;
  h.set(parseIpv6(o.src), 8);
  h.set(parseIpv6(o.dst), 24);
  return concat(h, body);
}

/** Addresses for a TCP/UDP checksum pseudo-header (RFC 9293 §3.1, RFC 8200 §8.1). */
export interface PseudoHeader {
  src: string;
  dst: string;
}

function pseudoSum(p: PseudoHeader, proto: number, length: number): number {
  const v6 = p.src.includes(':');
  const src = v6 ? parseIpv6(p.src) : parseIpv4(p.src);
  const dst = v6 ? parseIpv6(p.dst) : parseIpv4(p.dst);
  let sum = 0;
  for (const a of [src, dst]) for (let i = 0; i < a.length; i += 2) sum += (a[i]! << 8) | a[i + 1]!;
  return sum + proto + length;
}

export interface TcpOpts {
  sport: number;
  dport: number;
  /** Flag bits (TCP_FLAGS); default ACK. */
  flags?: number;
  seq?: number;
  ack?: number;
  window?: number;
  /** Options, padded by the caller to a multiple of 4. */
  options?: Bytes;
  /** Override the data offset nibble. */
  dataOffset?: number;
  /** Compute the checksum over this pseudo-header; left 0 otherwise. */
  checksumWith?: PseudoHeader;
}

export function tcp(o: TcpOpts, payload: Bytes): Bytes {
  const opts = o.options ?? new Uint8Array(0);
  const h = new Uint8Array(20 + opts.length);
  put16(h, 0, o.sport);
  put16(h, 2, o.dport);
  put32(h, 4, o.seq ?? 0);
  put32(h, 8, o.ack ?? 0);
  h[12] = ((o.dataOffset ?? h.length / 4) & 0xf) << 4;
  h[13] = o.flags ?? TCP_FLAGS.ACK;
  put16(h, 14, o.window ?? 65535);
  h.set(opts, 20);
  const seg = concat(h, payload);
  if (o.checksumWith) put16(seg, 16, internetChecksum(seg, pseudoSum(o.checksumWith, 6, seg.length)));
  return seg;
}

export interface UdpOpts {
  sport: number;
  dport: number;
  /** Override the length field. */
  length?: number;
  checksumWith?: PseudoHeader;
}

export function udp(o: UdpOpts, payload: Bytes): Bytes {
  const h = new Uint8Array(8);
  put16(h, 0, o.sport);
  put16(h, 2, o.dport);
  put16(h, 4, o.length ?? 8 + payload.length);
  const d = concat(h, payload);
  if (o.checksumWith) put16(d, 6, internetChecksum(d, pseudoSum(o.checksumWith, 17, d.length)) || 0xffff);
  return d;
}

export interface ArpOpts {
  /** 1 request, 2 reply. */
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** ARP for Ethernet/IPv4 (RFC 826), 28 bytes. */
export function arp(o: ArpOpts): Bytes {
  const b = new Uint8Array(28);
  put16(b, 0, 1);
  put16(b, 2, 0x0800);
  b[4] = 6;
  b[5] = 4;
  put16(b, 6, o.op);
  b.set(parseMac(o.senderMac), 8);
  b.set(parseIpv4(o.senderIp), 14);
  b.set(parseMac(o.targetMac), 18);
  b.set(parseIpv4(o.targetIp), 24);
  return b;
}

export interface IcmpOpts {
  type: number;
  code?: number;
  /** Bytes 4..7 (echo: identifier << 16 | sequence). */
  rest?: number;
}

/** ICMP (RFC 792) or ICMPv6 (RFC 4443) message: the 8-byte header with checksum (ICMPv6 checksum left 0). */
export function icmp(o: IcmpOpts, payload: Bytes, v6 = false): Bytes {
  const h = new Uint8Array(8);
  h[0] = o.type;
  h[1] = o.code ?? 0;
  put32(h, 4, o.rest ?? 0);
  const m = concat(h, payload);
  if (!v6) put16(m, 2, internetChecksum(m));
  return m;
}

export interface SllOpts {
  /** EtherType of the payload. */
  protocol: number;
  /** 0 to us, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing. */
  packetType?: number;
  /** ARPHRD type, 1 (Ethernet) by default. */
  arphrd?: number;
  /** Link-layer source address; a MAC by default. */
  addr?: string;
  /** SLL2 only. */
  ifindex?: number;
}

function sllAddr(o: SllOpts): Bytes {
  return parseMac(o.addr ?? '02:00:00:00:00:01');
}

/** Linux cooked capture v1 header (16 bytes). */
export function sll(o: SllOpts, payload: Bytes): Bytes {
  const a = sllAddr(o);
  const h = new Uint8Array(16);
  put16(h, 0, o.packetType ?? 0);
  put16(h, 2, o.arphrd ?? 1);
  put16(h, 4, a.length);
  h.set(a.subarray(0, 8), 6);
  put16(h, 14, o.protocol);
  return concat(h, payload);
}

/** Linux cooked capture v2 header (20 bytes). */
export function sll2(o: SllOpts, payload: Bytes): Bytes {
  const a = sllAddr(o);
  const h = new Uint8Array(20);
  put16(h, 0, o.protocol);
  put32(h, 4, o.ifindex ?? 1);
  put16(h, 8, o.arphrd ?? 1);
  h[10] = o.packetType ?? 0;
  h[11] = a.length;
  h.set(a.subarray(0, 8), 12);
  return concat(h, payload);
}

/** A RawFrame around bytes; `origLen` larger than the bytes marks it snapped. */
export function rawFrame(bytes: Bytes, linkType = 1, origLen = bytes.length, source = 'test'): RawFrame {
  return { tsSec: 0, tsNsec: 0, source, linkType, bytes, origLen, meta: {} };
}

/** A ready Ethernet/IPv4/TCP frame, the common case in tests and benchmarks. */
export function ethIpv4Tcp(sport = 40000, dport = 104, payload: Bytes = new Uint8Array(0)): Bytes {
  return ethernet(
    { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800 },
    ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, tcp({ sport, dport }, payload)),
  );
}
