/**
 * What one decoded frame says about BLE advertisers, whatever carried it:
 * an LL advertising PDU under a radio header (nordic_ble, btle_rf, ppi, or
 * none for 251), or the advertising reports of an HCI LE Meta event. Owned
 * records, copied out of the views, for the sighting source, the BLE
 * analyzer and the conformance test alike.
 *
 * CRC verdict: the radio header's when it checked (the nRF Sniffer's flag,
 * btle_rf's "CRC checked/valid"); otherwise the LL decoder's own CRC-24 over
 * an advertising PDU; HCI reports passed the controller's CRC, so 'ok'.
 * A 'bad' frame is counted, never believed (issue 9).
 */
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { BtleView, CrcStatus } from '../../decode/btle/index.js';
import { bleAddrString, bleAddrType } from '../../decode/btle/index.js';
import { ADDR_PUBLIC, ADV_PDU_NAMES, AUX_PDU_NAMES, AdvPduType } from '../../decode/btle/consts.js';
import { emptyAdSummary, summarizeAd, type AdSummary } from '../../decode/btle/ad.js';
import type { NordicBleView } from '../../decode/nordic_ble/index.js';
import type { BtleRfView } from '../../decode/btle_rf/index.js';
import type { HciEvtView } from '../../decode/hci_evt/index.js';

export interface Advert {
  /** `aa:bb:cc:dd:ee:ff` as printed. */
  readonly address: string;
  /** src/telemetry/ident.ts BleAddressType (0 public .. 3 non-resolvable; 4 reserved random). */
  readonly addressType: number;
  /** LL PDU type name (ADV_IND ...), or the HCI report's event type name. */
  readonly pdu: string;
  /** dBm, or undefined. */
  readonly rssi: number | undefined;
  /** Channel index, or -1. */
  readonly channel: number;
  readonly crc: CrcStatus;
  /** AdvData summary; empty for PDUs without AdvData. */
  readonly ad: AdSummary;
  /** Bytes of AdvData (to tell oversized advertising). */
  readonly adLength: number;
  /** Whether it came from HCI (a controller's report) rather than a sniffer. */
  readonly hci: boolean;
  /** A legacy PDU, or a legacy HCI report. */
  readonly legacy: boolean;
  /** CONNECT_IND: the initiator's address and the connection's access address. */
  readonly initiator?: string;
  readonly connectAccessAddress?: number;
}

const HCI_LEGACY_NAMES: readonly string[] = ['ADV_IND', 'ADV_DIRECT_IND', 'ADV_SCAN_IND', 'ADV_NONCONN_IND', 'SCAN_RSP'];

/** The radio header of an LL frame, if any: CRC verdict, RSSI, channel. */
export function radioOf(layers: readonly Layer[]): { crc: CrcStatus; rssi: number | undefined; channel: number; aux: number } {
  const l = layers[0];
  if (l?.name === 'nordic_ble') {
    const n = l as NordicBleView;
    return { crc: n.crcOk ? 'ok' : 'bad', rssi: n.rssi, channel: n.channel, aux: n.auxType };
  }
  if (l?.name === 'btle_rf') {
    const r = l as BtleRfView;
    return { crc: r.crcStatus, rssi: r.rssi, channel: r.channel, aux: -1 };
  }
  return { crc: 'unknown', rssi: undefined, channel: -1, aux: -1 };
}

/** The btle layer of a frame, if any. */
export function btleOf(frame: DecodedFrame): BtleView | undefined {
  const ls = frame.layers;
  for (let i = 0; i < ls.length && i < 3; i++) if (ls[i]!.name === 'btle') return ls[i] as BtleView;
  return undefined;
}

/** The CRC verdict of an LL frame: the radio header's when it checked, else the recomputed one. */
export function crcOf(frame: DecodedFrame, b: BtleView): CrcStatus {
  const r = radioOf(frame.layers);
  return r.crc !== 'unknown' ? r.crc : b.crcStatus;
}

/** The advertiser of an LL advertising PDU, or undefined when the frame is not one (or has no AdvA). */
export function llAdvert(frame: DecodedFrame, b: BtleView): Advert | undefined {
  if (!b.isAdvertising) return undefined;
  const o = b.advAOffset;
  if (o < 0) return undefined;
  const radio = radioOf(frame.layers);
  const crc = radio.crc !== 'unknown' ? radio.crc : b.crcStatus;
  const t = b.pduType;
  const pdu = t === AdvPduType.ADV_EXT_IND && radio.aux >= 0 ? AUX_PDU_NAMES[radio.aux]! : (ADV_PDU_NAMES[t] ?? `PDU_${t}`);
  const ds = b.advDataStart;
  const de = b.advDataEnd;
  const ad = ds > 0 ? summarizeAd(b.bytes, ds, de) : emptyAdSummary();
  const base = {
    address: bleAddrString(b.bytes, o), addressType: bleAddrType(b.advARandom, b.bytes[o + 5]!), pdu, rssi: radio.rssi,
    channel: radio.channel, crc, ad, adLength: de - ds, hci: false, legacy: t !== AdvPduType.ADV_EXT_IND,
  };
  if (t === AdvPduType.CONNECT_IND && b.initAOffset >= 0) {
    return { ...base, initiator: bleAddrString(b.bytes, b.initAOffset), connectAccessAddress: b.connectAccessAddress };
  }
  return base;
}

/** The HCI report address type (Vol 4 Part E §7.7.65.2) as an ident BleAddressType. */
export function hciAddrType(t: number, msb: number): number {
  if (t === 0 || t === 2) return ADDR_PUBLIC;
  return bleAddrType(true, msb);
}

/** Every advertising report of an HCI event. */
export function hciAdverts(e: HciEvtView): Advert[] {
  const out: Advert[] = [];
  for (let i = 0; i < e.reportCount; i++) {
    const r = e.report(i);
    const b = e.bytes;
    const ad = summarizeAd(b, r.dataOffset, r.dataOffset + r.dataLength);
    const legacy = !r.extended || (r.eventType & 0x10) !== 0;
    const pdu = r.extended ? `EXT_0x${r.eventType.toString(16).padStart(4, '0')}` : (HCI_LEGACY_NAMES[r.eventType] ?? `REPORT_${r.eventType}`);
    out.push({
      address: bleAddrString(b, r.addressOffset), addressType: hciAddrType(r.addressType, b[r.addressOffset + 5]!), pdu,
      rssi: r.rssi === 127 ? undefined : r.rssi, channel: -1, crc: 'ok', ad, adLength: r.dataLength, hci: true, legacy,
    });
  }
  return out;
}

/** Every advertiser a frame tells of (LL: at most one; HCI: one per report). */
export function advertsOf(frame: DecodedFrame): Advert[] {
  const ls = frame.layers;
  for (let i = 0; i < ls.length && i < 3; i++) {
    const l = ls[i]!;
    if (l.name === 'btle') {
      const a = llAdvert(frame, l as BtleView);
      return a === undefined ? [] : [a];
    }
    if (l.name === 'hci_evt') return hciAdverts(l as HciEvtView);
  }
  return [];
}
