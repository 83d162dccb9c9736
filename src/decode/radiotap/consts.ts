/**
 * Radiotap fields as data (radiotap.org/fields/defined, the "Defined fields"
 * list of the radiotap standard): for each present bit of the radiotap
 * namespace, the field's alignment and size in bytes. The iterator aligns
 * each field to its own alignment from the start of the radiotap header
 * (radiotap.org "Alignment in fields"). Bit 28 (TLVs) is variable length and
 * ends the fixed part; bits 29, 30 and 31 are the namespace and extension
 * bits of every present word.
 */

export interface RadiotapField {
  readonly bit: number;
  readonly name: string;
  readonly align: number;
  readonly size: number;
}

export const RADIOTAP_FIELDS: readonly RadiotapField[] = Object.freeze([
  { bit: 0, name: 'tsft', align: 8, size: 8 },
  { bit: 1, name: 'flags', align: 1, size: 1 },
  { bit: 2, name: 'rate', align: 1, size: 1 },
  { bit: 3, name: 'channel', align: 2, size: 4 },
  { bit: 4, name: 'fhss', align: 1, size: 2 },
  { bit: 5, name: 'dbm_antsignal', align: 1, size: 1 },
  { bit: 6, name: 'dbm_antnoise', align: 1, size: 1 },
  { bit: 7, name: 'lock_quality', align: 2, size: 2 },
  { bit: 8, name: 'tx_attenuation', align: 2, size: 2 },
  { bit: 9, name: 'db_tx_attenuation', align: 2, size: 2 },
  { bit: 10, name: 'dbm_tx_power', align: 1, size: 1 },
  { bit: 11, name: 'antenna', align: 1, size: 1 },
  { bit: 12, name: 'db_antsignal', align: 1, size: 1 },
  { bit: 13, name: 'db_antnoise', align: 1, size: 1 },
  { bit: 14, name: 'rx_flags', align: 2, size: 2 },
  { bit: 15, name: 'tx_flags', align: 2, size: 2 },
  { bit: 16, name: 'rts_retries', align: 1, size: 1 },
  { bit: 17, name: 'data_retries', align: 1, size: 1 },
  { bit: 18, name: 'xchannel', align: 4, size: 8 },
  { bit: 19, name: 'mcs', align: 1, size: 3 },
  { bit: 20, name: 'ampdu_status', align: 4, size: 8 },
  { bit: 21, name: 'vht', align: 2, size: 12 },
  { bit: 22, name: 'timestamp', align: 8, size: 12 },
  { bit: 23, name: 'he', align: 2, size: 12 },
  { bit: 24, name: 'he_mu', align: 2, size: 12 },
  { bit: 25, name: 'he_mu_other_user', align: 2, size: 6 },
  { bit: 26, name: 'zero_length_psdu', align: 1, size: 1 },
  { bit: 27, name: 'lsig', align: 2, size: 4 },
]);

/** Alignment and size by bit (0 where the bit has no fixed-size field). */
export const FIELD_ALIGN: readonly number[] = Array.from({ length: 29 }, (_, b) => RADIOTAP_FIELDS.find((f) => f.bit === b)?.align ?? 0);
export const FIELD_SIZE: readonly number[] = Array.from({ length: 29 }, (_, b) => RADIOTAP_FIELDS.find((f) => f.bit === b)?.size ?? 0);

export const BIT_TSFT = 0;
export const BIT_FLAGS = 1;
export const BIT_RATE = 2;
export const BIT_CHANNEL = 3;
export const BIT_DBM_SIGNAL = 5;
export const BIT_DBM_NOISE = 6;
export const BIT_XCHANNEL = 18;
export const BIT_MCS = 19;
export const BIT_VHT = 21;
export const BIT_HE = 23;
/** Present-word bits with the same meaning in every namespace (radiotap.org "Extended presence masks"). */
export const BIT_RADIOTAP_NS = 29;
export const BIT_VENDOR_NS = 30;
export const BIT_EXT = 31;
/** The vendor namespace field: OUI (3), sub namespace (1), skip length (2), aligned to 2. */
export const VENDOR_NS_LEN = 6;

/** Flags field bits (radiotap.org/fields/Flags). */
export const FLAG_CFP = 0x01;
export const FLAG_SHORT_PREAMBLE = 0x02;
export const FLAG_WEP = 0x04;
export const FLAG_FRAG = 0x08;
/** The frame ends with its 4-byte FCS. */
export const FLAG_FCS = 0x10;
/** Padding between the 802.11 header and payload, to a 32-bit boundary. */
export const FLAG_DATA_PAD = 0x20;
/** The FCS check failed: the bytes cannot be believed. */
export const FLAG_BAD_FCS = 0x40;
export const FLAG_SHORT_GI = 0x80;

/** Channel field flags (radiotap.org/fields/Channel). */
export const CHAN_2GHZ = 0x0080;
export const CHAN_5GHZ = 0x0100;

/**
 * The route key the radiotap (and PPI) layer gives the 802.11 layer after
 * it: plain, or with the header padded to 32 bits (FLAG_DATA_PAD).
 */
export const KEY_80211 = 0;
export const KEY_80211_PADDED = 1;

/**
 * Channel number from a centre frequency in MHz, as Wireshark's
 * ieee80211_mhz_to_chan (epan/frequency-utils.c) does: 2.4 GHz channels
 * 1-13 and 14 at 2484, 5 GHz from 5000 + 5 * n, 6 GHz from 5950 + 5 * n,
 * 4.9 GHz (Japan) from 4000 + 5 * n. -1 for anything else.
 */
export function channelOfFreq(mhz: number): number {
  let ch = -1;
  if (mhz === 2484) ch = 14;
  else if (mhz >= 2412 && mhz <= 2472) ch = (mhz - 2407) / 5;
  else if (mhz >= 4910 && mhz <= 4980) ch = (mhz - 4000) / 5;
  else if (mhz > 5000 && mhz <= 5900) ch = (mhz - 5000) / 5;
  else if (mhz > 5950 && mhz <= 7115) ch = (mhz - 5950) / 5;
  return Number.isInteger(ch) ? ch : -1;
}

/** The CRC-32 table of IEEE 802.3 (reflected polynomial 0xEDB88320), which 802.11 uses for its FCS (IEEE 802.11-2020 §9.2.4.8). */
export const CRC32_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * Slicing-by-8 tables (Kounavis and Berry, "A Systematic Approach to
 * Building High Performance Software-Based CRC Generators", 2005): table k
 * is the CRC of a byte followed by k zero bytes, so eight bytes fold in per
 * step. Row 0 is CRC32_TABLE.
 */
const SLICE8: Int32Array = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) t[n] = CRC32_TABLE[n]! | 0;
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/** CRC-32 of `b[start, end)`, as the FCS carries it (little-endian after the frame); eight bytes a step, then byte by byte. */
export function crc32(b: Uint8Array, start: number, end: number): number {
  const t = SLICE8;
  let c = -1;
  let i = start;
  for (const stop = end - 8; i <= stop; i += 8) {
    const lo = c ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    c = t[1792 + (lo & 0xff)]! ^ t[1536 + ((lo >>> 8) & 0xff)]! ^ t[1280 + ((lo >>> 16) & 0xff)]! ^ t[1024 + (lo >>> 24)]! ^
      t[768 + b[i + 4]!]! ^ t[512 + b[i + 5]!]! ^ t[256 + b[i + 6]!]! ^ t[b[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
