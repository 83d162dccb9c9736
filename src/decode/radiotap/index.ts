/**
 * Radiotap (LINKTYPE_IEEE802_11_RADIOTAP, 127; radiotap.org): a little-endian
 * header of version, pad, length and one or more present-bit words, then the
 * fields those bits announce, each aligned to its own natural alignment
 * counted from the start of the header. The 802.11 frame follows `length`.
 *
 * The walk follows every present word: bit 31 says another word follows,
 * bit 29 restarts the radiotap namespace (bit numbers from 0 again, as
 * multi-antenna drivers use it to repeat the signal per chain), bit 30
 * starts a vendor namespace whose 6-byte field (OUI, sub-namespace, skip
 * length) says how many data bytes to skip (radiotap.org "Vendor
 * Namespace"). A bit of the radiotap namespace that this table does not
 * know has no known size, so the walk stops there, keeps what it read and
 * notes `radiotap.unknown_field`; the 802.11 frame is still found by the
 * header's length.
 *
 * A frame whose Flags say the FCS check failed is counted (`radiotap.bad_fcs`)
 * and not believed: the walk stops at this layer, so no analyzer reads bytes
 * that the radio itself says are corrupt. A trailing FCS (Flags 0x10) is
 * checked here too (CRC-32, IEEE 802.11-2020 §9.2.4.8), because many drivers
 * pass corrupt frames without setting the bad-FCS flag: a mismatch is
 * counted (`radiotap.fcs_mismatch`) and stops the walk the same way. The
 * FCS is cut from the payload.
 */
import { u16le, u32le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import {
  crc32, BIT_EXT, BIT_RADIOTAP_NS, BIT_VENDOR_NS, channelOfFreq, FIELD_ALIGN, FIELD_SIZE, FLAG_BAD_FCS, FLAG_DATA_PAD, FLAG_FCS,
  KEY_80211, KEY_80211_PADDED, VENDOR_NS_LEN,
} from './consts.js';

export const RADIOTAP_MIN_LEN = 8;
export const RADIOTAP_BAD_FCS = 'radiotap.bad_fcs';
export const RADIOTAP_UNKNOWN_FIELD = 'radiotap.unknown_field';
export const RADIOTAP_FCS_MISMATCH = 'radiotap.fcs_mismatch';
/** Antenna signals kept per frame (one per chain, plus the combined one). */
export const MAX_SIGNALS = 8;

/** What the fields walk found; `undefined` is "not present". */
class Fields {
  tsft: number | undefined;
  flags: number | undefined;
  /** In 500 kb/s units. */
  rate: number | undefined;
  freq: number | undefined;
  channelFlags: number | undefined;
  /** dBm antenna signals in order (the first is the combined one, then per chain). */
  signals: number[] | undefined;
  noise: number | undefined;
  mcs: number | undefined;
  vhtMcs: number | undefined;
  heMcs: number | undefined;
  hasHe = false;
  /** A field of an unknown bit stopped the walk. */
  unknown = false;
  /** The fields overran the header's length. */
  overrun = false;
}

export class RadiotapView implements Layer {
  readonly name = 'radiotap';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;
  readonly note: string | undefined;
  readonly warning: Anomaly | undefined;
  readonly tsft: number | undefined;
  readonly flags: number | undefined;
  readonly rate: number | undefined;
  readonly freq: number | undefined;
  readonly channelFlags: number | undefined;
  readonly signals: readonly number[] | undefined;
  readonly noise: number | undefined;
  readonly mcs: number | undefined;
  readonly vhtMcs: number | undefined;
  readonly heMcs: number | undefined;
  readonly hasHe: boolean;
  /** The FCS matched (true), did not (false), or the frame carries none (undefined). */
  readonly fcsOk: boolean | undefined;

  constructor(bytes: Uint8Array, offset: number, hdrLen: number, end: number, f: Fields, snapped = false) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + hdrLen;
    const flags = f.flags ?? 0;
    const fcs = (flags & FLAG_FCS) !== 0 && end - this.payloadOffset >= 4;
    this.payloadEnd = fcs ? end - 4 : end;
    const bad = (flags & FLAG_BAD_FCS) !== 0;
    // A snapped frame has lost its FCS: nothing to check.
    const whole = fcs && !snapped;
    this.fcsOk = whole ? crc32(bytes, this.payloadOffset, end - 4) === u32le(bytes, end - 4) : undefined;
    const mismatch = this.fcsOk === false && !bad;
    this.nextKey = bad || mismatch ? -1 : (flags & FLAG_DATA_PAD) !== 0 ? KEY_80211_PADDED : KEY_80211;
    this.note = bad ? RADIOTAP_BAD_FCS : mismatch ? RADIOTAP_FCS_MISMATCH : f.unknown ? RADIOTAP_UNKNOWN_FIELD : undefined;
    this.warning = f.overrun ? anomaly('radiotap.bad_field_length', 'radiotap', offset, hdrLen, hdrLen) : undefined;
    this.tsft = f.tsft;
    this.flags = f.flags;
    this.rate = f.rate;
    this.freq = f.freq;
    this.channelFlags = f.channelFlags;
    this.signals = f.signals;
    this.noise = f.noise;
    this.mcs = f.mcs;
    this.vhtMcs = f.vhtMcs;
    this.heMcs = f.heMcs;
    this.hasHe = f.hasHe;
  }

  get version(): number {
    return this.bytes[this.offset]!;
  }

  get headerLength(): number {
    return this.payloadOffset - this.offset;
  }

  /** The combined (first) antenna signal in dBm. */
  get signal(): number | undefined {
    return this.signals?.[0];
  }

  /** The channel number from the frequency (-1 for none). */
  get channel(): number {
    return this.freq === undefined ? -1 : channelOfFreq(this.freq);
  }

  /** True when the radio said the FCS check failed. */
  get badFcs(): boolean {
    return ((this.flags ?? 0) & FLAG_BAD_FCS) !== 0;
  }

  /** True when the 802.11 frame carries its FCS (cut from the payload). */
  get hasFcs(): boolean {
    return ((this.flags ?? 0) & FLAG_FCS) !== 0;
  }
}

function i8(b: number): number {
  return b > 127 ? b - 256 : b;
}

/**
 * Walks the fields of the present words at `words` (count `n`) from `data`
 * to `limit`, filling `f`. Offsets are absolute; alignment is relative to `base`.
 */
function walkFields(b: Uint8Array, base: number, words: number, n: number, data: number, limit: number, f: Fields): void {
  let p = data;
  let vendor = false;
  let bitBase = 0;
  for (let w = 0; w < n; w++) {
    const present = u32le(b, words + 4 * w);
    if (!vendor) {
      for (let bit = 0; bit < 29; bit++) {
        if ((present & (1 << bit)) === 0) continue;
        const idx = bitBase + bit;
        const size = idx < 29 ? FIELD_SIZE[idx]! : 0;
        if (size === 0) {
          f.unknown = true;
          return;
        }
        const align = FIELD_ALIGN[idx]!;
        const rel = (p - base) % align;
        if (rel !== 0) p += align - rel;
        if (p + size > limit) {
          f.overrun = true;
          return;
        }
        readField(b, p, idx, f);
        p += size;
      }
    }
    if ((present & (1 << BIT_VENDOR_NS)) !== 0) {
      // radiotap.org "Vendor Namespace": aligned to 2; the vendor's data follows at once.
      if ((p - base) % 2 !== 0) p++;
      if (p + VENDOR_NS_LEN > limit) {
        f.overrun = true;
        return;
      }
      p += VENDOR_NS_LEN + u16le(b, p + 4);
      if (p > limit) {
        f.overrun = true;
        return;
      }
      vendor = true;
      bitBase = 0;
    } else if ((present & (1 << BIT_RADIOTAP_NS)) !== 0) {
      vendor = false;
      bitBase = 0;
    } else {
      bitBase += 32;
    }
  }
}

function readField(b: Uint8Array, p: number, idx: number, f: Fields): void {
  switch (idx) {
    case 0:
      f.tsft ??= u32le(b, p + 4) * 4294967296 + u32le(b, p);
      break;
    case 1:
      f.flags ??= b[p]!;
      break;
    case 2:
      f.rate ??= b[p]!;
      break;
    case 3:
      if (f.freq === undefined) {
        f.freq = u16le(b, p);
        f.channelFlags = u16le(b, p + 2);
      }
      break;
    case 5:
      if (f.signals === undefined) f.signals = [i8(b[p]!)];
      else if (f.signals.length < MAX_SIGNALS) f.signals.push(i8(b[p]!));
      break;
    case 6:
      f.noise ??= i8(b[p]!);
      break;
    case 18:
      // XChannel (flags 4, freq 2, channel 1, maxpower 1): the frequency when Channel is absent.
      f.freq ??= u16le(b, p + 4);
      break;
    case 19:
      // MCS: known, flags, index (radiotap.org/fields/MCS); the index is known when known bit 1 is set.
      if ((b[p]! & 0x02) !== 0) f.mcs ??= b[p + 2]!;
      break;
    case 21: {
      // VHT: known(2) flags(1) bandwidth(1) mcs_nss[4] ... (radiotap.org/fields/VHT); user 0's MCS when NSS > 0.
      const mn = b[p + 4]!;
      if ((mn & 0x0f) !== 0) f.vhtMcs ??= mn >>> 4;
      break;
    }
    case 23: {
      // HE: data1..data6 (radiotap.org/fields/HE); data1 bit 5 says data3 bits 8-11 hold the MCS.
      f.hasHe = true;
      if ((u16le(b, p) & 0x0020) !== 0) f.heMcs ??= (u16le(b, p + 4) >>> 8) & 0x0f;
      break;
    }
  }
}

class RadiotapDecoder implements Decoder {
  readonly name = 'radiotap';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): RadiotapView | Anomaly {
    const have = end - offset;
    if (have < RADIOTAP_MIN_LEN) return anomaly('radiotap.truncated_header', 'radiotap', offset, RADIOTAP_MIN_LEN, have);
    if (bytes[offset] !== 0) return anomaly('radiotap.bad_version', 'radiotap', offset, 0, 0);
    const len = u16le(bytes, offset + 2);
    if (len < RADIOTAP_MIN_LEN) return anomaly('radiotap.bad_length', 'radiotap', offset + 2, RADIOTAP_MIN_LEN, len);
    if (len > have) return anomaly('radiotap.truncated_header', 'radiotap', offset, len, have);
    const limit = offset + len;
    // Count the present words: each with bit 31 set announces one more.
    let n = 1;
    while ((u32le(bytes, offset + 4 * n) & (1 << BIT_EXT)) !== 0) {
      n++;
      if (offset + 4 + 4 * n > limit) return anomaly('radiotap.bad_length', 'radiotap', offset + 2, 4 + 4 * n, len);
    }
    const f = new Fields();
    walkFields(bytes, offset, offset + 4, n, offset + 4 + 4 * n, limit, f);
    return new RadiotapView(bytes, offset, len, end, f, ctx.frame.bytes.length < ctx.frame.origLen);
  }
}

export const radiotapDecoder: Decoder = new RadiotapDecoder();
