/**
 * Readiness, status and watchdog notifications to systemd (sd_notify(3)).
 *
 * systemd passes the unit an AF_UNIX datagram socket in NOTIFY_SOCKET (a path,
 * or `@name` for an abstract socket). Node cannot send unix datagrams
 * (node:dgram is UDP only) and a native module would have to be cross-built
 * for every ARM board, so the messages go through one long-lived helper,
 * `socat -u STDIN UNIX-SENDTO:<path>`, which turns each read of its stdin into
 * one datagram. The helper lives in the service's cgroup, which is why the
 * unit says NotifyAccess=all. A message is a few newline-terminated
 * assignments; two writes that socat reads at once become one datagram that
 * is still a valid message, and each write is far below PIPE_BUF, so a pipe
 * never splits one.
 *
 * Without NOTIFY_SOCKET (not under systemd, or Type=simple) every method does
 * nothing. Without socat the agent logs once and runs without notifications.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { Logger } from './log.js';

/** Longest STATUS= text sent; systemd shows one line. */
const STATUS_MAX = 200;

export interface NotifierOptions {
  /** Where to log the one-time "cannot notify" warning. */
  readonly log?: Logger;
  /** The socat binary; `socat` in PATH unless given. */
  readonly socat?: string;
}

/** The parts of the environment systemd sets for notifications. */
export interface NotifyEnv {
  readonly NOTIFY_SOCKET?: string | undefined;
  readonly WATCHDOG_USEC?: string | undefined;
  readonly WATCHDOG_PID?: string | undefined;
}

export class SystemdNotifier {
  /** The watchdog interval systemd expects pings within, when it is for this process. */
  readonly watchdogUsec: number | undefined;
  private child: ChildProcessByStdio<Writable, null, null> | undefined;
  private failed = false;
  private closed = false;

  private constructor(
    private readonly address: string | undefined,
    watchdogUsec: number | undefined,
    private readonly opts: NotifierOptions,
  ) {
    this.watchdogUsec = watchdogUsec;
  }

  /**
   * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. The watchdog applies
   * to this process only when WATCHDOG_PID is absent or names it (sd_watchdog_enabled(3)).
   */
  static fromEnv(env: NotifyEnv = process.env, opts: NotifierOptions = {}): SystemdNotifier {
    const socket = env.NOTIFY_SOCKET;
    const address = socket === undefined || socket === '' ? undefined : socatAddress(socket);
    let watchdogUsec: number | undefined;
    const usec = Number(env.WATCHDOG_USEC);
    const pid = env.WATCHDOG_PID === undefined || env.WATCHDOG_PID === '' ? process.pid : Number(env.WATCHDOG_PID);
    if (address !== undefined && Number.isInteger(usec) && usec > 0 && pid === process.pid) watchdogUsec = usec;
    return new SystemdNotifier(address, watchdogUsec, opts);
  }

  /** True when there is a notification socket to talk to. */
  get enabled(): boolean {
    return this.address !== undefined;
  }

  /** READY=1: start-up is complete (Type=notify units are "active" from here). */
  ready(status?: string): void {
    this.send(status === undefined ? 'READY=1\n' : `READY=1\nSTATUS=${oneLine(status)}\n`);
  }

  /** WATCHDOG=1: the service is alive; call it through Watchdog, never on a bare timer. */
  watchdog(): void {
    this.send('WATCHDOG=1\n');
  }

  /** STATUS=: a one-line state shown by `systemctl status`. */
  status(text: string): void {
    this.send(`STATUS=${oneLine(text)}\n`);
  }

  /** STOPPING=1: shutdown has begun. */
  stopping(status?: string): void {
    this.send(status === undefined ? 'STOPPING=1\n' : `STOPPING=1\nSTATUS=${oneLine(status)}\n`);
  }

  /**
   * RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC, which process.hrtime
   * reads on Linux), as sd_notify(3) asks, so systemd can tell this reload
   * from an earlier one. Send ready() when the reload is done.
   */
  reloading(): void {
    this.send(`RELOADING=1\nMONOTONIC_USEC=${process.hrtime.bigint() / 1000n}\n`);
  }

  /** Ends the helper after it has sent what was written. */
  close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 2000);
      t.unref();
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.stdin.end();
    });
  }

  private send(message: string): void {
    if (this.address === undefined || this.failed || this.closed) return;
    const child = this.helper();
    if (child === undefined) return;
    child.stdin.write(message);
  }

  /** The running helper, started on first use and again after it exits. */
  private helper(): ChildProcessByStdio<Writable, null, null> | undefined {
    const current = this.child;
    if (current !== undefined && current.exitCode === null && current.signalCode === null) return current;
    const bin = this.opts.socat ?? 'socat';
    const child = spawn(bin, ['-u', 'STDIN', this.address!], { stdio: ['pipe', 'ignore', 'ignore'] });
    // The helper must never keep the agent alive, nor crash it with EPIPE.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    child.stdin.on('error', () => undefined);
    child.once('error', (err) => {
      if (this.child === child) this.child = undefined;
      if (this.failed) return;
      this.failed = true;
      this.opts.log?.log('warn', 'cannot notify systemd: no readiness or watchdog notifications (install socat)', { socat: bin, error: err.message });
    });
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    return child;
  }
}

/** socat's address for a NOTIFY_SOCKET value: `@name` is abstract, anything else a path. */
export function socatAddress(socket: string): string {
  // socat splits addresses at ':' and ',' unless escaped; systemd's own paths have neither.
  const escaped = (s: string) => s.replace(/([\\:,!])/g, '\\$1');
  return socket.startsWith('@') ? `ABSTRACT-SENDTO:${escaped(socket.slice(1))}` : `UNIX-SENDTO:${escaped(socket)}`;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').slice(0, STATUS_MAX);
}

/** Calls fn every ms milliseconds until the returned function is called. */
export type Every = (ms: number, fn: () => void) => () => void;

/** The real clock: an interval that never keeps the process alive. */
export const realEvery: Every = (ms, fn) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * Pings systemd's watchdog at half its interval, but only when the pipeline
 * made progress since the last ping. The agent calls progress() at the end of
 * each tick that committed to the store; a tick that hangs (a store batch
 * that never completes, an event loop that is blocked) stops the pings, and
 * systemd restarts the service after WatchdogSec.
 */
export class Watchdog {
  private cancel: (() => void) | undefined;
  private progressed = false;
  /** Pings sent, and ping slots skipped for lack of progress (for tests and health). */
  pings = 0;
  missed = 0;

  constructor(
    private readonly ping: () => void,
    /** systemd's WatchdogSec in microseconds. */
    private readonly watchdogUsec: number,
    /** The ping-slot clock; tests pass one they advance themselves. */
    private readonly every: Every = realEvery,
  ) {}

  /** Half the watchdog interval, in milliseconds, as sd_watchdog_enabled(3) suggests. */
  get periodMs(): number {
    return Math.max(1, Math.floor(this.watchdogUsec / 2000));
  }

  start(): void {
    if (this.cancel !== undefined) return;
    this.cancel = this.every(this.periodMs, () => this.check());
  }

  /** The pipeline completed a unit of work (a tick committed). */
  progress(): void {
    this.progressed = true;
  }

  /** One ping slot: ping if there was progress since the last one. */
  check(): void {
    if (!this.progressed) {
      this.missed++;
      return;
    }
    this.progressed = false;
    this.pings++;
    this.ping();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }
}
