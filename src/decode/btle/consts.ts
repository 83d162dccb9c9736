/**
 * Bluetooth LE Link Layer constants (Core Spec 5.4 Vol 6 Part B), as data.
 */

/** The advertising physical channel access address (Vol 6 Part B §2.1.2). */
export const ADV_ACCESS_ADDRESS = 0x8e89bed6;
/** CRC initial value on the advertising channels (Vol 6 Part B §3.1.1). */
export const ADV_CRC_INIT = 0x555555;

/** Advertising PDU types (Vol 6 Part B §2.3, Table 2.3). 7 is ADV_EXT_IND on a primary channel and AUX_* on a secondary one. */
export const AdvPduType = {
  ADV_IND: 0, ADV_DIRECT_IND: 1, ADV_NONCONN_IND: 2, SCAN_REQ: 3, SCAN_RSP: 4, CONNECT_IND: 5, ADV_SCAN_IND: 6,
  ADV_EXT_IND: 7, AUX_CONNECT_RSP: 8,
} as const;

export const ADV_PDU_NAMES: readonly string[] = Object.freeze([
  'ADV_IND', 'ADV_DIRECT_IND', 'ADV_NONCONN_IND', 'SCAN_REQ', 'SCAN_RSP', 'CONNECT_IND', 'ADV_SCAN_IND',
  'ADV_EXT_IND', 'AUX_CONNECT_RSP',
]);

/** Names of a type-7 PDU on a secondary channel, as the nRF Sniffer reports them in its flags (dongle-protocols.md §1.6). */
export const AUX_PDU_NAMES: readonly string[] = Object.freeze(['AUX_ADV_IND', 'AUX_CHAIN_IND', 'AUX_SYNC_IND', 'AUX_SCAN_RSP']);

/** Data channel LLID (Vol 6 Part B §2.4): 1 continuation or empty, 2 start of an L2CAP message, 3 LL control. */
export const LLID_CONTINUATION = 1;
export const LLID_L2CAP_START = 2;
export const LLID_CONTROL = 3;

/** LL control opcodes that matter to a passive observer (Vol 6 Part B §2.4.2). */
export const LL_ENC_REQ = 0x03;
export const LL_START_ENC_REQ = 0x05;

/** Advertising address types (Vol 6 Part B §1.3), as in src/telemetry/ident.ts BleAddressType. */
export const ADDR_PUBLIC = 0;
export const ADDR_RANDOM_STATIC = 1;
export const ADDR_RESOLVABLE = 2;
export const ADDR_NON_RESOLVABLE = 3;
/** Random address with the reserved top bits 0b10. */
export const ADDR_RANDOM_RESERVED = 4;

/** Longest legacy advertising payload: AdvA (6) + AdvData (31) (Vol 6 Part B §2.3.1). */
export const LEGACY_ADV_MAX = 37;
/** Longest legacy AdvData (Vol 3 Part C §11). */
export const LEGACY_ADV_DATA_MAX = 31;
