/**
 * `pcap-live` with `via: helper`: the capture runs in the systemd unit
 * iomt-sensor-capture@<iface>.service (systemd/iomt-sensor-capture@.service),
 * which alone holds CAP_NET_RAW and CAP_NET_ADMIN; the agent holds none.
 *
 * The agent's side of the hand-over, all in `<runtime>/capture/`:
 *   <iface>.filter  the BPF filter, read by `tcpdump -F` (empty: everything)
 *   <iface>.env     SNAPLEN=… and MONITOR=-I or empty (the unit's EnvironmentFile=)
 *   <iface>.sock    a unix stream socket this source listens on; systemd
 *                   connects the helper's stdout to it (StandardOutput=file:)
 * Each accepted connection is one pcap stream, read by a fresh PcapReader.
 * One helper at a time: a second concurrent connection is closed at once and
 * counted (anomaly `pcap-live.helper_refused`, and `refused`).
 *
 * States: `starting`, then `retrying` ("waiting for … to connect to …") until
 * the helper connects, `running` while it is connected, `retrying` again when
 * it goes away (the unit restarts it), `ended` on abort. Abort closes the
 * server and removes the socket.
 */
import { chmod, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureSource, RawFrame, SourceEvents } from '../types.js';
import { PcapReader, type PcapReaderCounters } from '../pcap/reader.js';
import { readableToBatches } from '../pcap/stream.js';

export interface PcapHelperOptions {
  /** Source name (config `sources[].name`); stamped on every frame. */
  readonly name: string;
  /** Interface the helper captures on; names the unit instance and the files. */
  readonly iface: string;
  /** BPF capture filter (pcap-filter(7)); everything when absent or empty. */
  readonly filter?: string;
  /** Bytes kept per packet; 262144 unless given. */
  readonly snaplen?: number;
  /** Ask the helper's tcpdump for 802.11 monitor mode (`-I`). */
  readonly monitor?: boolean;
  /** Config `runtime_dir`; see resolveRuntimeDir(). */
  readonly runtimeDir?: string;
  /** The unit that connects (status text); iomt-sensor-capture@<iface> unless given. */
  readonly unit?: string;
  /**
   * The EnvironmentFile= text instead of SNAPLEN=/MONITOR= (the BLE helper's
   * scan settings); when given, no .filter file is written.
   */
  readonly env?: string;
  /** Delay before retrying a failed set-up (files, socket), doubled up to maxMs. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

export const DEFAULT_RUNTIME_DIR = '/run/iomt-sensor';
const DEFAULT_SNAPLEN = 262144;
const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 60_000 };

/**
 * `<runtime>`: the configured `runtime_dir`, else the first entry of
 * $RUNTIME_DIRECTORY (systemd sets it, colon-separated when the unit has more
 * than one RuntimeDirectory=), else /run/iomt-sensor.
 */
export function resolveRuntimeDir(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (configured !== undefined && configured !== '') return configured;
  const first = (env['RUNTIME_DIRECTORY'] ?? '').split(':')[0] ?? '';
  return first !== '' ? first : DEFAULT_RUNTIME_DIR;
}

/** systemd-escape(1) of a unit name part: what goes after the @ of the helper unit. */
export function systemdEscape(s: string): string {
  let out = '';
  for (const [i, byte] of [...Buffer.from(s, 'utf8')].entries()) {
    const c = String.fromCharCode(byte);
    const plain = /[A-Za-z0-9:_.]/.test(c) && !(i === 0 && c === '.');
    out += c === '/' ? '-' : plain ? c : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The helper unit that captures on `iface`. */
export function captureUnit(iface: string): string {
  return `iomt-sensor-capture@${systemdEscape(iface)}.service`;
}

/** The three files of the hand-over for one interface. */
export function helperPaths(runtimeDir: string, iface: string): { dir: string; socket: string; filter: string; env: string } {
  const dir = join(runtimeDir, 'capture');
  return { dir, socket: join(dir, `${iface}.sock`), filter: join(dir, `${iface}.filter`), env: join(dir, `${iface}.env`) };
}

/** The EnvironmentFile= text for the helper unit. */
export function helperEnv(opts: Pick<PcapHelperOptions, 'snaplen' | 'monitor'>): string {
  return `SNAPLEN=${opts.snaplen ?? DEFAULT_SNAPLEN}\nMONITOR=${opts.monitor === true ? '-I' : ''}\n`;
}

/** Writes via a temporary file and rename(), so the helper never reads half a file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, { mode: 0o640 });
  await rename(tmp, path);
}

async function unlinkQuiet(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export class PcapHelperSource implements CaptureSource {
  readonly name: string;
  private readonly opts: PcapHelperOptions;
  readonly paths: ReturnType<typeof helperPaths>;
  readonly unit: string;
  /** Counters of the reader of the current (or last) connection. */
  counters: PcapReaderCounters | undefined;
  /** Helper connections accepted so far. */
  connections = 0;
  /** Connections closed at once because a helper was already connected. */
  refused = 0;

  constructor(opts: PcapHelperOptions) {
    this.name = opts.name;
    this.opts = opts;
    this.paths = helperPaths(resolveRuntimeDir(opts.runtimeDir), opts.iface);
    this.unit = opts.unit ?? captureUnit(opts.iface);
  }

  open(signal: AbortSignal, events: SourceEvents): AsyncIterable<readonly RawFrame[]> {
    return this.run(signal, events);
  }

  private waiting(): string {
    return `waiting for ${this.unit} to connect to ${this.paths.socket}`;
  }

  /** Writes the filter and env files, replaces whatever is at the socket path, listens. */
  private async listen(server: Server): Promise<{ dev: number; ino: number }> {
    const p = this.paths;
    await mkdir(p.dir, { recursive: true, mode: 0o750 });
    if (this.opts.env === undefined) await writeAtomic(p.filter, `${this.opts.filter ?? ''}\n`);
    await writeAtomic(p.env, this.opts.env ?? helperEnv(this.opts));
    // A socket left by a crashed agent, or an empty file systemd created there
    // when the helper started before us (file: paths are opened with O_CREAT).
    await unlinkQuiet(p.socket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p.socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(p.socket, 0o660);
    const st = await stat(p.socket);
    return { dev: st.dev, ino: st.ino };
  }

  private async *run(signal: AbortSignal, events: SourceEvents): AsyncGenerator<readonly RawFrame[], void, undefined> {
    const backoff = this.opts.backoff ?? DEFAULT_BACKOFF;
    events.state('starting', `${this.unit} via ${this.paths.socket}`);
    let active: Socket | undefined;
    /** Connections accepted but not yet taken by the loop below (at most one). */
    const pending: Socket[] = [];
    let wake: (() => void) | undefined;
    const server = createServer({ allowHalfOpen: false, pauseOnConnect: true }, (sock) => {
      if (active !== undefined || pending.length > 0) {
        this.refused++;
        events.anomaly({ code: 'pcap-live.helper_refused', offset: 0, detail: `a second connection to ${this.paths.socket} while a helper is connected` });
        sock.destroy();
        return;
      }
      sock.on('error', () => undefined); // reported through readableToBatches or ignored after a refusal
      pending.push(sock);
      wake?.();
    });
    server.on('error', () => undefined); // after listen(): nothing to do but keep serving
    const onAbort = (): void => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    let bound: { dev: number; ino: number } | undefined;
    try {
      let delay = backoff.initialMs;
      while (!signal.aborted && bound === undefined) {
        try {
          bound = await this.listen(server);
        } catch (err) {
          events.state('retrying', `cannot listen on ${this.paths.socket} for ${this.unit}: ${(err as Error).message}; retrying in ${delay} ms`);
          try {
            await sleep(delay, undefined, { signal });
          } catch {
            break;
          }
          delay = Math.min(delay * 2, backoff.maxMs);
        }
      }
      if (bound !== undefined && !signal.aborted) events.state('retrying', this.waiting());
      while (bound !== undefined && !signal.aborted) {
        if (pending.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        const sock = pending.shift()!;
        active = sock;
        this.connections++;
        events.state('running', `${this.unit} connected to ${this.paths.socket}`);
        const reader = new PcapReader(this.name, events, { guessVariant: false });
        this.counters = reader.counters;
        let why = 'disconnected';
        try {
          for await (const batch of readableToBatches(sock, reader, signal, { end: false })) yield batch;
        } catch (err) {
          why = `connection failed (${(err as Error).message})`;
        } finally {
          sock.destroy();
          active = undefined;
        }
        if (signal.aborted) break;
        if (reader.counters.bytesIn > 0 && !reader.ended) {
          const last = reader.end();
          if (last.length > 0) yield last;
        }
        if (reader.counters.bytesIn === 0) why += ' before sending anything';
        events.state('retrying', `${this.unit} ${why}; ${this.waiting()}`);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      for (const s of pending) s.destroy();
      active?.destroy();
      server.close();
      // Remove the socket only if it is still ours: a successor (a reload) may have bound a new one.
      if (bound !== undefined) {
        try {
          const st = await stat(this.paths.socket);
          if (st.dev === bound.dev && st.ino === bound.ino) await unlinkQuiet(this.paths.socket);
        } catch { /* already gone */ }
      }
    }
    events.state('ended', 'aborted');
  }
}
