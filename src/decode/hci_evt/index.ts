/**
 * HCI event packet (Core Spec 5.4 Vol 4 Part E §5.4.4): event code (u8),
 * parameter length (u8), parameters. The LE Meta event (0x3E, §7.7.65)
 * carries a subevent code first; the advertising reports (legacy 0x02,
 * §7.7.65.2; extended 0x0D, §7.7.65.13) are what a passive scan yields, and
 * the connection complete events (0x01, 0x0A) tie an ACL handle to a peer.
 *
 * Reports are read as contiguous records, one after another, as BlueZ and
 * Wireshark read them; the constructor checks every report's length once,
 * so `report(i)` for i < reportCount cannot read past the end.
 */
import { u16le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const HciEvent = {
  DISCONNECTION_COMPLETE: 0x05,
  ENCRYPTION_CHANGE: 0x08,
  COMMAND_COMPLETE: 0x0e,
  COMMAND_STATUS: 0x0f,
  LE_META: 0x3e,
} as const;

export const LeSubevent = {
  CONNECTION_COMPLETE: 0x01,
  ADVERTISING_REPORT: 0x02,
  ENHANCED_CONNECTION_COMPLETE: 0x0a,
  EXTENDED_ADVERTISING_REPORT: 0x0d,
} as const;

/** Fixed part of one extended report before its data (§7.7.65.13). */
const EXT_REPORT_FIXED = 24;
/** Fixed part of one legacy report, data and RSSI aside (§7.7.65.2). */
const LEGACY_REPORT_FIXED = 9;

/** One advertising report, as offsets into the frame (owned numbers; the bytes stay in the frame). */
export interface AdvReport {
  readonly extended: boolean;
  /** Legacy: 0 ADV_IND, 1 ADV_DIRECT_IND, 2 ADV_SCAN_IND, 3 ADV_NONCONN_IND, 4 SCAN_RSP; extended: the 16-bit Event_Type bits. */
  readonly eventType: number;
  /** 0 public, 1 random, 2 public identity, 3 random static identity, 0xff anonymous. */
  readonly addressType: number;
  readonly addressOffset: number;
  readonly dataOffset: number;
  readonly dataLength: number;
  /** dBm; 127 means not available. */
  readonly rssi: number;
  /** Extended reports only: TX power dBm (127 = not available). */
  readonly txPower: number;
}

export class HciEvtView implements Layer {
  readonly name = 'hci_evt';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  /** Advertising reports whose bytes are all present. */
  readonly reportCount: number;
  readonly warning: Anomaly | undefined;

  constructor(bytes: Uint8Array, offset: number, end: number, reportCount: number, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + 2;
    this.payloadEnd = end;
    this.reportCount = reportCount;
    this.warning = warning;
  }

  get eventCode(): number {
    return this.bytes[this.offset]!;
  }

  /** LE Meta subevent code, or -1. */
  get subevent(): number {
    return this.eventCode === HciEvent.LE_META && this.payloadEnd > this.payloadOffset ? this.bytes[this.payloadOffset]! : -1;
  }

  get isAdvertisingReport(): boolean {
    const s = this.subevent;
    return s === LeSubevent.ADVERTISING_REPORT || s === LeSubevent.EXTENDED_ADVERTISING_REPORT;
  }

  /** The i-th advertising report (i < reportCount). */
  report(i: number): AdvReport {
    const b = this.bytes;
    const ext = this.subevent === LeSubevent.EXTENDED_ADVERTISING_REPORT;
    let o = this.payloadOffset + 2;
    for (let k = 0; k < i; k++) o += ext ? EXT_REPORT_FIXED + b[o + 23]! : LEGACY_REPORT_FIXED + b[o + 8]! + 1;
    if (ext) {
      const n = b[o + 23]!;
      return { extended: true, eventType: u16le(b, o), addressType: b[o + 2]!, addressOffset: o + 3, dataOffset: o + 24, dataLength: n, rssi: (b[o + 13]! << 24) >> 24, txPower: (b[o + 12]! << 24) >> 24 };
    }
    const n = b[o + 8]!;
    return { extended: false, eventType: b[o]!, addressType: b[o + 1]!, addressOffset: o + 2, dataOffset: o + 9, dataLength: n, rssi: (b[o + 9 + n]! << 24) >> 24, txPower: 127 };
  }

  /** Connection complete (0x01/0x0A): status, handle, peer address type and offset; undefined otherwise. */
  get connection(): { status: number; handle: number; role: number; peerAddressType: number; peerAddressOffset: number } | undefined {
    const s = this.subevent;
    if ((s !== LeSubevent.CONNECTION_COMPLETE && s !== LeSubevent.ENHANCED_CONNECTION_COMPLETE) || this.payloadEnd - this.payloadOffset < 12) return undefined;
    const p = this.payloadOffset;
    return { status: this.bytes[p + 1]!, handle: u16le(this.bytes, p + 2) & 0x0fff, role: this.bytes[p + 4]!, peerAddressType: this.bytes[p + 5]!, peerAddressOffset: p + 6 };
  }

  /** Encryption Change (0x08): [handle, enabled], or undefined. */
  get encryptionChange(): readonly [number, number] | undefined {
    if (this.eventCode !== HciEvent.ENCRYPTION_CHANGE || this.payloadEnd - this.payloadOffset < 4) return undefined;
    const p = this.payloadOffset;
    return [u16le(this.bytes, p + 1) & 0x0fff, this.bytes[p + 3]!];
  }

  /** Disconnection Complete (0x05): the handle, or -1. */
  get disconnectedHandle(): number {
    if (this.eventCode !== HciEvent.DISCONNECTION_COMPLETE || this.payloadEnd - this.payloadOffset < 3) return -1;
    return u16le(this.bytes, this.payloadOffset + 1) & 0x0fff;
  }
}

/** How many reports of an advertising report event lie wholly inside [p, end): the count and whether the event said more. */
function countReports(b: Uint8Array, p: number, end: number, ext: boolean): [number, boolean] {
  if (end - p < 2) return [0, true];
  const num = b[p + 1]!;
  let o = p + 2;
  for (let k = 0; k < num; k++) {
    const fixed = ext ? EXT_REPORT_FIXED : LEGACY_REPORT_FIXED + 1;
    if (o + fixed > end) return [k, true];
    const n = ext ? b[o + 23]! : b[o + 8]!;
    const len = fixed + n;
    if (o + len > end) return [k, true];
    o += len;
  }
  return [num, false];
}

class HciEvtDecoder implements Decoder {
  readonly name = 'hci_evt';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): HciEvtView | Anomaly {
    const have = end - offset;
    if (have < 2) return anomaly('hci_evt.truncated_header', 'hci_evt', offset, 2, have);
    const need = 2 + bytes[offset + 1]!;
    let warning: Anomaly | undefined;
    let e = offset + need;
    if (need > have) {
      warning = anomaly('hci_evt.bad_length', 'hci_evt', offset + 1, need, have);
      e = end;
    }
    let reports = 0;
    if (bytes[offset] === HciEvent.LE_META && e - offset > 2) {
      const sub = bytes[offset + 2]!;
      if (sub === LeSubevent.ADVERTISING_REPORT || sub === LeSubevent.EXTENDED_ADVERTISING_REPORT) {
        const [n, short] = countReports(bytes, offset + 2, e, sub === LeSubevent.EXTENDED_ADVERTISING_REPORT);
        reports = n;
        if (short && warning === undefined) warning = anomaly('hci_evt.bad_report', 'hci_evt', offset + 2, 0, e - offset - 2);
      }
    }
    return new HciEvtView(bytes, offset, e, reports, warning);
  }
}

export const hciEvtDecoder: Decoder = new HciEvtDecoder();
