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
import { VulnsAnalyzer, vulnsOptions } from './vulns/index.js';

/** Shared reference data the analyzers need; loaded once by the caller. */
export interface AnalyzerDeps {
  readonly oui: OuiRegistry;
}

/**
 * What protocols and media tell the inventory about devices beyond their
 * addresses (inventory/sighting.ts): one line per source.
 */
export function sightingSources(_config: Config): SightingSource[] {
  return [];
}

export function buildAnalyzers(config: Config, deps: AnalyzerDeps): Analyzer[] {
  const inventory = new InventoryAnalyzer(inventoryOptions(config), deps.oui, sightingSources(config));
  return [
    inventory,
    // vulns (issue 12): follows the inventory's deltas; the agent hands it the feed (setFeed).
    new VulnsAnalyzer(vulnsOptions(config), inventory),
  ];
}
