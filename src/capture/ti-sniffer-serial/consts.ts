/**
 * TI SmartRF Packet Sniffer 2 firmware (CC13xx/CC26xx LaunchPads, boards
 * such as the Sonoff ZBDongle-P flashed with it): its binary framed
 * protocol, dongle-protocols.md §3 (TI `general_packet.h`,
 * `command_packet.h`, `data_packet.h`, `packet_handler.c`).
 */

export const SOF0 = 0x40;
export const SOF1 = 0x53;
export const EOF0 = 0x40;
export const EOF1 = 0x45;

/** PacketInfo bits 7-6 (§3.2). */
export const CATEGORY_COMMAND = 1;
export const CATEGORY_RESPONSE = 2;
export const CATEGORY_DATA = 3;

export const Cmd = {
  PING: 0x40,
  START: 0x41,
  STOP: 0x42,
  CFG_FREQUENCY: 0x45,
  CFG_PHY: 0x47,
} as const;

export const INFO_RESPONSE = 0x80;
export const INFO_DATA = 0xc0;
export const INFO_ERROR = 0xc1;

/**
 * The only PacketInfo values the source ever sends (§3.3): PING, START,
 * STOP, CFG_FREQUENCY and CFG_PHY. Left out on purpose: 0x60 TEST
 * TRANSMIT_SEQUENCE (transmits), 0x70 CFG_BLE_INITIATOR_ADDR (makes the BLE
 * link layer initiate connections), 0x50 (wBMS), and 0x43/0x44 PAUSE/RESUME
 * (not implemented by the firmware).
 */
export const ALLOWED_COMMANDS: ReadonlySet<number> = new Set([Cmd.PING, Cmd.START, Cmd.STOP, Cmd.CFG_FREQUENCY, Cmd.CFG_PHY]);

/** Command-response status byte (§3.3). */
export const STATUS_NAMES: readonly string[] = ['ok', 'timed out', 'FCS failed', 'invalid command', 'invalid state', 'invalid parameter'];

/**
 * The TI doc and TI's firmware source say 921 600; bsniffhub and tuxniffer
 * use 3 000 000 (§3.1, §7). Probed in the order the reference recommends.
 */
export const BAUDS: readonly number[] = [3_000_000, 921_600];

/** PHY index of IEEE 802.15.4 2.4 GHz O-QPSK on CC1352P/P7 firmware 1.10 (§3.3; other boards differ). */
export const PHY_IEEE_802154_CC1352P = 0x12;

/** Channel centre frequency, IEEE 802.15.4-2020 §10.1.3.3: 2405 + 5 (k - 11) MHz for k = 11..26. */
export function channelMhz(channel: number): number {
  return 2405 + 5 * (channel - 11);
}

/** Largest payload a packet may announce (§3.2). */
export const MAX_PAYLOAD = 2049;
/** Data payload: 6-byte timestamp, PHR, MPDU (with its 2-byte FCS), RSSI, status (§3.4). */
export const TIMESTAMP_LEN = 6;
/** Status bit 7: CRC OK (§3.4). */
export const STATUS_CRC_OK = 0x80;
/** PING response payload length: status, chip id, chip rev, fw id, fw rev (§3.3). */
export const PING_RESPONSE_LEN = 7;
/** Error packet code 0x01: RX buffer overflow (§3.4). */
export const ERROR_RX_OVERFLOW = 0x01;
/** LINKTYPE_IEEE802_15_4_WITHFCS. */
export const LINKTYPE_WITHFCS = 195;

/** FCS of a command or response: (PacketInfo + length bytes + payload) & 0xFF (§3.2). */
export function fcs(info: number, payload: Uint8Array): number {
  let s = info + (payload.length & 0xff) + (payload.length >> 8);
  for (const b of payload) s += b;
  return s & 0xff;
}

/** A command frame: SOF, info, LE16 length, payload, FCS, EOF. */
export function commandFrame(info: number, payload: ArrayLike<number> = []): Uint8Array {
  const p = Uint8Array.from(payload);
  return Uint8Array.from([SOF0, SOF1, info, p.length & 0xff, p.length >> 8, ...p, fcs(info, p), EOF0, EOF1]);
}

/** CFG_FREQUENCY payload: MHz LE16, then the fraction (x/65536) LE16 (§3.3). */
export function frequencyPayload(channel: number): number[] {
  const mhz = channelMhz(channel);
  return [mhz & 0xff, mhz >> 8, 0, 0];
}
