/**
 * IEEE 802.15.4 MAC frames (IEEE 802.15.4-2020 §7): every frame type, every
 * addressing mode, PAN ID compression for frame versions 2003/2006 (§7.2.2.6)
 * and 2015 (Table 7-2), the auxiliary security header (§9.4), header and
 * payload IEs (§7.4), and the FCS check (§7.2.10).
 *
 * A frame whose FCS is wrong keeps its header (a `Layer.warning`
 * `ieee802154.bad_fcs`, counted) but is not believed: `fcsOk` is false and
 * the walk does not go further in. Analyzers skip such frames.
 *
 * The next layer is chosen by the Zigbee NWK heuristics Wireshark uses
 * (packet-zbee-nwk.c, dissect_zbee_nwk_heur and _heur_gp): the NWK
 * protocol version (1 = 2004, 2 = 2006/PRO, 3 = Green Power) is the route
 * key, and a 2004/PRO frame needs a short MAC source unless it is Inter-PAN.
 */
import { u16le, u32le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import {
  ADDR_LEN, AddrMode, FrameType, FrameVersion, HEADER_IE_TERMINATION_1, HEADER_IE_TERMINATION_2,
  KEY_ID_LEN_BY_MODE, MIC_LEN_BY_LEVEL, PAYLOAD_IE_TERMINATION, type FcsFormat,
} from './consts.js';
import { crc16Kermit, crc32 } from './fcs.js';

export const LAYER = 'ieee802154';

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** An 8-byte little-endian EUI-64 as 16 hex digits, most significant first (the identifier text form). */
export function eui64Hex(b: Uint8Array, o: number): string {
  let s = '';
  for (let i = 7; i >= 0; i--) s += HEX2[b[o + i]!]!;
  return s;
}

/** "0x1a2b" for a short address or PAN id. */
export function shortHex(v: number): string {
  return '0x' + HEX2[(v >>> 8) & 0xff]! + HEX2[v & 0xff]!;
}

/** Which PAN ids a 2015 frame carries (Table 7-2): [dst present, src present]. */
function panIds2015(dst: number, src: number, comp: boolean): [boolean, boolean] {
  if (dst === 0 && src === 0) return [comp, false];
  if (src === 0) return [!comp, false];
  if (dst === 0) return [false, !comp];
  if (dst === AddrMode.extended && src === AddrMode.extended) return [!comp, false];
  return [true, !comp];
}

export class Ieee802154View implements Layer {
  readonly name = LAYER;
  readonly bytes: Uint8Array;
  readonly offset: number;
  payloadOffset = 0;
  payloadEnd = 0;
  nextKey = -1;
  readonly altKey = -1;
  warning: Anomaly | undefined = undefined;
  note: string | undefined = undefined;
  /** Frame Control (§7.2.2), or for a multipurpose frame its 1- or 2-byte form. */
  fc = 0;
  frameType = 0;
  version = 0;
  security = false;
  framePending = false;
  ackRequest = false;
  panIdCompression = false;
  iePresent = false;
  dstMode = 0;
  srcMode = 0;
  /** Sequence number, -1 when suppressed (§7.2.2.8). */
  seq = -1;
  /** PAN ids as numbers, -1 when absent. `srcPan` is the effective one: the destination's when compressed. */
  dstPan = -1;
  srcPan = -1;
  /** True when the source PAN id field is in the frame (not compressed away). */
  srcPanPresent = false;
  /** Offsets of the addresses, -1 when absent. */
  dstAt = -1;
  srcAt = -1;
  /** Auxiliary security header (§9.4): offset, or -1. */
  auxOffset = -1;
  secLevel = 0;
  keyIdMode = 0;
  /** Frame counter, -1 when absent or suppressed. */
  frameCounter = -1;
  micLength = 0;
  /** Header and payload IEs seen (§7.4), counted by element or group id. */
  headerIes: number[] = [];
  payloadIes: number[] = [];
  /** FCS verdict: true/false, or undefined when the frame carries none. */
  fcsOk: boolean | undefined = undefined;
  /** TI CC24xx metadata, when the FCS bytes were that (RSSI in dBm, correlation 0..127); else NaN. */
  rssi = Number.NaN;
  correlation = Number.NaN;

  constructor(bytes: Uint8Array, offset: number) {
    this.bytes = bytes;
    this.offset = offset;
  }

  get frameTypeName(): string {
    return ['beacon', 'data', 'ack', 'command', 'reserved', 'multipurpose', 'fragment', 'extended'][this.frameType]!;
  }

  /** Short destination address, -1 unless the mode is short. */
  get dst16(): number {
    return this.dstMode === AddrMode.short ? u16le(this.bytes, this.dstAt) : -1;
  }

  get src16(): number {
    return this.srcMode === AddrMode.short ? u16le(this.bytes, this.srcAt) : -1;
  }

  /** Extended addresses as 16 hex digits, undefined unless the mode is extended. */
  get dst64(): string | undefined {
    return this.dstMode === AddrMode.extended ? eui64Hex(this.bytes, this.dstAt) : undefined;
  }

  get src64(): string | undefined {
    return this.srcMode === AddrMode.extended ? eui64Hex(this.bytes, this.srcAt) : undefined;
  }

  /** Offset of the source extended address (for nonces), -1 unless extended. */
  get src64Offset(): number {
    return this.srcMode === AddrMode.extended ? this.srcAt : -1;
  }

  /**
   * MAC command identifier (§7.5), -1 for other frames. It stays in the
   * clear when the frame is secured (§9.3.5: the open payload of a MAC
   * command frame is its Command ID).
   */
  get command(): number {
    return this.frameType === FrameType.command && this.payloadEnd > this.payloadOffset
      ? this.bytes[this.payloadOffset]! : -1;
  }

  /** Superframe Specification of a beacon (§7.3.1.2), -1 for other frames. */
  get superframeSpec(): number {
    return this.frameType === FrameType.beacon && this.payloadEnd - this.payloadOffset >= 2
      ? u16le(this.bytes, this.payloadOffset) : -1;
  }

  /** Association Permit of a beacon (§7.3.1.2, bit 15). */
  get associationPermit(): boolean {
    const s = this.superframeSpec;
    return s >= 0 && (s & 0x8000) !== 0;
  }

  /** PAN Coordinator bit of a beacon (§7.3.1.2, bit 14). */
  get panCoordinator(): boolean {
    const s = this.superframeSpec;
    return s >= 0 && (s & 0x4000) !== 0;
  }

  /**
   * Offset of the beacon payload after the superframe, GTS and pending
   * address fields (§7.3.1.1), or -1 when the beacon is too short for them.
   */
  get beaconPayloadOffset(): number {
    if (this.frameType !== FrameType.beacon || this.security) return -1;
    const b = this.bytes;
    const end = this.payloadEnd;
    let o = this.payloadOffset + 2;
    if (o >= end) return -1;
    const gts = b[o]!;
    o += 1;
    const gtsCount = gts & 7;
    if (gtsCount > 0) o += 1 + 3 * gtsCount; // GTS directions + descriptors (§7.3.1.3)
    if (o >= end) return -1;
    const pend = b[o]!;
    o += 1 + 2 * (pend & 7) + 8 * ((pend >>> 4) & 7); // §7.3.1.4
    return o <= end ? o : -1;
  }
}

class Ieee802154Decoder implements Decoder {
  readonly name = LAYER;

  /** @param fcsLen trailing FCS bytes (0, 2 or 4); @param format what 2 of them are (LINKTYPE 195 only). */
  constructor(private readonly fcsLen: 0 | 2 | 4, private readonly format: FcsFormat = 'crc16') {}

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): Ieee802154View | Anomaly {
    const have = end - offset;
    if (have < 1) return anomaly('ieee802154.truncated_header', LAYER, offset, 1, have);
    const v = new Ieee802154View(bytes, offset);
    const snapped = ctx.frame.bytes.length < ctx.frame.origLen;
    let macEnd = end;
    if (this.fcsLen > 0 && !snapped) {
      if (have < this.fcsLen + 1) return anomaly('ieee802154.truncated_header', LAYER, offset, this.fcsLen + 1, have);
      macEnd = end - this.fcsLen;
      this.checkFcs(v, bytes, offset, macEnd, ctx.frame.meta.fcsFormat === 1);
    }
    const type = bytes[offset]! & 7;
    v.frameType = type;
    let o: number;
    if (type === FrameType.multipurpose) {
      const r = this.multipurpose(v, bytes, offset, macEnd);
      if (typeof r !== 'number') return r;
      o = r;
    } else if (type === FrameType.fragment || type === FrameType.extended) {
      // LECIM fragment and extended frames (§7.3.6, §7.3.7): one byte of
      // frame control in front of a body this sensor does not read.
      v.fc = bytes[offset]!;
      v.note = 'ieee802154.frame_type_not_decoded';
      o = offset + 1;
    } else {
      if (macEnd - offset < 2) return anomaly('ieee802154.truncated_header', LAYER, offset, 2, macEnd - offset);
      const fc = u16le(bytes, offset);
      v.fc = fc;
      v.security = (fc & 0x08) !== 0;
      v.framePending = (fc & 0x10) !== 0;
      v.ackRequest = (fc & 0x20) !== 0;
      v.panIdCompression = (fc & 0x40) !== 0;
      const seqSuppressed = (fc & 0x100) !== 0;
      v.iePresent = (fc & 0x200) !== 0;
      v.dstMode = (fc >>> 10) & 3;
      v.version = (fc >>> 12) & 3;
      v.srcMode = (fc >>> 14) & 3;
      if (v.version === 3) return anomaly('ieee802154.bad_version', LAYER, offset, 0, 3);
      o = offset + 2;
      // Sequence Number Suppression is a 2015 bit; like Wireshark, honour it
      // in any frame version (a 2003/2006 frame setting it is malformed anyway).
      if (!seqSuppressed) {
        if (o + 1 > macEnd) return anomaly('ieee802154.truncated_header', LAYER, o, 1, macEnd - o);
        v.seq = bytes[o]!;
        o += 1;
      }
      let dstPanP: boolean;
      let srcPanP: boolean;
      if (v.version === FrameVersion.v2015) {
        [dstPanP, srcPanP] = panIds2015(v.dstMode, v.srcMode, v.panIdCompression);
      } else {
        dstPanP = v.dstMode !== 0;
        srcPanP = v.srcMode !== 0 && !(v.panIdCompression && v.dstMode !== 0);
      }
      if (v.dstMode === AddrMode.reserved || v.srcMode === AddrMode.reserved) {
        // The reserved addressing mode (§7.2.2.9): the frame control is kept,
        // as Wireshark does, and nothing after it is believed.
        v.warning = anomaly('ieee802154.bad_addr_mode', LAYER, offset, 0, fc);
        v.dstMode = 0;
        v.srcMode = 0;
        v.payloadOffset = o;
        v.payloadEnd = o;
        return v;
      }
      const need = (dstPanP ? 2 : 0) + ADDR_LEN[v.dstMode]! + (srcPanP ? 2 : 0) + ADDR_LEN[v.srcMode]!;
      if (o + need > macEnd) return anomaly('ieee802154.truncated_header', LAYER, o, need, macEnd - o);
      if (dstPanP) {
        v.dstPan = u16le(bytes, o);
        o += 2;
      }
      v.dstAt = o;
      o += ADDR_LEN[v.dstMode]!;
      if (srcPanP) {
        v.srcPanPresent = true;
        v.srcPan = u16le(bytes, o);
        o += 2;
      } else if (v.srcMode !== 0) {
        v.srcPan = v.dstPan;
      }
      v.srcAt = o;
      o += ADDR_LEN[v.srcMode]!;
    }
    if (v.security && v.version !== FrameVersion.v2003) {
      const r = this.auxSecurity(v, bytes, o, macEnd);
      if (typeof r !== 'number') return r;
      o = r;
    } else if (v.security) {
      // 2003 security (§7.6.2 of 802.15.4-2003) keeps its counters inside the
      // payload, by suite; the frame is counted and its payload left opaque.
      v.note = 'ieee802154.security_2003';
    }
    let payloadEnd = macEnd - v.micLength;
    if (payloadEnd < o) return anomaly('ieee802154.truncated_mic', LAYER, o, v.micLength, macEnd - o);
    if (v.iePresent) {
      const r = this.ies(v, bytes, o, payloadEnd);
      if (typeof r !== 'number') return r;
      o = r;
    }
    v.payloadOffset = o;
    v.payloadEnd = payloadEnd;
    if (v.fcsOk !== false && v.frameType === FrameType.data && !v.security) v.nextKey = nwkKey(v, bytes, o, payloadEnd);
    return v;
  }

  /**
   * Nothing in a LINKTYPE 195 file says whether its last two bytes are an
   * FCS or TI metadata, and no per-frame guess is safe (a truncated frame's
   * tail looks like metadata half the time): the source says so
   * (`FrameMeta.fcsFormat`, config `fcs_format`), or the decoder is built for it.
   */
  private checkFcs(v: Ieee802154View, b: Uint8Array, start: number, macEnd: number, tiMeta: boolean): void {
    if (this.fcsLen === 4) {
      v.fcsOk = crc32(b, start, macEnd) === u32le(b, macEnd);
    } else if (tiMeta || this.format === 'ti-cc24xx') {
      // The sniffer's own CRC verdict and signal figures (see fcs.ts).
      const status = b[macEnd + 1]!;
      v.rssi = (b[macEnd]! << 24) >> 24;
      v.correlation = status & 0x7f;
      v.fcsOk = (status & 0x80) !== 0;
    } else {
      v.fcsOk = crc16Kermit(b, start, macEnd) === u16le(b, macEnd);
    }
    if (!v.fcsOk) v.warning = anomaly('ieee802154.bad_fcs', LAYER, macEnd, 0, 0);
  }

  /** Multipurpose frame control (§7.3.5.1, Figure 7-23). */
  private multipurpose(v: Ieee802154View, b: Uint8Array, offset: number, end: number): number | Anomaly {
    const long = (b[offset]! & 0x08) !== 0;
    const fcLen = long ? 2 : 1;
    if (offset + fcLen + 1 > end) return anomaly('ieee802154.truncated_header', LAYER, offset, fcLen + 1, end - offset);
    const fc = long ? u16le(b, offset) : b[offset]!;
    v.fc = fc;
    v.dstMode = (fc >>> 4) & 3;
    v.srcMode = (fc >>> 6) & 3;
    if (v.dstMode === AddrMode.reserved || v.srcMode === AddrMode.reserved) return anomaly('ieee802154.bad_addr_mode', LAYER, offset, 0, fc);
    let panPresent = false;
    let seqSuppressed = false;
    if (long) {
      panPresent = (fc & 0x100) !== 0;
      v.security = (fc & 0x200) !== 0;
      seqSuppressed = (fc & 0x400) !== 0;
      v.framePending = (fc & 0x800) !== 0;
      v.version = (fc >>> 12) & 3;
      v.ackRequest = (fc & 0x4000) !== 0;
      v.iePresent = (fc & 0x8000) !== 0;
    }
    let o = offset + fcLen;
    if (!seqSuppressed) v.seq = b[o++]!;
    const need = (panPresent ? 2 : 0) + ADDR_LEN[v.dstMode]! + ADDR_LEN[v.srcMode]!;
    if (o + need > end) return anomaly('ieee802154.truncated_header', LAYER, o, need, end - o);
    if (panPresent) {
      v.dstPan = u16le(b, o);
      o += 2;
    }
    v.dstAt = o;
    o += ADDR_LEN[v.dstMode]!;
    v.srcAt = o;
    o += ADDR_LEN[v.srcMode]!;
    return o;
  }

  /** Auxiliary Security Header (§9.4.1): Security Control, Frame Counter, Key Identifier. */
  private auxSecurity(v: Ieee802154View, b: Uint8Array, o: number, end: number): number | Anomaly {
    if (o + 1 > end) return anomaly('ieee802154.truncated_security_header', LAYER, o, 1, end - o);
    const sc = b[o]!;
    v.auxOffset = o;
    v.secLevel = sc & 7;
    v.keyIdMode = (sc >>> 3) & 3;
    const fcSuppressed = v.version === FrameVersion.v2015 && (sc & 0x20) !== 0;
    const need = 1 + (fcSuppressed ? 0 : 4) + KEY_ID_LEN_BY_MODE[v.keyIdMode]!;
    if (o + need > end) return anomaly('ieee802154.truncated_security_header', LAYER, o, need, end - o);
    if (!fcSuppressed) v.frameCounter = u32le(b, o + 1);
    v.micLength = MIC_LEN_BY_LEVEL[v.secLevel]!;
    return o + need;
  }

  /**
   * Header IEs up to a termination IE (HT1 says payload IEs follow), then
   * payload IEs up to PT (§7.4.1). With security on, payload IEs are part of
   * the encrypted payload and left alone (§9.3.5).
   */
  private ies(v: Ieee802154View, b: Uint8Array, o: number, end: number): number | Anomaly {
    let payloadIes = false;
    let terminated = false;
    while (o + 2 <= end) {
      const d = u16le(b, o);
      if (d & 0x8000) return anomaly('ieee802154.bad_ie', LAYER, o, 0, d);
      const len = d & 0x7f;
      const id = (d >>> 7) & 0xff;
      if (o + 2 + len > end) return anomaly('ieee802154.truncated_ie', LAYER, o, 2 + len, end - o);
      v.headerIes.push(id);
      o += 2 + len;
      if (id === HEADER_IE_TERMINATION_1 || id === HEADER_IE_TERMINATION_2) {
        payloadIes = id === HEADER_IE_TERMINATION_1;
        terminated = true;
        break;
      }
    }
    if (!terminated) return o;
    if (!payloadIes || v.security) return o;
    while (o + 2 <= end) {
      const d = u16le(b, o);
      if ((d & 0x8000) === 0) return anomaly('ieee802154.bad_ie', LAYER, o, 0, d);
      const len = d & 0x7ff;
      const group = (d >>> 11) & 0xf;
      if (o + 2 + len > end) return anomaly('ieee802154.truncated_ie', LAYER, o, 2 + len, end - o);
      v.payloadIes.push(group);
      o += 2 + len;
      if (group === PAYLOAD_IE_TERMINATION) break;
    }
    return o;
  }
}

/** The route key of a data frame's payload: the Zigbee NWK protocol version, or -1 (see the file comment). */
function nwkKey(v: Ieee802154View, b: Uint8Array, o: number, end: number): number {
  if (end - o < 1) return -1;
  const fc0 = b[o]!;
  const version = (fc0 >>> 2) & 0xf;
  const type = fc0 & 3;
  if (version === 3) return type <= 1 ? 3 : -1;
  if (version !== 1 && version !== 2 || end - o < 2) return -1;
  if (type === 3) return version;
  if (type === 2 || v.srcMode !== AddrMode.short) return -1;
  return version;
}

/** Decoders per FCS kind: LINKTYPE 195 (2-byte FCS or TI metadata), 230 (none), and the 4-byte FCS a TAP header may announce. */
export const ieee802154FcsDecoder: Decoder = new Ieee802154Decoder(2, 'crc16');
export const ieee802154NoFcsDecoder: Decoder = new Ieee802154Decoder(0);
export const ieee802154Fcs16Decoder: Decoder = new Ieee802154Decoder(2, 'crc16');
export const ieee802154Fcs32Decoder: Decoder = new Ieee802154Decoder(4);

/** A decoder with a configured FCS format (config `zigbee.fcs_format`). */
export function ieee802154Decoder(fcsLen: 0 | 2 | 4, format: FcsFormat = 'crc16'): Decoder {
  return new Ieee802154Decoder(fcsLen, format);
}
