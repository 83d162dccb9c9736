/**
 * Wiring only: config → sources → pipeline → analyzers → store → publish.
 *
 * Frames flow synchronously from a source batch through decode and the
 * analyzers into the tick sink. Once a second the tick drains the sink into
 * one store batch and one outbox append; the MQTT session drains the outbox.
 */
import { writeFileSync } from 'node:fs';
import type { Config } from './config/index.js';
import { SourceSupervisor } from './capture/supervisor.js';
import { defaultFrameDecoder } from './decode/index.js';
import { AlertCatalogue } from './alerts/catalogue.js';
import { AlertGate, type GatedAlert } from './alerts/gate.js';
import { OuiRegistry } from './identify/oui.js';
import { InventoryAnalyzer } from './analyze/inventory/index.js';
import { Pipeline } from './analyze/pipeline.js';
import { BatchSink, type Drained } from './analyze/sink.js';
import { Store, type StoreOp } from './store/store.js';
import { Outbox, type AppendItem } from './publish/outbox.js';
import { MqttSession } from './publish/mqtt-session.js';
import { CommandHandler } from './publish/commands.js';
import { loadMqttSecrets } from './config/secrets.js';
import type { EmbeddedBroker } from './publish/embedded-broker.js';
import { Scheduler } from './publish/scheduler.js';
import { Topics } from './publish/topics.js';
import { encodeStatus, outboxItem, timeNow } from './publish/envelope.js';
import { Kind, kindById, type KindBodies, type KindName } from './publish/kinds.js';
import type { Logger } from './log.js';
import { VERSION } from './version.js';
import { SystemdNotifier, Watchdog } from './notify.js';

export interface AgentOptions {
  readonly config: Config;
  readonly configHash: string;
  readonly log: Logger;
  /** Stop once every source has ended and the outbox is drained (replaying files). */
  readonly exitWhenDone?: boolean;
  /** Write run statistics as JSON here on exit (used by the benchmark). */
  readonly statsFile?: string;
}

const TICK_MS = 1000;

export class Agent {
  private readonly sources: SourceSupervisor;
  private config: Config;
  private configHash: string;
  private readonly startedMs = Date.now();
  private tickTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private firstFrameMs = 0;
  private sourcesEndedMs = 0;
  /** A source changed state or the config was reloaded: republish the retained status on the next tick. */
  private statusDirty = false;
  /** sd_notify(3) through a socat child; inert when not run by systemd (src/notify.ts). */
  private notifier: SystemdNotifier | undefined;
  /** Pings systemd only while ticks keep committing, so a stalled pipeline gets restarted. */
  private watchdog: Watchdog | undefined;
  private committing: Promise<void> = Promise.resolve();
  private resolveDone!: () => void;
  /** Resolves when the agent has stopped. */
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  private constructor(
    private readonly opts: AgentOptions,
    private readonly store: Store,
    private readonly outbox: Outbox,
    private readonly session: MqttSession,
    private readonly broker: EmbeddedBroker | undefined,
    private readonly pipeline: Pipeline,
    private readonly sink: BatchSink,
    private readonly gate: AlertGate,
    private readonly inventory: InventoryAnalyzer,
    private readonly decoder: ReturnType<typeof defaultFrameDecoder>,
    private readonly scheduler: Scheduler,
    private readonly oui: OuiRegistry,
  ) {
    this.config = opts.config;
    this.configHash = opts.configHash;
    this.sources = new SourceSupervisor({
      process: (batch) => {
        if (this.firstFrameMs === 0 && batch.length > 0) this.firstFrameMs = Date.now();
        this.pipeline.process(batch);
      },
      count: (code) => this.sink.count(code),
      changed: () => (this.statusDirty = true),
      allEnded: () => void this.sourcesEnded(),
      log: opts.log,
    });
  }

  static async start(opts: AgentOptions): Promise<Agent> {
    const { config, log } = opts;
    const topics = new Topics({ site: config.sensor.site, ward: config.sensor.ward, sensor: config.sensor.id });
    // Before anything is opened: bad credentials or TLS files stop start-up as configuration errors.
    const mqttSecrets = loadMqttSecrets(config.mqtt);
    const store = await Store.open(config.state.dir);
    const outbox = await Outbox.open(store, { maxMessages: config.outbox.max_messages, maxBytes: config.outbox.max_bytes });
    const gate = new AlertGate(new AlertCatalogue(), { suppressS: config.alerts.suppress_s, maxPerMinute: config.alerts.max_per_minute });
    const sink = new BatchSink(gate);
    const oui = new OuiRegistry();
    const inventory = new InventoryAnalyzer(
      {
        maxDevices: config.inventory.max_devices,
        learningPeriodS: config.inventory.learning_period_s,
        deltaIntervalS: config.inventory.delta_interval_s,
        maxIpsPerDevice: config.inventory.max_ips_per_device,
      },
      oui,
    );
    inventory.restore(await store.all('devices'));
    const decoder = defaultFrameDecoder();
    const pipeline = new Pipeline(decoder, [inventory], sink);

    let broker: EmbeddedBroker | undefined;
    let url = config.mqtt.url;
    let protocolVersion = config.mqtt.protocol_version;
    if (url === undefined) {
      // Loaded only here: a sensor with a central broker never needs the broker code in memory.
      const { startEmbeddedBroker } = await import('./publish/embedded-broker.js');
      broker = await startEmbeddedBroker({ host: config.mqtt.embedded.host, port: config.mqtt.embedded.port });
      url = broker.url;
      protocolVersion = broker.protocolVersion;
      log.log('info', 'no broker configured: embedded broker started', { url });
    }
    let agent: Agent | undefined;
    const session = new MqttSession({
      url,
      sensorId: config.sensor.id,
      outbox,
      topicFor: (stream) => topics.stream(stream),
      statusTopic: topics.status,
      statusPayload: (state) => agent?.statusPayload(state) ?? encodeStatus({ sensor: config.sensor.id, seq: 0, time: timeNow() }, { state, version: VERSION, uptimeSec: 0, configHash: opts.configHash, sources: [] }),
      protocolVersion,
      keepaliveSec: config.mqtt.keepalive_s,
      inflightWindow: config.mqtt.inflight,
      reconnectInitialMs: config.mqtt.reconnect.initial_ms,
      reconnectMaxMs: config.mqtt.reconnect.max_ms,
      connectOptions: mqttSecrets.connectOptions,
      commands: new CommandHandler({ topics, log, count: (c) => sink.count(c), run: { snapshot: () => agent?.snapshot(), health: () => agent?.health() } }),
      onState: (c) => log.log(c.state === 'online' ? 'info' : 'warn', `broker ${c.state}`, { url, reason: c.reason }),
    });
    const scheduler = new Scheduler(
      [{ name: 'inventory-snapshot', cron: config.inventory.snapshot_cron, run: () => agent?.snapshot() }],
      { onError: (job, err) => log.log('error', 'scheduled job failed', { job, error: String(err) }) },
    );
    agent = new Agent(opts, store, outbox, session, broker, pipeline, sink, gate, inventory, decoder, scheduler, oui);
    agent.run();
    agent.startNotifier();
    log.log('info', 'agent started', { version: VERSION, sensor: config.sensor.id, devices: inventory.size, outbox: outbox.depth, next_seq: outbox.lastSeq + 1 });
    return agent;
  }

  private run(): void {
    const { config } = this.opts;
    this.session.start();
    this.scheduler.start();
    this.tickTimer = setInterval(() => void this.tick(), TICK_MS);
    this.healthTimer = setInterval(() => void this.health(), config.health.interval_s * 1000);
    // Subscribers that start after us get the whole inventory without waiting for the cron.
    if (this.inventory.size > 0) void this.snapshot();
    for (const sc of config.sources) this.sources.start(sc);
  }

  /**
   * SIGHUP: apply a new configuration without losing state. Sources are
   * added, removed or restarted (a changed source restarts; the others keep
   * capturing); alert limits and the health interval change in place. Keys
   * that need the agent restarted (sensor identity, state, broker, outbox,
   * inventory sizing) are named in the log and keep their old values.
   */
  async reload(next: Config, hash: string): Promise<string[]> {
    const old = this.config;
    const needRestart: string[] = [];
    for (const key of ['sensor', 'state', 'mqtt', 'outbox', 'inventory'] as const) {
      if (JSON.stringify(old[key]) !== JSON.stringify(next[key])) needRestart.push(key);
    }
    await this.sources.apply(next.sources);
    this.gate.reconfigure({ suppressS: next.alerts.suppress_s, maxPerMinute: next.alerts.max_per_minute });
    if (next.health.interval_s !== old.health.interval_s) {
      clearInterval(this.healthTimer);
      this.healthTimer = setInterval(() => void this.health(), next.health.interval_s * 1000);
    }
    // Keys that need a restart keep running with their old values until then.
    this.config = { ...next, sensor: old.sensor, state: old.state, mqtt: old.mqtt, outbox: old.outbox, inventory: old.inventory };
    this.configHash = hash;
    this.statusDirty = true;
    this.opts.log.log(needRestart.length > 0 ? 'warn' : 'info', 'configuration reloaded', {
      sources: next.sources.map((s) => s.name).join(','),
      hash,
      restart_needed_for: needRestart.length > 0 ? needRestart.join(',') : undefined,
    });
    return needRestart;
  }

  /** READY=1 once the store is open and the sources started, then the progress-gated watchdog. */
  private startNotifier(): void {
    const notifier = SystemdNotifier.fromEnv(process.env, { log: this.opts.log });
    this.notifier = notifier;
    if (notifier.watchdogUsec !== undefined) {
      this.watchdog = new Watchdog(() => notifier.watchdog(), notifier.watchdogUsec);
      this.watchdog.start();
    }
    notifier.ready(this.readyStatus());
  }

  private readyStatus(): string {
    return `running; sources: ${this.sources.names().join(', ')}`;
  }

  /**
   * Brackets a configuration reload with RELOADING=1 ... READY=1 for systemd
   * (sd_notify(3)); READY=1 goes out even when the reload fails half-way, so
   * the unit never stays "reloading".
   */
  async notifyReload<T>(reload: () => Promise<T>): Promise<T> {
    this.notifier?.reloading();
    try {
      return await reload();
    } finally {
      this.notifier?.ready(this.readyStatus());
    }
  }

  private async sourcesEnded(): Promise<void> {
    this.sourcesEndedMs = Date.now();
    if (this.stopping !== undefined || !this.opts.exitWhenDone) return;
    this.opts.log.log('info', 'all sources ended; draining the outbox before exit', { frames: this.pipeline.frames });
    await this.tick(true);
    while (this.outbox.depth > 0 && this.stopping === undefined) await sleep(50);
    await this.stop('sources ended');
  }

  /** One tick: analyzers' periodic work, then the sink into the store and the outbox. */
  private tick(final = false): Promise<void> {
    // Ticks are serialised so batches reach the store and the outbox in order.
    const run = this.committing.then(async () => {
      const nowSec = Math.floor(Date.now() / 1000);
      if (this.statusDirty) {
        this.statusDirty = false;
        this.session.refreshStatus();
      }
      this.pipeline.tick(nowSec);
      if (final) this.inventory.flush(this.sink);
      await this.commit(this.sink.drain());
      this.watchdog?.progress();
    });
    // The chain itself never rejects, so one failed commit (disk full, I/O error) does not stop
    // later ticks; the watchdog, fed only by successful commits, tells systemd if it persists.
    this.committing = run.catch((err) => {
      this.sink.count('agent.commit_failed');
      this.opts.log.log('error', 'tick failed', { error: String((err as Error).stack ?? err) });
    });
    return this.committing;
  }

  private async commit(d: Drained): Promise<void> {
    const ops: StoreOp[] = d.ops.map((o) => (o.type === 'put' ? { type: 'put', area: o.area, key: o.key, value: o.value } : { type: 'del', area: o.area, key: o.key }));
    const items: AppendItem[] = [];
    const sensor = this.opts.config.sensor.id;
    for (const m of d.messages) {
      const spec = kindById(m.kind);
      if (spec === undefined) throw new Error(`analyzer published unknown telemetry kind ${m.kind} on ${m.stream}`);
      items.push(outboxItem(spec.name as KindName, sensor, timeNow(), m.body as KindBodies[KindName]));
    }
    for (const a of d.alerts) items.push(outboxItem('alert', sensor, timeNow(), alertBody(a)));
    // One atomic batch: state and the telemetry announcing it survive a crash together.
    if (items.length > 0 || ops.length > 0) await this.outbox.commit(items, ops);
  }

  private snapshot(): Promise<void> {
    this.inventory.snapshot(this.sink);
    return this.tick();
  }

  private statusPayload(state: 'online' | 'offline'): Uint8Array {
    return encodeStatus(
      { sensor: this.opts.config.sensor.id, seq: 0, time: timeNow() },
      { state, version: VERSION, uptimeSec: Math.floor((Date.now() - this.startedMs) / 1000), configHash: this.configHash, sources: this.sources.status(), feeds: this.feeds() },
    );
  }

  /** Versions of the reference data in use, for the status stream. */
  private feeds(): Record<string, string> {
    const oui = this.oui.source;
    return { oui: `${oui.origin} ${oui.version} (${oui.entries} prefixes)` };
  }

  /** Counters for the health stream: decode, sources, analyzers, alerts, outbox, session. */
  counters(): Record<string, number> {
    const out: Record<string, number> = { frames: this.pipeline.frames };
    for (const [k, v] of Object.entries(this.decoder.counters.snapshot())) out[`decode.${k}`] = v;
    for (const [k, v] of this.sink.counters) out[k] = v;
    for (const [name, s] of this.pipeline.perSource) {
      out[`source.${name}.frames`] = s.frames;
      out[`source.${name}.bytes`] = s.bytes;
    }
    for (const [k, v] of Object.entries(this.gate.counters)) out[`alerts.${k}`] = v;
    for (const [k, v] of Object.entries(this.outbox.healthCounters())) out[k] = v;
    for (const [k, v] of Object.entries(this.session.stats)) out[`mqtt.${k}`] = v;
    out['inventory.devices'] = this.inventory.size;
    return out;
  }

  private health(final = false): Promise<void> {
    this.sink.publish('health', Kind.health, {
      counters: this.counters(),
      outboxDepth: this.outbox.depth,
      outboxDropped: this.outbox.dropped,
      outboxBytes: this.outbox.bytes,
      rssBytes: process.memoryUsage.rss(),
      uptimeSec: Math.floor((Date.now() - this.startedMs) / 1000),
      sources: this.sources.status(),
    } satisfies KindBodies['health']);
    return this.tick(final);
  }

  /** Stops sources, flushes analyzers, the store and (within the timeout) the outbox. */
  stop(reason: string, flushTimeoutMs = 5000): Promise<void> {
    this.stopping ??= (async () => {
      this.opts.log.log('info', 'stopping', { reason });
      this.watchdog?.stop();
      this.notifier?.stopping(`stopping: ${reason}`);
      await this.sources.stopAll();
      clearInterval(this.tickTimer);
      clearInterval(this.healthTimer);
      await this.scheduler.stop();
      // The last counters before shutdown go out with the final flush.
      await this.health(true);
      await this.outbox.settled();
      await this.session.close(flushTimeoutMs);
      await this.broker?.close();
      this.writeStats();
      await this.store.close();
      this.opts.log.log('info', 'stopped', { frames: this.pipeline.frames, outbox: this.outbox.depth });
      await this.notifier?.close();
      this.resolveDone();
    })();
    return this.stopping;
  }

  private writeStats(): void {
    if (this.opts.statsFile === undefined) return;
    const end = Date.now();
    const pipelineSeconds = ((this.sourcesEndedMs || end) - (this.firstFrameMs || this.startedMs)) / 1000;
    let bytes = 0;
    for (const s of this.pipeline.perSource.values()) bytes += s.bytes;
    const stats = {
      frames: this.pipeline.frames,
      bytes,
      pipelineSeconds,
      totalSeconds: (end - this.startedMs) / 1000,
      framesPerSecond: pipelineSeconds > 0 ? this.pipeline.frames / pipelineSeconds : 0,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      messages: { published: this.session.stats.published, acked: this.session.stats.acked, lastSeq: this.outbox.lastSeq, outboxDepth: this.outbox.depth },
      counters: this.counters(),
    };
    writeFileSync(this.opts.statsFile, JSON.stringify(stats, null, 2) + '\n');
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
