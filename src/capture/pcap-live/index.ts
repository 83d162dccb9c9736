/**
 * `pcap-live`: live link-layer capture through libpcap in a child process.
 *
 * The sensor runs `tcpdump -U -w -` (or `dumpcap -w - -P`) and reads the
 * classic pcap stream from its stdout with the same PcapReader that replays
 * files, so the analysing process needs no capabilities of its own. Both tools
 * are only ever started in capture mode: they receive, they never transmit.
 *
 * Failures of the tool (missing binary, no permission, no such interface, a
 * crash) are I/O errors, not configuration errors: the source reports
 * `retrying` with a message that says what to fix, and starts the tool again
 * with exponential backoff until the signal aborts.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureSource, RawFrame, SourceEvents, SourceLoss } from '../types.js';
import { PcapReader, type PcapReaderCounters } from '../pcap/reader.js';
import { readableToBatches } from '../pcap/stream.js';
import { pcapHeader } from '../pcap/writer.js';
import { addLoss, NO_LOSS, parseCaptureStats } from './stats.js';

export type CaptureTool = 'tcpdump' | 'dumpcap';

export interface PcapLiveOptions {
  /** Source name (config `sources[].name`); stamped on every frame. */
  readonly name: string;
  /** Interface to capture on, e.g. `eth0` or a monitor-mode `wlan0mon`. */
  readonly iface: string;
  /** BPF capture filter (pcap-filter(7)); everything when absent. */
  readonly filter?: string;
  /** Bytes kept per packet; 262144 (libpcap's maximum) unless given. */
  readonly snaplen?: number;
  /** Ask libpcap for 802.11 monitor mode (`-I`). */
  readonly monitor?: boolean;
  /**
   * Hand each frame over as it arrives (tcpdump `--immediate-mode`) instead of
   * when libpcap's buffer fills or its 1 s timeout passes. Alerts then leave
   * within milliseconds instead of up to a second, but libpcap uses a smaller
   * ring in this mode and drops more in bursts: pair it with `bufferKib`.
   */
  readonly immediate?: boolean;
  /** libpcap's capture buffer in KiB (`-B`); libpcap's default (2 MiB) unless given. */
  readonly bufferKib?: number;
  /** Which libpcap front end to run; `tcpdump` unless given. */
  readonly tool?: CaptureTool;
  /** Path of the tool binary; the tool's name, looked up in PATH, unless given. */
  readonly toolPath?: string;
  /** Delay before the first retry, doubled after every failure up to maxMs. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /**
   * Waits out one backoff delay; rejects when the signal aborts. A timer
   * unless given: tests pass one they release themselves, so the schedule is
   * checked without timing it on a busy machine.
   */
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<unknown>;
  /**
   * A command prefix the tool runs under, e.g. `['ip', 'netns', 'exec', 'ns1']`
   * to capture inside a network namespace.
   */
  readonly wrap?: readonly string[];
  /**
   * Milliseconds between requests for libpcap's drop counters (SIGUSR1 to
   * tcpdump, which prints them on stderr and captures on); 5000 unless given,
   * 0 for never. dumpcap reports them only when it exits. The signal goes to
   * the child's pid, so a `wrap` command must exec the tool (ip netns exec
   * and setpriv do), not stay its parent.
   */
  readonly statsIntervalMs?: number;
}

const DEFAULT_SNAPLEN = 262144;
const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 60_000 };
const realWait = (ms: number, signal: AbortSignal): Promise<unknown> => sleep(ms, undefined, { signal });
/** How much of the tool's stderr we keep to explain a failure. */
const STDERR_KEEP = 4096;
/** Grace period between SIGTERM and SIGKILL when stopping the tool. */
const KILL_GRACE_MS = 5000;
const DEFAULT_STATS_INTERVAL_MS = 5000;

/**
 * The command line for a capture: `[command, args]`. The filter comes after
 * `--` so that a filter starting with `-` can never be read as an option.
 */
export function captureCommand(opts: PcapLiveOptions): [string, string[]] {
  const tool = opts.tool ?? 'tcpdump';
  const bin = opts.toolPath ?? tool;
  const snaplen = String(opts.snaplen ?? DEFAULT_SNAPLEN);
  let args: string[];
  if (tool === 'dumpcap') {
    args = ['-i', opts.iface, '-w', '-', '-P', '-q', '-s', snaplen];
    if (opts.monitor === true) args.push('-I');
    // dumpcap(1) -B takes MiB.
    if (opts.bufferKib !== undefined) args.push('-B', String(Math.max(1, Math.ceil(opts.bufferKib / 1024))));
    if (opts.filter !== undefined && opts.filter !== '') args.push('-f', opts.filter);
  } else {
    args = ['-U', '-n', '-i', opts.iface, '-s', snaplen, '-w', '-'];
    if (opts.monitor === true) args.push('-I');
    if (opts.immediate === true) args.push('--immediate-mode');
    if (opts.bufferKib !== undefined) args.push('-B', String(opts.bufferKib));
    if (opts.filter !== undefined && opts.filter !== '') args.push('--', opts.filter);
  }
  const wrap = opts.wrap ?? [];
  if (wrap.length === 0) return [bin, args];
  return [wrap[0]!, [...wrap.slice(1), bin, ...args]];
}

/** How one run of the tool ended, for classify(). */
export interface ToolExit {
  readonly tool: string;
  readonly iface: string;
  /** The spawn error (ENOENT, EACCES) when the tool could not start at all. */
  readonly spawnError?: NodeJS.ErrnoException;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/**
 * Turns a tool's exit into a message that says what is wrong and what to do.
 * The patterns are the messages of libpcap 1.10 (pcap_statustostr and the
 * Linux back end), tcpdump 4.99, dumpcap 4.x and `ip netns exec`.
 */
export function classifyExit(e: ToolExit): string {
  const err = e.stderr;
  if (e.spawnError?.code === 'ENOENT' || /exec of .* failed: No such file/.test(err)) {
    return `capture tool "${e.tool}" not found: install it (apt install ${e.tool === 'dumpcap' ? 'wireshark-common' : 'tcpdump'}) or set its path`;
  }
  if (e.spawnError?.code === 'EACCES') return `capture tool "${e.tool}" is not executable`;
  if (e.spawnError !== undefined) return `cannot start "${e.tool}": ${e.spawnError.message}`;
  if (/monitor mode/i.test(err)) return `interface "${e.iface}" does not support monitor mode (${lastLine(err)})`;
  if (/You don't have permission|Operation not permitted|Permission denied/i.test(err)) {
    return `no permission to capture on "${e.iface}": run as root or give ${e.tool} CAP_NET_RAW and CAP_NET_ADMIN; under iomt-sensor.service, which holds no capabilities, set via: helper (${lastLine(err)})`;
  }
  if (/No such device|doesn't exist|There is no device named/i.test(err)) return `interface "${e.iface}" does not exist`;
  if (/is not up|not up/i.test(err)) return `interface "${e.iface}" is down`;
  if (/syntax error|can't parse filter|Invalid capture filter/i.test(err)) return `capture filter rejected: ${lastLine(err)}`;
  if (/Cannot open network namespace/i.test(err)) return `network namespace missing: ${lastLine(err)}`;
  const how = e.signal !== null ? `was killed by ${e.signal}` : `exited with code ${e.code ?? 'unknown'}`;
  const why = lastLine(err);
  return `${e.tool} ${how}${why === '' ? '' : `: ${why}`}`;
}

/** The last line of stderr that is not tcpdump's closing statistics. */
function lastLine(s: string): string {
  const lines = s.split('\n').map((l) => l.trim())
    .filter((l) => l !== '' && !/packets (captured|received by filter|dropped by)/.test(l));
  return lines.length === 0 ? '' : lines[lines.length - 1]!;
}

export class PcapLiveSource implements CaptureSource {
  readonly name: string;
  private readonly opts: PcapLiveOptions;
  /** Counters of the reader of the current (or last) run of the tool. */
  counters: PcapReaderCounters | undefined;
  /** Runs of the tool started so far; the first is 1. */
  attempts = 0;
  /** libpcap's counters summed over every run of the tool, as last reported. */
  loss: SourceLoss = NO_LOSS;

  constructor(opts: PcapLiveOptions) {
    this.name = opts.name;
    this.opts = opts;
  }

  open(signal: AbortSignal, events: SourceEvents): AsyncIterable<readonly RawFrame[]> {
    return this.run(signal, events);
  }

  private async *run(signal: AbortSignal, events: SourceEvents): AsyncGenerator<readonly RawFrame[], void, undefined> {
    const backoff = this.opts.backoff ?? DEFAULT_BACKOFF;
    const tool = this.opts.tool ?? 'tcpdump';
    let delay = backoff.initialMs;
    const statsEvery = this.opts.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS;
    /** Totals of the runs that have ended; each run's tool counts from 0. */
    let earlier: SourceLoss = NO_LOSS;
    events.state('starting', `${tool} on ${this.opts.iface}`);
    while (!signal.aborted) {
      const [cmd, args] = captureCommand(this.opts);
      this.attempts++;
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let running = false;
      const markRunning = (): void => {
        if (running) return;
        running = true;
        delay = backoff.initialMs;
        events.state('running', `${tool} on ${this.opts.iface}`);
      };
      let stderr = '';
      let thisRun: SourceLoss = NO_LOSS;
      let poll: NodeJS.Timeout | undefined;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (s: string) => {
        stderr = (stderr + s).slice(-STDERR_KEEP);
        if (/listening on|Capturing on/.test(stderr)) {
          markRunning();
          // tcpdump installs its SIGUSR1 handler before it says "listening on"; before that the signal would kill it.
          if (poll === undefined && tool === 'tcpdump' && statsEvery > 0) {
            poll = setInterval(() => child.kill('SIGUSR1'), statsEvery);
            poll.unref();
          }
        }
        // Parsed over the kept stderr, not the chunk: a report may arrive split over two reads.
        const stats = parseCaptureStats(stderr);
        if (stats === undefined || (stats.received === thisRun.received && stats.droppedKernel === thisRun.droppedKernel
          && stats.droppedIface === thisRun.droppedIface)) return;
        thisRun = stats;
        this.loss = addLoss(earlier, thisRun);
        events.loss?.(this.loss);
      });
      let spawnError: NodeJS.ErrnoException | undefined;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.once('exit', () => clearInterval(poll));
        child.once('close', (code, sig) => resolve({ code, signal: sig }));
        child.once('error', (e) => {
          spawnError = e;
          resolve({ code: null, signal: null });
        });
      });
      const stop = (): void => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }, KILL_GRACE_MS).unref();
      };
      signal.addEventListener('abort', stop, { once: true });
      const reader = new PcapReader(this.name, events, { guessVariant: false });
      this.counters = reader.counters;
      let streamError: unknown;
      try {
        try {
          for await (const batch of readableToBatches(child.stdout, reader, signal, { end: false })) {
            markRunning();
            yield batch;
          }
        } catch (err) {
          streamError = err;
        }
        // A fatal anomaly leaves the tool running with nobody reading: stop it and start afresh.
        if (reader.ended) stop();
        const exit = await exited;
        // The tool's closing report (read before 'close') is this run's final count.
        earlier = addLoss(earlier, thisRun);
        if (signal.aborted) break;
        if (reader.counters.bytesIn > 0) {
          const last = reader.end();
          if (last.length > 0) yield last;
        }
        let message = classifyExit({ tool, iface: this.opts.iface, spawnError, code: exit.code, signal: exit.signal, stderr });
        if (streamError !== undefined) message += ` (stdout: ${(streamError as Error).message})`;
        events.state('retrying', `${message}; retrying in ${delay} ms`);
      } finally {
        // Reached on every way out, including a consumer that stops iterating.
        clearInterval(poll);
        signal.removeEventListener('abort', stop);
        stop();
      }
      try {
        await (this.opts.wait ?? realWait)(delay, signal);
      } catch {
        break;
      }
      delay = Math.min(delay * 2, backoff.maxMs);
    }
    events.state('ended', 'aborted');
  }
}

export interface ValidateBpfOptions {
  /** Link type the filter will run on; Ethernet (1) unless given. */
  readonly linkType?: number;
  /** Path of tcpdump; `tcpdump` in PATH unless given. */
  readonly tcpdumpPath?: string;
}

/**
 * Checks a BPF filter by compiling it with `tcpdump -d` against an empty
 * capture of the given link type read from stdin, so no interface is opened
 * and no privilege is needed. Returns undefined when the filter compiles,
 * otherwise tcpdump's complaint, for the config checker to show.
 */
export async function validateBpf(filter: string, opts: ValidateBpfOptions = {}): Promise<string | undefined> {
  if (filter.trim() === '') return undefined; // no filter: capture everything
  const bin = opts.tcpdumpPath ?? 'tcpdump';
  const child = spawn(bin, ['-d', '-r', '-', '--', filter], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-STDERR_KEEP);
  });
  child.stdin.on('error', () => undefined); // tcpdump may exit before reading the header
  child.stdin.end(pcapHeader(opts.linkType ?? 1));
  const result = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('close', (code) => resolve({ code }));
    child.once('error', (error) => resolve({ code: null, error }));
  });
  if (result.error !== undefined) return `cannot check the filter: ${bin}: ${result.error.message}`;
  if (result.code === 0) return undefined;
  const msg = stderr.split('\n').map((l) => l.trim())
    .filter((l) => l !== '' && !/^reading from file|^Running as user/.test(l)).join('; ');
  return msg === '' ? `tcpdump -d exited with code ${result.code ?? 'unknown'}` : msg.replace(/^tcpdump: /, '');
}
