/**
 * `ble-hci`: a passive LE scan on the gateway's own Bluetooth controller
 * (hciN) through an HCI socket (dongle-protocols.md §5; issue 9).
 *
 * The binding (`@stoprocent/bluetooth-hci-socket`, an optional dependency)
 * is loaded lazily when the source opens, so the agent starts on a machine
 * without Bluetooth, without the package, or without the capability, and
 * the source reports `retrying` with a doubling backoff and the reason.
 *
 * Per opening: bind the raw channel (shared with the kernel) or the user
 * channel (exclusive: the adapter down, bluetoothd off), set the event
 * filter, optionally HCI_Reset, read the supported commands to choose
 * legacy or extended scanning (events.ts), then the passive scan of
 * commands.ts, each command waiting for its Command Complete. Every byte
 * written goes through `send`, which refuses an opcode outside
 * ALLOWED_OPCODES. Advertising report events leave as LINKTYPE 201 frames.
 * On abort the scan is disabled before the socket stops.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureSource, RawFrame, SourceEvents } from '../types.js';
import { hostTime } from '../serial/dongle.js';
import { loadHciBinding, passiveScanCommands, stopScanCommand, type BindingLoad } from './commands.js';
import { ALLOWED_OPCODES, classify, eventFilter, extendedScanSupported, h4Record, LINKTYPE_H4_WITH_PHDR, readSupportedCommands, resetCommand, type HciVerdict } from './events.js';

/** The part of the binding's BluetoothHciSocket this source uses (its index.d.ts). */
export interface HciSocketLike {
  on(event: 'data', cb: (data: Buffer) => void): unknown;
  on(event: 'error', cb: (error: NodeJS.ErrnoException) => void): unknown;
  removeAllListeners(event?: string): unknown;
  bindRaw(devId: number): number | undefined;
  bindUser(devId: number): number | undefined;
  isDevUp(): boolean;
  setFilter(filter: Buffer): void;
  start(): void;
  stop(): void;
  write(data: Buffer): void;
}

export interface BleHciOptions {
  readonly name: string;
  /** hciN: the adapter index. */
  readonly device: number;
  /** `raw`: HCI_CHANNEL_RAW, shared with the kernel (CAP_NET_RAW); `user`: HCI_CHANNEL_USER, exclusive (CAP_NET_ADMIN). */
  readonly channel: 'raw' | 'user';
  /** `auto`: extended scanning when the controller lists both extended scan commands. */
  readonly extended: 'auto' | boolean;
  readonly reset: boolean;
  /** Scan interval and window in 0.625 ms units. */
  readonly interval: number;
  readonly window: number;
  readonly answerTimeoutMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** Tests: where the socket class comes from (default: the lazily loaded binding). */
  readonly load?: () => Promise<BindingLoad>;
}

/** Frames waiting for the consumer; beyond this the oldest are dropped and counted. */
export const MAX_PENDING = 4096;

const hex4 = (op: number): string => `0x${op.toString(16).padStart(4, '0')}`;

type SocketClass = new () => HciSocketLike;

function socketClass(mod: unknown): SocketClass | undefined {
  const m = mod as { default?: unknown; BluetoothHciSocket?: unknown };
  const c = typeof m.default === 'function' ? m.default : typeof m === 'function' ? m : m.BluetoothHciSocket;
  return typeof c === 'function' ? (c as SocketClass) : undefined;
}

/** Why binding failed, for the operator. */
export function explainBindError(device: number, channel: string, e: NodeJS.ErrnoException | Error): string {
  const m = e.message;
  if (/address family not supported/i.test(m) || (e as NodeJS.ErrnoException).code === 'EAFNOSUPPORT') {
    return `hci${device}: ${m}: this kernel has no Bluetooth sockets (AF_BLUETOOTH); the ble-hci source is unavailable here`;
  }
  if (/operation not permitted|permission denied/i.test(m)) return `hci${device}: ${m}: the ${channel} channel needs ${channel === 'user' ? 'CAP_NET_ADMIN' : 'CAP_NET_RAW'} (docs/operations.md)`;
  if (/no such device/i.test(m)) return `hci${device}: ${m}: no such adapter (hciconfig / btmgmt info lists them)`;
  if (/busy/i.test(m)) return `hci${device}: ${m}: the user channel needs the adapter down and bluetoothd not using it`;
  return `hci${device}: ${m}`;
}

export class BleHciSource implements CaptureSource {
  readonly name: string;
  /** Openings that got as far as a running scan. */
  starts = 0;
  /** Every packet written to a socket, in order (the allow-list test reads them). */
  readonly written: Uint8Array[] = [];
  constructor(private readonly o: BleHciOptions) {
    this.name = o.name;
  }

  open(signal: AbortSignal, events: SourceEvents): AsyncIterable<readonly RawFrame[]> {
    return this.run(signal, events);
  }

  private async *run(signal: AbortSignal, events: SourceEvents): AsyncGenerator<readonly RawFrame[], void, undefined> {
    let delay = this.o.backoff.initialMs;
    events.state('starting', `passive LE scan on hci${this.o.device}`);
    while (!signal.aborted) {
      const why = yield* this.session(signal, events);
      if (signal.aborted) break;
      if (why === 'ran') delay = this.o.backoff.initialMs;
      events.state('retrying', `${why === 'ran' ? 'scan stopped' : why}; retrying in ${delay} ms`);
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        break;
      }
      delay = Math.min(delay * 2, this.o.backoff.maxMs);
    }
    events.state('ended', 'aborted');
  }

  private send(sock: HciSocketLike, p: Uint8Array): void {
    const op = p[1]! | (p[2]! << 8);
    // The last line of defence: a command outside the passive-scan set is never written.
    if (p[0] !== 0x01 || !ALLOWED_OPCODES.has(op)) throw new Error(`refusing to send HCI opcode ${hex4(op)}`);
    this.written.push(Uint8Array.from(p));
    sock.write(Buffer.from(p));
  }

  private async *session(signal: AbortSignal, events: SourceEvents): AsyncGenerator<readonly RawFrame[], string, undefined> {
    const o = this.o;
    const loaded = await (o.load ?? loadHciBinding)();
    if (!loaded.ok) return loaded.reason;
    const Cls = socketClass(loaded.module);
    if (Cls === undefined) return 'the HCI socket binding has no BluetoothHciSocket class; the ble-hci source is unavailable';
    let sock: HciSocketLike;
    try {
      sock = new Cls();
    } catch (err) {
      return explainBindError(o.device, o.channel, err as Error);
    }
    const pending: RawFrame[] = [];
    let failed: string | undefined;
    let wake: (() => void) | undefined;
    let waiter: { op: number; resolve: (v: HciVerdict) => void } | undefined;
    const poke = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    sock.on('error', (e) => {
      failed ??= explainBindError(o.device, o.channel, e);
      poke();
    });
    sock.on('data', (data) => {
      const v = classify(data);
      if (v.kind === 'bad') {
        events.anomaly({ code: v.code, offset: 0, detail: v.detail });
        return;
      }
      if ((v.kind === 'complete' || v.kind === 'status') && waiter !== undefined && v.opcode === waiter.op) {
        const w = waiter;
        waiter = undefined;
        w.resolve(v);
        return;
      }
      if (v.kind !== 'adverts') return;
      const bytes = h4Record(data);
      if (pending.length >= MAX_PENDING) {
        pending.shift();
        events.anomaly({ code: 'hci.queue_overflow', offset: 0 });
      }
      pending.push({ ...hostTime(), source: o.name, linkType: LINKTYPE_H4_WITH_PHDR, bytes, origLen: bytes.length, meta: v.rssi === undefined ? {} : { rssi: v.rssi } });
      poke();
    });
    const command = async (p: Uint8Array, what: string): Promise<Uint8Array> => {
      const op = p[1]! | (p[2]! << 8);
      const answer = new Promise<HciVerdict | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), o.answerTimeoutMs);
        waiter = { op, resolve: (v) => { clearTimeout(timer); resolve(v); } };
      });
      this.send(sock, p);
      const v = await answer;
      if (failed !== undefined) throw new Error(failed);
      if (v === undefined) throw new Error(`hci${o.device} did not answer ${what} (${hex4(op)}) within ${o.answerTimeoutMs} ms`);
      if (v.kind !== 'complete' && v.kind !== 'status') throw new Error(`unexpected answer to ${what}`);
      if (v.status !== 0) throw new Error(`hci${o.device} refused ${what} (${hex4(op)}): status 0x${v.status.toString(16).padStart(2, '0')} (Core Spec Vol 1 Part F)`);
      return v.kind === 'complete' ? v.params : new Uint8Array(0);
    };
    let scanning = false;
    let extended = false;
    try {
      try {
        if (o.channel === 'user') sock.bindUser(o.device);
        else sock.bindRaw(o.device);
      } catch (err) {
        return explainBindError(o.device, o.channel, err as Error);
      }
      // The binding reports a failed bind through 'error' (synchronously, from bind).
      if (failed !== undefined) return failed;
      if (o.channel === 'raw' && !sock.isDevUp()) return `hci${o.device} is down: bring it up (btmgmt power on) or use channel: user`;
      if (o.channel === 'raw') sock.setFilter(Buffer.from(eventFilter()));
      sock.start();
      try {
        if (o.reset) await command(resetCommand(), 'HCI_Reset');
        const supported = await command(readSupportedCommands(), 'Read_Local_Supported_Commands');
        extended = o.extended === 'auto' ? extendedScanSupported(supported) : o.extended;
        if (o.extended === true && !extendedScanSupported(supported)) return `hci${o.device} does not support extended scanning (Supported Commands octet 37 bits 5-6); set extended: auto`;
        for (const c of passiveScanCommands({ extended, interval: o.interval, window: o.window })) {
          const op = c[1]! | (c[2]! << 8);
          await command(c, op === 0x200b || op === 0x2041 ? 'LE Set Scan Parameters (passive)' : 'LE Set Scan Enable');
        }
      } catch (err) {
        return (err as Error).message;
      }
      scanning = true;
      this.starts++;
      events.state('running', `passive LE scan on hci${o.device} (${o.channel} channel, ${extended ? 'extended' : 'legacy'} reports, duplicates reported)`);
      while (!signal.aborted && failed === undefined) {
        if (pending.length === 0) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              signal.removeEventListener('abort', done);
              resolve();
            };
            wake = done;
            signal.addEventListener('abort', done, { once: true });
          });
        }
        if (pending.length > 0) yield pending.splice(0, pending.length);
      }
      return failed ?? 'aborted';
    } finally {
      if (scanning && failed === undefined) {
        try {
          this.send(sock, stopScanCommand(extended));
        } catch {
          // The socket is going away anyway.
        }
      }
      try {
        sock.stop();
      } catch {
        // Stopping a socket that never bound.
      }
      // The error listener stays: an EventEmitter 'error' with none would throw out of the binding.
      sock.removeAllListeners('data');
    }
  }
}

/** The BLE capture helper unit that scans on hci<device> (systemd/iomt-sensor-ble@.service). */
export function bleUnit(device: number): string {
  return `iomt-sensor-ble@hci${device}.service`;
}

/** The EnvironmentFile= the agent writes for that unit: the scan settings of `iomt-sensor ble-capture`. */
export function bleHelperEnv(o: Pick<BleHciOptions, 'channel' | 'extended' | 'reset' | 'interval' | 'window'>): string {
  return `CHANNEL=${o.channel}\nEXTENDED=${String(o.extended)}\nINTERVAL=${o.interval}\nWINDOW=${o.window}\nRESET=${o.reset ? '--reset' : ''}\n`;
}

export function bleHciSource(o: BleHciOptions): BleHciSource {
  return new BleHciSource(o);
}
