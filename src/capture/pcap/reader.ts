/**
 * A streaming, push-based reader for classic pcap (draft-ietf-opsawg-pcap) and
 * pcapng (draft-ietf-opsawg-pcapng).
 *
 * Bytes arrive in chunks of any size (a file read, a pipe read from tcpdump).
 * `push(chunk)` returns the frames whose records were completed by that chunk.
 * A record that lies wholly inside the chunk is returned as a `subarray` of it
 * (zero copy); only a record that spans chunks is copied, once, into a buffer
 * of exactly its size. The frames of one push stay valid as long as the chunk
 * they came from is not overwritten by its owner.
 *
 * Bad input never throws. Every problem becomes a counted anomaly with a code
 * from PCAP_ANOMALIES; a fatal one ends the stream, and later pushes return
 * nothing, because neither format has a marker to resynchronise on.
 */
import { BtsnoopParser, BTSNOOP_MAGIC } from '../btsnoop/index.js';
import type { FrameMeta, RawFrame, SourceEvents } from '../types.js';
import { describeInterface, ngTimestamp, type NgInterface, type NgTimestamp } from './pcapng-iface.js';
import {
  BT_EPB,
  BT_IDB,
  BT_OPB,
  BT_SHB,
  BT_SPB,
  EPB_MIN_LEN,
  IDB_MIN_LEN,
  MAX_BLOCK_LEN,
  MAX_CAPLEN,
  OPB_MIN_LEN,
  PCAP_ANOMALIES,
  PCAP_FILE_HEADER_LEN,
  PCAP_LINKTYPE_MASK,
  PCAP_MAGIC_NS_BE,
  PCAP_MAGIC_NS_LE,
  PCAP_MAGIC_US_BE,
  PCAP_MAGIC_US_LE,
  PCAP_MAGIC_MODIFIED_BE,
  PCAP_MAGIC_MODIFIED_LE,
  PCAP_MODIFIED_RECORD_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  PLAUSIBLE_MAX_ORIGLEN,
  PCAPNG_MIN_BLOCK_LEN,
  SHB_BYTE_ORDER_MAGIC,
  SHB_MIN_LEN,
  SPB_MIN_LEN,
  sniffForeign,
  type ForeignFormat,
  type PcapAnomalyCode,
} from './consts.js';

export type PcapFormat = 'pcap' | 'pcapng' | 'btsnoop';
/** Classic pcap record layout: the standard 16-byte header, or the 24-byte "modified" one. */
export type PcapVariant = 'standard' | 'modified';

/** What one reader has seen so far; published per source in `health`. */
export interface PcapReaderCounters {
  /** Frames returned by push() and end(). */
  frames: number;
  /** Captured bytes of those frames. */
  bytes: number;
  /** Bytes pushed into the reader, including headers and skipped blocks. */
  bytesIn: number;
  /** pcapng blocks of a type the reader does not use (NRB, ISB, DSB, custom …). */
  skippedBlocks: number;
  /** Anomalies by code. */
  anomalies: Record<string, number>;
}

export interface PcapReaderOptions {
  /**
   * Guess the classic record layout (standard or Red Hat 6.1 "modified") from
   * the first two records, as libwiretap does. On unless turned off. A live
   * source turns it off: tcpdump and dumpcap write the standard layout, and
   * the guess holds the first frame back until the second one arrives.
   */
  readonly guessVariant?: boolean;
}

const STAGE_START = 0;
const STAGE_PCAP = 1;
const STAGE_PCAPNG = 2;
const STAGE_ENDED = 3;
/** Classic pcap with the standard magic, before the record layout is known (see stepProbe). */
const STAGE_PCAP_PROBE = 4;
/** A btsnoop HCI log (src/capture/btsnoop), read by its own parser. */
const STAGE_BTSNOOP = 5;

/** Classic pcap records carry no interface; every frame shares this meta. */
const META_IFACE0: FrameMeta = Object.freeze({ iface: 0 });

export class PcapReader {
  readonly counters: PcapReaderCounters = { frames: 0, bytes: 0, bytesIn: 0, skippedBlocks: 0, anomalies: {} };

  private readonly source: string;
  private readonly events: SourceEvents;
  private readonly probe: boolean;
  private stage = STAGE_START;
  private fmt: PcapFormat | undefined;
  private other: ForeignFormat | undefined;
  /** Byte order of the classic file or of the current pcapng section. */
  private le = true;
  private nanos = false;
  private recHdrLen = PCAP_RECORD_HEADER_LEN;
  /** Set by end(): the probe may decide on what it has, because no more bytes will come. */
  private eof = false;
  private linkType = 0;
  private ifaces: NgInterface[] = [];
  private bt: BtsnoopParser | undefined;

  /** Stream offset of byte 0 of the next chunk. */
  private base = 0;
  /** Stream offset of byte 0 of the buffer step() is reading, for anomaly offsets. */
  private bufBase = 0;
  /** Bytes step() needs from the current record start before it can go on. */
  private need = 0;
  /** The start of a record that spans chunks; never reused once a frame points into it. */
  private carry: Uint8Array | undefined;
  private carryLen = 0;
  private carryOffset = 0;

  /** Scratch result of ngTimestamp(), reused so no object is built per frame. */
  private readonly ts: NgTimestamp = { sec: 0, nsec: 0 };

  constructor(source: string, events: SourceEvents, opts: PcapReaderOptions = {}) {
    this.source = source;
    this.events = events;
    this.probe = opts.guessVariant !== false;
  }

  /** The container format once its magic has been read. */
  get format(): PcapFormat | undefined {
    return this.fmt;
  }

  /** What the stream is when its magic was not pcap's but a known other format's (btsnoop, gzip ...). */
  get foreign(): ForeignFormat | undefined {
    return this.other;
  }

  /** The classic record layout once known; undefined for pcapng. */
  get pcapVariant(): PcapVariant | undefined {
    if (this.fmt !== 'pcap' || this.stage === STAGE_PCAP_PROBE) return undefined;
    return this.recHdrLen === PCAP_RECORD_HEADER_LEN ? 'standard' : 'modified';
  }

  /** True once the stream has ended, cleanly (end()) or at a fatal anomaly. */
  get ended(): boolean {
    return this.stage === STAGE_ENDED;
  }

  /** Feeds the next chunk of the stream; returns the frames it completed. */
  push(chunk: Uint8Array): RawFrame[] {
    const out: RawFrame[] = [];
    const n = chunk.length;
    if (this.stage === STAGE_ENDED || n === 0) return out;
    this.counters.bytesIn += n;
    let pos = 0;

    while (this.carry !== undefined) {
      let carry = this.carry;
      if (carry.length < this.need) {
        const grown = new Uint8Array(this.need);
        grown.set(carry.subarray(0, this.carryLen));
        this.carry = carry = grown;
      }
      const take = Math.min(this.need - this.carryLen, n - pos);
      carry.set(chunk.subarray(pos, pos + take), this.carryLen);
      this.carryLen += take;
      pos += take;
      if (this.carryLen < this.need) {
        this.base += n;
        return out;
      }
      this.bufBase = this.carryOffset;
      const cdv = new DataView(carry.buffer, carry.byteOffset, this.carryLen);
      let cpos = 0;
      for (;;) {
        const r = this.step(carry, cdv, cpos, this.carryLen, out);
        if (r < 0) return out;
        if (r === 0) break;
        cpos += r;
        if (cpos === this.carryLen) break;
      }
      if (cpos === this.carryLen) {
        // Frames may point into the old carry, so it is dropped, never reused.
        this.carry = undefined;
        this.carryLen = 0;
      } else if (cpos > 0) {
        // The probe looked ahead into the next record: keep its start as the new carry.
        const rest = carry.subarray(cpos, this.carryLen);
        this.carry = new Uint8Array(this.need);
        this.carry.set(rest);
        this.carryLen = rest.length;
        this.carryOffset += cpos;
      }
      // Otherwise the header is complete and announced a longer record; keep filling.
    }

    const dv = new DataView(chunk.buffer, chunk.byteOffset, n);
    this.bufBase = this.base;
    while (pos < n) {
      const r = this.step(chunk, dv, pos, n, out);
      if (r < 0) return out;
      if (r === 0) break;
      pos += r;
    }
    if (pos < n) {
      const rest = n - pos;
      // step() returns 0 only when fewer than `need` bytes are left, so need > rest.
      this.carry = new Uint8Array(this.need);
      this.carry.set(chunk.subarray(pos));
      this.carryLen = rest;
      this.carryOffset = this.base + pos;
    }
    this.base += n;
    return out;
  }

  /**
   * Marks the end of the stream; a record left half-read becomes an anomaly.
   * Returns the frames that only the end could complete: a classic pcap whose
   * record layout was still being guessed (see stepProbe) when the stream
   * ended. Usually empty.
   */
  end(): RawFrame[] {
    const out: RawFrame[] = [];
    if (this.stage === STAGE_ENDED) return out;
    if (this.stage === STAGE_PCAP_PROBE && this.carry !== undefined) {
      this.eof = true;
      const carry = this.carry;
      const len = this.carryLen;
      const dv = new DataView(carry.buffer, carry.byteOffset, len);
      this.bufBase = this.carryOffset;
      this.carry = undefined;
      this.carryLen = 0;
      let pos = 0;
      while (pos < len) {
        const r = this.step(carry, dv, pos, len, out);
        if (r < 0) return out;
        if (r === 0) {
          this.carry = carry.subarray(pos, len);
          this.carryLen = len - pos;
          this.carryOffset += pos;
          break;
        }
        pos += r;
      }
    }
    if (this.counters.bytesIn === 0) {
      this.anomaly('pcap.empty', 0);
    } else if (this.carry !== undefined && this.bt !== undefined) {
      this.bt.truncated(this.carryOffset, this.carryLen);
    } else if (this.carry !== undefined) {
      const code: PcapAnomalyCode =
        this.stage === STAGE_PCAP || this.stage === STAGE_PCAP_PROBE ? 'pcap.truncated_record'
        : this.stage === STAGE_PCAPNG ? 'pcapng.truncated_block'
        : 'pcap.truncated_header';
      this.anomaly(code, this.carryOffset, `${this.carryLen} of ${this.need} bytes`);
    }
    this.stage = STAGE_ENDED;
    this.carry = undefined;
    return out;
  }

  /**
   * Reads one header or record at `off`. Returns the bytes consumed, 0 when
   * more bytes are needed (this.need says how many from `off`), or -1 when a
   * fatal anomaly ended the stream.
   */
  private step(buf: Uint8Array, dv: DataView, off: number, end: number, out: RawFrame[]): number {
    if (this.stage === STAGE_PCAP) return this.stepPcap(buf, dv, off, end, out);
    if (this.stage === STAGE_PCAPNG) return this.stepNg(buf, dv, off, end, out);
    if (this.stage === STAGE_ENDED) return -1;
    if (this.stage === STAGE_PCAP_PROBE) return this.stepProbe(buf, dv, off, end, out);
    if (this.stage === STAGE_BTSNOOP) return this.stepBtsnoop(buf, off, end, out);
    return this.stepStart(buf, dv, off, end, out);
  }

  /** One btsnoop header or record (src/capture/btsnoop), with the same return contract as step(). */
  private stepBtsnoop(buf: Uint8Array, off: number, end: number, out: RawFrame[]): number {
    const bt = this.bt!;
    const before = out.length;
    const r = bt.step(buf, off, end, this.bufBase, out);
    if (r === 0) this.need = bt.need;
    else if (r < 0) {
      this.stage = STAGE_ENDED;
      this.carry = undefined;
      this.carryLen = 0;
    } else if (out.length > before) {
      this.counters.frames++;
      this.counters.bytes += out[out.length - 1]!.bytes.length;
    }
    return r;
  }

  /** Recognises the container by its first four bytes (pcap §4, pcapng §4.1). */
  private stepStart(buf: Uint8Array, dv: DataView, off: number, end: number, out: RawFrame[]): number {
    if (end - off < 4) {
      this.need = 4;
      return 0;
    }
    const magic = dv.getUint32(off, true);
    if (magic === BT_SHB) {
      // The SHB is read by stepNg like any later SHB; it fixes the byte order.
      this.fmt = 'pcapng';
      this.stage = STAGE_PCAPNG;
      return this.stepNg(buf, dv, off, end, out);
    }
    if (magic === PCAP_MAGIC_US_LE || magic === PCAP_MAGIC_NS_LE || magic === PCAP_MAGIC_MODIFIED_LE) this.le = true;
    else if (magic === PCAP_MAGIC_US_BE || magic === PCAP_MAGIC_NS_BE || magic === PCAP_MAGIC_MODIFIED_BE) this.le = false;
    else if (buf[off] === BTSNOOP_MAGIC[0] && buf[off + 1] === BTSNOOP_MAGIC[1] && buf[off + 2] === BTSNOOP_MAGIC[2] && buf[off + 3] === BTSNOOP_MAGIC[3]) {
      this.fmt = 'btsnoop';
      this.stage = STAGE_BTSNOOP;
      this.bt = new BtsnoopParser(this.source, this.events, this.counters.anomalies);
      return this.stepBtsnoop(buf, off, end, out);
    } else {
      this.other = sniffForeign(buf, off, end);
      const what = this.other === undefined ? '' : `: ${this.other.name}, ${this.other.advice}`;
      return this.fatal('pcap.bad_magic', off, `magic 0x${magic.toString(16)}${what}`);
    }
    this.fmt = 'pcap';
    this.nanos = magic === PCAP_MAGIC_NS_LE || magic === PCAP_MAGIC_NS_BE;
    if (end - off < PCAP_FILE_HEADER_LEN) {
      this.need = PCAP_FILE_HEADER_LEN;
      return 0;
    }
    this.linkType = dv.getUint32(off + 20, this.le) & PCAP_LINKTYPE_MASK;
    const modified = magic === PCAP_MAGIC_MODIFIED_LE || magic === PCAP_MAGIC_MODIFIED_BE;
    this.recHdrLen = modified ? PCAP_MODIFIED_RECORD_HEADER_LEN : PCAP_RECORD_HEADER_LEN;
    const standardUs = magic === PCAP_MAGIC_US_LE || magic === PCAP_MAGIC_US_BE;
    this.stage = standardUs && this.probe ? STAGE_PCAP_PROBE : STAGE_PCAP;
    return PCAP_FILE_HEADER_LEN;
  }

  /**
   * Red Hat 6.1's tcpdump wrote 24-byte "modified" record headers under the
   * standard µs magic, and some tools still produce such files. As libwiretap
   * does, we try each layout on the first two record headers and keep the
   * first under which both look sane; when the stream ends before a second
   * header, the first sane one decides. When neither fits, the standard layout is
   * used and its anomalies follow. The probe consumes nothing: it only waits
   * until enough bytes are there, so the result does not depend on chunking.
   */
  private stepProbe(buf: Uint8Array, dv: DataView, off: number, end: number, out: RawFrame[]): number {
    const avail = end - off;
    let chosen = PCAP_RECORD_HEADER_LEN;
    for (const hdr of [PCAP_RECORD_HEADER_LEN, PCAP_MODIFIED_RECORD_HEADER_LEN]) {
      if (avail < hdr) {
        if (this.eof) continue;
        this.need = hdr;
        return 0;
      }
      if (!this.plausible(dv, off)) continue;
      const next = hdr + dv.getUint32(off + 8, this.le);
      if (avail < next + hdr) {
        // At the end of the stream there is no second header to judge by; a sane first one decides.
        if (this.eof) {
          chosen = hdr;
          break;
        }
        this.need = next + hdr;
        return 0;
      }
      if (this.plausible(dv, off + next)) {
        chosen = hdr;
        break;
      }
    }
    this.recHdrLen = chosen;
    this.stage = STAGE_PCAP;
    return this.stepPcap(buf, dv, off, end, out);
  }

  /** Whether the 16 bytes at `off` read as a sane record header. */
  private plausible(dv: DataView, off: number): boolean {
    const caplen = dv.getUint32(off + 8, this.le);
    const origLen = dv.getUint32(off + 12, this.le);
    return caplen <= MAX_CAPLEN && origLen <= PLAUSIBLE_MAX_ORIGLEN && caplen <= origLen
      && dv.getUint32(off + 4, this.le) < (this.nanos ? 1_000_000_000 : 1_000_000);
  }

  /** One classic packet record: ts sec, ts µs/ns, caplen, origlen, [modified: 8 more bytes], data (pcap §5). */
  private stepPcap(buf: Uint8Array, dv: DataView, off: number, end: number, out: RawFrame[]): number {
    const avail = end - off;
    const hdr = this.recHdrLen;
    if (avail < hdr) {
      this.need = hdr;
      return 0;
    }
    const le = this.le;
    const caplen = dv.getUint32(off + 8, le);
    if (caplen > MAX_CAPLEN) return this.fatal('pcap.bad_caplen', off, `caplen ${caplen}`);
    const total = hdr + caplen;
    if (avail < total) {
      this.need = total;
      return 0;
    }
    let tsSec = dv.getUint32(off, le);
    let frac = dv.getUint32(off + 4, le);
    const perSec = this.nanos ? 1_000_000_000 : 1_000_000;
    if (frac >= perSec) {
      const carrySec = Math.floor(frac / perSec);
      tsSec += carrySec;
      frac -= carrySec * perSec;
      this.anomaly('pcap.bad_timestamp', this.bufBase + off);
    }
    out.push({
      tsSec,
      tsNsec: this.nanos ? frac : frac * 1000,
      source: this.source,
      linkType: this.linkType,
      bytes: buf.subarray(off + hdr, off + total),
      origLen: dv.getUint32(off + 12, le),
      meta: META_IFACE0,
    });
    this.counters.frames++;
    this.counters.bytes += caplen;
    return total;
  }

  /** One pcapng block: type, total length, body, total length again (pcapng §3.1). */
  private stepNg(buf: Uint8Array, dv: DataView, off: number, end: number, out: RawFrame[]): number {
    const avail = end - off;
    if (avail < PCAPNG_MIN_BLOCK_LEN) {
      this.need = PCAPNG_MIN_BLOCK_LEN;
      return 0;
    }
    // The SHB type reads the same in both byte orders; its body says which one the section uses (§4.1).
    const isShb = dv.getUint32(off, true) === BT_SHB;
    if (isShb) {
      const bom = dv.getUint32(off + 8, true);
      if (bom === SHB_BYTE_ORDER_MAGIC) this.le = true;
      else if (bom === 0x4d3c2b1a) this.le = false;
      else return this.fatal('pcapng.bad_byte_order_magic', off, `0x${bom.toString(16)}`);
    }
    const le = this.le;
    const type = isShb ? BT_SHB : dv.getUint32(off, le);
    const len = dv.getUint32(off + 4, le);
    if (len < PCAPNG_MIN_BLOCK_LEN || (len & 3) !== 0 || len > MAX_BLOCK_LEN) {
      return this.fatal('pcapng.bad_block_length', off, `type 0x${type.toString(16)} length ${len}`);
    }
    if (avail < len) {
      this.need = len;
      return 0;
    }
    if (dv.getUint32(off + len - 4, le) !== len) {
      return this.fatal('pcapng.trailing_length_mismatch', off, `leading ${len} trailing ${dv.getUint32(off + len - 4, le)}`);
    }
    switch (type) {
      case BT_EPB:
        return this.readEpb(buf, dv, off, len, out);
      case BT_SPB:
        return this.readSpb(buf, dv, off, len, out);
      case BT_IDB:
        return this.readIdb(dv, off, len);
      case BT_SHB:
        return this.readShb(dv, off, len);
      case BT_OPB:
        return this.readOpb(buf, dv, off, len, out);
      default:
        this.counters.skippedBlocks++;
        return len;
    }
  }

  /** Section Header Block (§4.1): a new section forgets every interface of the last one. */
  private readShb(dv: DataView, off: number, len: number): number {
    if (len < SHB_MIN_LEN) return this.fatal('pcapng.bad_block_length', off, `SHB length ${len}`);
    const major = dv.getUint16(off + 12, this.le);
    if (major !== 1) return this.fatal('pcapng.bad_version', off, `major version ${major}`);
    this.ifaces = [];
    return len;
  }

  /** Interface Description Block (§4.2), with if_tsresol and if_tsoffset from its options. */
  private readIdb(dv: DataView, off: number, len: number): number {
    if (len < IDB_MIN_LEN) return this.fatal('pcapng.bad_block_length', off, `IDB length ${len}`);
    const bad = describeInterface(dv, off, len, this.le, this.ifaces);
    if (bad !== undefined) this.anomaly('pcapng.bad_option', this.bufBase + bad.offset, bad.detail);
    return len;
  }

  /** Enhanced Packet Block (§4.3). */
  private readEpb(buf: Uint8Array, dv: DataView, off: number, len: number, out: RawFrame[]): number {
    if (len < EPB_MIN_LEN) return this.fatal('pcapng.bad_block_length', off, `EPB length ${len}`);
    const le = this.le;
    const ifId = dv.getUint32(off + 8, le);
    return this.packet(buf, off, len, out, ifId, dv.getUint32(off + 12, le), dv.getUint32(off + 16, le),
      dv.getUint32(off + 20, le), dv.getUint32(off + 24, le));
  }

  /** Packet Block, obsolete (pcapng appendix): a 16-bit interface id and a drops count where the EPB has a 32-bit id. */
  private readOpb(buf: Uint8Array, dv: DataView, off: number, len: number, out: RawFrame[]): number {
    if (len < OPB_MIN_LEN) return this.fatal('pcapng.bad_block_length', off, `OPB length ${len}`);
    const le = this.le;
    return this.packet(buf, off, len, out, dv.getUint16(off + 8, le), dv.getUint32(off + 12, le),
      dv.getUint32(off + 16, le), dv.getUint32(off + 20, le), dv.getUint32(off + 24, le));
  }

  /** The part EPB and OPB share: fixed fields end at +28, data follows, options after it. */
  private packet(buf: Uint8Array, off: number, len: number, out: RawFrame[],
    ifId: number, tsHi: number, tsLo: number, caplen: number, origLen: number): number {
    const iface = this.ifaces[ifId];
    if (iface === undefined) return this.fatal('pcapng.bad_interface', off, `interface ${ifId} of ${this.ifaces.length}`);
    if (caplen > MAX_CAPLEN || 28 + caplen > len - 4) {
      return this.fatal('pcapng.bad_caplen', off, `caplen ${caplen} in block of ${len}`);
    }
    const ts = this.ts;
    ngTimestamp(iface, tsHi, tsLo, ts);
    out.push({
      tsSec: ts.sec,
      tsNsec: ts.nsec,
      source: this.source,
      linkType: iface.linkType,
      bytes: buf.subarray(off + 28, off + 28 + caplen),
      origLen,
      meta: iface.meta,
    });
    this.counters.frames++;
    this.counters.bytes += caplen;
    return len;
  }

  /**
   * Simple Packet Block (§4.4): interface 0, no timestamp, and a captured length
   * that is the least of the original length, IDB 0's snaplen (0 = unlimited)
   * and what the block holds.
   */
  private readSpb(buf: Uint8Array, dv: DataView, off: number, len: number, out: RawFrame[]): number {
    if (len < SPB_MIN_LEN) return this.fatal('pcapng.bad_block_length', off, `SPB length ${len}`);
    const iface = this.ifaces[0];
    if (iface === undefined) return this.fatal('pcapng.bad_interface', off, 'SPB before IDB 0');
    const origLen = dv.getUint32(off + 8, this.le);
    let caplen = Math.min(origLen, len - SPB_MIN_LEN);
    if (iface.snaplen !== 0 && iface.snaplen < caplen) caplen = iface.snaplen;
    if (caplen > MAX_CAPLEN) return this.fatal('pcapng.bad_caplen', off, `caplen ${caplen}`);
    out.push({
      tsSec: 0,
      tsNsec: 0,
      source: this.source,
      linkType: iface.linkType,
      bytes: buf.subarray(off + 12, off + 12 + caplen),
      origLen,
      meta: iface.meta,
    });
    this.counters.frames++;
    this.counters.bytes += caplen;
    return len;
  }

  private anomaly(code: PcapAnomalyCode, offset: number, detail?: string): void {
    const a = this.counters.anomalies;
    a[code] = (a[code] ?? 0) + 1;
    this.events.anomaly(detail === undefined ? { code, offset } : { code, offset, detail });
    if (PCAP_ANOMALIES[code].fatal) {
      this.stage = STAGE_ENDED;
      this.carry = undefined;
      this.carryLen = 0;
    }
  }

  /** Reports a fatal anomaly at `off` within the current buffer and ends the stream. */
  private fatal(code: PcapAnomalyCode, off: number, detail: string): -1 {
    this.anomaly(code, this.bufBase + off, detail);
    return -1;
  }
}
