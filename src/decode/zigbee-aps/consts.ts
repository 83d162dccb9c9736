/**
 * Zigbee APS constants (Zigbee Specification R22, 05-3474-22, §2.2.5 frame
 * formats, §4.4.10 command frames, Table 4-10 command identifiers).
 */

/** APS frame types (§2.2.5.1.1.1). */
export const ApsFrameType = { data: 0, command: 1, ack: 2, interPan: 3 } as const;
export const APS_FRAME_TYPE_NAMES: readonly string[] = ['data', 'command', 'ack', 'inter-pan'];

/** Delivery modes (§2.2.5.1.1.2). */
export const DeliveryMode = { unicast: 0, indirect: 1, broadcast: 2, group: 3 } as const;

/** APS command identifiers (Table 4-10; 1..4 are the retired SKKE commands). */
export const APS_COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x01, 'skke_1'], [0x02, 'skke_2'], [0x03, 'skke_3'], [0x04, 'skke_4'],
  [0x05, 'transport_key'], [0x06, 'update_device'], [0x07, 'remove_device'], [0x08, 'request_key'],
  [0x09, 'switch_key'], [0x0e, 'tunnel'], [0x0f, 'verify_key'], [0x10, 'confirm_key'],
  [0x11, 'relay_message_downstream'], [0x12, 'relay_message_upstream'],
]);
export const APS_CMD_TRANSPORT_KEY = 0x05;
export const APS_CMD_UPDATE_DEVICE = 0x06;
export const APS_CMD_REQUEST_KEY = 0x08;
export const APS_CMD_SWITCH_KEY = 0x09;

/** Key types of Transport Key and Request Key (§4.4.10.1, Table 4-12). */
export const KeyType = { tcMaster: 0, network: 1, appMaster: 2, appLink: 3, tcLink: 4, highSecurityNetwork: 5 } as const;
export const KEY_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'tc_master'], [1, 'network'], [2, 'app_master'], [3, 'app_link'], [4, 'tc_link'], [5, 'high_security_network'],
]);

/** Profile ids (Zigbee Alliance profile registry, 05-3281; ZLL 11-0037 §4.1). */
export const PROFILE_ZDO = 0x0000;
export const PROFILE_HA = 0x0104;
export const PROFILE_ZLL = 0xc05e;
export const PROFILE_GREEN_POWER = 0xa1e0;
