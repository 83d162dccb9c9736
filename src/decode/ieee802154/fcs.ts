/**
 * The 802.15.4 frame check sequence (IEEE 802.15.4-2020 §7.2.10): the
 * 16-bit ITU-T CRC (polynomial x^16 + x^12 + x^5 + 1, initial value 0,
 * bits sent least significant first, i.e. CRC-16/KERMIT), and the 32-bit
 * FCS of the SUN and TVWS PHYs (ANSI X3.66, the Ethernet CRC-32).
 *
 * TI's CC24xx sniffer firmware replaces the two FCS bytes by metadata
 * (CC2420 datasheet §16.4 "Frame check sequence"; CC2531 user guide
 * SWRU191 §23.9.5): an RSSI byte (signed dBm offset) and a byte whose
 * top bit says the radio found the CRC good and whose low 7 bits are the
 * correlation value. Wireshark calls this "TI CC24xx metadata".
 */

const CRC16: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

const CRC32: Int32Array = (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/KERMIT over [start, end): the value the FCS field holds, little-endian on air. */
export function crc16Kermit(b: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ CRC16[(crc ^ b[i]!) & 0xff]!;
  return crc & 0xffff;
}

/** CRC-32 (IEEE 802.3) over [start, end). */
export function crc32(b: Uint8Array, start: number, end: number): number {
  let crc = -1;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ CRC32[(crc ^ b[i]!) & 0xff]!;
  return (crc ^ -1) >>> 0;
}
