/**
 * The HCI commands of a passive LE scan (../shared/reference/dongle-protocols.md
 * §5.2; Core Spec 5.4 Vol 4 Part E §7.8.10, §7.8.11, §7.8.64, §7.8.65), as
 * H4 packets (`01 | opcode LE16 | plen | params`). This is the scan the
 * ble-hci source (index.ts) starts and stops: scan type 0x00 (passive, so
 * the controller never sends a SCAN_REQ), duplicate filtering off (every
 * advertisement is reported, RSSI included), and the matching stop. The
 * only other commands it sends, HCI_Reset and Read_Local_Supported_Commands,
 * are in events.ts; ALLOWED_OPCODES there lists all of them.
 */

export const OP_LE_SET_SCAN_PARAMETERS = 0x200b;
export const OP_LE_SET_SCAN_ENABLE = 0x200c;
export const OP_LE_SET_EXTENDED_SCAN_PARAMETERS = 0x2041;
export const OP_LE_SET_EXTENDED_SCAN_ENABLE = 0x2042;
export const SCAN_TYPE_PASSIVE = 0x00;

export interface ScanOptions {
  /** Extended scanning (LE Set Extended Scan Parameters/Enable), for controllers and reports of Bluetooth 5. */
  readonly extended?: boolean;
  /** Interval and window in 0.625 ms units (Vol 4 Part E §7.8.10: 0x0004..0x4000); BlueZ's default 0x0010. */
  readonly interval?: number;
  readonly window?: number;
  /** Also scan the LE Coded PHY (extended only). */
  readonly coded?: boolean;
}

function cmd(opcode: number, params: readonly number[]): Uint8Array {
  return Uint8Array.from([0x01, opcode & 0xff, opcode >>> 8, params.length, ...params]);
}

const le16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];

/** The commands that start a passive scan, in order. */
export function passiveScanCommands(o: ScanOptions = {}): Uint8Array[] {
  const interval = o.interval ?? 0x0010;
  const window = o.window ?? interval;
  if (window > interval) throw new RangeError(`scan window ${window} is longer than the interval ${interval}`);
  if (o.extended !== true) {
    return [
      // Scan type passive, interval, window, own address public, accept all advertisements.
      cmd(OP_LE_SET_SCAN_PARAMETERS, [SCAN_TYPE_PASSIVE, ...le16(interval), ...le16(window), 0x00, 0x00]),
      // Enable, duplicates NOT filtered: every advertisement is reported.
      cmd(OP_LE_SET_SCAN_ENABLE, [0x01, 0x00]),
    ];
  }
  const phys = o.coded === true ? 0x05 : 0x01;
  const perPhy = [SCAN_TYPE_PASSIVE, ...le16(interval), ...le16(window)];
  return [
    cmd(OP_LE_SET_EXTENDED_SCAN_PARAMETERS, [0x00, 0x00, phys, ...perPhy, ...(o.coded === true ? perPhy : [])]),
    cmd(OP_LE_SET_EXTENDED_SCAN_ENABLE, [0x01, 0x00, 0x00, 0x00, 0x00, 0x00]),
  ];
}

/** The command that stops the scan. */
export function stopScanCommand(extended = false): Uint8Array {
  return extended ? cmd(OP_LE_SET_EXTENDED_SCAN_ENABLE, [0x00, 0x00, 0x00, 0x00, 0x00, 0x00]) : cmd(OP_LE_SET_SCAN_ENABLE, [0x00, 0x00]);
}

/** What loading the HCI socket binding gave: the module, or why the source is unavailable. */
export type BindingLoad = { readonly ok: true; readonly module: unknown } | { readonly ok: false; readonly reason: string };

/**
 * Loads the binding lazily (`@stoprocent/bluetooth-hci-socket`), so the
 * agent starts on a machine without Bluetooth or without the package and
 * reports the source as unavailable instead of failing at import.
 */
export async function loadHciBinding(name = '@stoprocent/bluetooth-hci-socket'): Promise<BindingLoad> {
  try {
    return { ok: true, module: (await import(name)) as unknown };
  } catch (err) {
    return { ok: false, reason: `${name} cannot be loaded (${(err as Error).message.split('\n')[0]}); the ble-hci source is unavailable` };
  }
}
