/**
 * A serial cable for dongle simulators: `socat -d -d pty,raw,echo=0
 * pty,raw,echo=0` makes two pseudo-terminals joined back to back; the source
 * opens one end (through a symlink, as it would open a
 * /dev/serial/by-id/ link), a simulator speaking the dongle's wire protocol
 * holds the other. Killing socat is pulling the plug; starting it again with
 * the same links is plugging it back in.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { constants, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import type { CaptureSource, RawFrame } from '../../src/capture/types.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export class PtyCable {
  readonly host: string;
  readonly sim: string;
  private child: ChildProcess | undefined;

  constructor(dir: string) {
    this.host = join(dir, 'dongle');
    this.sim = join(dir, 'sim');
  }

  async plug(): Promise<void> {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.host}`, `pty,raw,echo=0,link=${this.sim}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let err = '';
    child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    await until('socat to start', () => /starting data transfer loop/.test(err) && existsSync(this.host) && existsSync(this.sim));
  }

  /** Pulls the plug: socat dies, both ends see a hang-up, the links vanish. */
  async unplug(): Promise<void> {
    const c = this.child;
    if (c === undefined || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
    this.child = undefined;
  }
}

/** The line speed the host side set on its end (what a real UART would run at). */
export function hostBaud(path: string): number {
  return Number(execFileSync('stty', ['-F', path, 'speed'], { encoding: 'utf8' }).trim());
}

/**
 * The dongle end of the cable: every byte the host wrote is kept in
 * `received`, in order, for the allow-list tests.
 */
export abstract class DongleSim {
  readonly received: number[] = [];
  protected stream: ReadStream | undefined;
  /** Stop answering anything (a hung firmware). */
  silent = false;

  constructor(readonly cable: PtyCable) {}

  attach(): void {
    const fd = openSync(this.cable.sim, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    const s = new ReadStream(fd);
    s.setRawMode(true);
    s.on('data', (b: Buffer) => {
      this.received.push(...b);
      if (!this.silent) this.onBytes(b);
    });
    s.on('error', () => undefined);
    this.stream = s;
  }

  detach(): void {
    this.stream?.destroy();
    this.stream = undefined;
  }

  send(b: Uint8Array | string): void {
    if (this.silent || this.stream === undefined || this.stream.destroyed) return;
    this.stream.write(b);
  }

  protected abstract onBytes(b: Buffer): void;
}

export interface Running {
  readonly frames: RawFrame[];
  /** `state: detail` of every state change, in order. */
  readonly states: string[];
  readonly anomalies: string[];
  /** The latest state and detail. */
  last(): string;
  stop(): Promise<void>;
}

/** Runs a source in the background, keeping copies of its frames and every state it reports. */
export function runSource(src: CaptureSource): Running {
  const ac = new AbortController();
  const frames: RawFrame[] = [];
  const states: string[] = [];
  const anomalies: string[] = [];
  const done = (async () => {
    for await (const batch of src.open(ac.signal, {
      anomaly: (a) => anomalies.push(a.code),
      state: (s, d) => states.push(`${s}: ${d ?? ''}`),
    })) {
      for (const f of batch) frames.push({ ...f, bytes: Uint8Array.from(f.bytes) });
    }
  })();
  return {
    frames, states, anomalies,
    last: () => states[states.length - 1] ?? '',
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}
