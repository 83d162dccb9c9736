/**
 * The serial port under every sniffer-dongle source: open, set the line,
 * read, write, close. One small interface, two back ends:
 *
 * - `tty` (the default): the kernel's tty driver straight from Node. The line
 *   is set with stty(1) (raw, no echo, the baud rate, RTS/CTS on or off), the
 *   device is opened O_RDWR|O_NOCTTY|O_NONBLOCK and read through Node's own
 *   tty stream (libuv polls it, no thread blocks). Opening a tty whose speed
 *   is not B0 raises DTR and RTS (Linux drivers/tty/tty_port.c,
 *   tty_port_block_til_ready -> tty_port_raise_dtr_rts), which is what the
 *   nRF 802.15.4 shell waits for (dongle-protocols.md §2.1); HUPCL stays on,
 *   so closing drops DTR again.
 * - `serialport`: the `serialport` npm package, loaded lazily when the config
 *   asks for it, which sets DTR explicitly through its ioctl binding.
 *
 * Nothing here interprets the bytes: the dongle drivers do.
 */
import { execFile } from 'node:child_process';
import { constants, openSync, closeSync, statSync } from 'node:fs';
import { isatty, ReadStream } from 'node:tty';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type SerialDriver = 'tty' | 'serialport';

export interface SerialOptions {
  readonly path: string;
  readonly baud: number;
  /** Hardware flow control (the nRF Sniffer for BLE host opens with rtscts=True, §1.2). */
  readonly rtscts: boolean;
  readonly driver?: SerialDriver;
}

/** An open port. `onData` and `onClose` are set once, before the first byte can arrive. */
export interface SerialLink {
  readonly path: string;
  onData(cb: (chunk: Buffer) => void): void;
  /** The port went away (unplugged, EIO) or was closed; `why` says which. */
  onClose(cb: (why: string) => void): void;
  write(bytes: Uint8Array): Promise<void>;
  setBaud(baud: number): Promise<void>;
  close(): void;
}

/** Why a port could not be opened, phrased for the operator. */
export class SerialOpenError extends Error {}

function explain(path: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return `serial port ${path} does not exist: is the dongle plugged in, and is the path (better a /dev/serial/by-id/ link) right?`;
    case 'EACCES':
    case 'EPERM': return `no permission to open ${path}: add the sensor's user to the dialout group or install the udev rule in docs/operations.md`;
    case 'EBUSY': return `${path} is busy: another program (ModemManager, a second sensor) holds it`;
    case 'EIO':
    case 'ENXIO':
    case 'ENODEV': return `${path} went away while opening it (unplugged?)`;
    default: return `cannot open ${path}: ${err.message}`;
  }
}

/** stty arguments for a raw 8N1 line at `baud`. */
export function sttyArgs(path: string, baud: number, rtscts: boolean): string[] {
  return ['-F', path, 'raw', '-echo', '-echoe', '-echok', '-echoctl', '-echoke', 'cs8', '-parenb', '-cstopb', 'clocal', 'hupcl', rtscts ? 'crtscts' : '-crtscts', String(baud)];
}

async function stty(path: string, baud: number, rtscts: boolean): Promise<void> {
  try {
    await run('stty', sttyArgs(path, baud, rtscts));
  } catch (err) {
    const msg = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n')[0] ?? '';
    throw new SerialOpenError(/invalid argument/i.test(msg) ? `${path}: baud rate ${baud} is not supported by this port (${msg})` : `cannot set up ${path}: ${msg}`);
  }
}

class TtyLink implements SerialLink {
  private dataCb: (chunk: Buffer) => void = () => undefined;
  private closeCb: (why: string) => void = () => undefined;
  private closed = false;

  constructor(readonly path: string, private readonly fd: number, private readonly stream: ReadStream, private rtscts: boolean) {
    stream.on('data', (b: Buffer) => this.dataCb(b));
    stream.on('error', (e: NodeJS.ErrnoException) => this.end(e.code === 'EIO' ? `${path} went away (EIO: unplugged?)` : `${path}: ${e.message}`));
    stream.on('end', () => this.end(`${path} closed by the other end (unplugged?)`));
    stream.on('close', () => this.end(`${path} closed`));
  }

  onData(cb: (chunk: Buffer) => void): void { this.dataCb = cb; }
  onClose(cb: (why: string) => void): void { this.closeCb = cb; }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path} is closed`));
    return new Promise((resolve, reject) => this.stream.write(bytes, (e) => (e ? reject(e) : resolve())));
  }

  setBaud(baud: number): Promise<void> { return stty(this.path, baud, this.rtscts); }

  private end(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.destroy();
    this.closeCb(why);
  }

  close(): void {
    this.end(`${this.path} closed`);
    void this.fd;
  }
}

/** Opens `path` as a raw serial line; throws SerialOpenError with an operator-readable reason. */
export async function openSerial(o: SerialOptions): Promise<SerialLink> {
  if ((o.driver ?? 'tty') === 'serialport') return openWithSerialport(o);
  let fd: number;
  try {
    statSync(o.path);
    fd = openSync(o.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (err) {
    throw new SerialOpenError(explain(o.path, err as NodeJS.ErrnoException));
  }
  if (!isatty(fd)) {
    closeSync(fd);
    throw new SerialOpenError(`${o.path} is not a serial port (not a tty): wrong port?`);
  }
  try {
    await stty(o.path, o.baud, o.rtscts);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const stream = new ReadStream(fd);
  stream.setRawMode(true);
  return new TtyLink(o.path, fd, stream, o.rtscts);
}

/** The part of serialport's SerialPort class this file uses. */
interface SerialPortLike {
  open(cb: (err: Error | null) => void): void;
  set(o: { dtr?: boolean; rts?: boolean }, cb: (err: Error | null) => void): void;
  update(o: { baudRate: number }, cb: (err: Error | null) => void): void;
  write(b: Uint8Array, cb: (err: Error | null | undefined) => void): void;
  close(cb?: (err: Error | null) => void): void;
  on(ev: 'data', cb: (b: Buffer) => void): void;
  on(ev: 'close' | 'error', cb: (e?: Error) => void): void;
}

/** The `serialport` back end (an optional dependency); test/dongle-agent.test.ts runs it on a pty. */
async function openWithSerialport(o: SerialOptions): Promise<SerialLink> {
  const pkg = 'serialport';
  let mod: { SerialPort: new (opts: object) => SerialPortLike };
  try {
    mod = (await import(pkg)) as typeof mod;
  } catch (err) {
    throw new SerialOpenError(`driver: serialport needs the serialport package (${(err as Error).message.split('\n')[0]}); use driver: tty`);
  }
  try {
    // serialport's own open error carries no errno code; stat first so a missing port reads as one.
    statSync(o.path);
  } catch (err) {
    throw new SerialOpenError(explain(o.path, err as NodeJS.ErrnoException));
  }
  const port = new mod.SerialPort({ path: o.path, baudRate: o.baud, rtscts: o.rtscts, autoOpen: false, dataBits: 8, parity: 'none', stopBits: 1 });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(new SerialOpenError(explain(o.path, e as NodeJS.ErrnoException))) : resolve())));
  await new Promise<void>((resolve) => port.set({ dtr: true, rts: true }, () => resolve()));
  let dataCb: (b: Buffer) => void = () => undefined;
  let closeCb: (why: string) => void = () => undefined;
  let closed = false;
  const end = (why: string): void => {
    if (closed) return;
    closed = true;
    closeCb(why);
  };
  port.on('data', (b) => dataCb(b));
  port.on('close', () => end(`${o.path} closed (unplugged?)`));
  port.on('error', (e) => end(`${o.path}: ${e?.message ?? 'error'}`));
  return {
    path: o.path,
    onData: (cb) => { dataCb = cb; },
    onClose: (cb) => { closeCb = cb; },
    write: (b) => new Promise((resolve, reject) => port.write(b, (e) => (e ? reject(e) : resolve()))),
    setBaud: (baud) => new Promise((resolve, reject) => port.update({ baudRate: baud }, (e) => (e ? reject(e) : resolve()))),
    close: () => { end(`${o.path} closed`); port.close(); },
  };
}
