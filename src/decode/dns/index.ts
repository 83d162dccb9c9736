/**
 * DNS messages (RFC 1035 §4.1) on UDP 53, and the same format as mDNS /
 * DNS-SD on UDP 5353 (RFC 6762 §18, RFC 6763): header, questions and
 * resource records. One view class serves both; the layer name says which.
 *
 * The constructor walks every record once to check names (compression
 * pointers bounded by dns/names.ts) and lengths; a record that does not
 * check ends the walk with a warning `<layer>.<why>`, and the records before
 * it stay readable (`recordCount`). Getters walk the checked records again
 * and build owned values only when an analyzer asks.
 */
import { ipv4String, ipv6String, u16be, u32be } from '../bytes.js';
import { text } from '../text.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import {
  CLASS_TOP_BIT, DNS_HEADER_LEN, DNS_MAX_RECORDS, TYPE_A, TYPE_AAAA, TYPE_CNAME, TYPE_NS, TYPE_PTR, TYPE_SRV, TYPE_TXT,
} from './consts.js';
import { nameText, skipName } from './names.js';

export type DnsSection = 'question' | 'answer' | 'authority' | 'additional';

/** One question or resource record, as owned data. */
export interface DnsRecord {
  readonly section: DnsSection;
  /** Offset of the name in the frame (it may continue elsewhere through a pointer). */
  readonly namePos: number;
  readonly name: string;
  readonly type: number;
  /** The class without its top bit. */
  readonly rrClass: number;
  /** mDNS: unicast-response (question) or cache-flush (answer) bit (RFC 6762 §5.4, §10.2). */
  readonly topBit: boolean;
  /** 0 for a question. */
  readonly ttl: number;
  /** Offset of the RDATA in the frame, and its length (0 for a question). */
  readonly rdataOffset: number;
  readonly rdataLength: number;
}

/** Where one record sits in the bytes; what the walk hands its callback. */
interface RecordAt {
  section: DnsSection;
  namePos: number;
  /** Offset of type/class after the name. */
  fixed: number;
  rdata: number;
  rdlen: number;
}

/**
 * The message view. `name` is 'dns' or 'mdns' (and 'nbns' for the
 * NetBIOS subclass): the anomaly prefix and the routes.ts layer name.
 */
export class DnsMessageView implements Layer {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  readonly warning: Anomaly | undefined;
  /** Records (questions first) that checked, in order; the walk stops at the first bad one. */
  readonly recordCount: number;

  constructor(name: string, bytes: Uint8Array, offset: number, end: number, recordCount: number, warning: Anomaly | undefined) {
    this.name = name;
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.recordCount = recordCount;
    this.warning = warning;
  }

  get id(): number {
    return u16be(this.bytes, this.offset);
  }

  get flags(): number {
    return u16be(this.bytes, this.offset + 2);
  }

  /** QR (RFC 1035 §4.1.1). */
  get isResponse(): boolean {
    return (this.bytes[this.offset + 2]! & 0x80) !== 0;
  }

  get opcode(): number {
    return (this.bytes[this.offset + 2]! >>> 3) & 0x0f;
  }

  get rcode(): number {
    return this.bytes[this.offset + 3]! & 0x0f;
  }

  get qdcount(): number {
    return u16be(this.bytes, this.offset + 4);
  }

  get ancount(): number {
    return u16be(this.bytes, this.offset + 6);
  }

  get nscount(): number {
    return u16be(this.bytes, this.offset + 8);
  }

  get arcount(): number {
    return u16be(this.bytes, this.offset + 10);
  }

  /** Every question and record that checked, in order. */
  get records(): DnsRecord[] {
    const out: DnsRecord[] = [];
    const b = this.bytes;
    this.walk((r) => {
      const cls = u16be(b, r.fixed + 2);
      out.push({
        section: r.section,
        namePos: r.namePos,
        name: this.nameAt(r.namePos),
        type: u16be(b, r.fixed),
        rrClass: cls & ~CLASS_TOP_BIT,
        topBit: (cls & CLASS_TOP_BIT) !== 0,
        ttl: r.section === 'question' ? 0 : u32be(b, r.fixed + 4),
        rdataOffset: r.rdata,
        rdataLength: r.rdlen,
      });
    });
    return out;
  }

  get questions(): DnsRecord[] {
    return this.records.filter((r) => r.section === 'question');
  }

  /** Answer, authority and additional records (mDNS announcements put what matters in all three). */
  get resources(): DnsRecord[] {
    return this.records.filter((r) => r.section !== 'question');
  }

  /** A name anywhere in the message, as dotted text ('' for the root). */
  nameAt(pos: number): string {
    return nameText(this.bytes, this.offset, pos, this.payloadEnd);
  }

  /**
   * RDATA of a record as text, for the types a fingerprint reads: A, AAAA,
   * PTR/CNAME/NS targets, SRV target. Undefined for other types and for
   * RDATA that does not check (a bad name or a wrong length).
   */
  rdataText(r: DnsRecord): string | undefined {
    const b = this.bytes;
    const p = r.rdataOffset;
    switch (r.type) {
      case TYPE_A:
        return r.rdataLength === 4 ? ipv4String(u32be(b, p)) : undefined;
      case TYPE_AAAA:
        return r.rdataLength === 16 ? ipv6String(b, p) : undefined;
      case TYPE_PTR:
      case TYPE_CNAME:
      case TYPE_NS:
        return this.rdataName(p, p + r.rdataLength);
      case TYPE_SRV:
        return r.rdataLength >= 7 ? this.rdataName(p + 6, p + r.rdataLength) : undefined;
      default:
        return undefined;
    }
  }

  /** SRV priority, weight and port (RFC 2782), or undefined. */
  srv(r: DnsRecord): { priority: number; weight: number; port: number; target: string } | undefined {
    if (r.type !== TYPE_SRV || r.rdataLength < 7) return undefined;
    const target = this.rdataText(r);
    if (target === undefined) return undefined;
    const b = this.bytes;
    const p = r.rdataOffset;
    return { priority: u16be(b, p), weight: u16be(b, p + 2), port: u16be(b, p + 4), target };
  }

  /**
   * TXT strings (RFC 1035 §3.3.14; DNS-SD key=value pairs, RFC 6763 §6).
   * A string whose length runs past the RDATA ends the list there.
   */
  txt(r: DnsRecord): string[] {
    if (r.type !== TYPE_TXT) return [];
    const out: string[] = [];
    const b = this.bytes;
    const end = r.rdataOffset + r.rdataLength;
    let p = r.rdataOffset;
    while (p < end) {
      const n = b[p]!;
      if (p + 1 + n > end) break;
      if (n > 0) out.push(text(b, p + 1, p + 1 + n));
      p += 1 + n;
    }
    return out;
  }

  private rdataName(pos: number, end: number): string | undefined {
    const r = skipName(this.bytes, this.offset, pos, this.payloadEnd);
    // The name must also end inside the RDATA it belongs to.
    return typeof r === 'number' && r <= end ? this.nameAt(pos) : undefined;
  }

  private walk(f: (r: RecordAt) => void): void {
    walkRecords(this.bytes, this.offset, this.payloadEnd, this.recordCount, f);
  }
}

const SECTIONS: readonly DnsSection[] = ['question', 'answer', 'authority', 'additional'];

/**
 * Walks up to `limit` records, calling `f` for each that checks. Returns
 * the number walked, or the anomaly (code without layer prefix) at the
 * first that did not check.
 */
export function walkRecords(
  b: Uint8Array, msg: number, end: number, limit: number, f?: (r: RecordAt) => void,
): number | { code: string; at: number; need: number; have: number; n: number } {
  let p = msg + DNS_HEADER_LEN;
  let n = 0;
  for (let s = 0; s < 4; s++) {
    const count = u16be(b, msg + 4 + 2 * s);
    const section = SECTIONS[s]!;
    for (let i = 0; i < count; i++) {
      if (n >= limit) return n;
      const after = skipName(b, msg, p, end);
      if (typeof after !== 'number') return { code: after, at: p, need: 0, have: end - p, n };
      const fixedLen = s === 0 ? 4 : 10;
      if (after + fixedLen > end) return { code: 'truncated_record', at: after, need: fixedLen, have: end - after, n };
      let rdlen = 0;
      let next = after + fixedLen;
      if (s > 0) {
        rdlen = u16be(b, after + 8);
        if (next + rdlen > end) return { code: 'truncated_record', at: next, need: rdlen, have: end - next, n };
        next += rdlen;
      }
      if (f) f({ section, namePos: p, fixed: after, rdata: after + fixedLen, rdlen });
      p = next;
      n++;
    }
  }
  return n;
}

/**
 * Checks the header and walks the records once; returns the record count
 * that checked and the warning for the first that did not.
 */
export function checkMessage(
  layer: string, bytes: Uint8Array, offset: number, end: number, isSnapped: boolean,
): Anomaly | { count: number; warning?: Anomaly } {
  const have = end - offset;
  if (have < DNS_HEADER_LEN) return anomaly(`${layer}.truncated_header`, layer, offset, DNS_HEADER_LEN, have);
  const r = walkRecords(bytes, offset, end, DNS_MAX_RECORDS);
  if (typeof r !== 'number') {
    // A snapped capture ends early by design: truncated is not malformed (DESIGN.md, Decode).
    if (isSnapped && (r.code === 'truncated_name' || r.code === 'truncated_record')) return { count: r.n };
    return { count: r.n, warning: anomaly(`${layer}.${r.code}`, layer, r.at, r.need, r.have) };
  }
  const total = u16be(bytes, offset + 4) + u16be(bytes, offset + 6) + u16be(bytes, offset + 8) + u16be(bytes, offset + 10);
  if (r < total) return { count: r, warning: anomaly(`${layer}.too_many_records`, layer, offset + 4, total, DNS_MAX_RECORDS) };
  return { count: r };
}

/** True when the capture cut the frame short (caplen < origLen). */
export function snapped(ctx: DecodeContext): boolean {
  return ctx.frame.bytes.length < ctx.frame.origLen;
}

class DnsDecoder implements Decoder {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): DnsMessageView | Anomaly {
    const r = checkMessage(this.name, bytes, offset, end, snapped(ctx));
    if ('code' in r) return r;
    return new DnsMessageView(this.name, bytes, offset, end, r.count, r.warning);
  }
}

export const dnsDecoder: Decoder = new DnsDecoder('dns');
/** mDNS uses the DNS message format (RFC 6762 §18); its own layer name lets analyzers and counters tell them apart. */
export const mdnsDecoder: Decoder = new DnsDecoder('mdns');

/** The anomaly codes a message decoder with layer name `layer` can give. */
export function dnsAnomalyCodes(layer: string): string[] {
  return ['truncated_header', 'truncated_name', 'bad_label', 'name_loop', 'name_too_long', 'bad_pointer', 'truncated_record', 'too_many_records']
    .map((c) => `${layer}.${c}`);
}
