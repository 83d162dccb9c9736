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
// Wi-Fi (issue 8).
import { WifiAnalyzer, WifiSightingSource, wifiOptions } from './wifi/index.js';
import { deviceClass } from '../identify/classes.js';

/** Shared reference data the analyzers need; loaded once by the caller. */
export interface AnalyzerDeps {
  readonly oui: OuiRegistry;
}

/**
 * What protocols and media tell the inventory about devices beyond their
 * addresses (inventory/sighting.ts): one line per source.
 */
export function sightingSources(_config: Config): SightingSource[] {
  return [
    new WifiSightingSource(), // wifi: access points and stations from 802.11 management and data frames
  ];
}

export function buildAnalyzers(config: Config, deps: AnalyzerDeps): Analyzer[] {
  const inventory = new InventoryAnalyzer(inventoryOptions(config), deps.oui, sightingSources(config));
  return [
    inventory,
    // wifi: reads device classes from the inventory (read-only) for the medical-device alerts.
    new WifiAnalyzer(wifiOptions(config), (mac) => deviceClass(inventory.attributeOfMac(mac, 'class') ?? '')?.medical === true),
  ];
}
