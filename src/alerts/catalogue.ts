/**
 * Every alert the sensor can raise. Codes are stable: subscribers and SOC
 * rules key on them, so a code is never renamed or reused. The prefix is the
 * analyzer (or protocol) folder that raises it; docs/alerts.md is generated
 * from this table by `node dist/scripts/gen-alert-docs.js`.
 */

import { INVENTORY_ALERTS } from './defs/inventory.js';
import { CAPTURE_ALERTS } from './defs/capture.js';
import { CREDENTIALS_ALERTS } from './defs/credentials.js';
import { VULNS_ALERTS } from './defs/vulns.js';
import { WIFI_ALERTS } from './defs/wifi.js';
// BLE (issue 9), ids 3000-3099.
import { BLE_ALERTS } from './defs/ble.js';
import { ZIGBEE_ALERTS } from './defs/zigbee.js'; // zigbee: issue 10

/** 0 info, 1 low, 2 medium, 3 high, 4 critical (the telemetry carries the number). */
export const Severity = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;
export type SeverityName = keyof typeof Severity;

export interface AlertDefinition {
  readonly code: string;
  /** Numeric id, unique, in the range reserved for the prefix (inventory 1000-1099, capture 9000-9099, ...). */
  readonly id: number;
  readonly severity: SeverityName;
  readonly title: string;
  /** What makes the sensor raise it. */
  readonly trigger: string;
  /** What the ward's security or clinical engineer should do. */
  readonly guidance: string;
}

/**
 * Every area's alerts, one file per prefix under defs/ (its id range in the
 * file's header). A new area: its file, and one line here.
 */
export const catalogue: readonly AlertDefinition[] = [
  ...INVENTORY_ALERTS, // 1000-1099
  ...CREDENTIALS_ALERTS, // wired protocols (issue 7): 1100-1199
  ...WIFI_ALERTS, // issue 8: 2000-2099
  ...BLE_ALERTS, // issue 9: 3000-3099
  ...ZIGBEE_ALERTS, // issue 10: 4000-4099
  ...VULNS_ALERTS, // issue 12: 6000-6099
  ...CAPTURE_ALERTS, // 9000-9099
];

export class AlertCatalogue {
  private readonly byCode: ReadonlyMap<string, AlertDefinition>;

  constructor(readonly definitions: readonly AlertDefinition[] = catalogue) {
    const m = new Map<string, AlertDefinition>();
    const ids = new Set<number>();
    for (const d of definitions) {
      if (!/^[a-z0-9-]+(\.[a-z0-9_]+)+$/.test(d.code)) throw new Error(`alert code ${d.code}: expected <prefix>.<name> in lower case`);
      if (m.has(d.code)) throw new Error(`alert code ${d.code} is defined twice`);
      if (ids.has(d.id)) throw new Error(`alert id ${d.id} (${d.code}) is used twice`);
      m.set(d.code, d);
      ids.add(d.id);
    }
    this.byCode = m;
  }

  /** The definition of a code, or undefined: analyzers' codes are checked where they are raised (the gate counts unknown ones). */
  find(code: string): AlertDefinition | undefined {
    return this.byCode.get(code);
  }

  get(code: string): AlertDefinition {
    const d = this.byCode.get(code);
    if (d === undefined) {
      throw new Error(`unknown alert code ${code}; known codes: ${[...this.byCode.keys()].join(', ')}`);
    }
    return d;
  }
}
