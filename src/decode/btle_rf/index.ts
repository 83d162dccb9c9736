/**
 * LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR (256): a 10-byte pseudo-header before
 * the LL packet (tcpdump.org/linktypes/LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR.html):
 * RF channel (u8, (MHz - 2402) / 2), signal power (i8 dBm), noise power
 * (i8 dBm), access address offenses (u8), reference access address (u32 LE),
 * flags (u16 LE). Written by Ubertooth, Sniffle, bsniffhub and WHAD.
 */
import { u16le, u32le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const BTLE_RF_HEADER_LEN = 10;

/** Flags (linktype page). */
export const RF_DEWHITENED = 0x0001;
export const RF_SIGNAL_VALID = 0x0002;
export const RF_NOISE_VALID = 0x0004;
export const RF_DECRYPTED = 0x0008;
export const RF_REF_AA_VALID = 0x0010;
export const RF_CRC_CHECKED = 0x0400;
export const RF_CRC_VALID = 0x0800;
export const RF_MIC_CHECKED = 0x1000;
export const RF_MIC_VALID = 0x2000;
export const RF_PHY_SHIFT = 14;

/** Route keys to the LL decoders, as nordic_ble's. */
export const RF_NEXT_LL = 0;
export const RF_NEXT_LL_CODED = 1;

/** RF channel (0..39, 2 MHz apart from 2402 MHz) to channel index (Vol 6 Part B §1.4.1). */
export function rfToChannelIndex(rf: number): number {
  if (rf === 0) return 37;
  if (rf === 12) return 38;
  if (rf === 39) return 39;
  if (rf >= 1 && rf <= 11) return rf - 1;
  if (rf >= 13 && rf <= 38) return rf - 2;
  return -1;
}

export class BtleRfView implements Layer {
  readonly name = 'btle_rf';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;

  constructor(bytes: Uint8Array, offset: number, end: number, nextKey: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + BTLE_RF_HEADER_LEN;
    this.payloadEnd = end;
    this.nextKey = nextKey;
  }

  get rfChannel(): number {
    return this.bytes[this.offset]!;
  }

  get channel(): number {
    return rfToChannelIndex(this.rfChannel);
  }

  get flags(): number {
    return u16le(this.bytes, this.offset + 8);
  }

  /** Signal power in dBm, or undefined when the flags do not say it is valid. */
  get rssi(): number | undefined {
    return this.flags & RF_SIGNAL_VALID ? (this.bytes[this.offset + 1]! << 24) >> 24 : undefined;
  }

  get referenceAccessAddress(): number {
    return u32le(this.bytes, this.offset + 4);
  }

  /** 'ok'/'bad' when the sniffer checked the CRC, else 'unknown'. */
  get crcStatus(): 'ok' | 'bad' | 'unknown' {
    const f = this.flags;
    return f & RF_CRC_CHECKED ? (f & RF_CRC_VALID ? 'ok' : 'bad') : 'unknown';
  }

  get phy(): number {
    return (this.flags >>> RF_PHY_SHIFT) & 3;
  }
}

class BtleRfDecoder implements Decoder {
  readonly name = 'btle_rf';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): BtleRfView | Anomaly {
    const have = end - offset;
    if (have < BTLE_RF_HEADER_LEN) return anomaly('btle_rf.truncated_header', 'btle_rf', offset, BTLE_RF_HEADER_LEN, have);
    const phy = (u16le(bytes, offset + 8) >>> RF_PHY_SHIFT) & 3;
    return new BtleRfView(bytes, offset, end, phy === 2 ? RF_NEXT_LL_CODED : RF_NEXT_LL);
  }
}

export const btleRfDecoder: Decoder = new BtleRfDecoder();
