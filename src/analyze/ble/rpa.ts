/**
 * Resolvable private addresses (Core Spec 5.4 Vol 6 Part B §1.3.2.2-1.3.2.3):
 * the top 24 bits are prand (two most significant bits 0b01), the low 24
 * bits hash = ah(IRK, prand), where ah(k, r) = e(k, r') mod 2^24 and r' is
 * r padded with 104 zero bits (Vol 3 Part H §2.2.2); e is AES-128 with the
 * most significant octet first. A device's IRK, when configured, turns every
 * address it rotates through back into its identity.
 */
import { createCipheriv } from 'node:crypto';

/** ah(k, r) (Vol 3 Part H §2.2.2): `irk` 16 bytes, most significant first; `prand` a 24-bit number. */
export function ah(irk: Uint8Array, prand: number): number {
  const block = new Uint8Array(16);
  block[13] = (prand >>> 16) & 0xff;
  block[14] = (prand >>> 8) & 0xff;
  block[15] = prand & 0xff;
  const c = createCipheriv('aes-128-ecb', irk, null);
  c.setAutoPadding(false);
  const out = c.update(block);
  return (out[13]! << 16) | (out[14]! << 8) | out[15]!;
}

/** prand and hash of a printed address `aa:bb:cc:dd:ee:ff`. */
export function splitAddress(address: string): { prand: number; hash: number } {
  const h = address.replaceAll(':', '');
  return { prand: parseInt(h.slice(0, 6), 16), hash: parseInt(h.slice(6), 16) };
}

export interface IdentityKey {
  /** The identity address the IRK belongs to, as printed, and its type (0 public, 1 random static). */
  readonly identity: string;
  readonly identityType: number;
  readonly irk: Uint8Array;
}

/**
 * Resolves RPAs against configured IRKs. Every lookup is one AES block per
 * key; results are cached per address (bounded, oldest first) because a
 * device repeats the same RPA for about 15 minutes.
 */
export class RpaResolver {
  resolved = 0;
  unresolved = 0;
  private readonly cache = new Map<string, IdentityKey | null>();

  constructor(private readonly keys: readonly IdentityKey[], private readonly maxCache = 4096) {}

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The identity of a resolvable private address, or undefined. */
  resolve(address: string): IdentityKey | undefined {
    if (this.keys.length === 0) return undefined;
    const hit = this.cache.get(address);
    if (hit !== undefined) return hit ?? undefined;
    const { prand, hash } = splitAddress(address);
    let found: IdentityKey | null = null;
    for (const k of this.keys) {
      if (ah(k.irk, prand) === hash) {
        found = k;
        break;
      }
    }
    if (this.cache.size >= this.maxCache) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(address, found);
    if (found === null) this.unresolved++;
    else this.resolved++;
    return found ?? undefined;
  }
}
