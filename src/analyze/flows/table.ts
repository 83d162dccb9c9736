/**
 * The flow table's storage: a fixed-capacity open-addressing hash table over
 * typed arrays, with an LRU list threaded through the same slots.
 *
 * Why not a `Map<string, Flow>`: a string key costs a concatenation and an
 * allocation per frame, and a million frames a minute makes that the hot
 * path's main cost (measured in scripts/bench/realtraffic.ts). Here a key is
 * KEY_WORDS unsigned 32-bit words (two 128-bit addresses, the ports, the IP
 * protocol and family), hashed and compared word by word, and every counter
 * lives in a column array indexed by the flow's number. Nothing is
 * allocated per frame; the capacity is fixed when the table is built.
 *
 * Linear probing with backward-shift deletion (Knuth, TAOCP vol. 3 §6.4,
 * Algorithm R): no tombstones, so a long-running table never degrades.
 * The slot array is at least twice the capacity, so the load stays <= 0.5.
 */

/** Words in a key: address A (4), address B (4), ports (A << 16 | B), protocol | family << 8. */
export const KEY_WORDS = 10;

/** Per-flow state bits (RFC 9293 §3.1 flags as seen, and what the payload looked like). */
export const ST_SYN_A = 1; // A sent a SYN without ACK: A is the client
export const ST_SYN_B = 2;
export const ST_SYNACK_A = 4; // A answered with SYN+ACK: A is the server
export const ST_SYNACK_B = 8;
export const ST_FIN = 16;
export const ST_RST = 32;
export const ST_TLS = 64; // a payload looked like a TLS record (RFC 8446 §5.1) or a decoder said 'tls'
export const ST_CLEAR = 128; // a payload that was not TLS

function mix(h: number, w: number): number {
  // Murmur3's 32-bit block mix (public domain): cheap and spreads low-entropy words.
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashKey(k: Uint32Array, o: number): number {
  let h = 0x9747b28c;
  for (let i = 0; i < KEY_WORDS; i++) h = mix(h, k[o + i]!);
  return fmix(h ^ KEY_WORDS);
}

export class FlowStore {
  readonly capacity: number;
  /** Flows in use. */
  size = 0;
  readonly keys: Uint32Array;
  readonly hash: Uint32Array;
  readonly packetsAB: Float64Array;
  readonly packetsBA: Float64Array;
  readonly bytesAB: Float64Array;
  readonly bytesBA: Float64Array;
  /** Capture time, epoch seconds with the fraction. */
  readonly first: Float64Array;
  readonly last: Float64Array;
  readonly state: Uint8Array;
  /** Index into the analyzer's application names (0: none seen). */
  readonly app: Uint8Array;
  /** Bumped every time the flow number is reused, so a (number, generation) handle goes stale. */
  readonly generation: Uint32Array;
  /** The flow changed since the last store snapshot. */
  readonly dirty: Uint8Array;
  private readonly slots: Int32Array;
  private readonly slotOf: Int32Array;
  private readonly mask: number;
  /** LRU order: head is the most recently seen, tail the least. */
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  head = -1;
  tail = -1;
  /** Free flow numbers (a stack). */
  private readonly free: Int32Array;
  private freeTop: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`flow capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let n = 8;
    while (n < capacity * 2) n *= 2;
    this.mask = n - 1;
    this.slots = new Int32Array(n).fill(-1);
    this.keys = new Uint32Array(capacity * KEY_WORDS);
    this.hash = new Uint32Array(capacity);
    this.packetsAB = new Float64Array(capacity);
    this.packetsBA = new Float64Array(capacity);
    this.bytesAB = new Float64Array(capacity);
    this.bytesBA = new Float64Array(capacity);
    this.first = new Float64Array(capacity);
    this.last = new Float64Array(capacity);
    this.state = new Uint8Array(capacity);
    this.app = new Uint8Array(capacity);
    this.generation = new Uint32Array(capacity);
    this.dirty = new Uint8Array(capacity);
    this.slotOf = new Int32Array(capacity).fill(-1);
    this.prev = new Int32Array(capacity).fill(-1);
    this.next = new Int32Array(capacity).fill(-1);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  /** The flow whose key is `k[o .. o+KEY_WORDS)` with hash `h`, or -1. */
  find(k: Uint32Array, o: number, h: number): number {
    const slots = this.slots;
    const keys = this.keys;
    const mask = this.mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const f = slots[s]!;
      if (f < 0) return -1;
      if (this.hash[f] !== h) continue;
      const b = f * KEY_WORDS;
      let i = 0;
      while (i < KEY_WORDS && keys[b + i] === k[o + i]) i++;
      if (i === KEY_WORDS) return f;
    }
  }

  /** True when flow number `f` holds a flow. */
  inUse(f: number): boolean {
    return f >= 0 && f < this.capacity && this.slotOf[f]! >= 0;
  }

  /** True when no flow number is free: `insert` needs a `remove` first. */
  get full(): boolean {
    return this.freeTop === 0;
  }

  /** Adds a new flow (the key must not be present and the table not full) and makes it the most recent. */
  insert(k: Uint32Array, o: number, h: number, nowSec: number): number {
    const f = this.free[--this.freeTop]!;
    const b = f * KEY_WORDS;
    for (let i = 0; i < KEY_WORDS; i++) this.keys[b + i] = k[o + i]!;
    this.hash[f] = h;
    this.packetsAB[f] = 0;
    this.packetsBA[f] = 0;
    this.bytesAB[f] = 0;
    this.bytesBA[f] = 0;
    this.first[f] = nowSec;
    this.last[f] = nowSec;
    this.state[f] = 0;
    this.app[f] = 0;
    this.dirty[f] = 1;
    const mask = this.mask;
    let s = h & mask;
    while (this.slots[s]! >= 0) s = (s + 1) & mask;
    this.slots[s] = f;
    this.slotOf[f] = s;
    this.linkHead(f);
    this.size++;
    return f;
  }

  /** Removes flow `f` (in use) and frees its number. */
  remove(f: number): void {
    this.unlink(f);
    const slots = this.slots;
    const mask = this.mask;
    let i = this.slotOf[f]!;
    slots[i] = -1;
    this.slotOf[f] = -1;
    // Backward shift: move later members of the probe run into the hole
    // unless their home slot lies cyclically in (i, j].
    for (let j = (i + 1) & mask; slots[j]! >= 0; j = (j + 1) & mask) {
      const g = slots[j]!;
      const home = this.hash[g]! & mask;
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (stays) continue;
      slots[i] = g;
      this.slotOf[g] = i;
      slots[j] = -1;
      i = j;
    }
    this.generation[f] = (this.generation[f]! + 1) >>> 0;
    this.free[this.freeTop++] = f;
    this.size--;
  }

  /** Makes `f` the most recently seen. */
  touch(f: number): void {
    if (this.head === f) return;
    this.unlink(f);
    this.linkHead(f);
  }

  /** The flow after `f` towards the least recently seen (-1 at the end). */
  older(f: number): number {
    return this.next[f]!;
  }

  private linkHead(f: number): void {
    this.prev[f] = -1;
    this.next[f] = this.head;
    if (this.head >= 0) this.prev[this.head] = f;
    this.head = f;
    if (this.tail < 0) this.tail = f;
  }

  private unlink(f: number): void {
    const p = this.prev[f]!;
    const n = this.next[f]!;
    if (p >= 0) this.next[p] = n;
    else if (this.head === f) this.head = n;
    if (n >= 0) this.prev[n] = p;
    else if (this.tail === f) this.tail = p;
    this.prev[f] = -1;
    this.next[f] = -1;
  }
}
