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
  // Device-class engine (issue 7, src/analyze/inventory/classify.ts).
  {
    code: 'inventory.class_changed',
    id: 1002,
    severity: 'high',
    title: 'Device class changed: another device behind a known address, or a spoof',
    trigger:
      'The class engine had classified the device with strong confidence (3 or more) and now, from new fingerprint facts (a different DHCP vendor class, option 55 order, hostname, sysDescr ...), classifies it as another class with at least medium confidence. The first classification of a device never raises it. Facts: from, to, the rules behind each, and the new confidence.',
    guidance:
      'Run `iomt-sensor inventory --explain DEVICE` to see the rules and facts behind the old and new class. An infusion pump that turns into a Windows workstation is a different machine using the pump\'s MAC address: find the switch port (LLDP/CDP), check the asset register, and isolate it if nobody expected the change. A device re-imaged by biomedical engineering is routine; note it.',
  },
];
