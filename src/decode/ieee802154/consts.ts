/**
 * IEEE 802.15.4 MAC constants as data (IEEE 802.15.4-2020 §7.2, §7.5, §9.4).
 */

/** LINKTYPE values that carry 802.15.4 frames (tcpdump.org/linktypes.html). */
export const LINKTYPE_IEEE802_15_4_WITHFCS = 195;
export const LINKTYPE_IEEE802_15_4_NONASK_PHY = 215;
export const LINKTYPE_IEEE802_15_4_NOFCS = 230;
export const LINKTYPE_IEEE802_15_4_TAP = 283;

/** Frame Type subfield (§7.2.2.2, Table 7-1). */
export const FrameType = {
  beacon: 0, data: 1, ack: 2, command: 3, reserved: 4, multipurpose: 5, fragment: 6, extended: 7,
} as const;
export const FRAME_TYPE_NAMES: readonly string[] = ['beacon', 'data', 'ack', 'command', 'reserved', 'multipurpose', 'fragment', 'extended'];

/** Addressing mode (§7.2.2.9): none, reserved, short (2 bytes), extended (8 bytes). */
export const AddrMode = { none: 0, reserved: 1, short: 2, extended: 3 } as const;
export const ADDR_LEN: readonly number[] = [0, 0, 2, 8];

/** Frame Version subfield (§7.2.2.10). */
export const FrameVersion = { v2003: 0, v2006: 1, v2015: 2 } as const;

/** MIC length by security level (§9.4.2.2, Table 9-6). */
export const MIC_LEN_BY_LEVEL: readonly number[] = [0, 4, 8, 16, 0, 4, 8, 16];

/** Key Identifier field length by Key Identifier Mode (§9.4.2.3, §9.4.4). */
export const KEY_ID_LEN_BY_MODE: readonly number[] = [0, 1, 5, 9];

/** MAC command identifiers (§7.5.1, Table 7-49). */
export const MAC_COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x01, 'association_request'], [0x02, 'association_response'], [0x03, 'disassociation_notification'],
  [0x04, 'data_request'], [0x05, 'pan_id_conflict_notification'], [0x06, 'orphan_notification'],
  [0x07, 'beacon_request'], [0x08, 'coordinator_realignment'], [0x09, 'gts_request'],
  [0x0a, 'trle_management_request'], [0x0b, 'trle_management_response'], [0x13, 'dsme_association_request'],
  [0x20, 'le_rit_data_request'], [0x21, 'dbs_request'], [0x22, 'dbs_response'],
  [0x23, 'rit_data_request'], [0x24, 'rit_data_response'], [0x2f, 'tsch_request'],
]);
export const CMD_ASSOCIATION_REQUEST = 0x01;
export const CMD_ASSOCIATION_RESPONSE = 0x02;
export const CMD_DISASSOCIATION = 0x03;
export const CMD_DATA_REQUEST = 0x04;
export const CMD_PAN_ID_CONFLICT = 0x05;
export const CMD_BEACON_REQUEST = 0x07;
export const CMD_COORDINATOR_REALIGNMENT = 0x08;

/** Header IE element ids that end the header IE list (§7.4.2.18, HT1 and HT2). */
export const HEADER_IE_TERMINATION_1 = 0x7e;
export const HEADER_IE_TERMINATION_2 = 0x7f;
/** Payload IE group id that ends the payload IE list (§7.4.3.3). */
export const PAYLOAD_IE_TERMINATION = 0x0f;

/** What the two trailing bytes of a LINKTYPE 195 frame are. */
export type FcsFormat = 'crc16' | 'ti-cc24xx';

/**
 * 802.15.4 TAP TLV types (github.com/jkcko/ieee802.15.4-tap, "Table of TLVs").
 */
export const TapTlv = {
  fcsType: 0, rss: 1, bitRate: 2, channel: 3, sunPhy: 4, sofTs: 5, eofTs: 6, asn: 7,
  slotStart: 8, timeslotLength: 9, lqi: 10, channelFrequency: 11, channelPlan: 12, phyHeader: 13,
} as const;
