/**
 * Runs the configured capture sources: starts each one, feeds its batches to
 * the pipeline, keeps its state for `status` and `health`, and on a reload
 * restarts only the sources whose configuration changed.
 */
import type { SourceConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import type { CaptureSource, RawFrame, SourceAnomaly, SourceEvents, SourceLoss, SourceState, SourceStatus } from './types.js';
import { createSource } from './index.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SupervisorHooks {
  /**
   * Every batch of every source, in arrival order. A returned promise makes
   * the source wait for it before its next batch (the runtime's commit).
   */
  process(batch: readonly RawFrame[]): Promise<void> | void;
  /** Health counters (`source.<anomaly code>`, `source.bug`). */
  count(code: string): void;
  /** A source changed state: the retained status is due again. */
  changed(): void;
  /** Every source's input has ended (file replays). */
  allEnded(): void;
  readonly log: Logger;
}

export interface SupervisorOptions {
  /** Backoff before restarting a source whose loop ended abnormally. */
  readonly restartInitialMs?: number;
  readonly restartMaxMs?: number;
}

interface Running {
  readonly name: string;
  /** The source's config as JSON, to tell on reload whether it changed. */
  readonly spec: string;
  readonly abort: AbortController;
  state: SourceState;
  detail: string | undefined;
  /** Settles when the source has ended for good (input finished, or stopped). */
  done: Promise<void>;
  finished: boolean;
  /** Abnormal ends so far; sets the restart backoff. */
  failures: number;
  /** Latest totals from the source's loss event; undefined until one arrives. */
  loss: SourceLoss | undefined;
}

/** Longest detail kept for the status message. */
const MAX_DETAIL = 200;

export class SourceSupervisor {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly hooks: SupervisorHooks,
    private readonly create: (c: SourceConfig) => CaptureSource = createSource,
    private readonly opts: SupervisorOptions = {},
  ) {}

  names(): string[] {
    return [...this.running.keys()];
  }

  status(): SourceStatus[] {
    return [...this.running.values()].map((s) => ({
      name: s.name,
      state: s.state,
      ...(s.detail === undefined ? {} : { detail: s.detail.slice(0, MAX_DETAIL) }),
      ...(s.loss === undefined ? {} : { received: s.loss.received, droppedKernel: s.loss.droppedKernel, droppedIface: s.loss.droppedIface }),
    }));
  }

  /** The latest loss totals of one source, for captureLossCheck(); undefined until it reported any. */
  loss(name: string): SourceLoss | undefined {
    return this.running.get(name)?.loss;
  }

  /**
   * Health counters per source that reported libpcap's counters:
   * `source.<name>.received`, `.dropped_kernel` and `.dropped_iface`, totals
   * since the source started (the pipeline already counts `.frames`).
   */
  lossCounters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.running.values()) {
      if (s.loss === undefined) continue;
      out[`source.${s.name}.received`] = s.loss.received;
      out[`source.${s.name}.dropped_kernel`] = s.loss.droppedKernel;
      out[`source.${s.name}.dropped_iface`] = s.loss.droppedIface;
    }
    return out;
  }

  start(sc: SourceConfig): void {
    const rt: Running = { name: sc.name, spec: JSON.stringify(sc), abort: new AbortController(), state: 'starting', detail: undefined, done: Promise.resolve(), finished: false, failures: 0, loss: undefined };
    this.running.set(sc.name, rt);
    rt.done = this.supervise(sc, rt).then(() => {
      rt.finished = true;
      if ([...this.running.values()].every((s) => s.finished)) this.hooks.allEnded();
    });
  }

  /**
   * Runs a source until its input has ended or it is stopped. A loop that
   * ends any other way (an exception, or a live source's iterable running
   * dry) is reported as `failed` and restarted with exponential backoff: a
   * sensor that silently stops capturing is the worst failure it can have.
   */
  private async supervise(sc: SourceConfig, rt: Running): Promise<void> {
    const events = this.eventsFor(rt);
    const initial = this.opts.restartInitialMs ?? 1000;
    const max = this.opts.restartMaxMs ?? 60_000;
    for (;;) {
      const error = await this.consume(this.create(sc).open(rt.abort.signal, events));
      if (rt.abort.signal.aborted) return;
      // A file is read once: replaying it again would count every frame twice.
      if (sc.type === 'pcap-file') {
        if (error !== undefined) events.state('failed', error);
        return;
      }
      rt.failures++;
      const delay = Math.min(max, initial * 2 ** Math.min(rt.failures - 1, 20));
      this.hooks.count('source.restarts');
      events.state('failed', `${error ?? 'capture loop ended unexpectedly'}; restarting in ${Math.round(delay / 1000)} s`);
      try {
        await sleep(delay, undefined, { signal: rt.abort.signal });
      } catch {
        return; // stopped while waiting
      }
    }
  }

  /** Stops one source and forgets it. */
  async stop(name: string): Promise<void> {
    const rt = this.running.get(name);
    if (rt === undefined) return;
    rt.abort.abort();
    await rt.done;
    this.running.delete(name);
  }

  /** Reload: sources gone or changed stop, new or changed ones start, the rest keep capturing. */
  async apply(next: readonly SourceConfig[]): Promise<void> {
    const wanted = new Map(next.map((sc) => [sc.name, sc]));
    for (const [name, rt] of [...this.running]) {
      const sc = wanted.get(name);
      if (sc === undefined || JSON.stringify(sc) !== rt.spec) await this.stop(name);
    }
    for (const sc of next) if (!this.running.has(sc.name)) this.start(sc);
  }

  /** Shutdown: every source stops but stays listed, so the last status says how each ended. */
  async stopAll(): Promise<void> {
    for (const rt of this.running.values()) rt.abort.abort();
    await Promise.allSettled([...this.running.values()].map((rt) => rt.done));
  }

  private eventsFor(rt: Running): SourceEvents {
    const { log, count, changed } = this.hooks;
    return {
      anomaly: (a: SourceAnomaly) => count(`source.${a.code}`),
      state: (s: SourceState, detail?: string) => {
        if (s === rt.state && detail === rt.detail) return;
        rt.state = s;
        rt.detail = detail;
        changed();
        log.log(s === 'failed' || s === 'retrying' ? 'warn' : 'info', `source ${s}`, { source: rt.name, detail });
      },
      loss: (l: SourceLoss) => {
        rt.loss = l;
      },
    };
  }

  /** Feeds a source's batches to the pipeline; returns the error that ended it, if any. */
  private async consume(batches: AsyncIterable<readonly RawFrame[]>): Promise<string | undefined> {
    try {
      for await (const batch of batches) {
        const wait = this.hooks.process(batch);
        if (wait !== undefined) await wait;
      }
      return undefined;
    } catch (err) {
      // Sources turn bad input into anomalies; anything reaching here is a bug, counted and logged.
      this.hooks.count('source.bug');
      this.hooks.log.log('error', 'source failed', { error: String((err as Error).stack ?? err) });
      return String((err as Error).message ?? err).slice(0, 120);
    }
  }
}
