/**
 * Every alert the sensor can raise. Codes are stable: subscribers and SOC
 * rules key on them, so a code is never renamed or reused. The prefix is the
 * analyzer (or protocol) folder that raises it; docs/alerts.md is generated
 * from this table by `node dist/scripts/gen-alert-docs.js`.
 */

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

export const catalogue: readonly AlertDefinition[] = [
  {
    code: 'inventory.new_device',
    id: 1000,
    severity: 'low',
    title: 'New device on the ward network',
    trigger:
      'A MAC address (or, where no link layer is visible, an address inside the site networks) sends its first frame after the learning period (inventory.learning_period_s) has ended. Addresses outside the site networks are remote peers and never raise it.',
    guidance:
      'Check the device against the asset register. A known medical device that was moved is routine; an unknown laptop, phone or single-board computer on a clinical VLAN is not. The alert carries the vendor from the IEEE registry and the source that heard it.',
  },
  {
    code: 'inventory.table_full',
    id: 1001,
    severity: 'medium',
    title: 'Device table full: least recently seen devices evicted',
    trigger:
      'The device table reached inventory.max_devices and evicted a device to make room. Raised once per suppression window; the health stream counts every eviction.',
    guidance:
      'A flood of new MAC addresses (randomised or spoofed) or a SPAN port that carries far more than the ward. Check the health counters and the capture filter; raise max_devices only if the ward really has that many devices.',
  },
  {
    code: 'capture.loss',
    id: 9000,
    severity: 'medium',
    title: 'Capture losing frames: the sensor is not seeing all the traffic',
    trigger:
      'Between two health messages, a live source lost more than capture.loss_alert_share (default 0.001, one frame in a thousand) of the frames offered to it: libpcap\'s "dropped by kernel" (the capture ring buffer was full because the sensor did not read fast enough) plus "dropped by interface" (the adapter or its driver dropped them). The alert carries the window\'s received and dropped counts and the share; the health stream counts every drop (source.<name>.dropped_kernel, source.<name>.dropped_iface) whether or not it alerts.',
    guidance:
      'Until it stops, any absence of an alert or a device on this source is not evidence of absence. Check the sensor\'s CPU load and the traffic rate in the health stream: a SPAN port carrying more than the ward (a whole distribution switch, both directions of a busy uplink) is the usual cause, so narrow the mirror or the capture filter. Kernel drops in bursts point to a slow or overloaded sensor (move to a faster one, or give the capture its own core); interface drops point to the adapter (use a USB 3 port and a supported chipset, see the operations guide).',
  },
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
