/**
 * A bounded memo keyed by element bytes: what elements.ts makes of an
 * element body (the SSID as text, the security an RSN element states, the
 * WPS strings) is the same every time the same bytes come, and an access
 * point repeats the same elements in every beacon. The key is a 32-bit
 * FNV-1a hash of the bytes and a tag; a hit is only taken when the stored
 * bytes are equal, so a collision costs a recomputation, never a wrong
 * answer. Capped; the oldest entry goes first and is counted.
 */
export class BytesMemo<T> {
  private readonly map = new Map<number, { readonly bytes: Uint8Array; readonly tag: number; readonly value: T }>();
  hits = 0;
  misses = 0;
  evicted = 0;

  constructor(readonly cap: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The hash of `len` bytes of `b` from `p`, with `tag` mixed in first. */
  static hash(b: Uint8Array, p: number, len: number, tag: number): number {
    let h = (0x811c9dc5 ^ tag) >>> 0;
    h = Math.imul(h ^ len, 0x01000193);
    for (let i = p; i < p + len; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    return h >>> 0;
  }

  /** The value stored for exactly these bytes and tag, or undefined. */
  lookup(h: number, b: Uint8Array, p: number, len: number, tag: number): T | undefined {
    const e = this.map.get(h);
    if (e === undefined || e.tag !== tag || e.bytes.length !== len) return undefined;
    const s = e.bytes;
    for (let i = 0; i < len; i++) if (s[i] !== b[p + i]) return undefined;
    this.hits++;
    return e.value;
  }

  store(h: number, b: Uint8Array, p: number, len: number, tag: number, value: T): T {
    this.misses++;
    if (!this.map.has(h) && this.map.size >= this.cap) {
      this.map.delete(this.map.keys().next().value as number);
      this.evicted++;
    }
    this.map.set(h, { bytes: b.slice(p, p + len), tag, value });
    return value;
  }
}
