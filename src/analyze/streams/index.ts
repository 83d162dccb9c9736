/**
 * Bounded TCP reassembly: per-direction, in-order byte streams handed to a
 * streaming parser (issue 11 §1).
 *
 * - In order (RFC 9293 §3.4, sequence numbers modulo 2^32): a segment at the
 *   expected sequence number is appended; one beyond it waits in a bounded
 *   out-of-order list; one before it is a retransmission.
 * - First copy wins: where a segment overlaps bytes already held (in the
 *   unparsed buffer or the out-of-order list), the held bytes stay; if the
 *   overlapping bytes differ, `streams.overlap_conflict` is counted (the
 *   classic evasion of Ptacek & Newsham 1998, §4.3).
 * - A gap (a missing segment that never comes: the out-of-order list hits
 *   its cap, the stream ends, or the caller skips it) drops what the parser
 *   had not consumed, jumps to the next held byte and asks the parser to
 *   resynchronise on a message boundary (`streams.gap`, then
 *   `streams.resync` once it found one).
 * - Caps: streams (LRU eviction, `streams.evicted.streams`), buffered bytes
 *   per stream (`streams.evicted.stream_bytes`) and buffered bytes in total
 *   (the least recently used stream goes, `streams.evicted.total_bytes`).
 *
 * The parser is streaming: `feed` says how many bytes it consumed and how
 * many it needs, so a multi-megabyte DICOM dataset is skipped as it passes
 * and only headers are ever buffered. Only streams a detector claimed hold
 * bytes at all.
 */

import type { StreamParser } from '../../decode/stream.js';

export type { StreamParser };

/** Decides from a direction's first payload which parser, if any, reads it. */
export type StreamDetector<E> = (first: Uint8Array, srcPort: number, dstPort: number) => StreamParser<E> | undefined;

export interface StreamOptions {
  readonly maxStreams: number;
  readonly maxBytesPerStream: number;
  readonly maxBytesTotal: number;
  /** Out-of-order segments one stream holds before the oldest gap is skipped. */
  readonly maxSegmentsPerStream: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  maxStreams: 4096, maxBytesPerStream: 256 * 1024, maxBytesTotal: 32 * 1024 * 1024, maxSegmentsPerStream: 64,
};

interface Segment {
  seq: number;
  data: Uint8Array;
}

export interface SegmentFlags {
  readonly syn?: boolean;
  readonly fin?: boolean;
  readonly rst?: boolean;
}

/**
 * In-order bytes the detector sees before it decides (a DICOM PDU header and
 * version, `<VT>MSH|`, `<?xml`): 10, the smallest whole message among them,
 * a DICOM A-ASSOCIATE-RJ (PS3.8 §9.3.4), which is all a refusing acceptor
 * sends before it closes; waiting for more would miss rejection bursts.
 */
export const DETECT_BYTES = 10;
/** Parsed bytes kept per stream so that a retransmission of them can still be compared (first copy wins). */
export const HISTORY = 2048;

class Stream<E> {
  parser: StreamParser<E> | undefined;
  srcPort = 0;
  dstPort = 0;
  /** Sequence number of the next byte expected in order; undefined until the first segment. */
  next: number | undefined;
  /** Bytes in order: up to HISTORY already parsed (to compare retransmissions with), then the unparsed ones from `pos`. */
  buf = new Uint8Array(0);
  len = 0;
  pos = 0;
  ooo: Segment[] = [];
  oooBytes = 0;
  resyncing = false;
  get held(): number {
    return this.len + this.oooBytes;
  }
}

/** Signed distance a - b modulo 2^32 (RFC 9293 §3.4). */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export class Reassembler<E> {
  private readonly streams = new Map<string, Stream<E>>();
  private total = 0;
  readonly counters: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly events: E[] = [];
  private readonly emit = (e: E): void => {
    this.events.push(e);
  };

  constructor(private readonly detect: StreamDetector<E>, readonly opts: StreamOptions = DEFAULT_STREAM_OPTIONS) {}

  get size(): number {
    return this.streams.size;
  }

  /** Bytes held over all streams (never above maxBytesTotal after a call returns). */
  get bytes(): number {
    return this.total;
  }

  private count(code: string, n = 1): void {
    this.counters[code] = (this.counters[code] ?? 0) + n;
  }

  /**
   * One TCP segment of direction `key`. Returns the events its bytes
   * completed (an array reused by the next call: copy what you keep).
   *
   * A stream is created by a SYN or a first payload; its first DETECT_BYTES
   * in-order bytes go to the detector. A stream no parser claims is
   * forgotten at once, so only medical streams hold bytes.
   */
  segment(key: string, seq: number, payload: Uint8Array, flags: SegmentFlags, srcPort: number, dstPort: number): readonly E[] {
    this.events.length = 0;
    let s = this.streams.get(key);
    if (s === undefined) {
      if (payload.length === 0 && !flags.syn) return this.events;
      if (this.streams.size >= this.opts.maxStreams) this.evictOldest('streams.evicted.streams');
      s = new Stream<E>();
      s.srcPort = srcPort;
      s.dstPort = dstPort;
      this.streams.set(key, s);
    } else {
      // Most recently used goes last: Map iteration order is the LRU order.
      this.streams.delete(key);
      this.streams.set(key, s);
    }
    if (s.next === undefined) s.next = (flags.syn ? seq + 1 : seq) >>> 0;
    if (payload.length > 0) {
      this.accept(s, seq, payload);
      this.drain(s);
      if (s.parser === undefined && !this.tryDetect(key, s, false)) return this.events;
      this.run(s);
      this.enforceCaps(key, s);
    }
    if (flags.fin || flags.rst) this.close(key, s);
    return this.events;
  }

  /**
   * Hands the first in-order bytes to the detector once there are enough
   * (or the stream ends). Returns false when the stream is gone or waits.
   */
  private tryDetect(key: string, s: Stream<E>, ending: boolean): boolean {
    if (s.len < DETECT_BYTES && !(ending && s.len > 0)) {
      if (s.held > this.opts.maxBytesPerStream || s.ooo.length >= this.opts.maxSegmentsPerStream) this.drop(key, s, 'streams.undetected');
      return false;
    }
    s.parser = this.detect(s.buf.subarray(0, s.len), s.srcPort, s.dstPort);
    if (s.parser === undefined) {
      this.total -= s.held;
      this.streams.delete(key);
      return false;
    }
    this.count('streams.detected');
    return true;
  }

  /** Ends every stream: gaps are skipped so what follows them is parsed. Returns the events. */
  finish(): readonly E[] {
    this.events.length = 0;
    for (const [key, s] of [...this.streams]) this.close(key, s);
    return this.events;
  }

  private close(key: string, s: Stream<E>): void {
    if (s.parser === undefined && !this.tryDetect(key, s, true)) {
      if (this.streams.get(key) === s) this.drop(key, s, 'streams.undetected');
      return;
    }
    this.run(s);
    while (s.ooo.length > 0 && s.parser !== undefined) {
      this.skipGap(s);
      this.run(s);
    }
    this.total -= s.held;
    this.streams.delete(key);
  }

  /** Places a segment's bytes: in order, behind the expected byte, or ahead of it. */
  private accept(s: Stream<E>, seq: number, data: Uint8Array): void {
    const next = s.next!;
    let rel = seqDiff(seq, next);
    if (rel + data.length <= 0) {
      // Old bytes: compare what is still buffered (first copy wins), drop the rest.
      this.compareHeld(s, seq, data);
      this.count('streams.retransmission');
      return;
    }
    if (rel < 0) {
      this.compareHeld(s, seq, data.subarray(0, -rel));
      data = data.subarray(-rel);
      seq = next;
      rel = 0;
    }
    if (rel === 0) {
      // Bytes the out-of-order list already holds win over this later copy.
      const pieces = this.subtract(s, seq, data);
      const first = pieces[0];
      if (first !== undefined && first.seq === seq) {
        pieces.shift();
        this.inOrder(s, first.data);
      }
      for (const p of pieces) this.insert(s, p.seq, p.data.slice());
      return;
    }
    for (const p of this.subtract(s, seq, data)) this.insert(s, p.seq, p.data.slice());
  }

  /** Compares bytes that overlap the unparsed buffer; a difference is a conflicting overlap. */
  private compareHeld(s: Stream<E>, seq: number, data: Uint8Array): void {
    const start = (s.next! - s.len) >>> 0;
    const from = Math.max(0, seqDiff(start, seq));
    for (let i = from; i < data.length; i++) {
      const at = seqDiff((seq + i) >>> 0, start);
      if (at < 0 || at >= s.len) continue;
      if (s.buf[at] !== data[i]) {
        this.count('streams.overlap_conflict');
        return;
      }
    }
  }

  /** The parts of [seq, seq+len) not covered by held out-of-order segments (conflicts counted). */
  private subtract(s: Stream<E>, seq: number, data: Uint8Array): Segment[] {
    let pieces: Segment[] = [{ seq, data }];
    for (const h of s.ooo) {
      const out: Segment[] = [];
      for (const p of pieces) {
        const a = seqDiff(h.seq, p.seq);
        const b = a + h.data.length;
        if (b <= 0 || a >= p.data.length) {
          out.push(p);
          continue;
        }
        const lo = Math.max(0, a);
        const hi = Math.min(p.data.length, b);
        for (let i = lo; i < hi; i++) {
          if (p.data[i] !== h.data[i - a]) {
            this.count('streams.overlap_conflict');
            break;
          }
        }
        if (lo > 0) out.push({ seq: p.seq, data: p.data.subarray(0, lo) });
        if (hi < p.data.length) out.push({ seq: (p.seq + hi) >>> 0, data: p.data.subarray(hi) });
      }
      pieces = out;
    }
    return pieces;
  }

  private insert(s: Stream<E>, seq: number, data: Uint8Array): void {
    if (data.length === 0) return;
    if (s.held + data.length > this.opts.maxBytesPerStream || s.ooo.length >= this.opts.maxSegmentsPerStream) {
      // No room to wait for the missing bytes: declare the gap now.
      this.count('streams.evicted.stream_bytes');
      this.skipGap(s);
      this.run(s);
    }
    let i = s.ooo.length;
    while (i > 0 && seqDiff(s.ooo[i - 1]!.seq, seq) > 0) i--;
    s.ooo.splice(i, 0, { seq, data });
    s.oooBytes += data.length;
    this.total += data.length;
    this.drain(s);
  }

  /** Moves out-of-order segments that now touch the expected byte into the buffer. */
  private drain(s: Stream<E>): void {
    while (s.ooo.length > 0) {
      const h = s.ooo[0]!;
      const rel = seqDiff(h.seq, s.next!);
      if (rel > 0) return;
      s.ooo.shift();
      s.oooBytes -= h.data.length;
      this.total -= h.data.length;
      const skip = -rel;
      if (skip < h.data.length) this.inOrder(s, h.data.subarray(skip));
    }
  }

  /** Jumps the expected byte to the first held segment: what was unparsed is lost, the parser resynchronises. */
  private skipGap(s: Stream<E>): void {
    this.count('streams.gap');
    this.total -= s.len;
    s.len = 0;
    s.pos = 0;
    const h = s.ooo[0];
    if (h !== undefined) s.next = h.seq;
    s.resyncing = true;
    this.drain(s);
  }

  /**
   * Appends in-order bytes, at most what the per-stream cap leaves room
   * for at a time, running the parser between chunks: a message longer
   * than the cap is never held whole; it is dropped (counted) and the
   * parser resynchronises after it.
   */
  private inOrder(s: Stream<E>, data: Uint8Array): void {
    let off = 0;
    while (off < data.length) {
      const room = this.opts.maxBytesPerStream - s.held;
      if (room <= 0) {
        this.count('streams.evicted.stream_bytes');
        this.total -= s.len;
        s.len = 0;
        s.pos = 0;
        s.resyncing = true;
        if (s.held >= this.opts.maxBytesPerStream) {
          this.total -= s.oooBytes;
          s.ooo = [];
          s.oooBytes = 0;
        }
        continue;
      }
      const n = Math.min(room, data.length - off);
      this.append(s, data.subarray(off, off + n));
      s.next = (s.next! + n) >>> 0;
      off += n;
      if (s.parser !== undefined) this.run(s);
    }
  }

  private append(s: Stream<E>, data: Uint8Array): void {
    if (s.len + data.length > s.buf.length) {
      const grown = new Uint8Array(Math.max(s.len + data.length, Math.min(s.buf.length * 2 || 1024, this.opts.maxBytesPerStream)));
      grown.set(s.buf.subarray(0, s.len));
      s.buf = grown;
    }
    s.buf.set(data, s.len);
    s.len += data.length;
    this.total += data.length;
  }

  /** Hands the buffer to the parser until it needs more bytes than there are. */
  private run(s: Stream<E>): void {
    const p = s.parser;
    if (p === undefined) return;
    for (;;) {
      let view = s.buf.subarray(s.pos, s.len);
      if (s.resyncing) {
        const at = p.resync(view);
        if (at < 0) {
          // Keep a few bytes: a boundary may straddle this segment and the next.
          this.consume(s, Math.max(0, view.length - 16));
          return;
        }
        this.consume(s, at);
        s.resyncing = false;
        this.count('streams.resync');
        view = s.buf.subarray(s.pos, s.len);
      }
      if (view.length === 0 || view.length < p.need) return;
      const used = p.feed(view, this.emit);
      if (used < 0) {
        // Not the protocol at offset ~used: drop through that byte and look for the next message start.
        this.count('streams.parser_lost');
        this.consume(s, Math.min(~used + 1, view.length));
        s.resyncing = true;
        continue;
      }
      if (used === 0) return;
      this.consume(s, Math.min(used, view.length));
    }
  }

  /** Marks n bytes parsed; parsed bytes beyond HISTORY are shifted out (rarely: only once 2 * HISTORY accumulate). */
  private consume(s: Stream<E>, n: number): void {
    if (n <= 0) return;
    s.pos += n;
    if (s.pos >= 2 * HISTORY || s.pos === s.len) {
      const cut = s.pos === s.len ? Math.max(0, s.len - HISTORY) : s.pos - HISTORY;
      if (cut > 0) {
        s.buf.copyWithin(0, cut, s.len);
        s.len -= cut;
        s.pos -= cut;
        this.total -= cut;
      }
    }
  }

  private enforceCaps(key: string, s: Stream<E>): void {
    while (this.total > this.opts.maxBytesTotal && this.streams.size > 0) {
      const [oldest] = this.streams.keys();
      if (oldest === key && this.streams.size === 1) {
        this.drop(key, s, 'streams.evicted.total_bytes');
        return;
      }
      this.evictOldest('streams.evicted.total_bytes');
    }
  }

  private evictOldest(code: string): void {
    const [k] = this.streams.keys();
    if (k === undefined) return;
    this.drop(k, this.streams.get(k)!, code);
  }

  private drop(key: string, s: Stream<E>, code: string): void {
    this.count(code);
    this.total -= s.held;
    this.streams.delete(key);
  }
}
