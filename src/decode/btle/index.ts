/**
 * Bluetooth LE Link Layer packet (Core Spec 5.4 Vol 6 Part B §2.1):
 * Access Address (4, little-endian), PDU header (2), payload, CRC (3).
 * The radio header before it (nordic_ble, btle_rf, ppi) or the linktype
 * (251, LINKTYPE_BLUETOOTH_LE_LL) routes here.
 *
 * On the advertising access address the PDU is an advertising PDU (§2.3):
 * its type, TxAdd/RxAdd, AdvA and the offsets of AdvData are exposed, and
 * the CRC is recomputed (init 0x555555, §3.1.1), so a frame with no radio
 * header still gets a CRC verdict. On any other access address it is a data
 * channel PDU (§2.4); an L2CAP start (LLID 2) routes on to `l2cap`. A data
 * PDU's CRC init comes from the CONNECT_IND, so its verdict is the radio
 * header's (`crcStatus` 'unknown' here).
 *
 * Byte order: addresses are sent least significant octet first (§1.2); the
 * `*Key` getters give them as 48-bit numbers in the usual printed order.
 */
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { u16le, u32le } from '../bytes.js';
import {
  ADDR_NON_RESOLVABLE, ADDR_PUBLIC, ADDR_RANDOM_RESERVED, ADDR_RANDOM_STATIC, ADDR_RESOLVABLE, ADV_ACCESS_ADDRESS,
  ADV_CRC_INIT, AdvPduType, LLID_L2CAP_START,
} from './consts.js';
import { bleCrc24 } from './crc.js';

export { bleCrc24 } from './crc.js';

/** Route key of an L2CAP start fragment (the data PDU's LLID). */
export const BTLE_NEXT_L2CAP = LLID_L2CAP_START;

/** A BLE address read on air (LSB first) as a 48-bit number in printed order. */
export function bleAddrKey(b: Uint8Array, o: number): number {
  const hi = (b[o + 5]! << 8) | b[o + 4]!;
  const lo = ((b[o + 3]! << 24) | (b[o + 2]! << 16) | (b[o + 1]! << 8) | b[o]!) >>> 0;
  return hi * 4294967296 + lo;
}

/** `aa:bb:cc:dd:ee:ff` of an on-air address at `o`. */
export function bleAddrString(b: Uint8Array, o: number): string {
  let s = '';
  for (let i = 5; i >= 0; i--) {
    const x = b[o + i]!;
    s += (x < 16 ? '0' : '') + x.toString(16) + (i > 0 ? ':' : '');
  }
  return s;
}

/**
 * The address type (consts.ts ADDR_*) from TxAdd/RxAdd and, for a random
 * address, its two most significant bits (Vol 6 Part B §1.3.2).
 */
export function bleAddrType(random: boolean, msb: number): number {
  if (!random) return ADDR_PUBLIC;
  switch (msb >>> 6) {
    case 3: return ADDR_RANDOM_STATIC;
    case 1: return ADDR_RESOLVABLE;
    case 0: return ADDR_NON_RESOLVABLE;
    default: return ADDR_RANDOM_RESERVED;
  }
}

/** CRC verdicts: the bytes checked out, did not, or nothing here could tell. */
export type CrcStatus = 'ok' | 'bad' | 'unknown';

export class BtleView implements Layer {
  readonly name = 'btle';
  readonly bytes: Uint8Array;
  readonly offset: number;
  /** Offset of the 2-byte PDU header (after AA, and after the coded-PHY CI byte when there is one). */
  readonly headerOffset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;
  /** True when the frame holds the 3 CRC bytes after the payload. */
  readonly hasCrc: boolean;
  /** Advertising PDU CRC recomputed: 'ok', 'bad', or 'unknown' (data PDU, or no CRC bytes). */
  readonly crcStatus: CrcStatus;
  readonly warning: Anomaly | undefined;

  constructor(bytes: Uint8Array, offset: number, headerOffset: number, end: number, nextKey: number, hasCrc: boolean, crc: CrcStatus, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.headerOffset = headerOffset;
    this.payloadOffset = headerOffset + 2;
    this.payloadEnd = end;
    this.nextKey = nextKey;
    this.hasCrc = hasCrc;
    this.crcStatus = crc;
    this.warning = warning;
  }

  get accessAddress(): number {
    return u32le(this.bytes, this.offset);
  }

  get isAdvertising(): boolean {
    return this.accessAddress === ADV_ACCESS_ADDRESS;
  }

  /** The PDU header's Length field (payload octets). */
  get length(): number {
    return this.bytes[this.headerOffset + 1]!;
  }

  /** Advertising PDU type (consts.ts AdvPduType); meaningful only when isAdvertising. */
  get pduType(): number {
    return this.bytes[this.headerOffset]! & 0x0f;
  }

  get chSel(): boolean {
    return (this.bytes[this.headerOffset]! & 0x20) !== 0;
  }

  get txAdd(): boolean {
    return (this.bytes[this.headerOffset]! & 0x40) !== 0;
  }

  get rxAdd(): boolean {
    return (this.bytes[this.headerOffset]! & 0x80) !== 0;
  }

  /** Data PDU LLID (§2.4). */
  get llid(): number {
    return this.bytes[this.headerOffset]! & 0x03;
  }

  /**
   * Offset of the advertiser's address (AdvA) in this advertising PDU, or -1
   * when the PDU has none: SCAN_REQ and CONNECT_IND carry it second, an
   * extended PDU only when its extended header says so (§2.3.4).
   */
  get advAOffset(): number {
    if (!this.isAdvertising) return -1;
    const p = this.payloadOffset;
    const n = this.payloadEnd - p;
    switch (this.pduType) {
      case AdvPduType.ADV_IND: case AdvPduType.ADV_DIRECT_IND: case AdvPduType.ADV_NONCONN_IND:
      case AdvPduType.SCAN_RSP: case AdvPduType.ADV_SCAN_IND:
        return n >= 6 ? p : -1;
      case AdvPduType.SCAN_REQ: case AdvPduType.CONNECT_IND:
        return n >= 12 ? p + 6 : -1;
      case AdvPduType.ADV_EXT_IND: case AdvPduType.AUX_CONNECT_RSP: {
        const x = this.extHeader();
        return x.flags & 0x01 && x.fieldsEnd - x.fieldsStart >= 6 ? x.fieldsStart : -1;
      }
      default:
        return -1;
    }
  }

  /** Whether AdvA is a random address: TxAdd, except in SCAN_REQ and CONNECT_IND where AdvA is the receiver (RxAdd). */
  get advARandom(): boolean {
    const t = this.pduType;
    return t === AdvPduType.SCAN_REQ || t === AdvPduType.CONNECT_IND ? this.rxAdd : this.txAdd;
  }

  /** AdvA as a number in printed order, or -1. */
  get advA(): number {
    const o = this.advAOffset;
    return o < 0 ? -1 : bleAddrKey(this.bytes, o);
  }

  /** AdvA as `aa:bb:..`, or ''. */
  get advAString(): string {
    const o = this.advAOffset;
    return o < 0 ? '' : bleAddrString(this.bytes, o);
  }

  /** AdvA's type (consts.ts ADDR_*), or -1 when there is no AdvA. */
  get advAType(): number {
    const o = this.advAOffset;
    return o < 0 ? -1 : bleAddrType(this.advARandom, this.bytes[o + 5]!);
  }

  /** The initiator/scanner address (InitA, ScanA) of a SCAN_REQ or CONNECT_IND, or -1. */
  get initAOffset(): number {
    const t = this.pduType;
    return this.isAdvertising && (t === AdvPduType.SCAN_REQ || t === AdvPduType.CONNECT_IND) && this.payloadEnd - this.payloadOffset >= 12 ? this.payloadOffset : -1;
  }

  /** [start, end) of AdvData: legacy PDUs after AdvA, extended PDUs after the extended header; [0, 0) when none. */
  get advDataStart(): number {
    if (!this.isAdvertising) return 0;
    const t = this.pduType;
    if (t === AdvPduType.ADV_IND || t === AdvPduType.ADV_NONCONN_IND || t === AdvPduType.SCAN_RSP || t === AdvPduType.ADV_SCAN_IND) {
      return this.payloadEnd - this.payloadOffset >= 6 ? this.payloadOffset + 6 : 0;
    }
    if (t === AdvPduType.ADV_EXT_IND) return this.extHeader().end;
    return 0;
  }

  get advDataEnd(): number {
    return this.advDataStart === 0 ? 0 : this.payloadEnd;
  }

  /** CONNECT_IND LLData: the connection's access address (§2.3.3.1), or -1. */
  get connectAccessAddress(): number {
    if (!this.isAdvertising || this.pduType !== AdvPduType.CONNECT_IND || this.payloadEnd - this.payloadOffset < 34) return -1;
    return u32le(this.bytes, this.payloadOffset + 12);
  }

  /** CONNECT_IND CRCInit (3 bytes, LSB first), or -1. */
  get connectCrcInit(): number {
    if (this.connectAccessAddress === -1) return -1;
    const o = this.payloadOffset + 16;
    return this.bytes[o]! | (this.bytes[o + 1]! << 8) | (this.bytes[o + 2]! << 16);
  }

  /** The extended header of a type-7 PDU (§2.3.4): flags, and where its fields and the whole header end. */
  extHeader(): { flags: number; fieldsStart: number; fieldsEnd: number; end: number; advMode: number } {
    const p = this.payloadOffset;
    const e = this.payloadEnd;
    if (e - p < 1) return { flags: 0, fieldsStart: p, fieldsEnd: p, end: p, advMode: 0 };
    const len = this.bytes[p]! & 0x3f;
    const advMode = this.bytes[p]! >>> 6;
    const end = Math.min(e, p + 1 + len);
    if (len === 0) return { flags: 0, fieldsStart: p + 1, fieldsEnd: p + 1, end, advMode };
    return { flags: this.bytes[p + 1]!, fieldsStart: p + 2, fieldsEnd: end, end, advMode };
  }

  /** Data channel: the LL control opcode when LLID is 3, else -1. */
  get controlOpcode(): number {
    return !this.isAdvertising && this.llid === 3 && this.payloadEnd > this.payloadOffset ? this.bytes[this.payloadOffset]! : -1;
  }

  /** The 3 CRC bytes as sent (little-endian number), or -1 when the frame has none. */
  get crc(): number {
    if (!this.hasCrc) return -1;
    const o = this.payloadOffset + this.length;
    return this.bytes[o]! | (this.bytes[o + 1]! << 8) | (this.bytes[o + 2]! << 16);
  }

  get headerWord(): number {
    return u16le(this.bytes, this.headerOffset);
  }
}

export interface BtleDecoderOptions {
  /** Coded PHY: one CI byte between AA and the header (Vol 6 Part B §2.2). */
  readonly coded?: boolean;
  /** The payload is encrypted (the radio header says so): never route it on. */
  readonly encrypted?: boolean;
}

class BtleDecoder implements Decoder {
  readonly name = 'btle';
  private readonly coded: boolean;
  private readonly encrypted: boolean;

  constructor(opts: BtleDecoderOptions = {}) {
    this.coded = opts.coded === true;
    this.encrypted = opts.encrypted === true;
  }

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): BtleView | Anomaly {
    const h = offset + 4 + (this.coded ? 1 : 0);
    const have = end - offset;
    if (end - h < 2) return anomaly('btle.truncated_header', 'btle', offset, h + 2 - offset, have);
    const len = bytes[h + 1]!;
    const pEnd = h + 2 + len;
    if (pEnd > end) {
      // The Length field claims more than the frame holds: keep the header, read what there is.
      return new BtleView(bytes, offset, h, end, -1, false, 'unknown', anomaly('btle.bad_length', 'btle', h + 1, pEnd - offset, have));
    }
    const hasCrc = pEnd + 3 <= end;
    const adv = u32le(bytes, offset) === ADV_ACCESS_ADDRESS;
    let crc: 'ok' | 'bad' | 'unknown' = 'unknown';
    if (adv && hasCrc) {
      const want = bytes[pEnd]! | (bytes[pEnd + 1]! << 8) | (bytes[pEnd + 2]! << 16);
      crc = bleCrc24(bytes, h, pEnd, ADV_CRC_INIT) === want ? 'ok' : 'bad';
    }
    const next = !adv && !this.encrypted && len > 0 && (bytes[h]! & 0x03) === LLID_L2CAP_START ? BTLE_NEXT_L2CAP : -1;
    return new BtleView(bytes, offset, h, pEnd, next, hasCrc, crc, undefined);
  }
}

/** LE 1M/2M: AA then the header. */
export const btleDecoder: Decoder = new BtleDecoder();
/** LE Coded: AA, CI, then the header. */
export const btleCodedDecoder: Decoder = new BtleDecoder({ coded: true });
/** An encrypted data PDU (the radio header's flag): decoded, never routed on. */
export const btleEncryptedDecoder: Decoder = new BtleDecoder({ encrypted: true });
