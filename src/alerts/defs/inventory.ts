/** Alerts of the inventory (ids 1000-1099). */
import type { AlertDefinition } from '../catalogue.js';

export const INVENTORY_ALERTS: readonly AlertDefinition[] = [
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
];
