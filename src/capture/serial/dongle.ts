/**
 * The life of a sniffer dongle on a serial port, shared by every dongle
 * source (nrf802154-serial, ti-sniffer-serial, nrf-ble-serial): open the
 * port, find the baud rate the firmware answers at, run the driver's start
 * sequence, stream frames, hop channels, notice a dongle that stopped
 * answering, and reopen after an unplug, with the same `retrying` state and
 * doubling backoff as pcap-live. A driver only knows its wire protocol.
 *
 * Everything written to the port goes through `DongleIo.send`, and a driver
 * sends nothing but the commands of its own `consts.ts` allow-list; the
 * tests record what the simulated dongle received and check it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureSource, RawFrame, SourceEvents } from '../types.js';
import { openSerial, SerialOpenError, type SerialDriver, type SerialLink } from './port.js';
import { recognise } from './recognise.js';

/** A streaming parser of one wire protocol: bytes in, protocol units out. */
export interface DongleParser<U> {
  push(chunk: Uint8Array): U[];
  /** Bytes skipped because they were not part of any valid unit. */
  readonly skipped: number;
  /** Valid units parsed so far. */
  readonly units: number;
}

/** What a driver may do with the port while starting and running. */
export interface DongleIo<U> {
  send(bytes: Uint8Array): Promise<void>;
  /** The next unit `pick` accepts, or a DongleTimeout after `ms`. Units it skips still reach `frame`. */
  expect<T>(pick: (u: U) => T | undefined, ms: number, what: string): Promise<T>;
}

/** No answer in time: at the wrong baud rate, this is what the handshake sees. */
export class DongleTimeout extends Error {}
/** The dongle answered, but not as this firmware does: never retried at another baud rate. */
export class DongleRefused extends Error {}

export interface DongleDriver<U> {
  /** The firmware's name, for messages: "nRF Sniffer for 802.15.4". */
  readonly label: string;
  /** Baud rates to try, in order. */
  readonly bauds: readonly number[];
  readonly rtscts: boolean;
  parser(): DongleParser<U>;
  /** The start sequence; resolves with what to show in the status ("channel 15"). */
  start(io: DongleIo<U>): Promise<string>;
  /** A unit that carries a frame becomes a RawFrame (anomalies go to `events`); others give undefined. */
  frame(u: U, events: SourceEvents): RawFrame | undefined;
  /** A harmless command that makes the firmware answer; resolves when it did. */
  probe(io: DongleIo<U>): Promise<void>;
  /** Move to the next channel of the hop list; resolves with the new status detail. */
  hop?(io: DongleIo<U>): Promise<string>;
}

export interface DongleOptions {
  readonly name: string;
  readonly path: string;
  readonly driver?: SerialDriver;
  /** Probe with a keep-alive after this long without a byte from the dongle. */
  readonly probeAfterMs: number;
  /** Declare the dongle silent (and reopen it) when the keep-alive gets no answer within this. */
  readonly probeTimeoutMs: number;
  /** Time to wait for each answer of the start sequence. */
  readonly answerTimeoutMs: number;
  /** Dwell per channel when hopping; 0 for no hopping. */
  readonly hopMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
}

/** Frames waiting for the consumer; beyond this the oldest are dropped and counted. */
export const MAX_PENDING = 4096;

export function hostTime(): { tsSec: number; tsNsec: number } {
  const ms = performance.timeOrigin + performance.now();
  const sec = Math.floor(ms / 1000);
  return { tsSec: sec, tsNsec: Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6)) };
}

interface Attempt { readonly baud: number; bytes: number; units: number; skipped: number; head: number[]; error: string }

/** Why the start sequence failed at every baud rate, in words an operator can act on. */
export function explainFailure(label: string, path: string, tries: readonly Attempt[]): string {
  const refused = tries.find((a) => a.error.startsWith('refused: '));
  if (refused !== undefined) return `${label} on ${path} refused the start sequence: ${refused.error.slice(9)}`;
  const all = tries.map((a) => a.baud).join(', ');
  const bytes = tries.reduce((n, a) => n + a.bytes, 0);
  if (bytes === 0) return `no answer from ${path} at ${all} baud: wrong port, or the dongle does not run ${label} firmware`;
  for (const a of tries) {
    const other = recognise(Uint8Array.from(a.head));
    if (other !== undefined && a.units === 0) return `wrong firmware on ${path}: it speaks ${other}, not ${label}`;
  }
  if (tries.every((a) => a.units === 0)) {
    return `${bytes} bytes from ${path} at ${all} baud but not one ${label} frame: wrong baud rate (set baud to the firmware's) or wrong firmware`;
  }
  return `${label} on ${path} did not complete its start sequence (${tries.map((a) => `${a.baud}: ${a.error}`).join('; ')})`;
}

/** A running session on one open port. */
class Session<U> implements DongleIo<U> {
  readonly parser: DongleParser<U>;
  readonly pending: RawFrame[] = [];
  bytes = 0;
  head: number[] = [];
  lastByteAt = Date.now();
  closed: string | undefined;
  dropped = 0;
  private waiters: Array<{ pick: (u: U) => unknown; resolve: (v: unknown) => void }> = [];
  private wake: (() => void) | undefined;

  constructor(readonly link: SerialLink, private readonly driver: DongleDriver<U>, private readonly events: SourceEvents) {
    this.parser = driver.parser();
    link.onData((chunk) => this.onData(chunk));
    link.onClose((why) => {
      this.closed = why;
      this.poke();
    });
  }

  private onData(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.lastByteAt = Date.now();
    if (this.head.length < 256) this.head.push(...chunk.subarray(0, 256 - this.head.length));
    for (const u of this.parser.push(chunk)) {
      const w = this.waiters.find((x) => x.pick(u) !== undefined);
      if (w !== undefined) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(w.pick(u));
        continue;
      }
      const f = this.driver.frame(u, this.events);
      if (f === undefined) continue;
      if (this.pending.length >= MAX_PENDING) {
        this.pending.shift();
        this.dropped++;
        this.events.anomaly({ code: 'serial.queue_overflow', offset: this.bytes });
      }
      this.pending.push(f);
    }
    this.poke();
  }

  poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Resolves when a frame is pending, the port closed, or `ms` passed. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending.length > 0 || this.closed !== undefined || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.link.write(bytes);
  }

  expect<T>(pick: (u: U) => T | undefined, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const w = { pick, resolve: (v: unknown) => { clearTimeout(timer); resolve(v as T); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new DongleTimeout(this.closed ?? `no ${what} within ${ms} ms`));
      }, ms);
      this.waiters.push(w);
    });
  }
}

/** One supervised dongle: the CaptureSource every dongle folder wraps. */
export class DongleSource<U> implements CaptureSource {
  readonly name: string;
  /** Port openings that got as far as a working start sequence. */
  starts = 0;
  constructor(private readonly opts: DongleOptions, private readonly driver: () => DongleDriver<U>) {
    this.name = opts.name;
  }

  open(signal: AbortSignal, events: SourceEvents): AsyncIterable<readonly RawFrame[]> {
    return this.run(signal, events);
  }

  private async *run(signal: AbortSignal, events: SourceEvents): AsyncGenerator<readonly RawFrame[], void, undefined> {
    const o = this.opts;
    let delay = o.backoff.initialMs;
    events.state('starting', `${this.driver().label} on ${o.path}`);
    while (!signal.aborted) {
      const driver = this.driver();
      const why = yield* this.session(driver, signal, events);
      if (signal.aborted) break;
      if (why === 'ran') delay = o.backoff.initialMs;
      events.state('retrying', `${why === 'ran' ? 'port closed' : why}; retrying in ${delay} ms`);
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        break;
      }
      delay = Math.min(delay * 2, o.backoff.maxMs);
    }
    events.state('ended', 'aborted');
  }

  /** One opening of the port; returns why it ended. */
  private async *session(driver: DongleDriver<U>, signal: AbortSignal, events: SourceEvents): AsyncGenerator<readonly RawFrame[], string, undefined> {
    const o = this.opts;
    let link: SerialLink;
    try {
      link = await openSerial({ path: o.path, baud: driver.bauds[0]!, rtscts: driver.rtscts, ...(o.driver === undefined ? {} : { driver: o.driver }) });
    } catch (err) {
      return err instanceof SerialOpenError ? err.message : `cannot open ${o.path}: ${(err as Error).message}`;
    }
    const stop = (): void => link.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      const tries: Attempt[] = [];
      let s: Session<U> | undefined;
      let detail = '';
      let atBaud = driver.bauds[0]!;
      for (const baud of driver.bauds) {
        if (tries.length > 0) {
          try {
            await link.setBaud(baud);
          } catch (err) {
            return (err as Error).message;
          }
        }
        const cur = new Session(link, driver, events);
        try {
          detail = await driver.start(cur);
          atBaud = baud;
          s = cur;
          tries.length = 0;
          break;
        } catch (err) {
          if (signal.aborted) return 'aborted';
          if (cur.closed !== undefined) return cur.closed;
          const msg = (err instanceof DongleRefused ? 'refused: ' : '') + (err as Error).message;
          tries.push({ baud, bytes: cur.bytes, units: cur.parser.units, skipped: cur.parser.skipped, head: cur.head, error: msg });
          if (err instanceof DongleRefused) break;
        }
      }
      if (s === undefined) return explainFailure(driver.label, o.path, tries);
      this.starts++;
      events.state('running', `${driver.label} on ${o.path} at ${atBaud} baud, ${detail}`);
      let nextHop = o.hopMs > 0 ? Date.now() + o.hopMs : Infinity;
      let probing: Promise<void> | undefined;
      let probeFailed: string | undefined;
      while (!signal.aborted) {
        const now = Date.now();
        const quietFor = now - s.lastByteAt;
        await s.wait(probing !== undefined ? 50 : Math.max(1, Math.min(nextHop - now, o.probeAfterMs - quietFor, 1000)), signal);
        if (s.pending.length > 0) yield s.pending.splice(0, s.pending.length);
        if (s.closed !== undefined) return s.closed;
        if (probeFailed !== undefined) return probeFailed;
        if (probing === undefined && Date.now() - s.lastByteAt >= o.probeAfterMs) {
          const started = Date.now();
          probing = Promise.race([
            driver.probe(s),
            sleep(o.probeTimeoutMs, undefined, { ref: false }).then(() => { throw new DongleTimeout('no answer'); }),
          ]).then(() => { probing = undefined; }, () => {
            probeFailed = `${driver.label} on ${o.path} stopped answering: silent for ${Math.round((Date.now() - started + o.probeAfterMs) / 1000)} s and no answer to a keep-alive`;
            s!.poke();
          });
        }
        if (driver.hop !== undefined && Date.now() >= nextHop && probing === undefined) {
          try {
            detail = await driver.hop(s);
            events.state('running', `${driver.label} on ${o.path} at ${atBaud} baud, ${detail}`);
          } catch (err) {
            return s.closed ?? `${driver.label} on ${o.path} did not confirm a channel change: ${(err as Error).message}`;
          }
          nextHop = Date.now() + o.hopMs;
        }
      }
      return 'aborted';
    } finally {
      signal.removeEventListener('abort', stop);
      link.close();
    }
  }
}
