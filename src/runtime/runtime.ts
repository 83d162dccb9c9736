/**
 * The agent's runtime: frames into the pipeline, the tick, commits of state
 * and telemetry in one batch, health, reload and shutdown. `src/agent.ts`
 * builds the parts and hands them here.
 *
 * Commits happen on the one-second tick, and earlier when the sink holds
 * `commit_pending` items or an alert: a fast source waits for that commit
 * before its next batch is processed, so it cannot fill memory or starve
 * the tick, and an alert reaches the outbox (and the broker) within
 * milliseconds instead of at the next tick.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/index.js';
import type { RawFrame } from '../capture/types.js';
import type { SourceSupervisor } from '../capture/supervisor.js';
import type { FrameDecoder } from '../decode/index.js';
import type { AlertGate, GatedAlert } from '../alerts/gate.js';
import type { OuiRegistry } from '../identify/oui.js';
import type { Pipeline } from '../analyze/pipeline.js';
import type { BatchSink, Drained } from '../analyze/sink.js';
import type { SnapshotReason } from '../analyze/types.js';
import type { Store, StoreOp } from '../store/store.js';
import type { AppendItem, Outbox } from '../publish/outbox.js';
import type { MqttSession } from '../publish/mqtt-session.js';
import type { EmbeddedBroker } from '../publish/embedded-broker.js';
import type { Scheduler } from '../publish/scheduler.js';
import { encodeStatus, outboxItem, timeNow } from '../telemetry/envelope.js';
import type { KindBodies } from '../telemetry/kinds.js';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import type { Watchdog } from '../notify.js';
import type { Quarantine } from './quarantine.js';
import type { SourceLoss } from '../capture/types.js';
import { captureLossCheck } from '../capture/loss.js';

const TICK_MS = 1000;

export interface RuntimeParts {
  readonly config: Config;
  readonly configHash: string;
  readonly log: Logger;
  readonly store: Store;
  readonly outbox: Outbox;
  readonly gate: AlertGate;
  readonly sink: BatchSink;
  readonly pipeline: Pipeline;
  readonly decoder: FrameDecoder;
  readonly quarantine: Quarantine;
  readonly oui: OuiRegistry;
  /** Stop once every source has ended and the outbox is drained (replaying files). */
  readonly exitWhenDone?: boolean;
  /** Write run statistics as JSON here on exit (used by the benchmark). */
  readonly statsFile?: string;
  /** More reference data versions for `status` (the advisory feed), read each time status is made. */
  readonly moreFeeds?: () => Readonly<Record<string, string>>;
}

/** What the runtime gets once the parts that call back into it exist. */
export interface RuntimeLinks {
  readonly sources: SourceSupervisor;
  readonly session: MqttSession;
  readonly scheduler: Scheduler;
  readonly broker: EmbeddedBroker | undefined;
}

export class Runtime {
  private config: Config;
  private configHash: string;
  private links!: RuntimeLinks;
  readonly startedMs = Date.now();
  private tickTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private firstFrameMs = 0;
  private sourcesEndedMs = 0;
  private statusDirty = false;
  private committing: Promise<void> = Promise.resolve();
  /** A commit requested by pending size or an alert, not yet started. */
  private early: Promise<void> | undefined;
  private readonly loggedBugs = new Set<string>();
  /** Commits, those started early (pending size or an alert), and the most items one commit carried. */
  private readonly commitStats = { commits: 0, early_commits: 0, largest_commit: 0 };
  private loggedUnknownAlert: string | undefined;
  /** Each live source's loss totals at the last health message, for capture.loss. */
  private readonly lossSeen = new Map<string, SourceLoss>();
  watchdog: Watchdog | undefined;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  constructor(private readonly p: RuntimeParts) {
    this.config = p.config;
    this.configHash = p.configHash;
  }

  link(links: RuntimeLinks): void {
    this.links = links;
  }

  get sensorId(): string {
    return this.config.sensor.id;
  }

  /** Starts the session, the scheduler, the timers and the sources. */
  run(): void {
    const { session, scheduler, sources } = this.links;
    session.start();
    scheduler.start();
    this.tickTimer = setInterval(() => void this.tick(), TICK_MS);
    this.healthTimer = setInterval(() => void this.health(), this.config.health.interval_s * 1000);
    // Subscribers that start after us get the whole inventory without waiting for the cron.
    void this.snapshot('startup');
    for (const sc of this.config.sources) sources.start(sc);
  }

  /** Every batch of every source. A returned promise tells the source to wait for a commit. */
  process(batch: readonly RawFrame[]): Promise<void> | undefined {
    if (this.firstFrameMs === 0 && batch.length > 0) this.firstFrameMs = Date.now();
    this.p.pipeline.process(batch);
    const sink = this.p.sink;
    if (sink.pendingAlerts > 0 || sink.pending >= this.config.runtime.commit_pending) return this.commitSoon();
    return undefined;
  }

  /** One commit for everything pending now; concurrent requests share it. */
  private commitSoon(): Promise<void> {
    if (this.early === undefined) this.commitStats.early_commits++;
    this.early ??= this.tick(false, false).finally(() => (this.early = undefined));
    return this.early;
  }

  statusChanged(): void {
    this.statusDirty = true;
  }

  count(code: string): void {
    this.p.sink.count(code);
  }

  /** Logs the first exception of each analyzer and phase; every one is counted by the pipeline. */
  analyzerBug(analyzer: string, phase: string, err: unknown): void {
    const key = `${analyzer}/${phase}`;
    if (this.loggedBugs.has(key)) return;
    this.loggedBugs.add(key);
    this.p.log.log('error', 'analyzer failed; counted as analyzer.bug, capture goes on', { analyzer, phase, error: String((err as Error)?.stack ?? err) });
  }

  async sourcesEnded(): Promise<void> {
    this.sourcesEndedMs = Date.now();
    if (this.stopping !== undefined || !this.p.exitWhenDone) return;
    this.p.log.log('info', 'all sources ended; draining the outbox before exit', { frames: this.p.pipeline.frames });
    await this.tick(true);
    while (this.p.outbox.depth > 0 && this.stopping === undefined) await sleep(50);
    await this.stop('sources ended');
  }

  /** One tick: analyzers' periodic work (unless `periodic` is false), then the sink into the store and the outbox. */
  tick(final = false, periodic = true): Promise<void> {
    // Commits are serialised so batches reach the store and the outbox in order.
    const run = this.committing.then(async () => {
      if (periodic) {
        if (this.statusDirty) {
          this.statusDirty = false;
          this.links.session.refreshStatus();
        }
        this.p.pipeline.tick(Math.floor(Date.now() / 1000));
      }
      if (final) this.p.pipeline.flush();
      if (this.p.gate.lastUnknown !== undefined && this.p.gate.lastUnknown !== this.loggedUnknownAlert) {
        this.loggedUnknownAlert = this.p.gate.lastUnknown;
        this.p.log.log('error', 'an analyzer raised an unknown alert code; counted as alerts.unknown_code', { code: this.loggedUnknownAlert });
      }
      const d = this.p.sink.drain();
      this.commitStats.commits++;
      this.commitStats.largest_commit = Math.max(this.commitStats.largest_commit, d.messages.length + d.alerts.length + d.ops.length);
      await this.commit(d);
      this.p.quarantine.flush();
      if (periodic) this.watchdog?.progress();
    });
    // The chain itself never rejects, so one failed commit (disk full, I/O error) does not stop
    // later ticks; the watchdog, fed only by successful commits, tells systemd if it persists.
    this.committing = run.catch((err) => {
      this.p.sink.count('agent.commit_failed');
      this.p.log.log('error', 'commit failed', { error: String((err as Error).stack ?? err) });
    });
    return this.committing;
  }

  private async commit(d: Drained): Promise<void> {
    const ops: StoreOp[] = d.ops.map((o) => (o.type === 'put' ? { type: 'put', area: o.area, key: o.key, value: o.value } : { type: 'del', area: o.area, key: o.key }));
    const items: AppendItem[] = [];
    const sensor = this.sensorId;
    const now = timeNow();
    for (const m of d.messages) items.push(outboxItem(m.kind, sensor, now, m.body));
    for (const a of d.alerts) items.push(outboxItem('alert', sensor, now, alertBody(a)));
    // One atomic batch: state and the telemetry announcing it survive a crash together.
    if (items.length > 0 || ops.length > 0) await this.p.outbox.commit(items, ops);
  }

  snapshot(reason: SnapshotReason = 'command'): Promise<void> {
    this.p.pipeline.snapshot(reason);
    return this.tick();
  }

  /**
   * SIGHUP: apply a new configuration without losing state. Sources are
   * added, removed or restarted; alert limits and the health interval change
   * in place; analyzers take what they can. Keys that need a restart are
   * returned and keep their old values.
   */
  async reload(next: Config, hash: string): Promise<string[]> {
    const old = this.config;
    const needRestart = new Set<string>();
    for (const key of ['sensor', 'state', 'mqtt', 'outbox', 'runtime'] as const) {
      if (JSON.stringify(old[key]) !== JSON.stringify(next[key])) needRestart.add(key);
    }
    for (const a of this.p.pipeline.analyzers) {
      if (a.reconfigure === undefined) continue;
      this.p.pipeline.fenced(a, 'reconfigure', () => {
        for (const k of a.reconfigure!(next)) needRestart.add(k);
      });
    }
    await this.links.sources.apply(next.sources);
    this.p.gate.reconfigure({ suppressS: next.alerts.suppress_s, maxPerMinute: next.alerts.max_per_minute });
    if (next.health.interval_s !== old.health.interval_s) {
      clearInterval(this.healthTimer);
      this.healthTimer = setInterval(() => void this.health(), next.health.interval_s * 1000);
    }
    // Keys that need a restart keep running with their old values until then.
    const kept: Partial<Record<keyof Config, unknown>> = {};
    for (const k of needRestart) kept[k as keyof Config] = old[k as keyof Config];
    this.config = { ...next, ...kept } as Config;
    this.configHash = hash;
    this.statusDirty = true;
    const list = [...needRestart];
    this.p.log.log(list.length > 0 ? 'warn' : 'info', 'configuration reloaded', {
      sources: next.sources.map((s) => s.name).join(','),
      hash,
      restart_needed_for: list.length > 0 ? list.join(',') : undefined,
    });
    return list;
  }

  statusPayload(state: 'online' | 'offline'): Uint8Array {
    return encodeStatus(
      { sensor: this.sensorId, seq: 0, time: timeNow() },
      { state, version: VERSION, uptimeSec: Math.floor((Date.now() - this.startedMs) / 1000), configHash: this.configHash, sources: this.links?.sources.status() ?? [], feeds: this.feeds() },
    );
  }

  /** Versions of the reference data in use, for the status stream. */
  private feeds(): Record<string, string> {
    const oui = this.p.oui.source;
    return { oui: `${oui.origin} ${oui.version} (${oui.entries} prefixes)`, ...this.p.moreFeeds?.() };
  }

  /** Counters for the health stream: decode, sources, analyzers, alerts, outbox, session. */
  counters(): Record<string, number> {
    const { pipeline, decoder, sink, gate, outbox, quarantine } = this.p;
    const out: Record<string, number> = { frames: pipeline.frames };
    for (const [k, v] of Object.entries(decoder.counters.snapshot())) out[`decode.${k}`] = v;
    for (const [k, v] of sink.counters) out[k] = v;
    for (const [name, s] of pipeline.perSource) {
      out[`source.${name}.frames`] = s.frames;
      out[`source.${name}.bytes`] = s.bytes;
    }
    for (const [k, v] of Object.entries(gate.counters)) out[`alerts.${k}`] = v;
    for (const [k, v] of Object.entries(outbox.healthCounters())) out[k] = v;
    if (this.links !== undefined) for (const [k, v] of Object.entries(this.links.session.stats)) out[`mqtt.${k}`] = v;
    for (const [k, v] of Object.entries(quarantine.counters)) if (v > 0) out[`quarantine.${k}`] = v;
    for (const [k, v] of Object.entries(this.commitStats)) out[`runtime.${k}`] = v;
    if (this.links !== undefined) Object.assign(out, this.links.sources.lossCounters());
    for (const a of pipeline.analyzers) {
      if (a.gauges === undefined) continue;
      try {
        for (const [k, v] of Object.entries(a.gauges())) out[`${a.name}.${k}`] = v;
      } catch {
        out[`analyzer.bug.${a.name}`] = (out[`analyzer.bug.${a.name}`] ?? 0) + 1;
      }
    }
    return out;
  }

  health(final = false): Promise<void> {
    const { outbox } = this.p;
    this.checkLoss();
    this.p.sink.publishAny('health', {
      counters: this.counters(),
      outboxDepth: outbox.depth,
      outboxDropped: outbox.dropped,
      outboxBytes: outbox.bytes,
      rssBytes: process.memoryUsage.rss(),
      uptimeSec: Math.floor((Date.now() - this.startedMs) / 1000),
      sources: this.links.sources.status(),
    } satisfies KindBodies['health']);
    return this.tick(final);
  }

  /**
   * Once per health message: a live source that lost more than
   * capture.loss_alert_share of the frames offered since the last one raises
   * capture.loss (src/capture/loss.ts), so the SOC knows the sensor was blind.
   */
  private checkLoss(): void {
    const { sources } = this.links;
    const names = new Set(sources.names());
    for (const name of [...this.lossSeen.keys()]) if (!names.has(name)) this.lossSeen.delete(name);
    for (const name of names) {
      const cur = sources.loss(name);
      if (cur === undefined) continue;
      const c = captureLossCheck(name, this.lossSeen.get(name), cur, this.config.capture.loss_alert_share);
      this.lossSeen.set(name, cur);
      if (c.alert) this.p.sink.alert({ code: 'capture.loss', device: c.device, time: Math.floor(Date.now() / 1000), facts: c.facts });
    }
  }

  /** Stops sources, flushes analyzers, the store and (within the timeout) the outbox. */
  stop(reason: string, flushTimeoutMs = 5000): Promise<void> {
    this.stopping ??= (async () => {
      const { log, outbox, store, pipeline } = this.p;
      const { sources, scheduler, session, broker } = this.links;
      log.log('info', 'stopping', { reason });
      this.watchdog?.stop();
      await sources.stopAll();
      clearInterval(this.tickTimer);
      clearInterval(this.healthTimer);
      await scheduler.stop();
      // The last counters before shutdown go out with the final flush.
      await this.health(true);
      await outbox.settled();
      await session.close(flushTimeoutMs);
      await broker?.close();
      this.writeStats();
      await store.close();
      log.log('info', 'stopped', { frames: pipeline.frames, outbox: outbox.depth });
      this.resolveDone();
    })();
    return this.stopping;
  }

  private writeStats(): void {
    if (this.p.statsFile === undefined) return;
    const { pipeline, outbox } = this.p;
    const end = Date.now();
    const pipelineSeconds = ((this.sourcesEndedMs || end) - (this.firstFrameMs || this.startedMs)) / 1000;
    let bytes = 0;
    for (const s of pipeline.perSource.values()) bytes += s.bytes;
    const stats = {
      frames: pipeline.frames,
      bytes,
      pipelineSeconds,
      totalSeconds: (end - this.startedMs) / 1000,
      framesPerSecond: pipelineSeconds > 0 ? pipeline.frames / pipelineSeconds : 0,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      messages: { published: this.links.session.stats.published, acked: this.links.session.stats.acked, lastSeq: outbox.lastSeq, outboxDepth: outbox.depth },
      counters: this.counters(),
    };
    writeFileSync(this.p.statsFile, JSON.stringify(stats, null, 2) + '\n');
  }
}

function alertBody(a: GatedAlert): KindBodies['alert'] {
  return {
    code: a.def.code,
    severity: a.severity,
    device: a.input.device,
    time: [a.input.time, 0],
    title: a.def.title,
    facts: a.input.facts ?? {},
    count: a.count,
  };
}
