/**
 * What the privacy tests share: a capture replayed through the real agent
 * (pcap-file source, LevelDB state, the test's broker) with every payload
 * published for it collected, and every file of the state directory, so
 * that a test can scan both for what must never be there.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { decodeTelemetry } from '../../src/telemetry/index.js';
import { runAgent, until } from './agent.js';

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

export interface AgentReplay {
  /** The agent's exit code and output. */
  readonly code: number | null;
  readonly out: string;
  /** The state directory the agent kept. */
  readonly state: string;
  /** Every payload the subscriber received, raw. */
  readonly payloads: Buffer[];
  /** The last sequence number the agent published (its stats file). */
  readonly lastSeq: number;
}

/**
 * Replays `file` through `iomt-sensor run --exit-when-done` as sensor `id`
 * (site hosp, ward icu), state under `dir/state-<id>`, and waits until the
 * subscriber holds every message up to the agent's last seq (or 20 s).
 */
export async function replayThroughAgent(o: { dir: string; id: string; file: string; brokerUrl: string }): Promise<AgentReplay> {
  const state = join(o.dir, `state-${o.id}`);
  const cfg = join(o.dir, `config-${o.id}.yaml`);
  writeFileSync(cfg, `sensor: {id: ${o.id}, site: hosp, ward: icu}
state: {dir: ${state}}
sources:
  - {type: pcap-file, name: span, path: ${o.file}, realtime: false}
mqtt:
  url: ${o.brokerUrl}
  reconnect: {initial_ms: 100, max_ms: 400}
inventory: {learning_period_s: 0, delta_interval_s: 1}
health: {interval_s: 5}
`);
  const payloads: Buffer[] = [];
  const sub = mqtt.connect(o.brokerUrl, { clientId: `${o.id}-sub`, protocolVersion: 5, reconnectPeriod: 100 });
  sub.on('message', (_topic, payload) => payloads.push(Buffer.from(payload)));
  await new Promise<void>((resolve, reject) => sub.once('connect', () => sub.subscribe(`iomt/v1/hosp/icu/${o.id}/#`, { qos: 1 }, (err) => (err ? reject(err) : resolve()))));
  const stats = join(o.dir, `stats-${o.id}.json`);
  const done = await runAgent(['--config', cfg, '--exit-when-done', '--stats-file', stats]).exit;
  let lastSeq = 0;
  try {
    lastSeq = (JSON.parse(readFileSync(stats, 'utf8')) as { messages: { lastSeq: number } }).messages.lastSeq;
  } catch { /* no stats: the caller's exit-code assertion says why */ }
  const seqs = (): Set<number> => new Set(payloads.map((p) => decodeTelemetry(p)).flatMap((m) => (m.ok ? [m.seq] : [])));
  await until('every message at the subscriber', () => seqs().size >= lastSeq, 20_000).catch(() => undefined);
  sub.end(true);
  return { code: done.code, out: done.out, state, payloads, lastSeq };
}
