/**
 * The one list of analyzers, built from the configuration. `iomt-sensor run`
 * (src/agent.ts) and `iomt-sensor replay` (src/analyze/replay.ts) both call
 * it, so an offline replay applies the same caps and options as the agent.
 *
 * Adding an analyzer: its folder, one line below, and its telemetry kinds.
 */
import type { Config } from '../config/index.js';
import type { OuiRegistry } from '../identify/oui.js';
import type { Analyzer } from './types.js';
import { InventoryAnalyzer, inventoryOptions, type SightingSource } from './inventory/index.js';
// BLE (issue 9).
import { BleSightingSource } from './ble/sighting.js';
import { resolverFromConfig } from './ble/options.js';
import { BleAnalyzer, bleAnalyzerOptions } from './ble/index.js';

/** Shared reference data the analyzers need; loaded once by the caller. */
export interface AnalyzerDeps {
  readonly oui: OuiRegistry;
}

/**
 * What protocols and media tell the inventory about devices beyond their
 * addresses (inventory/sighting.ts): one line per source.
 */
export function sightingSources(config: Config, deps?: AnalyzerDeps): SightingSource[] {
  return [
    // BLE (issue 9): advertisers, Device Information, battery, pairing.
    new BleSightingSource({ maxConnections: config.ble.max_connections, maxRandom: config.ble.max_random_shapes, randomAgeS: config.ble.random_age_s, resolver: resolverFromConfig(config), ...(deps ? { oui: deps.oui } : {}) }),
  ];
}

export function buildAnalyzers(config: Config, deps: AnalyzerDeps): Analyzer[] {
  return [
    new InventoryAnalyzer(inventoryOptions(config), deps.oui, sightingSources(config, deps)),
    // BLE (issue 9): floods, spoofing, malformed advertising, weak pairing, cleartext health data, silence.
    new BleAnalyzer(bleAnalyzerOptions(config)),
  ];
}
