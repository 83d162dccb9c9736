/**
 * Writers for classic pcap (draft-ietf-opsawg-pcap) and pcapng
 * (draft-ietf-opsawg-pcapng), for tests, frame builders and the ward traffic
 * generator. They favour clarity over speed: each call returns the bytes of
 * one header, record or block, so a generator can stream them and a test can
 * concatenate them.
 */
import {
  BT_EPB,
  BT_IDB,
  BT_OPB,
  BT_SHB,
  BT_SPB,
  OPT_IF_TSOFFSET,
  OPT_IF_TSRESOL,
  PCAP_MAGIC_NS_LE,
  PCAP_MAGIC_US_LE,
  SHB_BYTE_ORDER_MAGIC,
} from './consts.js';

export interface PcapHeaderOptions {
  /** Nanosecond timestamps (magic 0xA1B23C4D) instead of microseconds. */
  readonly nanos?: boolean;
  /** Snapshot length written in the header; 262144 unless given. */
  readonly snaplen?: number;
  /** Write as a big-endian host would. */
  readonly bigEndian?: boolean;
}

/** The 24-byte classic pcap file header (§4), version 2.4. */
export function pcapHeader(linkType: number, opts: PcapHeaderOptions = {}): Uint8Array {
  const out = new Uint8Array(24);
  const dv = new DataView(out.buffer);
  const le = opts.bigEndian !== true;
  dv.setUint32(0, opts.nanos === true ? PCAP_MAGIC_NS_LE : PCAP_MAGIC_US_LE, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, opts.snaplen ?? 262144, le);
  dv.setUint32(20, linkType, le);
  return out;
}

/**
 * One classic packet record (§5). `tsNsec` is nanoseconds; a microsecond file
 * keeps floor(tsNsec / 1000).
 */
export function pcapRecord(tsSec: number, tsNsec: number, bytes: Uint8Array, origLen = bytes.length,
  nanos = false, bigEndian = false): Uint8Array {
  const out = new Uint8Array(16 + bytes.length);
  const dv = new DataView(out.buffer);
  const le = !bigEndian;
  dv.setUint32(0, tsSec, le);
  dv.setUint32(4, nanos ? tsNsec : Math.floor(tsNsec / 1000), le);
  dv.setUint32(8, bytes.length, le);
  dv.setUint32(12, origLen, le);
  out.set(bytes, 16);
  return out;
}

/** A frame as the writers take it. */
export interface WriterFrame {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly bytes: Uint8Array;
  readonly origLen?: number;
}

/** A whole classic pcap file in memory. */
export function pcapFile(linkType: number, frames: readonly WriterFrame[], opts: PcapHeaderOptions = {}): Uint8Array {
  const parts = [pcapHeader(linkType, opts)];
  for (const f of frames) {
    parts.push(pcapRecord(f.tsSec, f.tsNsec, f.bytes, f.origLen ?? f.bytes.length, opts.nanos === true, opts.bigEndian === true));
  }
  return concatBytes(parts);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Timestamp resolution of a pcapng interface, as in the if_tsresol option
 * (§4.2): `{ base: 10, exp: 6 }` is microseconds (the default when the option
 * is absent), `{ base: 2, exp: 10 }` is 1/1024 s.
 */
export interface TsResolution {
  readonly base: 2 | 10;
  readonly exp: number;
}

export interface PcapNgInterfaceOptions {
  readonly snaplen?: number;
  /** Written as if_tsresol unless it is the µs default and `writeDefaultTsresol` is not set. */
  readonly tsresol?: TsResolution;
  /** if_tsoffset in seconds (§4.2, option 14). */
  readonly tsoffset?: number;
}

export interface PcapNgWriterOptions {
  readonly bigEndian?: boolean;
  /** Keep every block for toBytes(); turn off when streaming the returned blocks. */
  readonly collect?: boolean;
}

interface WriterIface {
  readonly units: bigint;
  readonly tsoffset: bigint;
  readonly snaplen: number;
}

/**
 * Builds a pcapng stream: the constructor writes a Section Header Block, then
 * interfaces and packets follow in call order. Every method returns the block
 * it wrote.
 */
export class PcapNgWriter {
  private readonly le: boolean;
  private readonly collect: boolean;
  private readonly blocks: Uint8Array[] = [];
  private ifaces: WriterIface[] = [];

  constructor(opts: PcapNgWriterOptions = {}) {
    this.le = opts.bigEndian !== true;
    this.collect = opts.collect !== false;
    this.section();
  }

  /** A Section Header Block (§4.1), version 1.0, section length unknown (-1); forgets interfaces. */
  section(): Uint8Array {
    this.ifaces = [];
    return this.block(BT_SHB, 16, (dv) => {
      dv.setUint32(8, SHB_BYTE_ORDER_MAGIC, this.le);
      dv.setUint16(12, 1, this.le);
      dv.setUint16(14, 0, this.le);
      dv.setBigInt64(16, -1n, this.le);
    });
  }

  /** An Interface Description Block (§4.2). The new interface's id is `ifaceCount - 1` afterwards. */
  addInterface(linkType: number, opts: PcapNgInterfaceOptions = {}): Uint8Array {
    const res = opts.tsresol ?? { base: 10, exp: 6 };
    const options: Uint8Array[] = [];
    if (opts.tsresol !== undefined) {
      options.push(this.option(OPT_IF_TSRESOL, Uint8Array.of(res.base === 2 ? 0x80 | res.exp : res.exp)));
    }
    if (opts.tsoffset !== undefined) {
      const v = new Uint8Array(8);
      new DataView(v.buffer).setBigInt64(0, BigInt(opts.tsoffset), this.le);
      options.push(this.option(OPT_IF_TSOFFSET, v));
    }
    if (options.length > 0) options.push(new Uint8Array(4)); // opt_endofopt
    const opt = concatBytes(options);
    const snaplen = opts.snaplen ?? 0;
    const blk = this.block(BT_IDB, 8 + opt.length, (dv, u8) => {
      dv.setUint16(8, linkType, this.le);
      dv.setUint32(12, snaplen, this.le);
      u8.set(opt, 16);
    });
    this.ifaces.push({
      units: res.base === 2 ? 1n << BigInt(res.exp) : 10n ** BigInt(res.exp),
      tsoffset: BigInt(opts.tsoffset ?? 0),
      snaplen,
    });
    return blk;
  }

  get ifaceCount(): number {
    return this.ifaces.length;
  }

  /** An Enhanced Packet Block (§4.3). The timestamp is truncated to the interface's resolution. */
  epb(ifaceId: number, tsSec: number, tsNsec: number, bytes: Uint8Array, origLen = bytes.length): Uint8Array {
    const ts = this.units(ifaceId, tsSec, tsNsec);
    return this.block(BT_EPB, 20 + pad4(bytes.length), (dv, u8) => {
      dv.setUint32(8, ifaceId, this.le);
      dv.setUint32(12, Number(ts >> 32n), this.le);
      dv.setUint32(16, Number(ts & 0xffffffffn), this.le);
      dv.setUint32(20, bytes.length, this.le);
      dv.setUint32(24, origLen, this.le);
      u8.set(bytes, 28);
    });
  }

  /** A Simple Packet Block (§4.4): interface 0, no timestamp; `bytes` is written whole. */
  spb(bytes: Uint8Array, origLen = bytes.length): Uint8Array {
    return this.block(BT_SPB, 4 + pad4(bytes.length), (dv, u8) => {
      dv.setUint32(8, origLen, this.le);
      u8.set(bytes, 12);
    });
  }

  /** An obsolete Packet Block (type 2), as old writers produced. */
  opb(ifaceId: number, tsSec: number, tsNsec: number, bytes: Uint8Array, origLen = bytes.length, drops = 0): Uint8Array {
    const ts = this.units(ifaceId, tsSec, tsNsec);
    return this.block(BT_OPB, 20 + pad4(bytes.length), (dv, u8) => {
      dv.setUint16(8, ifaceId, this.le);
      dv.setUint16(10, drops, this.le);
      dv.setUint32(12, Number(ts >> 32n), this.le);
      dv.setUint32(16, Number(ts & 0xffffffffn), this.le);
      dv.setUint32(20, bytes.length, this.le);
      dv.setUint32(24, origLen, this.le);
      u8.set(bytes, 28);
    });
  }

  /** Any block: type, body padded to 4 bytes, both lengths. For unknown-block and custom-block tests. */
  raw(type: number, body: Uint8Array): Uint8Array {
    return this.block(type, pad4(body.length), (_dv, u8) => u8.set(body, 8));
  }

  /** Everything written so far (only when `collect` is on). */
  toBytes(): Uint8Array {
    return concatBytes(this.blocks);
  }

  private units(ifaceId: number, tsSec: number, tsNsec: number): bigint {
    const f = this.ifaces[ifaceId];
    if (f === undefined) throw new RangeError(`no interface ${ifaceId}`);
    return ((BigInt(tsSec) - f.tsoffset) * f.units) + (BigInt(tsNsec) * f.units) / 1_000_000_000n;
  }

  private option(code: number, value: Uint8Array): Uint8Array {
    const out = new Uint8Array(4 + pad4(value.length));
    const dv = new DataView(out.buffer);
    dv.setUint16(0, code, this.le);
    dv.setUint16(2, value.length, this.le);
    out.set(value, 4);
    return out;
  }

  private block(type: number, bodyLen: number, fill: (dv: DataView, u8: Uint8Array) => void): Uint8Array {
    const len = 12 + bodyLen;
    const out = new Uint8Array(len);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, type, this.le);
    dv.setUint32(4, len, this.le);
    fill(dv, out);
    dv.setUint32(len - 4, len, this.le);
    if (this.collect) this.blocks.push(out);
    return out;
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}
