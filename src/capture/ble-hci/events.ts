/**
 * What the controller says back during a passive LE scan, read from the
 * H4 packets an HCI socket delivers (one packet per read, packet indicator
 * first; dongle-protocols.md §5.1), and the few setup commands besides the
 * scan itself (commands.ts). Pure: bytes in, a verdict out, never a throw.
 *
 * - Command Complete (event 0x0E, Core Spec 5.4 Vol 4 Part E §7.7.14) and
 *   Command Status (0x0F, §7.7.15) answer the setup commands.
 * - LE Advertising Report (LE Meta 0x3E subevent 0x02, §7.7.65.2) and LE
 *   Extended Advertising Report (subevent 0x0D, §7.7.65.13) become frames:
 *   the H4 packet behind a LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR (201)
 *   direction word of 1 (received), which src/decode/hci_h4 and hci_evt
 *   already read and the BLE analyzer turns into devices.
 * - Anything else is counted, not believed: a short or inconsistent packet,
 *   a report running past the end of its event.
 */

export const H4_COMMAND = 0x01;
export const H4_EVENT = 0x04;
export const EVT_COMMAND_COMPLETE = 0x0e;
export const EVT_COMMAND_STATUS = 0x0f;
export const EVT_LE_META = 0x3e;
export const LE_ADVERTISING_REPORT = 0x02;
export const LE_EXTENDED_ADVERTISING_REPORT = 0x0d;
export const LINKTYPE_H4_WITH_PHDR = 201;

/** HCI_Reset (OGF 0x03, OCF 0x0003; §7.3.2). Optional: on a raw channel it resets the adapter the kernel also uses. */
export const OP_RESET = 0x0c03;
/** Read_Local_Supported_Commands (OGF 0x04, OCF 0x0002; §7.4.2): 64 octets, one bit per command (§6.27). */
export const OP_READ_LOCAL_SUPPORTED_COMMANDS = 0x1002;

export const resetCommand = (): Uint8Array => Uint8Array.from([H4_COMMAND, OP_RESET & 0xff, OP_RESET >>> 8, 0]);
export const readSupportedCommands = (): Uint8Array => Uint8Array.from([H4_COMMAND, OP_READ_LOCAL_SUPPORTED_COMMANDS & 0xff, OP_READ_LOCAL_SUPPORTED_COMMANDS >>> 8, 0]);

/**
 * Whether the controller has LE Set Extended Scan Parameters (octet 37 bit
 * 5) and LE Set Extended Scan Enable (octet 37 bit 6) in its Supported
 * Commands (§6.27); the Linux kernel's `use_ext_scan()` test
 * (include/net/bluetooth/hci_core.h) reads the same two bits.
 */
export function extendedScanSupported(commands: Uint8Array): boolean {
  const o = commands[37] ?? 0;
  return (o & 0x20) !== 0 && (o & 0x40) !== 0;
}

/**
 * The HCI socket filter for a raw channel (BlueZ `struct hci_filter`, lib/hci.h:
 * type_mask u32, event_mask u32[2], opcode u16, little-endian): events only,
 * and of those Command Complete, Command Status and LE Meta.
 */
export function eventFilter(): Uint8Array {
  const f = new Uint8Array(14);
  const v = new DataView(f.buffer);
  v.setUint32(0, 1 << H4_EVENT, true);
  v.setUint32(4, (1 << EVT_COMMAND_COMPLETE) | (1 << EVT_COMMAND_STATUS), true);
  v.setUint32(8, 1 << (EVT_LE_META - 32), true);
  return f;
}

export type HciVerdict =
  | { readonly kind: 'complete'; readonly opcode: number; readonly status: number; readonly params: Uint8Array }
  | { readonly kind: 'status'; readonly opcode: number; readonly status: number }
  | {
    readonly kind: 'adverts';
    readonly extended: boolean;
    readonly reports: number;
    /** The first report's RSSI in dBm, undefined when 127 (not available). */
    readonly rssi: number | undefined;
  }
  | { readonly kind: 'other' }
  | { readonly kind: 'bad'; readonly code: string; readonly detail: string };

const bad = (code: string, detail: string): HciVerdict => ({ kind: 'bad', code, detail });
const s8 = (b: number): number => (b << 24) >> 24;

/** Walks the reports of an advertising report event; each must end inside the event. */
function adverts(p: Uint8Array, extended: boolean): HciVerdict {
  // p[3] is the subevent, p[4] Num_Reports.
  const n = p[4] ?? 0;
  if (n === 0) return bad('hci.empty_report', 'Num_Reports 0');
  let off = 5;
  let rssi: number | undefined;
  for (let i = 0; i < n; i++) {
    // Legacy: type, address type, address[6], length, data, RSSI (10 + length). Extended: 24 fixed + data.
    const lenAt = extended ? off + 23 : off + 8;
    if (lenAt >= p.length) return bad('hci.truncated_report', `report ${i + 1} of ${n} cut at ${p.length} bytes`);
    const dlen = p[lenAt]!;
    const end = extended ? off + 24 + dlen : off + 10 + dlen;
    if (end > p.length || (!extended && dlen > 31)) return bad('hci.truncated_report', `report ${i + 1} of ${n}: ${dlen} data bytes past the end`);
    const r = s8(extended ? p[off + 13]! : p[end - 1]!);
    if (i === 0 && r !== 127) rssi = r;
    off = end;
  }
  return { kind: 'adverts', extended, reports: n, rssi };
}

/** Reads one H4 packet from the controller. */
export function classify(p: Uint8Array): HciVerdict {
  if (p.length < 3 || p[0] !== H4_EVENT) return p[0] === H4_EVENT ? bad('hci.short_event', `${p.length} bytes`) : { kind: 'other' };
  const code = p[1]!;
  const plen = p[2]!;
  if (plen + 3 !== p.length) return bad('hci.bad_length', `parameter length ${plen}, ${p.length - 3} bytes`);
  switch (code) {
    case EVT_COMMAND_COMPLETE:
      // Num_HCI_Command_Packets, opcode, then the return parameters, status first (§7.7.14).
      if (plen < 4) return bad('hci.short_event', 'Command Complete without a status');
      return { kind: 'complete', opcode: p[4]! | (p[5]! << 8), status: p[6]!, params: p.subarray(7) };
    case EVT_COMMAND_STATUS:
      if (plen < 4) return bad('hci.short_event', 'Command Status too short');
      return { kind: 'status', status: p[3]!, opcode: p[5]! | (p[6]! << 8) };
    case EVT_LE_META:
      if (p[3] === LE_ADVERTISING_REPORT) return adverts(p, false);
      if (p[3] === LE_EXTENDED_ADVERTISING_REPORT) return adverts(p, true);
      return { kind: 'other' };
    default:
      return { kind: 'other' };
  }
}

/** An H4 packet as a LINKTYPE 201 record body: direction 1 (controller to host), big-endian, then the packet. */
export function h4Record(p: Uint8Array): Uint8Array {
  const out = new Uint8Array(p.length + 4);
  out[3] = 1;
  out.set(p, 4);
  return out;
}

/** Opcodes the ble-hci source may ever write; everything else is a bug (and a test failure). */
export const ALLOWED_OPCODES: ReadonlySet<number> = new Set([OP_RESET, OP_READ_LOCAL_SUPPORTED_COMMANDS, 0x200b, 0x200c, 0x2041, 0x2042]);
