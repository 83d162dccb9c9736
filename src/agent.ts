/**
 * Wiring only: config → sources → pipeline → analyzers → runtime → store →
 * publish. What happens at run time (the tick, commits, health, reload,
 * shutdown) is in src/runtime/runtime.ts.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Config } from './config/index.js';
import { SourceSupervisor } from './capture/supervisor.js';
import { defaultFrameDecoder } from './decode/index.js';
import { AlertCatalogue } from './alerts/catalogue.js';
import { AlertGate } from './alerts/gate.js';
import { OuiRegistry } from './identify/oui.js';
import { buildAnalyzers } from './analyze/analyzers.js';
import { Pipeline } from './analyze/pipeline.js';
import { BatchSink } from './analyze/sink.js';
import { Store } from './store/store.js';
import { Outbox } from './publish/outbox.js';
import { MqttSession } from './publish/mqtt-session.js';
import { CommandHandler } from './publish/commands.js';
import { loadMqttSecrets } from './config/secrets.js';
import type { EmbeddedBroker } from './publish/embedded-broker.js';
import { Scheduler } from './publish/scheduler.js';
import { Topics } from './telemetry/topics.js';
import { Runtime } from './runtime/runtime.js';
import { Quarantine } from './runtime/quarantine.js';
import type { Logger } from './log.js';
import { VERSION } from './version.js';
import { SystemdNotifier, Watchdog } from './notify.js';
import { VulnsAnalyzer } from './analyze/vulns/index.js';
import { FeedWatcher } from './identify/advisories/watcher.js';
import { FeedInbox } from './identify/advisories/inbox.js';

export interface AgentOptions {
  readonly config: Config;
  readonly configHash: string;
  readonly log: Logger;
  /** Stop once every source has ended and the outbox is drained (replaying files). */
  readonly exitWhenDone?: boolean;
  /** Write run statistics as JSON here on exit (used by the benchmark). */
  readonly statsFile?: string;
}

export class Agent {
  /** sd_notify(3) through a socat child; inert when not run by systemd (src/notify.ts). */
  private notifier: SystemdNotifier | undefined;

  private constructor(
    private readonly runtime: Runtime,
    private readonly sources: SourceSupervisor,
    private readonly log: Logger,
    private readonly feedWatcher?: FeedWatcher,
  ) {
    this.done = runtime.done.then(() => this.notifier?.close());
  }

  /** Resolves when the agent has stopped (asked to, or its file sources ended) and systemd was told. */
  readonly done: Promise<void>;

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
    const analyzers = buildAnalyzers(config, { oui });
    const decoder = defaultFrameDecoder();
    const quarantine = new Quarantine({ dir: join(config.state.dir, 'quarantine'), mode: config.runtime.quarantine });
    let runtime: Runtime | undefined;
    const pipeline = new Pipeline(decoder, analyzers, sink, { quarantine, bug: (a, phase, err) => runtime?.analyzerBug(a, phase, err) });
    for (const a of analyzers) {
      if (a.restore === undefined || a.area === undefined) continue;
      const records = await store.all(a.area);
      pipeline.fenced(a, 'restore', () => a.restore!(records));
    }
    // vulns (issue 12): the advisory feed is read beside the agent (the validator takes seconds to load) and handed to the analyzer.
    const vulns = analyzers.find((a): a is VulnsAnalyzer => a instanceof VulnsAnalyzer);
    // The installed bundle, then what the central side published (vulns.feed_topic), which wins on a shared name.
    const inboxDir = join(config.state.dir, 'feed-inbox');
    const feedDirs = [...(config.vulns.feed_dir === undefined ? [] : [config.vulns.feed_dir]), ...(config.vulns.feed_topic ? [inboxDir] : [])];
    if (config.vulns.feed_topic) mkdirSync(inboxDir, { recursive: true });
    const feedWatcher = feedDirs.length === 0 || vulns === undefined ? undefined : new FeedWatcher({
      dirs: feedDirs,
      checkS: config.vulns.feed_check_s,
      limits: { maxAdvisories: config.vulns.max_advisories, maxFileBytes: config.vulns.max_file_bytes },
      onFeed: (feed) => {
        vulns.setFeed(feed);
        runtime?.statusChanged();
        log.log('info', 'advisory feed loaded', { ...feed.versions, verified: feed.verified, rejected: feed.rejected.map((r) => `${r.file}: ${r.reason}`).join('; ') || undefined });
      },
      onError: (err) => log.log('error', 'advisory feed unreadable; keeping the one in use', { dirs: feedDirs.join(','), error: String(err) }),
    });
    const moreFeeds = (): Record<string, string> => (feedWatcher?.current === undefined ? {} : { ...feedWatcher.current.versions });
    runtime = new Runtime({ ...opts, store, outbox, gate, sink, pipeline, decoder, quarantine, oui, moreFeeds });
    const rt = runtime;
    rt.done.then(() => feedWatcher?.stop(), () => feedWatcher?.stop());

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
    const session = new MqttSession({
      url,
      sensorId: config.sensor.id,
      outbox,
      topicFor: (stream) => topics.stream(stream),
      statusTopic: topics.status,
      statusPayload: (state) => rt.statusPayload(state),
      protocolVersion,
      keepaliveSec: config.mqtt.keepalive_s,
      inflightWindow: config.mqtt.inflight,
      reconnectInitialMs: config.mqtt.reconnect.initial_ms,
      reconnectMaxMs: config.mqtt.reconnect.max_ms,
      connectOptions: mqttSecrets.connectOptions,
      ...(config.vulns.feed_topic && feedWatcher !== undefined
        ? { feeds: new FeedInbox({ dir: inboxDir, prefix: topics.feedPrefix, maxFileBytes: config.vulns.max_file_bytes, maxFiles: config.vulns.feed_topic_max_files, changed: () => void feedWatcher.check(), count: (c) => sink.count(c) }) }
        : {}),
      commands: new CommandHandler({ topics, log, count: (c) => sink.count(c), run: { snapshot: () => rt.snapshot('command'), health: () => rt.health() } }),
      onState: (c) => log.log(c.state === 'online' ? 'info' : 'warn', `broker ${c.state}`, { url, reason: c.reason }),
    });
    const scheduler = new Scheduler(
      [{ name: 'inventory-snapshot', cron: config.inventory.snapshot_cron, run: () => rt.snapshot('scheduled') }],
      { onError: (job, err) => log.log('error', 'scheduled job failed', { job, error: String(err) }) },
    );
    const sources = new SourceSupervisor({
      process: (batch) => rt.process(batch),
      count: (code) => rt.count(code),
      changed: () => rt.statusChanged(),
      allEnded: () => void rt.sourcesEnded(),
      log,
    });
    rt.link({ sources, session, scheduler, broker });
    const agent = new Agent(rt, sources, log, feedWatcher);
    feedWatcher?.start();
    rt.run();
    agent.startNotifier();
    log.log('info', 'agent started', { version: VERSION, sensor: config.sensor.id, analyzers: analyzers.map((a) => a.name).join(','), outbox: outbox.depth, next_seq: outbox.lastSeq + 1 });
    return agent;
  }

  reload(next: Config, hash: string): Promise<string[]> {
    // SIGHUP also re-reads the advisory feed directory (a dropped-in file is seen at once).
    void this.feedWatcher?.check();
    return this.runtime.reload(next, hash);
  }

  /** READY=1 once the store is open and the sources started, then the progress-gated watchdog. */
  private startNotifier(): void {
    const notifier = SystemdNotifier.fromEnv(process.env, { log: this.log });
    this.notifier = notifier;
    if (notifier.watchdogUsec !== undefined) {
      this.runtime.watchdog = new Watchdog(() => notifier.watchdog(), notifier.watchdogUsec);
      this.runtime.watchdog.start();
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

  async stop(reason: string, flushTimeoutMs = 5000): Promise<void> {
    this.notifier?.stopping(`stopping: ${reason}`);
    await this.runtime.stop(reason, flushTimeoutMs);
    await this.done;
  }
}
