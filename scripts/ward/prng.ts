/**
 * The generator's only source of randomness: mulberry32 (Tommy Ettinger's
 * 32-bit PRNG, public domain), seeded from the command line. Same seed, same
 * sequence, on every platform; Math.random is never used.
 */
export class Prng {
  private s: number;

  constructor(seed: number) {
    // Mix the seed once so seeds 1, 2, 3 ... start far apart.
    this.s = (Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }

  /** Exponentially distributed with the given mean: inter-arrival of a Poisson process. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /**
   * `n` uniform bytes, four from each draw; with `high` every byte has its
   * top bit set (0x80-0xFF), so the bytes can never spell ASCII text.
   */
  bytes(n: number, high = false): Uint8Array {
    const out = new Uint8Array(n);
    const or = high ? 0x80 : 0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = this.u32();
      out[i] = v | or;
      out[i + 1] = (v >>> 8) | or;
      out[i + 2] = (v >>> 16) | or;
      out[i + 3] = (v >>> 24) | or;
    }
    for (; i < n; i++) out[i] = this.u32() | or;
    return out;
  }
}
