/**
 * The nRF Sniffer for 802.15.4 text protocol (nRF Connect SDK sample
 * `802154_sniffer`, dongle-protocols.md §2): Zephyr shell commands ending in
 * CR LF, and `received:` lines.
 */

/** Channels of the 2.4 GHz O-QPSK PHY, page 0 (IEEE 802.15.4-2020 §10.1.3.3): the firmware's `channel <11..26>`. */
export const MIN_CHANNEL = 11;
export const MAX_CHANNEL = 26;

/** CDC-ACM ignores the line speed (§2.1); 115200 is what Kismet sets. */
export const BAUD = 115_200;

/**
 * Everything the source ever writes, one command a line (§2.2, §2.3): stop
 * RX, echo off, query or set the channel, start RX, and an empty line.
 * `bootloader` (reboots the dongle into DFU) is deliberately absent; nothing
 * in this firmware transmits on air (RX runs with auto-ACK off, §2.2).
 */
export const ALLOWED_COMMANDS: readonly RegExp[] = [
  /^sleep$/,
  /^shell echo off$/,
  /^channel$/,
  /^channel (1[1-9]|2[0-6])$/,
  /^receive$/,
  /^$/,
];

export const EOL = '\r\n';

/** Nordic's own regex for a frame line (§2.4), anchored. */
export const RECEIVED_RE = /^received:\s+([0-9a-fA-F]+)\s+power:\s+(-?\d+)\s+lqi:\s+(\d+)\s+time:\s+(-?\d+)$/;
/** The answer to `channel` with no argument: the channel number (`%d`). */
export const CHANNEL_RE = /^(\d{1,2})$/;
/** Shell text the firmware prints, recognised as this firmware talking. */
export const SHELL_RE = /^(invalid number of parameters|.*command not found|sleep|receive|channel( \d+)?|shell echo off)\s*$/;

/** Longest line kept (a 127-byte PSDU is 254 hex digits plus the fields). */
export const MAX_LINE = 512;
/** The PSDU holds at least a frame control, a sequence number and the two FCS-position bytes. */
export const MIN_PSDU = 5;
/** aMaxPhyPacketSize (IEEE 802.15.4-2020 §11.3). */
export const MAX_PSDU = 127;
/** The printed PSDU ends in two bytes where the FCS was, overwritten with RSSI and LQI (§2.4): not an FCS. */
export const TRAILER = 2;
/** LINKTYPE_IEEE802_15_4_NOFCS. */
export const LINKTYPE_NOFCS = 230;
/** Quiet time after `shell echo off` in which earlier output is read and dropped. */
export const DRAIN_MS = 150;
