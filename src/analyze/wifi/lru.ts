/**
 * A Map with a cap: the least recently used entry goes first when a new one
 * would pass it, and every eviction is counted. The bound on every table of
 * the Wi-Fi analyzer.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  /** Entries dropped to stay under the cap. */
  evicted = 0;

  constructor(readonly cap: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The value, now the most recently used. */
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }

  /** The value without touching its recency. */
  peek(k: K): V | undefined {
    return this.map.get(k);
  }

  /** Stores `v` as the most recently used; returns true when an older entry was evicted. */
  set(k: K, v: V): boolean {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.cap) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
      this.evicted++;
      return true;
    }
    return false;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}

/** A small set with a cap; members past it are counted, not kept. */
export class BoundedSet<T> {
  readonly items: T[] = [];
  dropped = 0;

  constructor(readonly cap: number) {}

  add(x: T): void {
    if (this.items.includes(x)) return;
    if (this.items.length < this.cap) this.items.push(x);
    else this.dropped++;
  }

  has(x: T): boolean {
    return this.items.includes(x);
  }
}
