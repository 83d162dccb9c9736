/**
 * `iomt-sensor watch`: a subscriber that prints what sensors publish, as one
 * readable line per message or as JSON lines. Payloads are untrusted input;
 * anything that does not decode is printed as a decode error, never thrown.
 */
import { deviceAddresses, deviceAttr, deviceId } from './device.js';
import mqtt from 'mqtt';
import { decodeTelemetry, timeToIso, toJson, type TelemetryError, type TelemetryMessage } from './index.js';

export interface WatchOptions {
  readonly url: string;
  /** Topic filter; `iomt/v1/#` unless given. */
  readonly topic?: string;
  readonly json?: boolean;
  /** Stop after this many messages (0: never). */
  readonly count?: number;
  readonly protocolVersion?: 4 | 5;
  /** TLS material and credentials (src/config/secrets.ts), as for the sensor. */
  readonly connectOptions?: Pick<mqtt.IClientOptions, 'username' | 'password' | 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
  readonly out?: NodeJS.WritableStream;
  readonly signal?: AbortSignal;
  /** Called once the subscription is in place. */
  readonly onReady?: () => void;
}

const SEVERITY = ['info', 'low', 'medium', 'high', 'critical'];

/** One line for a person reading a terminal. */
export function describe(topic: string, m: TelemetryMessage | TelemetryError): string {
  if (!m.ok) return `?? ${topic}: ${m.code}: ${m.detail}`;
  const head = `${timeToIso(m.time).slice(11, 19)} ${m.sensor} #${m.seq}`;
  switch (m.kindName) {
    case 'status': {
      const b = m.body;
      const src = b.sources.map((s) => `${s.name}=${s.state}`).join(' ');
      return `${head} status ${b.state} v${b.version} up ${b.uptimeSec}s config ${b.configHash}${src ? ` sources ${src}` : ''}`;
    }
    case 'health': {
      const b = m.body;
      const frames = b.counters.frames ?? 0;
      return `${head} health frames=${frames} devices=${b.counters['inventory.devices'] ?? 0} outbox=${b.outboxDepth} dropped=${b.outboxDropped} rss=${(b.rssBytes / 1048576).toFixed(1)}MiB`;
    }
    case 'inventory-delta':
    case 'inventory-snapshot': {
      const b = m.body;
      const what = m.kindName === 'inventory-delta' ? `inventory delta: ${b.devices.length} changed${m.body.removed.length ? `, ${m.body.removed.length} removed` : ''}` : `inventory snapshot ${m.body.part + 1}/${m.body.parts}: ${b.devices.length} devices`;
      const sample = b.devices
        .slice(0, 3)
        .map((d) => {
          const vendor = deviceAttr(d, 'vendor');
          // The class engine's answer (or a router's role), so a swap shows in the stream as it happens.
          const cls = deviceAttr(d, 'class') ?? deviceAttr(d, 'role');
          const ips = deviceAddresses(d);
          return `${deviceId(d)}${vendor ? ` (${vendor})` : ''}${cls ? ` [${cls}]` : ''}${ips.length ? ` ${ips.slice(0, 2).join(',')}` : ''} frames=${d.frames}`;
        })
        .join('; ');
      return `${head} ${what}${sample ? ` | ${sample}${b.devices.length > 3 ? ' ...' : ''}` : ''}`;
    }
    case 'alert': {
      const b = m.body;
      const facts = Object.entries(b.facts).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      return `${head} ALERT [${SEVERITY[b.severity] ?? b.severity}] ${b.code} ${b.device}: ${b.title}${b.count > 1 ? ` (x${b.count})` : ''}${facts ? ` ${facts}` : ''}`;
    }
    default:
      return `${head} kind ${m.kind} (unknown to this build)`;
  }
}

/** Subscribes and prints until the signal aborts or `count` messages arrived. */
export function watch(opts: WatchOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const topic = opts.topic ?? 'iomt/v1/#';
  return new Promise((resolve, reject) => {
    let n = 0;
    const client = mqtt.connect(opts.url, { ...opts.connectOptions, protocolVersion: opts.protocolVersion ?? 5, reconnectPeriod: 1000, connectTimeout: 10_000 });
    const finish = () => {
      client.end(true, {}, () => resolve(n));
    };
    opts.signal?.addEventListener('abort', finish, { once: true });
    client.on('connect', () => {
      client.subscribe(topic, { qos: 1 }, (err) => {
        if (err) {
          client.end(true);
          reject(new Error(`cannot subscribe to ${topic}: ${err.message}`));
        } else opts.onReady?.();
      });
    });
    client.on('error', (err) => out.write(`watch: ${opts.url}: ${err.message}\n`));
    client.on('message', (t, payload) => {
      const m = decodeTelemetry(payload);
      out.write((opts.json ? JSON.stringify({ topic: t, ...toJson(m) }) : describe(t, m)) + '\n');
      n++;
      if (opts.count !== undefined && opts.count > 0 && n >= opts.count) finish();
    });
  });
}
