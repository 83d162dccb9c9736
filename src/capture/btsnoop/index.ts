/**
 * btsnoop HCI logs (Android's btsnoop_hci.log, BlueZ's btmon -w): the
 * format of RFC 1761 with Bluetooth datalinks, as BlueZ src/shared/btsnoop.c
 * and Wireshark wiretap/btsnoop.c read it. All numbers big-endian:
 *
 *   file header  "btsnoop\0" | version u32 (1) | datalink u32
 *   record       original length u32 | included length u32 | flags u32 |
 *                cumulative drops u32 | timestamp i64 (µs since 0000-01-01)
 *
 * Datalinks: 1001 unencapsulated HCI (flags bit 0 = received, bit 1 =
 * command/event), 1002 HCI UART (H4), 2001 BlueZ monitor (flags = adapter
 * index << 16 | opcode). Frames come out as pcap link types the decoders
 * already route: 1001 and 1002 as 201 (H4 with its direction header), 2001
 * as 254 (monitor header). That costs a copy of each record, acceptable for
 * a log format that is read offline.
 *
 * Used by PcapReader when a stream starts with the btsnoop magic, so a
 * `pcap-file` source and `iomt-sensor replay` read both.
 */
import type { RawFrame, SourceEvents } from '../types.js';

export const BTSNOOP_MAGIC = [0x62, 0x74, 0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00] as const;
export const BTSNOOP_HEADER_LEN = 16;
export const BTSNOOP_RECORD_HEADER_LEN = 24;
export const DATALINK_HCI_UNENCAP = 1001;
export const DATALINK_HCI_UART = 1002;
export const DATALINK_MONITOR = 2001;
/** Microseconds from 0000-01-01 to 1970-01-01, as BlueZ and Wireshark use it. */
export const BTSNOOP_EPOCH_DELTA_US = 0x00dcddb30f2f8000n;
/** A record longer than this is corrupt (an HCI packet is at most 4 + 65535 bytes). */
export const BTSNOOP_MAX_RECORD = 65_600;

export type BtsnoopAnomalyCode = 'btsnoop.bad_magic' | 'btsnoop.bad_version' | 'btsnoop.unsupported_datalink' | 'btsnoop.bad_record_length' | 'btsnoop.truncated_record';

/** Fatal codes end the stream: nothing after them can be trusted. */
const FATAL: ReadonlySet<string> = new Set(['btsnoop.bad_magic', 'btsnoop.bad_version', 'btsnoop.unsupported_datalink', 'btsnoop.bad_record_length']);

const META: RawFrame['meta'] = Object.freeze({ iface: 0 });

export class BtsnoopParser {
  /** Bytes needed from the current position before step() can go on (when it returned 0). */
  need = 0;
  datalink = -1;
  private headerDone = false;

  constructor(
    private readonly source: string,
    private readonly events: SourceEvents,
    private readonly anomalies: Record<string, number>,
  ) {}

  /**
   * Reads the file header or one record at `off`; returns the bytes consumed,
   * 0 when `need` more are required, -1 on a fatal anomaly (reported).
   * `base` is the stream offset of buf[0], for anomaly offsets.
   */
  step(buf: Uint8Array, off: number, end: number, base: number, out: RawFrame[]): number {
    const avail = end - off;
    if (!this.headerDone) {
      if (avail < BTSNOOP_HEADER_LEN) {
        this.need = BTSNOOP_HEADER_LEN;
        return 0;
      }
      for (let i = 0; i < 8; i++) if (buf[off + i] !== BTSNOOP_MAGIC[i]) return this.fatal('btsnoop.bad_magic', base + off);
      const version = u32(buf, off + 8);
      if (version !== 1) return this.fatal('btsnoop.bad_version', base + off + 8, `version ${version}`);
      const dl = u32(buf, off + 12);
      if (dl !== DATALINK_HCI_UART && dl !== DATALINK_HCI_UNENCAP && dl !== DATALINK_MONITOR) {
        return this.fatal('btsnoop.unsupported_datalink', base + off + 12, `datalink ${dl}; supported: 1001, 1002, 2001`);
      }
      this.datalink = dl;
      this.headerDone = true;
      return BTSNOOP_HEADER_LEN;
    }
    if (avail < BTSNOOP_RECORD_HEADER_LEN) {
      this.need = BTSNOOP_RECORD_HEADER_LEN;
      return 0;
    }
    const origLen = u32(buf, off);
    const incl = u32(buf, off + 4);
    if (incl > BTSNOOP_MAX_RECORD || incl > origLen) {
      return this.fatal('btsnoop.bad_record_length', base + off + 4, `included ${incl}, original ${origLen}`);
    }
    const total = BTSNOOP_RECORD_HEADER_LEN + incl;
    if (avail < total) {
      this.need = total;
      return 0;
    }
    const flags = u32(buf, off + 8);
    // i64 µs since year 0; split so no bigint is built per record when the high word allows.
    const hi = u32(buf, off + 16);
    const lo = u32(buf, off + 20);
    const us = BigInt(hi) * 4294967296n + BigInt(lo) - BTSNOOP_EPOCH_DELTA_US;
    const sec = us < 0n ? 0 : Number(us / 1_000_000n);
    const nsec = us < 0n ? 0 : Number(us % 1_000_000n) * 1000;
    const data = buf.subarray(off + BTSNOOP_RECORD_HEADER_LEN, off + total);
    let bytes: Uint8Array;
    let linkType: number;
    let extra: number;
    if (this.datalink === DATALINK_MONITOR) {
      linkType = 254;
      extra = 4;
      bytes = new Uint8Array(4 + incl);
      bytes[0] = (flags >>> 24) & 0xff;
      bytes[1] = (flags >>> 16) & 0xff;
      bytes[2] = (flags >>> 8) & 0xff;
      bytes[3] = flags & 0xff;
      bytes.set(data, 4);
    } else {
      linkType = 201;
      const h4 = this.datalink === DATALINK_HCI_UNENCAP;
      extra = h4 ? 5 : 4;
      bytes = new Uint8Array(extra + incl);
      bytes[3] = flags & 1;
      if (h4) bytes[4] = flags & 2 ? (flags & 1 ? 4 : 1) : 2;
      bytes.set(data, extra);
    }
    out.push({ tsSec: sec, tsNsec: nsec, source: this.source, linkType, bytes, origLen: origLen + extra, meta: META });
    return total;
  }

  /** The anomaly for a record cut off at the end of the stream. */
  truncated(offset: number, have: number): void {
    this.report('btsnoop.truncated_record', offset, `${have} of ${this.need} bytes`);
  }

  private fatal(code: BtsnoopAnomalyCode, offset: number, detail?: string): -1 {
    this.report(code, offset, detail);
    return -1;
  }

  private report(code: BtsnoopAnomalyCode, offset: number, detail?: string): void {
    this.anomalies[code] = (this.anomalies[code] ?? 0) + 1;
    this.events.anomaly(detail === undefined ? { code, offset } : { code, offset, detail });
  }

  static isFatal(code: string): boolean {
    return FATAL.has(code);
  }
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
