/**
 * Zigbee Cluster Library tables as data (ZCL Revision 8, 07-5123-08):
 * clusters with the attributes the sensor reads, global commands (§2.5),
 * data type lengths (§2.6.2, Table 2-10), Touchlink commands (ZCL §13.3,
 * ZLL 11-0037 §7.1).
 */

export interface AttributeDef {
  readonly id: number;
  readonly name: string;
}

export interface ClusterDef {
  readonly id: number;
  readonly name: string;
  readonly attributes: readonly AttributeDef[];
}

export const CLUSTER_BASIC = 0x0000;
export const CLUSTER_POWER_CONFIG = 0x0001;
export const CLUSTER_TOUCHLINK = 0x1000;
export const CLUSTER_GREEN_POWER = 0x0021;

/** Basic cluster attributes (ZCL §3.2.2.2). */
export const BASIC = {
  zclVersion: 0x0000, applicationVersion: 0x0001, stackVersion: 0x0002, hwVersion: 0x0003,
  manufacturerName: 0x0004, modelIdentifier: 0x0005, dateCode: 0x0006, powerSource: 0x0007, swBuildId: 0x4000,
} as const;

/** Power Configuration battery attributes (ZCL §3.3.2.2.3): voltage in 100 mV, percentage in half percent. */
export const POWER_CONFIG = { batteryVoltage: 0x0020, batteryPercentageRemaining: 0x0021 } as const;

export const CLUSTERS: readonly ClusterDef[] = [
  {
    id: CLUSTER_BASIC, name: 'basic', attributes: [
      { id: 0x0000, name: 'zcl_version' }, { id: 0x0001, name: 'application_version' },
      { id: 0x0002, name: 'stack_version' }, { id: 0x0003, name: 'hw_version' },
      { id: 0x0004, name: 'manufacturer_name' }, { id: 0x0005, name: 'model_identifier' },
      { id: 0x0006, name: 'date_code' }, { id: 0x0007, name: 'power_source' }, { id: 0x4000, name: 'sw_build_id' },
    ],
  },
  {
    id: CLUSTER_POWER_CONFIG, name: 'power_configuration', attributes: [
      { id: 0x0020, name: 'battery_voltage' }, { id: 0x0021, name: 'battery_percentage_remaining' },
    ],
  },
  { id: 0x0003, name: 'identify', attributes: [] },
  { id: 0x0006, name: 'on_off', attributes: [{ id: 0x0000, name: 'on_off' }] },
  { id: 0x0402, name: 'temperature_measurement', attributes: [{ id: 0x0000, name: 'measured_value' }] },
  { id: 0x0406, name: 'occupancy_sensing', attributes: [{ id: 0x0000, name: 'occupancy' }] },
  { id: 0x0500, name: 'ias_zone', attributes: [{ id: 0x0000, name: 'zone_state' }, { id: 0x0001, name: 'zone_type' }] },
  { id: CLUSTER_GREEN_POWER, name: 'green_power', attributes: [] },
  { id: CLUSTER_TOUCHLINK, name: 'touchlink_commissioning', attributes: [] },
];

/** Basic PowerSource values (ZCL §3.2.2.2.8), bit 7 = battery backup. */
export const POWER_SOURCE_NAMES: readonly string[] = [
  'unknown', 'mains_single_phase', 'mains_three_phase', 'battery', 'dc', 'emergency_mains_constant', 'emergency_mains_transfer',
];

/** Global command ids (ZCL §2.5, Table 2-3). */
export const GlobalCommand = {
  readAttributes: 0x00, readAttributesResponse: 0x01, writeAttributes: 0x02, writeAttributesUndivided: 0x03,
  writeAttributesResponse: 0x04, writeAttributesNoResponse: 0x05, configureReporting: 0x06,
  reportAttributes: 0x0a, defaultResponse: 0x0b,
} as const;

/** Touchlink commissioning commands, client to server (ZCL §13.3.2.2) and server to client (§13.3.2.3). */
export const TOUCHLINK_CLIENT_COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x00, 'scan_request'], [0x02, 'device_information_request'], [0x06, 'identify_request'],
  [0x07, 'reset_to_factory_new_request'], [0x10, 'network_start_request'], [0x12, 'network_join_router_request'],
  [0x14, 'network_join_end_device_request'], [0x16, 'network_update_request'],
]);
export const TOUCHLINK_SERVER_COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x01, 'scan_response'], [0x03, 'device_information_response'], [0x11, 'network_start_response'],
  [0x13, 'network_join_router_response'], [0x15, 'network_join_end_device_response'],
]);

/**
 * Fixed value lengths of ZCL data types (Table 2-10); -1 for the string
 * types with a 1-byte length (0x41, 0x42) and -2 for those with a 2-byte
 * length (0x43, 0x44); 0 for the types this reader does not walk
 * (array, structure, set, bag), which end the record list.
 */
export function zclTypeLength(t: number): number {
  if (t >= 0x08 && t <= 0x0f) return t - 0x07;
  if (t === 0x10) return 1;
  if (t >= 0x18 && t <= 0x1f) return t - 0x17;
  if (t >= 0x20 && t <= 0x27) return t - 0x1f;
  if (t >= 0x28 && t <= 0x2f) return t - 0x27;
  if (t === 0x30) return 1;
  if (t === 0x31) return 2;
  if (t === 0x38) return 2;
  if (t === 0x39) return 4;
  if (t === 0x3a) return 8;
  if (t === 0x41 || t === 0x42) return -1;
  if (t === 0x43 || t === 0x44) return -2;
  if (t === 0xe0 || t === 0xe1 || t === 0xe2) return 4;
  if (t === 0xe8 || t === 0xe9) return 2;
  if (t === 0xea) return 4;
  if (t === 0xf0) return 8;
  if (t === 0xf1) return 16;
  return 0;
}

/** Character-string types (ZCL Table 2-10): their values are text. */
export function isCharString(t: number): boolean {
  return t === 0x42 || t === 0x44;
}
