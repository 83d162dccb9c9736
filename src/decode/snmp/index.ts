/**
 * SNMP v1/v2c messages (RFC 1157 §4, RFC 3416 §3, BER per X.690) on UDP
 * 161/162: version, PDU type, request id, error status, varbinds; the
 * system-group values of responses (sysDescr, sysObjectID, sysName). An
 * SNMPv3 message (RFC 3412 §6) is recognised by its version and not read
 * further: its user name and engine id stay in the bytes.
 *
 * The community string is judged and dropped: the view answers whether it
 * is a well-known default (`community`), and has no getter that returns it.
 */
import { berContentLength, berHeaderLength, bytesEqual, oidText } from '../ber.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import {
  DEFAULT_COMMUNITIES, OID_SYS_DESCR, OID_SYS_NAME, OID_SYS_OBJECT_ID, SNMP_MAX_TEXT, SNMP_MAX_VARBINDS, SNMP_PDU,
  SNMP_PDU_NAMES, type SnmpPduName,
} from './consts.js';

const COMMUNITY_BYTES = DEFAULT_COMMUNITIES.map((c) => Uint8Array.from(c.value, (ch) => ch.charCodeAt(0)));

/** The verdict on a community string: never the string. */
export type CommunityVerdict =
  | { readonly kind: 'none' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'default'; readonly id: string }
  | { readonly kind: 'other'; readonly length: number };

const TAG_INT = 0x02;
const TAG_OCTETS = 0x04;
const TAG_OID = 0x06;
const TAG_SEQ = 0x30;

export class SnmpView implements Layer {
  readonly name = 'snmp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  /** 0 v1, 1 v2c, 3 v3 (the version INTEGER). */
  readonly version: number;
  /** PDU tag (0xa0-0xa8), or 0 for SNMPv3 (its PDU is in a scopedPDU, possibly encrypted). */
  readonly pduTag: number;
  private readonly commOff: number;
  private readonly commLen: number;
  private readonly reqIdOff: number;
  private readonly reqIdLen: number;
  private readonly errOff: number;
  private readonly vbOff: number;
  private readonly vbEnd: number;

  constructor(bytes: Uint8Array, offset: number, end: number, version: number, pduTag: number, f: readonly number[]) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.version = version;
    this.pduTag = pduTag;
    [this.commOff, this.commLen, this.reqIdOff, this.reqIdLen, this.errOff, this.vbOff, this.vbEnd] = f as [number, number, number, number, number, number, number];
  }

  get pduType(): SnmpPduName | undefined {
    return SNMP_PDU_NAMES[this.pduTag - SNMP_PDU.getRequest];
  }

  get isResponse(): boolean {
    return this.pduTag === SNMP_PDU.response;
  }

  /** Whether the community is a well-known default; the string itself is not available. */
  get community(): CommunityVerdict {
    if (this.commOff < 0) return { kind: 'none' };
    if (this.commLen === 0) return { kind: 'empty' };
    for (let i = 0; i < COMMUNITY_BYTES.length; i++) {
      if (bytesEqual(this.bytes, this.commOff, this.commLen, COMMUNITY_BYTES[i]!)) return { kind: 'default', id: DEFAULT_COMMUNITIES[i]!.id };
    }
    return { kind: 'other', length: this.commLen };
  }

  /** request-id (RFC 3416 §3: Integer32), or undefined for a v1 trap and SNMPv3. */
  get requestId(): number | undefined {
    return this.reqIdOff < 0 ? undefined : intAt(this.bytes, this.reqIdOff, this.reqIdLen);
  }

  /** error-status of a non-trap PDU. */
  get errorStatus(): number | undefined {
    if (this.errOff < 0) return undefined;
    const b = this.bytes;
    return intAt(b, this.errOff + berHeaderLength(b, this.errOff, this.payloadEnd), berContentLength(b, this.errOff));
  }

  /** Dotted OIDs of the varbinds, in order (at most SNMP_MAX_VARBINDS). */
  get varbindOids(): string[] {
    const out: string[] = [];
    this.eachVarbind((oidOff, oidLen) => {
      out.push(oidText(this.bytes, oidOff, oidLen) ?? '?');
      return false;
    });
    return out;
  }

  get varbindCount(): number {
    let n = 0;
    this.eachVarbind(() => (n++, false));
    return n;
  }

  get sysDescr(): string | undefined {
    return this.textOf(OID_SYS_DESCR);
  }

  get sysName(): string | undefined {
    return this.textOf(OID_SYS_NAME);
  }

  /** sysObjectID's value, a dotted OID (the vendor's enterprise subtree). */
  get sysObjectId(): string | undefined {
    let out: string | undefined;
    const b = this.bytes;
    this.eachVarbind((oidOff, oidLen, v) => {
      if (!bytesEqual(b, oidOff, oidLen, OID_SYS_OBJECT_ID) || b[v] !== TAG_OID) return false;
      out = oidText(b, v + berHeaderLength(b, v, this.vbEnd), berContentLength(b, v));
      return true;
    });
    return out;
  }

  /** The OCTET STRING value bound to `oid` (BER content bytes), bounded and printable. */
  private textOf(oid: Uint8Array): string | undefined {
    let out: string | undefined;
    const b = this.bytes;
    this.eachVarbind((oidOff, oidLen, v) => {
      if (!bytesEqual(b, oidOff, oidLen, oid) || b[v] !== TAG_OCTETS) return false;
      const s = v + berHeaderLength(b, v, this.vbEnd);
      const n = Math.min(berContentLength(b, v), SNMP_MAX_TEXT);
      let t = '';
      for (let i = s; i < s + n; i++) {
        const c = b[i]!;
        t += c < 0x20 || c === 0x7f ? (c === 0x0d || c === 0x0a ? ' ' : '?') : String.fromCharCode(c);
      }
      out = t.trim();
      return true;
    });
    return out;
  }

  /** Calls `f(oidContentOff, oidLen, valueTlvOff)` per varbind until it returns true. Validated at decode. */
  private eachVarbind(f: (oidOff: number, oidLen: number, value: number) => boolean): void {
    if (this.vbOff < 0) return;
    const b = this.bytes;
    for (let p = this.vbOff, n = 0; p < this.vbEnd && n < SNMP_MAX_VARBINDS; n++) {
      const h = berHeaderLength(b, p, this.vbEnd);
      const next = p + h + berContentLength(b, p);
      const o = p + h;
      const oh = berHeaderLength(b, o, next);
      const ol = berContentLength(b, o);
      if (f(o + oh, ol, o + oh + ol)) return;
      p = next;
    }
  }
}

/** A BER INTEGER's two's-complement content (X.690 §8.3), up to 6 bytes exactly. */
function intAt(b: Uint8Array, off: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) v = v * 256 + b[off + i]!;
  if (len > 0 && (b[off]! & 0x80) !== 0) v -= 256 ** len;
  return v;
}

class SnmpDecoder implements Decoder {
  readonly name = 'snmp';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): SnmpView | Anomaly {
    // Every TLV must lie inside its parent; `need`/`have` say by how much a length overshoots.
    const tl = (off: number, lim: number, tag: number | -1): [number, number] | Anomaly => {
      if (off >= lim) return anomaly('snmp.truncated', 'snmp', off, 2, 0);
      if (tag >= 0 && bytes[off] !== tag) return anomaly('snmp.bad_ber', 'snmp', off);
      const h = berHeaderLength(bytes, off, lim);
      if (h < 0) return off + 2 > lim ? anomaly('snmp.truncated', 'snmp', off, 2, lim - off) : anomaly('snmp.bad_ber', 'snmp', off);
      const e = off + h + berContentLength(bytes, off);
      if (e > lim) return anomaly('snmp.truncated', 'snmp', off, e - off, lim - off);
      return [off + h, e];
    };
    const isA = (x: [number, number] | Anomaly): x is Anomaly => !Array.isArray(x);
    const msg = tl(offset, end, TAG_SEQ);
    if (isA(msg)) return msg;
    const ver = tl(msg[0], msg[1], TAG_INT);
    if (isA(ver)) return ver;
    if (ver[1] - ver[0] !== 1) return anomaly('snmp.unknown_version', 'snmp', ver[0]);
    const version = bytes[ver[0]]!;
    if (version === 3) return new SnmpView(bytes, offset, end, 3, 0, [-1, 0, -1, 0, -1, -1, -1]);
    if (version > 1) return anomaly('snmp.unknown_version', 'snmp', ver[0]);
    const comm = tl(ver[1], msg[1], TAG_OCTETS);
    if (isA(comm)) return comm;
    const pduTag = bytes[comm[1]]!;
    if (pduTag < SNMP_PDU.getRequest || pduTag > SNMP_PDU.report) return anomaly('snmp.bad_pdu', 'snmp', comm[1]);
    const pdu = tl(comm[1], msg[1], -1);
    if (isA(pdu)) return pdu;
    let p = pdu[0];
    let reqIdOff = -1;
    let reqIdLen = 0;
    let errOff = -1;
    // A v1 Trap-PDU (RFC 1157 §4.1.6): enterprise, agent-addr, generic-trap, specific-trap, time-stamp.
    const fields = pduTag === SNMP_PDU.trapV1 ? [TAG_OID, 0x40, TAG_INT, TAG_INT, 0x43] : [TAG_INT, TAG_INT, TAG_INT];
    for (let i = 0; i < fields.length; i++) {
      const f = tl(p, pdu[1], fields[i]!);
      if (isA(f)) return f;
      if (pduTag !== SNMP_PDU.trapV1 && i === 0) {
        if (f[1] - f[0] < 1 || f[1] - f[0] > 4) return anomaly('snmp.bad_ber', 'snmp', p);
        reqIdOff = f[0];
        reqIdLen = f[1] - f[0];
      }
      if (pduTag !== SNMP_PDU.trapV1 && i === 1) errOff = p;
      p = f[1];
    }
    const vbl = tl(p, pdu[1], TAG_SEQ);
    if (isA(vbl)) return vbl;
    for (let q = vbl[0], n = 0; q < vbl[1] && n < SNMP_MAX_VARBINDS; n++) {
      const vb = tl(q, vbl[1], TAG_SEQ);
      if (isA(vb)) return vb;
      const oid = tl(vb[0], vb[1], TAG_OID);
      if (isA(oid)) return oid;
      const val = tl(oid[1], vb[1], -1);
      if (isA(val)) return val;
      q = vb[1];
    }
    return new SnmpView(bytes, offset, end, version, pduTag, [comm[0], comm[1] - comm[0], reqIdOff, reqIdLen, errOff, vbl[0], vbl[1]]);
  }
}

export const snmpDecoder: Decoder = new SnmpDecoder();
