/** The BLE analyzer's and sighting source's options from the configuration (src/config/schema.ts `ble`). */
import type { Config } from '../../config/index.js';
import { RpaResolver, type IdentityKey } from './rpa.js';

export function identityKeys(config: Config): IdentityKey[] {
  return config.ble.irks.map((k) => ({
    identity: k.identity,
    identityType: k.identity_type === 'public' ? 0 : 1,
    irk: Uint8Array.from(Buffer.from(k.irk, 'hex')),
  }));
}

export function resolverFromConfig(config: Config): RpaResolver {
  return new RpaResolver(identityKeys(config));
}
