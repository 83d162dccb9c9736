/**
 * The radio capture sources' config: serial sniffer dongles
 * (src/capture/serial, issues 9 and 10) and the passive HCI scan
 * (src/capture/ble-hci). Part of schema.ts's source union.
 */
import { z } from 'zod';
import { backoff, segment as sourceName } from './primitives.js';

/** Keys every serial sniffer dongle shares (src/capture/serial/dongle.ts). */
const dongleKeys = {
  name: sourceName,
  /** The serial device; best a stable /dev/serial/by-id/ link. */
  path: z.string().regex(/^\/[^\0]*$/, 'expected an absolute path such as /dev/serial/by-id/usb-...').max(4096),
  /** `tty`: the kernel tty driver through stty (built in); `serialport`: the serialport npm package. */
  driver: z.enum(['tty', 'serialport']).default('tty'),
  /** Send a keep-alive after this long without a byte from the dongle. */
  probe_after_ms: z.number().int().min(200).max(600_000).default(10_000),
  /** The dongle is declared silent (and reopened) when the keep-alive gets no answer within this. */
  probe_timeout_ms: z.number().int().min(100).max(60_000).default(3000),
  /** Wait for each answer of the start sequence. */
  answer_timeout_ms: z.number().int().min(50).max(10_000).default(1000),
  backoff: backoff.default({ initial_ms: 1000, max_ms: 60_000 }),
};

/** IEEE 802.15.4 channels of the 2.4 GHz O-QPSK PHY (IEEE 802.15.4-2020 §10.1.3.3). */
const channel802154 = z.number().int().min(11).max(26);
const ieee802154Keys = {
  channel: channel802154.default(11),
  /** Channels to hop over, in order; absent: stay on `channel`. */
  hop: z.array(channel802154).min(2).max(16).optional(),
  /** Dwell per channel when hopping. */
  hop_ms: z.number().int().min(100).max(3_600_000).default(2000),
};

export const nrf802154Source = z.strictObject({
  type: z.literal('nrf802154-serial'),
  ...dongleKeys,
  ...ieee802154Keys,
});

export const tiSnifferSource = z.strictObject({
  type: z.literal('ti-sniffer-serial'),
  ...dongleKeys,
  ...ieee802154Keys,
  /** UART speed; `auto` probes 3000000 then 921600 (dongle-protocols.md §3.1). */
  baud: z.union([z.literal('auto'), z.literal(921_600), z.literal(3_000_000)], { error: 'expected auto, 921600 or 3000000' }).default('auto'),
  /** Index of IEEE 802.15.4 in the board's PHY table: 18 (0x12) on CC1352P/P7 firmware 1.10. */
  phy: z.number().int().min(0).max(63).default(0x12),
});

export const nrfBleSource = z.strictObject({
  type: z.literal('nrf-ble-serial'),
  ...dongleKeys,
  /** UART speed; `auto` probes 1000000 then 460800 (dongle-protocols.md §1.2). */
  baud: z.union([z.literal('auto'), z.literal(1_000_000), z.literal(460_800)], { error: 'expected auto, 1000000 or 460800' }).default('auto'),
  /** Advertising channels to hop over; one pins the sniffer to it. */
  adv_channels: z.array(z.number().int().min(37).max(39)).min(1).max(3)
    .refine((a) => new Set(a).size === a.length, 'expected each of 37, 38, 39 at most once').default([37, 38, 39]),
  /** Devices whose connections the sniffer may follow (it follows the first one seen advertising connectably). */
  follow: z.array(z.strictObject({
    address: z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/, 'expected a Bluetooth address such as D8:DA:D3:27:03:FD'),
    random: z.boolean().default(false),
  })).max(16).default([]),
});

/** A passive LE scan on the gateway's own controller over an HCI socket (src/capture/ble-hci). */
export const bleHciSource = z.strictObject({
  type: z.literal('ble-hci'),
  name: sourceName,
  /** The adapter index N of hciN. */
  device: z.number().int().min(0).max(63).default(0),
  /** raw: shared with the kernel and bluetoothd (CAP_NET_RAW); user: exclusive, adapter down (CAP_NET_ADMIN). */
  channel: z.enum(['raw', 'user']).default('raw'),
  /** Extended advertising reports (Bluetooth 5): auto uses them when the controller lists the commands. */
  extended: z.union([z.literal('auto'), z.boolean()], { error: 'expected auto, true or false' }).default('auto'),
  /** Send HCI_Reset first (user channel only advisable: on raw it resets the adapter under the kernel). */
  reset: z.boolean().default(false),
  /** Scan interval and window in 0.625 ms units (Core Spec Vol 4 Part E §7.8.10: 0x0004..0x4000). */
  interval: z.number().int().min(4).max(0x4000).default(0x10),
  window: z.number().int().min(4).max(0x4000).optional(),
  answer_timeout_ms: z.number().int().min(50).max(10_000).default(1000),
  backoff: backoff.default({ initial_ms: 1000, max_ms: 60_000 }),
  /**
   * `direct`: the agent opens the HCI socket itself (needs the capability).
   * `helper`: iomt-sensor-ble@hci<device>.service scans (`iomt-sensor
   * ble-capture`) and connects to a socket the agent listens on.
   */
  via: z.enum(['direct', 'helper']).default('direct'),
  /** `via: helper`: directory holding capture/hci<device>.sock; as for pcap-live. */
  runtime_dir: z.string().regex(/^\/[^\0]*$/, 'expected an absolute path').max(4000).optional(),
}).refine((s) => s.window === undefined || s.window <= s.interval, { message: 'expected a window no longer than the interval', path: ['window'] });
