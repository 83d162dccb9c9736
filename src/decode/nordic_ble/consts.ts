/**
 * nRF Sniffer for Bluetooth LE UART protocol, as data
 * (../shared/reference/dongle-protocols.md §1.4-1.6: Nordic SnifferAPI 4.1.0
 * Types.py, sniffer_uart_protocol.xlsx, Wireshark packet-nordic_ble.c).
 */

/** Packet ids (§1.5). */
export const NordicPacketId = {
  REQ_FOLLOW: 0x00, EVENT_FOLLOW: 0x01, EVENT_PACKET_ADV_PDU: 0x02, EVENT_CONNECT: 0x05,
  EVENT_PACKET_DATA_PDU: 0x06, REQ_SCAN_CONT: 0x07, EVENT_DISCONNECT: 0x09, SET_TEMPORARY_KEY: 0x0c,
  PING_REQ: 0x0d, PING_RESP: 0x0e, SWITCH_BAUD_RATE_REQ: 0x13, SWITCH_BAUD_RATE_RESP: 0x14,
  SET_ADV_CHANNEL_HOP_SEQ: 0x17, SET_PRIVATE_KEY: 0x18, SET_LEGACY_LONG_TERM_KEY: 0x19, SET_SC_LONG_TERM_KEY: 0x1a,
  REQ_VERSION: 0x1b, RESP_VERSION: 0x1c, REQ_TIMESTAMP: 0x1d, RESP_TIMESTAMP: 0x1e, SET_IDENTITY_RESOLVING_KEY: 0x1f,
  GO_IDLE: 0xfe,
} as const;

/** Header: 6 bytes before the packet id's payload (§1.4). */
export const NORDIC_HEADER_LEN = 6;
/** BLE event header after the packet header: HLEN, flags, channel, RSSI, event counter (2), time (4) (§1.6). */
export const NORDIC_EVENT_HEADER_LEN = 10;

/** Event flags (§1.6). */
export const FLAG_CRC_OK = 0x01;
export const FLAG_DIRECTION = 0x02;
export const FLAG_ENCRYPTED = 0x04;
export const FLAG_MIC_OK = 0x08;
/** Advertising PDU (id 0x02) on a secondary channel: the AUX type in bits 1-2. */
export const FLAG_AUX_TYPE_SHIFT = 1;
export const FLAG_ADDRESS_RESOLVED = 0x08;
export const FLAG_PHY_SHIFT = 4;
export const PHY_CODED = 2;

/** Route keys from nordic_ble to the LL packet decoders (routes.ts). */
export const NORDIC_NEXT_LL = 0;
export const NORDIC_NEXT_LL_CODED = 1;
export const NORDIC_NEXT_LL_ENCRYPTED = 2;
