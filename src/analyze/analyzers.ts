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
// zigbee (issue 10): 802.15.4 / Zigbee nodes, PANs, keys and alerts.
import { ZigbeeAnalyzer, ZigbeeContext, ZigbeeSightingSource, zigbeeOptions } from './zigbee/index.js';

/** Shared reference data the analyzers need; loaded once by the caller. */
export interface AnalyzerDeps {
  readonly oui: OuiRegistry;
}

/**
 * What protocols and media tell the inventory about devices beyond their
 * addresses (inventory/sighting.ts): one line per source.
 */
export function sightingSources(config: Config, deps?: AnalyzerDeps, zigbee: ZigbeeContext = new ZigbeeContext(config)): SightingSource[] {
  return [
    new ZigbeeSightingSource(zigbee, deps?.oui), // zigbee: 802.15.4 nodes, ZDO and ZCL Basic attributes
  ];
}

export function buildAnalyzers(config: Config, deps: AnalyzerDeps): Analyzer[] {
  const zigbee = new ZigbeeContext(config); // zigbee: one keyring and opener for its sighting source and analyzer
  return [
    new InventoryAnalyzer(inventoryOptions(config), deps.oui, sightingSources(config, deps, zigbee)),
    new ZigbeeAnalyzer(zigbeeOptions(config), zigbee), // zigbee: PANs and alerts 4000-4099
  ];
}
