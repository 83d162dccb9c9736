/**
 * BLE identification rules as data: which advertised services, company
 * ids, names and vendor UUIDs say what kind of device a BLE advertiser is,
 * each with the source that justifies it. Read by src/analyze/ble/sighting.ts,
 * which emits the `class` attribute with this evidence (proto 'ble', field
 * `service 0x180d`, `company 0x...`, `name`); the class engine
 * (src/identify/, classes branch) can take these rows as its BLE rules.
 */
import type { DeviceClassName } from './classes.js';
import { BLE_COMPANIES, BLE_SERVICES } from './bluetooth.js';

export interface BleClassRule {
  /** What must match: a 16-bit or 128-bit service UUID (lowercase hex, no dashes), a company id, or a local-name pattern. */
  readonly service?: string;
  readonly company?: number;
  readonly name?: RegExp;
  readonly class: DeviceClassName;
  /** 1 weak .. 4 certain (src/analyze/inventory/identity.ts). */
  readonly confidence: number;
  /** Why: the specification or observation this rule rests on. */
  readonly source: string;
}

/**
 * Health services of the Bluetooth SIG (Assigned Numbers §3.4; each has its
 * GATT service specification). A device that advertises one is that kind of
 * device; confidence 3 because any device may list any UUID.
 */
export const BLE_HEALTH_SERVICES: readonly BleClassRule[] = [
  { service: '180d', class: 'wearable', confidence: 3, source: 'Heart Rate Service 1.0 (HRS): heart-rate sensors, chest straps' },
  { service: '1810', class: 'wearable', confidence: 3, source: 'Blood Pressure Service 1.1 (BLS): blood pressure cuffs' },
  { service: '1808', class: 'lab-analyzer', confidence: 3, source: 'Glucose Service 1.0 (GLS): point-of-care glucose meters' },
  { service: '1809', class: 'wearable', confidence: 3, source: 'Health Thermometer Service 1.0 (HTS): thermometers' },
  { service: '1822', class: 'wearable', confidence: 3, source: 'Pulse Oximeter Service 1.0 (PLXS)' },
  { service: '181f', class: 'wearable', confidence: 3, source: 'Continuous Glucose Monitoring Service 1.0.1 (CGMS)' },
  { service: '183a', class: 'insulin-pump', confidence: 3, source: 'Insulin Delivery Service 1.0 (IDS): insulin pumps and pens' },
  { service: '181d', class: 'patient-monitor', confidence: 2, source: 'Weight Scale Service 1.0 (WSS); the taxonomy has no scale class' },
  { service: '181b', class: 'patient-monitor', confidence: 2, source: 'Body Composition Service 1.0 (BCS); the taxonomy has no scale class' },
  { service: '1840', class: 'patient-monitor', confidence: 2, source: 'Generic Health Sensor Service 1.0 (GHS), the BLE transport of ISO/IEEE 11073-20601 personal health devices (PHD)' },
];

/** Vendor rules for devices that advertise only vendor data. */
export const BLE_VENDOR_RULES: readonly BleClassRule[] = [
  { name: /^Sense-U/, class: 'wearable', confidence: 2, source: 'Sense-U Baby breathing/temperature monitor: name seen in iotsec-lab/medical babymonitor capture (Mashnoor & Charyyev 2024)' },
  { service: 'ca20', class: 'wearable', confidence: 2, source: 'Sense-U Baby advertises 16-bit UUID 0xCA20 (same capture)' },
  { service: 'fd63', class: 'wearable', confidence: 2, source: 'Fitbit service 0xFD63 (SIG member UUID, Fitbit Inc.); Inspire 2 capture, iotsec-lab/medical' },
  { name: /^Withings BPM/, class: 'wearable', confidence: 2, source: 'Withings BPM Connect blood pressure monitor (iotsec-lab/medical withingsbpm capture)' },
  { name: /^(Polar H\d+|HRM-|TICKR)/, class: 'wearable', confidence: 2, source: 'Heart-rate strap product names (Polar H10, Garmin HRM-, Wahoo TICKR)' },
  { name: /^(iPhone|Galaxy|Pixel)/, class: 'mobile', confidence: 2, source: 'Phone product names' },
];

/** Every rule, health services first. */
export const BLE_RULES: readonly BleClassRule[] = [...BLE_HEALTH_SERVICES, ...BLE_VENDOR_RULES];

/** The first rule an advertiser matches, and the field that matched ('service 0x180d', 'company 0x004c', 'name'). */
export function classifyBle(services: readonly string[], companies: readonly number[], name: string, rules: readonly BleClassRule[] = BLE_RULES): { rule: BleClassRule; field: string } | undefined {
  for (const r of rules) {
    if (r.service !== undefined && services.includes(r.service)) return { rule: r, field: `service 0x${r.service}` };
    if (r.company !== undefined && companies.includes(r.company)) return { rule: r, field: `company 0x${r.company.toString(16).padStart(4, '0')}` };
    if (r.name !== undefined && name !== '' && r.name.test(name)) return { rule: r, field: 'name' };
  }
  return undefined;
}

/** The company name of a manufacturer-data company id (generated tables). */
export function bleCompanyName(id: number): string | undefined {
  return BLE_COMPANIES.get(id);
}

/** A service's name: 16-bit as 4 hex digits, 128-bit as 32 hex digits with or without dashes. */
export function bleServiceName(uuid: string): string | undefined {
  const u = uuid.toLowerCase();
  if (u.length === 32) return BLE_SERVICES.get(`${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`);
  return BLE_SERVICES.get(u);
}

/** Health services (the rule rows) as a set, for the analyzer's medical-device checks. */
export const HEALTH_SERVICE_UUIDS: ReadonlySet<string> = new Set(BLE_HEALTH_SERVICES.map((r) => r.service!));
