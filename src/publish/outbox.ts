/**
 * The durable outbox between the encoder and MQTT. Every accepted message is
 * in LevelDB (fsync'd) before anything is sent, keyed by its seq as 16 hex
 * digits so key order is seq order. The next seq lives in `meta/seq`, written
 * in the same atomic batch as the entries, so seq never repeats across a
 * restart or a power cut.
 *
 * The outbox is bounded by message count and payload bytes. When full it drops
 * the oldest normal entries first and alerts only when nothing else is left;
 * every drop is counted per stream and the counts are persisted with the batch
 * that dropped them.
 *
 * An in-memory index (seq -> size, priority, stream) is rebuilt once at open
 * so that enforcing the bound never rescans the database.
 */
import type { Store, StoreOp } from '../store/store.js';

export type Priority = 'alert' | 'normal';

export interface AppendItem {
  readonly stream: string;
  readonly priority: Priority;
  /** MQTT message expiry; also how long the entry is worth sending at all. */
  readonly expirySec?: number;
  /** The payload, or a factory that builds it once the seq is known (the envelope carries the seq). */
  readonly bytes?: Uint8Array;
  readonly payloadFactory?: (seq: number) => Uint8Array;
}

export interface OutboxEntry {
  readonly seq: number;
  readonly stream: string;
  readonly priority: Priority;
  readonly expirySec?: number;
  /** When the entry was appended, epoch milliseconds. */
  readonly createdMs: number;
  readonly bytes: Uint8Array;
}

export interface OutboxOptions {
  readonly maxMessages: number;
  readonly maxBytes: number;
  /** Clock for `createdMs`; tests pass their own. */
  readonly now?: () => number;
}

/** Why an entry left the outbox without a PUBACK. */
export type DiscardReason = 'dropped' | 'expired' | 'rejected';

/** Stored value shape; short keys because there may be 100k of these. */
interface StoredEntry {
  s: string;
  p: 0 | 1;
  e?: number;
  t: number;
  b: Uint8Array;
}

interface IndexEntry {
  readonly size: number;
  readonly priority: Priority;
  readonly stream: string;
}

export const SEQ_META_KEY = 'seq';
export const COUNTERS_META_KEY = 'outbox.counters';

export function seqKey(seq: number): string {
  return seq.toString(16).padStart(16, '0');
}

/** Queue of seqs in ascending order with lazy removal (entries acked elsewhere are skipped). */
class SeqQueue {
  private items: number[] = [];
  private head = 0;
  push(seq: number): void {
    this.items.push(seq);
  }
  /** Puts a seq back in front (undoing its removal as the oldest). */
  unshift(seq: number): void {
    if (this.head > 0) this.items[--this.head] = seq;
    else this.items.unshift(seq);
  }
  /** Oldest seq still present in `live`, removing stale ones on the way. */
  oldest(live: ReadonlyMap<number, IndexEntry>): number | undefined {
    while (this.head < this.items.length && !live.has(this.items[this.head]!)) this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }
}

export class Outbox {
  private readonly index = new Map<number, IndexEntry>();
  private normalQ = new SeqQueue();
  private alertQ = new SeqQueue();
  private totalBytes = 0;
  private seq = 0;
  private counters: Record<string, number> = {};
  private chain: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;

  private constructor(private readonly store: Store, readonly options: OutboxOptions) {
    if (!(options.maxMessages >= 1) || !(options.maxBytes >= 1)) {
      throw new RangeError(`outbox bounds must be positive: maxMessages=${options.maxMessages} maxBytes=${options.maxBytes}`);
    }
    this.now = options.now ?? Date.now;
  }

  static async open(store: Store, options: OutboxOptions): Promise<Outbox> {
    const ob = new Outbox(store, options);
    await ob.load();
    return ob;
  }

  private async load(): Promise<void> {
    this.index.clear();
    this.normalQ = new SeqQueue();
    this.alertQ = new SeqQueue();
    this.totalBytes = 0;
    let maxSeq = 0;
    for (const [key, value] of await this.store.all('outbox')) {
      const seq = parseInt(key, 16);
      const v = value as StoredEntry;
      this.addToIndex(seq, { size: v.b.byteLength, priority: v.p === 1 ? 'alert' : 'normal', stream: v.s });
      maxSeq = Math.max(maxSeq, seq);
    }
    const stored = await this.store.getMeta(SEQ_META_KEY);
    this.seq = Math.max(typeof stored === 'number' ? stored : 0, maxSeq);
    const counters = await this.store.getMeta(COUNTERS_META_KEY);
    this.counters = typeof counters === 'object' && counters !== null ? { ...(counters as Record<string, number>) } : {};
  }

  private addToIndex(seq: number, e: IndexEntry): void {
    this.index.set(seq, e);
    this.totalBytes += e.size;
    (e.priority === 'alert' ? this.alertQ : this.normalQ).push(seq);
  }

  private removeFromIndex(seq: number): IndexEntry | undefined {
    const e = this.index.get(seq);
    if (e === undefined) return undefined;
    this.index.delete(seq);
    this.totalBytes -= e.size;
    return e;
  }

  /** Runs mutations one at a time, in call order, so seq order is write order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /**
   * Appends items in one fsync'd batch and resolves with their seqs. Items
   * dropped at once by the bound (possible for normal items when the outbox
   * is full of alerts) still get a seq, which then never appears on the wire.
   */
  append(...items: AppendItem[]): Promise<number[]> {
    return this.commit(items, []);
  }

  /**
   * Appends items and writes `state` (other areas' puts and deletes) in the
   * same atomic, fsync'd batch: the state an analyzer reached and the
   * telemetry that announced it are on disk together or not at all, so a
   * crash between the two can neither lose an alert nor send it twice.
   */
  commit(items: readonly AppendItem[], state: readonly StoreOp[]): Promise<number[]> {
    return this.serial(async () => {
      if (items.length === 0) {
        if (state.length > 0) await this.store.batch(state, { sync: true });
        return [];
      }
      const created = this.now();
      const first = this.seq + 1;
      // Build every payload before touching state, so a throwing factory changes nothing.
      const stored: StoredEntry[] = items.map((it, i) => {
        const b = it.bytes ?? it.payloadFactory?.(first + i);
        if (!(b instanceof Uint8Array)) throw new TypeError(`outbox append: item ${i} (${it.stream}) has neither bytes nor payloadFactory`);
        const v: StoredEntry = { s: it.stream, p: it.priority === 'alert' ? 1 : 0, t: created, b };
        if (it.expirySec !== undefined) v.e = it.expirySec;
        return v;
      });
      const seqs = stored.map((_, i) => first + i);
      const newSeqs = new Set(seqs);
      stored.forEach((v, i) => this.addToIndex(seqs[i]!, { size: v.b.byteLength, priority: v.p === 1 ? 'alert' : 'normal', stream: v.s }));

      const dels: StoreOp[] = [];
      const countersBefore = { ...this.counters };
      const victims: Array<[number, IndexEntry]> = [];
      while (this.index.size > this.options.maxMessages || this.totalBytes > this.options.maxBytes) {
        const victim = this.normalQ.oldest(this.index) ?? this.alertQ.oldest(this.index);
        if (victim === undefined) break;
        const e = this.removeFromIndex(victim)!;
        victims.push([victim, e]);
        this.bump(`outbox.dropped.${e.stream}`);
        if (!newSeqs.has(victim)) dels.push({ type: 'del', area: 'outbox', key: seqKey(victim) });
      }
      const dropped = victims.length > 0;
      const ops: StoreOp[] = [...state, ...dels];
      stored.forEach((v, i) => {
        if (this.index.has(seqs[i]!)) ops.push({ type: 'put', area: 'outbox', key: seqKey(seqs[i]!), value: v });
      });
      ops.push({ type: 'put', area: 'meta', key: SEQ_META_KEY, value: seqs[seqs.length - 1]! });
      if (dropped) ops.push({ type: 'put', area: 'meta', key: COUNTERS_META_KEY, value: this.counters });
      try {
        await this.store.batch(ops, { sync: true });
      } catch (err) {
        // The batch is atomic, so nothing of it is on disk: undo in memory what it would have
        // done. Reading the disk back instead fails too when the database itself is gone, and
        // would leave an empty index over entries that are still stored.
        for (const seq of seqs) this.removeFromIndex(seq);
        for (let i = victims.length - 1; i >= 0; i--) {
          const [seq, e] = victims[i]!;
          if (newSeqs.has(seq)) continue;
          this.index.set(seq, e);
          this.totalBytes += e.size;
          (e.priority === 'alert' ? this.alertQ : this.normalQ).unshift(seq);
        }
        if (victims.length > 0) {
          // The index is in seq order (headSeq reads its first key): put the restored ones back in place.
          const ordered = [...this.index].sort((a, b) => a[0] - b[0]);
          this.index.clear();
          for (const [seq, e] of ordered) this.index.set(seq, e);
        }
        this.counters = countersBefore;
        throw err;
      }
      this.seq = seqs[seqs.length - 1]!;
      for (const l of this.listeners) l();
      return seqs;
    });
  }

  /** Up to `n` entries with seq > `afterSeq`, oldest first. */
  async peek(n: number, afterSeq = 0): Promise<OutboxEntry[]> {
    if (n <= 0 || this.index.size === 0) return [];
    const rows = await this.store.all('outbox', { gt: seqKey(afterSeq), limit: n });
    return rows.map(([k, value]) => {
      const v = value as StoredEntry;
      const e: OutboxEntry = { seq: parseInt(k, 16), stream: v.s, priority: v.p === 1 ? 'alert' : 'normal', createdMs: v.t, bytes: v.b };
      return v.e === undefined ? e : { ...e, expirySec: v.e };
    });
  }

  /**
   * Removes a delivered entry. Not fsync'd: an ack lost in a power cut only
   * means the entry is sent again, and subscribers drop duplicates by seq.
   */
  ack(seq: number): Promise<void> {
    return this.serial(async () => {
      if (!this.index.has(seq)) return;
      await this.store.batch([{ type: 'del', area: 'outbox', key: seqKey(seq) }]);
      this.removeFromIndex(seq);
    });
  }

  /** Removes every entry with seq <= `seq`. */
  ackThrough(seq: number): Promise<void> {
    return this.serial(async () => {
      const gone = [...this.index.keys()].filter((s) => s <= seq);
      if (gone.length === 0) return;
      await this.store.batch(gone.map((s) => ({ type: 'del' as const, area: 'outbox' as const, key: seqKey(s) })));
      for (const s of gone) this.removeFromIndex(s);
    });
  }

  /** Removes an entry that will not be delivered (expired, or refused by the broker), counting it. */
  discard(seq: number, reason: DiscardReason): Promise<void> {
    return this.serial(async () => {
      const e = this.index.get(seq);
      if (e === undefined) return;
      this.bump(`outbox.${reason}.${e.stream}`);
      await this.store.batch(
        [
          { type: 'del', area: 'outbox', key: seqKey(seq) },
          { type: 'put', area: 'meta', key: COUNTERS_META_KEY, value: this.counters },
        ],
        { sync: true },
      );
      this.removeFromIndex(seq);
    });
  }

  /** Resolves when every mutation issued so far has been written. */
  settled(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  /** Called after each successful append; returns an unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private bump(name: string, n = 1): void {
    this.counters[name] = (this.counters[name] ?? 0) + n;
  }

  get depth(): number {
    return this.index.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Last seq assigned (0 before the first append ever). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Seq of the oldest entry still held, or undefined when empty. */
  get headSeq(): number | undefined {
    for (const s of this.index.keys()) return s;
    return undefined;
  }

  /** Total entries dropped by the bound since the store was created. */
  get dropped(): number {
    let n = 0;
    for (const [k, v] of Object.entries(this.counters)) if (k.startsWith('outbox.dropped.')) n += v;
    return n;
  }

  /** Drops per stream, e.g. `{ health: 12 }`. */
  droppedByStream(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.counters)) if (k.startsWith('outbox.dropped.')) out[k.slice('outbox.dropped.'.length)] = v;
    return out;
  }

  /** Counters for the health stream: `outbox.dropped.<stream>`, `outbox.expired.<stream>`, `outbox.rejected.<stream>`. */
  healthCounters(): Record<string, number> {
    return { ...this.counters };
  }
}
