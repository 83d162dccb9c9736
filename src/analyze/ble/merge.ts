/**
 * Merging rotating private addresses by payload shape (issue 9, "random
 * addresses"). Without an IRK nothing ties two private addresses together
 * but what they say: a device that rotates its address keeps advertising
 * the same services, company ids, name and flags. Addresses with the same
 * shape seen within `ageS` of each other are filed under the first one (the
 * representative), with confidence 2: it is the same device, or a crowd of
 * identical ones (phones of one make), counted as one. A shape unseen for
 * `ageS` is forgotten.
 *
 * Bounded: at most `max` shapes and `max` address-to-shape entries; the
 * least recently seen go first, counted in `evicted`.
 */
export class RandomMerge {
  /** Addresses filed under a different representative. */
  merged = 0;
  evicted = 0;
  private readonly shapes = new Map<string, { rep: string; last: number }>();
  private readonly addrs = new Map<string, string>();

  constructor(private readonly max: number, private readonly ageS: number) {}

  get size(): number {
    return this.shapes.size;
  }

  /** The address `address` is filed under. An empty shape never merges (nothing to go by). */
  representative(address: string, shape: string, now: number): string {
    const known = this.addrs.get(address);
    const key = shape === '' ? (known ?? '') : shape;
    if (key === '') return address;
    let e = this.shapes.get(key);
    if (e !== undefined && now - e.last > this.ageS) {
      this.shapes.delete(key);
      e = undefined;
    }
    if (e === undefined) {
      e = { rep: address, last: now };
      this.bound(this.shapes);
    } else {
      this.shapes.delete(key);
      e.last = Math.max(e.last, now);
      if (e.rep !== address) this.merged++;
    }
    this.shapes.set(key, e);
    if (known !== key) {
      this.addrs.delete(address);
      this.bound(this.addrs);
      this.addrs.set(address, key);
    }
    return e.rep;
  }

  private bound(m: Map<string, unknown>): void {
    while (m.size >= this.max) {
      const oldest = m.keys().next().value;
      if (oldest === undefined) break;
      m.delete(oldest);
      this.evicted++;
    }
  }
}
