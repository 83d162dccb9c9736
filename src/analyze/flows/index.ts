/**
 * The flow table: one record per conversation, keyed by the IP 5-tuple
 * with its direction normalised (the lower address and port is side A), so
 * both directions of a TCP connection or a UDP exchange land in one record.
 *
 * Per flow: packets and bytes per direction, first and last seen (capture
 * time), TCP hints (who sent the SYN, who answered it with SYN+ACK, FIN or
 * RST seen; RFC 9293 §3.5), the application protocol by content (the name
 * of the first layer a decoder recognised above TCP or UDP, whatever
 * decoders exist; see routes.ts) and whether payloads were TLS records
 * (RFC 8446 §5.1) or cleartext.
 *
 * Bounded: `flows.max_flows` flows at once. A new flow first recycles the
 * least recently seen one when it has been idle for `flows.idle_timeout_s`
 * (counted `flows.expired`), else, when the table is full, evicts it
 * (`flows.evicted`). The tick expires idle flows the same way. Storage and
 * hashing are numeric (table.ts): nothing is allocated per frame.
 *
 * Later analyzers reach a frame's flow through `current` (the flow of the
 * frame just processed; the flow analyzer runs before them in analyzers.ts)
 * and keep a stable handle with `idOf`, read back with `record(id)`.
 *
 * Store area `flows`: changed flows are written every
 * `flows.snapshot_interval_s` and on a snapshot, and deleted when they leave
 * the table, at most a quarter of `runtime.commit_pending` operations per
 * tick (the rest on the next ticks), so no commit grows with the table.
 */
import type { Config } from '../../config/index.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { Ipv4View } from '../../decode/ipv4/index.js';
import type { Ipv6View } from '../../decode/ipv6/index.js';
import type { TcpView } from '../../decode/tcp/index.js';
import type { Analyzer, Sink, SnapshotReason } from '../types.js';
import {
  FlowStore, hashKey, KEY_WORDS, ST_CLEAR, ST_FIN, ST_RST, ST_SYN_A, ST_SYN_B, ST_SYNACK_A, ST_SYNACK_B, ST_TLS,
} from './table.js';
import { flowKeyText, flowRecord, isFlowRecord, type FlowRecord } from './record.js';

export { type FlowRecord } from './record.js';

const IPPROTO_TCP = 6;
/** Application names one table keeps (a byte per flow); more are counted as `flows.app_names_full`. */
const MAX_APP_NAMES = 255;

export interface FlowOptions {
  readonly maxFlows: number;
  readonly idleTimeoutS: number;
  readonly snapshotIntervalS: number;
  /**
   * Store operations (puts and deletes) one tick, flush or snapshot may add
   * to a commit; the rest wait for the next tick. Default 256.
   */
  readonly storeChunk?: number;
}

export function flowOptions(config: Config): FlowOptions {
  const c = config.flows;
  // A quarter of what may wait for a commit: the flow table never makes one commit
  // proportional to its size (test/agent-bounds.test.ts).
  return {
    maxFlows: c.max_flows, idleTimeoutS: c.idle_timeout_s, snapshotIntervalS: c.snapshot_interval_s,
    storeChunk: Math.max(16, Math.floor(config.runtime.commit_pending / 4)),
  };
}

/** TLS record content types 20..23 with version major 3 (RFC 8446 §5.1; SSL 3.0 to TLS 1.3 record versions). */
function looksTls(b: Uint8Array, p: number, end: number): boolean {
  if (end - p < 5) return false;
  const ct = b[p]!;
  return ct >= 20 && ct <= 23 && b[p + 1] === 3 && b[p + 2]! <= 4;
}

export class FlowsAnalyzer implements Analyzer {
  readonly name = 'flows';
  readonly area = 'flows' as const;
  readonly store: FlowStore;
  readonly counters = { new: 0, evicted: 0, expired: 0, app_names_full: 0, restore_rejected: 0, store_deletes_dropped: 0 };
  /** The flow of the frame just processed (-1: none), and whether that frame went from A to B. */
  current = -1;
  currentAB = true;
  private readonly key = new Uint32Array(KEY_WORDS);
  private readonly appNames: string[] = [''];
  private readonly appIndex = new Map<string, number>();
  /** Latest capture time seen, and the wall-clock second of the tick that first saw it. */
  private captureNow = 0;
  private anchorCapture = 0;
  private anchorWall = 0;
  private nextStoreSec = 0;
  /** Flows written to the store, by flow number, so their removal deletes them. */
  private readonly stored: Uint8Array;
  private readonly pendingDel: string[] = [];
  private reported = { new: 0, evicted: 0, expired: 0, app_names_full: 0, store_deletes_dropped: 0 };
  /** A store write is under way (interval due, or a snapshot asked for): continue it on every tick until nothing is dirty. */
  private writing = false;
  private readonly chunk: number;

  constructor(private readonly opts: FlowOptions) {
    this.store = new FlowStore(opts.maxFlows);
    this.stored = new Uint8Array(opts.maxFlows);
    this.chunk = opts.storeChunk ?? 256;
  }

  get size(): number {
    return this.store.size;
  }

  onFrame(frame: DecodedFrame, _out: Sink): void {
    this.current = -1;
    const layers = frame.layers;
    let ipIdx = 0;
    for (; ipIdx < layers.length; ipIdx++) {
      const n = layers[ipIdx]!.name;
      if (n === 'ipv4' || n === 'ipv6') break;
    }
    if (ipIdx === layers.length) return;
    const ip = layers[ipIdx]!;
    const k = this.key;
    let proto: number;
    if (ip.name === 'ipv4') {
      const v = ip as Ipv4View;
      k[0] = v.src;
      k[1] = k[2] = k[3] = 0;
      k[4] = v.dst;
      k[5] = k[6] = k[7] = 0;
      proto = v.protocol;
      k[9] = proto | (4 << 8);
    } else {
      const v = ip as Ipv6View;
      const b = v.bytes;
      const s = v.offset + 8;
      for (let i = 0; i < 8; i++) {
        const o = s + i * 4;
        k[i] = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
      }
      proto = v.protocol;
      k[9] = proto | (6 << 8);
    }
    const tl = layers[ipIdx + 1];
    let sport = 0;
    let dport = 0;
    const ported = tl !== undefined && (tl.name === 'tcp' || tl.name === 'udp');
    if (ported) {
      sport = tl.altKey;
      dport = tl.nextKey;
    }
    // Normalise: side A is the lower (address, port); compare address words, then ports.
    let c = 0;
    for (let i = 0; i < 4 && c === 0; i++) c = k[i]! - k[i + 4]!;
    if (c === 0) c = sport - dport;
    const ab = c <= 0;
    if (!ab) {
      for (let i = 0; i < 4; i++) {
        const t = k[i]!;
        k[i] = k[i + 4]!;
        k[i + 4] = t;
      }
      k[8] = ((dport << 16) | sport) >>> 0;
    } else {
      k[8] = ((sport << 16) | dport) >>> 0;
    }
    const raw = frame.raw;
    const now = raw.tsSec + raw.tsNsec * 1e-9;
    if (now > this.captureNow) this.captureNow = now;
    const st = this.store;
    const h = hashKey(k, 0);
    let f = st.find(k, 0, h);
    if (f < 0) f = this.create(h, now);
    else st.touch(f);
    if (ab) {
      st.packetsAB[f]!++;
      st.bytesAB[f] += raw.origLen;
    } else {
      st.packetsBA[f]!++;
      st.bytesBA[f] += raw.origLen;
    }
    // Capture files are not always in time order: first and last are the extremes.
    if (now > st.last[f]!) st.last[f] = now;
    else if (now < st.first[f]!) st.first[f] = now;
    st.dirty[f] = 1;
    this.current = f;
    this.currentAB = ab;
    if (!ported) return;
    let s = st.state[f]!;
    if (proto === IPPROTO_TCP) {
      const flags = (tl as TcpView).flags;
      // RFC 9293 §3.5: SYN opens (client), SYN+ACK answers (server).
      if ((flags & 0x02) !== 0) s |= (flags & 0x10) !== 0 ? (ab ? ST_SYNACK_A : ST_SYNACK_B) : ab ? ST_SYN_A : ST_SYN_B;
      if ((flags & 0x01) !== 0) s |= ST_FIN;
      if ((flags & 0x04) !== 0) s |= ST_RST;
    }
    if (tl.payloadEnd > tl.payloadOffset) {
      const app = layers[ipIdx + 2];
      if (app !== undefined && st.app[f] === 0) st.app[f] = this.appId(app);
      if ((s & (ST_TLS | ST_CLEAR)) === 0) {
        const tls = app !== undefined ? app.name === 'tls' || looksTls(raw.bytes, tl.payloadOffset, tl.payloadEnd) : looksTls(raw.bytes, tl.payloadOffset, tl.payloadEnd);
        s |= tls ? ST_TLS : ST_CLEAR;
      }
    }
    st.state[f] = s;
  }

  private appId(layer: Layer): number {
    const id = this.appIndex.get(layer.name);
    if (id !== undefined) return id;
    if (this.appNames.length > MAX_APP_NAMES) {
      this.counters.app_names_full++;
      return 0;
    }
    this.appNames.push(layer.name);
    this.appIndex.set(layer.name, this.appNames.length - 1);
    return this.appNames.length - 1;
  }

  /** A new flow for the key in `this.key`: recycles an idle one or evicts the least recently seen when full. */
  private create(h: number, now: number): number {
    const st = this.store;
    const tail = st.tail;
    if (tail >= 0 && st.last[tail]! < now - this.opts.idleTimeoutS) {
      this.drop(tail);
      this.counters.expired++;
    } else if (st.full) {
      this.drop(tail);
      this.counters.evicted++;
    }
    this.counters.new++;
    return st.insert(this.key, 0, h, now);
  }

  private drop(f: number): void {
    if (this.stored[f] === 1) {
      this.stored[f] = 0;
      this.queueDel(this.keyText(f));
    }
    this.store.remove(f);
  }

  /**
   * Deletes wait for the next store write, at most max_flows of them; beyond
   * that the oldest is forgotten (counted): its record stays in the store until
   * a restore finds it idle and deletes it then.
   */
  private queueDel(key: string): void {
    if (this.pendingDel.length >= this.store.capacity) {
      this.pendingDel.shift();
      this.counters.store_deletes_dropped++;
    }
    this.pendingDel.push(key);
  }

  /** A handle that stays valid while the flow is in the table (record(id) says undefined after). */
  idOf(f: number): number {
    return this.store.generation[f]! * this.store.capacity + f;
  }

  /** The owned record of flow `id` (from idOf), or undefined when that flow has left the table. */
  record(id: number): FlowRecord | undefined {
    const cap = this.store.capacity;
    const f = id % cap;
    if (!Number.isInteger(id) || id < 0 || this.store.generation[f] !== Math.floor(id / cap) || !this.store.inUse(f)) return undefined;
    return this.toRecord(f);
  }

  /** Every flow, most recently seen first. */
  records(): FlowRecord[] {
    const out: FlowRecord[] = [];
    for (let f = this.store.head; f >= 0; f = this.store.older(f)) out.push(this.toRecord(f));
    return out;
  }

  /** The flow's store key: `<proto>|<a>|<aPort>|<b>|<bPort>` (built only when storing, never per frame). */
  keyText(f: number): string {
    return flowKeyText(this.store, f);
  }

  private toRecord(f: number): FlowRecord {
    return flowRecord(this.store, f, this.appNames);
  }

  restore(records: ReadonlyArray<readonly [string, unknown]>): void {
    const ok: Array<readonly [string, FlowRecord]> = [];
    for (const [k, v] of records) {
      if (isFlowRecord(v)) ok.push([k, v]);
      else {
        this.counters.restore_rejected++;
        this.queueDel(k);
      }
    }
    // Oldest first, so the LRU order comes back; a smaller max_flows keeps the most recent.
    ok.sort((x, y) => x[1].last - y[1].last);
    const st = this.store;
    const cut = Math.max(0, ok.length - st.capacity);
    this.counters.evicted += cut;
    for (let i = 0; i < ok.length; i++) {
      const [k, r] = ok[i]!;
      for (let w = 0; w < KEY_WORDS; w++) this.key[w] = r.key[w]!;
      const h = hashKey(this.key, 0);
      if (i < cut || st.find(this.key, 0, h) >= 0) {
        this.queueDel(k);
        continue;
      }
      const f = st.insert(this.key, 0, h, r.first);
      st.last[f] = r.last;
      st.packetsAB[f] = r.packetsAB;
      st.bytesAB[f] = r.bytesAB;
      st.packetsBA[f] = r.packetsBA;
      st.bytesBA[f] = r.bytesBA;
      st.state[f] = (r.client === 'a' ? ST_SYN_A : r.client === 'b' ? ST_SYN_B : 0)
        | (r.answered ? (r.client === 'b' ? ST_SYNACK_A : ST_SYNACK_B) : 0)
        | (r.fin ? ST_FIN : 0) | (r.rst ? ST_RST : 0)
        | (r.payload === 'tls' ? ST_TLS : r.payload === 'clear' ? ST_CLEAR : 0);
      st.app[f] = r.app === '' ? 0 : this.appId({ name: r.app } as Layer);
      // A record stored under another key than its own is rewritten under its own.
      const own = this.keyText(f) === k;
      if (!own) this.queueDel(k);
      st.dirty[f] = own ? 0 : 1;
      this.stored[f] = own ? 1 : 0;
      if (r.last > this.captureNow) this.captureNow = r.last;
    }
  }

  onTick(nowSec: number, out: Sink): void {
    // Capture time moves with the frames; with none arriving it moves with the wall clock,
    // so a quiet network still expires its flows (and a replayed file is not expired at once).
    if (this.captureNow !== this.anchorCapture) {
      this.anchorCapture = this.captureNow;
      this.anchorWall = nowSec;
    }
    const clock = this.anchorCapture + Math.max(0, nowSec - this.anchorWall);
    const st = this.store;
    while (st.tail >= 0 && st.last[st.tail]! < clock - this.opts.idleTimeoutS) {
      this.drop(st.tail);
      this.counters.expired++;
    }
    this.report(out);
    if (nowSec >= this.nextStoreSec) {
      this.nextStoreSec = nowSec + this.opts.snapshotIntervalS;
      this.writing = true;
    }
    if (this.writing) this.writing = this.persist(out);
  }

  /** At shutdown: one more chunk. What is still dirty keeps its last stored state (flows are statistics, not alerts). */
  flush(out: Sink): void {
    this.report(out);
    this.persist(out);
  }

  /** Every flow is written again, a chunk per tick from now on. */
  snapshot(_out: Sink, _reason: SnapshotReason): void {
    const st = this.store;
    for (let f = st.head; f >= 0; f = st.older(f)) st.dirty[f] = 1;
    this.writing = true;
  }

  gauges(): Readonly<Record<string, number>> {
    return { flows: this.store.size };
  }

  /** Counter deltas since the last report go to the health stream (never counted per frame). */
  private report(out: Sink): void {
    const c = this.counters;
    const r = this.reported;
    if (c.new > r.new) out.count('flows.new', c.new - r.new);
    if (c.evicted > r.evicted) out.count('flows.evicted', c.evicted - r.evicted);
    if (c.expired > r.expired) out.count('flows.expired', c.expired - r.expired);
    if (c.app_names_full > r.app_names_full) out.count('flows.app_names_full', c.app_names_full - r.app_names_full);
    if (c.store_deletes_dropped > r.store_deletes_dropped) out.count('flows.store_deletes_dropped', c.store_deletes_dropped - r.store_deletes_dropped);
    this.reported = { new: c.new, evicted: c.evicted, expired: c.expired, app_names_full: c.app_names_full, store_deletes_dropped: c.store_deletes_dropped };
  }

  /**
   * Deletes the flows that left and writes the changed ones, at most `chunk`
   * operations; returns true when some remain for the next tick.
   */
  private persist(out: Sink): boolean {
    let budget = this.chunk;
    const dels = Math.min(budget, this.pendingDel.length);
    for (let i = 0; i < dels; i++) out.del('flows', this.pendingDel[i]!);
    this.pendingDel.splice(0, dels);
    budget -= dels;
    const st = this.store;
    for (let f = st.head; f >= 0; f = st.older(f)) {
      if (st.dirty[f] === 0) continue;
      if (budget === 0) return true;
      out.put('flows', this.keyText(f), this.toRecord(f));
      st.dirty[f] = 0;
      this.stored[f] = 1;
      budget--;
    }
    return this.pendingDel.length > 0;
  }
}
