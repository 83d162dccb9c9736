/**
 * Zigbee NWK layer constants (Zigbee Specification R22, 05-3474-22,
 * §3.3.1 frame format, §3.4 command frames, §4.5.1 auxiliary header).
 */

/** NWK frame types (§3.3.1.1.1). */
export const NwkFrameType = { data: 0, command: 1, reserved: 2, interPan: 3 } as const;
export const NWK_FRAME_TYPE_NAMES: readonly string[] = ['data', 'command', 'reserved', 'inter-pan'];

/** NWK command identifiers (§3.4, Table 3-40). */
export const NWK_COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x01, 'route_request'], [0x02, 'route_reply'], [0x03, 'network_status'], [0x04, 'leave'],
  [0x05, 'route_record'], [0x06, 'rejoin_request'], [0x07, 'rejoin_response'], [0x08, 'link_status'],
  [0x09, 'network_report'], [0x0a, 'network_update'], [0x0b, 'end_device_timeout_request'],
  [0x0c, 'end_device_timeout_response'], [0x0d, 'link_power_delta'],
]);
export const NWK_CMD_LEAVE = 0x04;
export const NWK_CMD_REJOIN_REQUEST = 0x06;
export const NWK_CMD_REJOIN_RESPONSE = 0x07;
export const NWK_CMD_LINK_STATUS = 0x08;

/** Key Identifier of the auxiliary security header (§4.5.1.1.2, Table 4-27). */
export const KeyId = { data: 0, network: 1, keyTransport: 2, keyLoad: 3 } as const;

/** The security level every Zigbee PRO frame really uses, whatever the header says (§4.3.1.1, nwkSecurityLevel = 5). */
export const ZIGBEE_SECURITY_LEVEL = 5;
