/**
 * The keys the sensor holds for Zigbee networks, and the address book the
 * nonces need. Keys come from the configuration (network keys, link keys,
 * install codes, the default Trust Center link key) or are recovered from a
 * Transport Key the sensor could read. They live in memory only: nothing
 * here is published or stored (issue 10 §4: keys never leave the gateway).
 *
 * Both tables are bounded (config `zigbee.max_keys`, `zigbee.max_addresses`);
 * the oldest entry goes first and the eviction is counted.
 */
import { DEFAULT_TC_LINK_KEY, installCodeKey, keyLoadKey, keyTransportKey } from './ccm.js';

/** Where a key came from; a recovered one says how the sensor read it. */
export type KeyOrigin = 'config' | 'install_code' | 'default_tc_link_key' | 'recovered_cleartext' | 'recovered_default_tc' | 'recovered_link_key';

export interface NetworkKey {
  readonly key: Buffer;
  readonly origin: KeyOrigin;
  /** PAN it was recovered on (-1 for configured keys). */
  readonly pan: number;
}

export interface LinkKey {
  readonly key: Buffer;
  /** Derived key-transport (id 2) and key-load (id 3) keys (Zigbee R22 §4.5.3). */
  readonly transport: Buffer;
  readonly load: Buffer;
  readonly origin: KeyOrigin;
}

export interface KeyringOptions {
  /** 32 hex digits each. */
  readonly networkKeys: readonly string[];
  readonly linkKeys: readonly string[];
  /** Install codes with their CRC, hex (6, 8, 12 or 16 bytes + 2). */
  readonly installCodes: readonly string[];
  /** Try "ZigBeeAlliance09", as every sniffer and every attacker does. */
  readonly defaultTcLinkKey: boolean;
  readonly maxKeys: number;
  readonly maxAddresses: number;
}

export class ZigbeeKeyring {
  readonly networkKeys: NetworkKey[] = [];
  readonly linkKeys: LinkKey[] = [];
  /** `pan << 16 | short` -> the 8 IEEE address bytes as sent. */
  private readonly addresses = new Map<number, Uint8Array>();
  evictedKeys = 0;
  evictedAddresses = 0;

  constructor(private readonly opts: KeyringOptions) {
    for (const k of opts.networkKeys) this.addNetworkKey(Buffer.from(k, 'hex'), 'config', -1);
    if (opts.defaultTcLinkKey) this.addLinkKey(DEFAULT_TC_LINK_KEY, 'default_tc_link_key');
    for (const k of opts.linkKeys) this.addLinkKey(Buffer.from(k, 'hex'), 'config');
    for (const c of opts.installCodes) this.addLinkKey(installCodeKey(Buffer.from(c, 'hex')), 'install_code');
  }

  /** Adds a network key unless held already; returns true when it is new. */
  addNetworkKey(key: Uint8Array, origin: KeyOrigin, pan: number): boolean {
    if (this.networkKeys.some((k) => k.key.equals(key))) return false;
    if (this.networkKeys.length + this.linkKeys.length >= this.opts.maxKeys) {
      const i = this.networkKeys.findIndex((k) => k.origin !== 'config');
      if (i < 0) return false;
      this.networkKeys.splice(i, 1);
      this.evictedKeys++;
    }
    this.networkKeys.push({ key: Buffer.from(key), origin, pan });
    return true;
  }

  addLinkKey(key: Uint8Array, origin: KeyOrigin): boolean {
    if (this.linkKeys.some((k) => k.key.equals(key))) return false;
    if (this.networkKeys.length + this.linkKeys.length >= this.opts.maxKeys) {
      this.evictedKeys++;
      return false;
    }
    const k = Buffer.from(key);
    this.linkKeys.push({ key: k, transport: keyTransportKey(k), load: keyLoadKey(k), origin });
    return true;
  }

  /** Remembers that `short` on `pan` is the device with IEEE bytes at `b[o..o+8)` (as sent). */
  learn(pan: number, short: number, b: Uint8Array, o: number): void {
    const k = pan * 65536 + short;
    const have = this.addresses.get(k);
    if (have !== undefined) {
      let same = true;
      for (let i = 0; i < 8; i++) if (have[i] !== b[o + i]) same = false;
      if (same) return;
      this.addresses.delete(k);
    } else if (this.addresses.size >= this.opts.maxAddresses) {
      const oldest = this.addresses.keys().next().value as number;
      this.addresses.delete(oldest);
      this.evictedAddresses++;
    }
    this.addresses.set(k, Uint8Array.from(b.subarray(o, o + 8)));
  }

  /** The IEEE bytes (as sent) of `short` on `pan`, if known. */
  lookup(pan: number, short: number): Uint8Array | undefined {
    return this.addresses.get(pan * 65536 + short);
  }

  get addressCount(): number {
    return this.addresses.size;
  }
}
