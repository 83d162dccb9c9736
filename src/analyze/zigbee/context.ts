/**
 * What the zigbee sighting source and the zigbee analyzer share: one
 * keyring and one opener (so each frame is decrypted once), built from the
 * `zigbee` config block.
 */
import type { Config } from '../../config/index.js';
import { DEFAULT_ROUTES, RouteTable } from '../../decode/routes.js';
import { ZigbeeKeyring } from './keyring.js';
import { ZigbeeOpener } from './open.js';

export interface ZigbeeOptions {
  readonly maxPans: number;
  readonly maxNodes: number;
  readonly stormPerMinute: number;
  readonly joinWindowS: number;
  /** Lower-case 16-hex-digit IEEE addresses. */
  readonly touchlinkInitiators: readonly string[];
}

export function zigbeeOptions(config: Config): ZigbeeOptions {
  const z = config.zigbee;
  return {
    maxPans: z.max_pans, maxNodes: z.max_nodes, stormPerMinute: z.storm_per_minute, joinWindowS: z.join_window_s,
    touchlinkInitiators: z.touchlink_initiators.map((s) => s.toLowerCase()),
  };
}

export class ZigbeeContext {
  readonly keyring: ZigbeeKeyring;
  readonly opener: ZigbeeOpener;

  constructor(config: Config, routes: RouteTable = new RouteTable(DEFAULT_ROUTES)) {
    const z = config.zigbee;
    this.keyring = new ZigbeeKeyring({
      networkKeys: z.network_keys, linkKeys: z.link_keys, installCodes: z.install_codes,
      defaultTcLinkKey: z.default_tc_link_key, maxKeys: z.max_keys, maxAddresses: z.max_addresses,
    });
    this.opener = new ZigbeeOpener(this.keyring, routes);
  }
}
