/**
 * The agent under a random-MAC flood, with small caps: the device table
 * stays at its cap and counts what it evicts, commits happen early when the
 * pending batch fills or an alert is raised (so nothing between commits
 * grows with the input), and every alert the gate let through reaches the
 * broker. Peak memory itself is measured by `npm run bench` (flood section),
 * not asserted here.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto } from './support/mosquitto.js';
import { runAgent } from './support/agent.js';
import { writeFloodCapture } from '../scripts/bench/flood.js';

const FRAMES = 30_000;
const MAX_DEVICES = 256;
const COMMIT_PENDING = 64;

t.test('a flood stays within the caps, commits early, and loses no alert', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-bounds-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broker = await startMosquitto();
  t.teardown(() => broker.destroy());
  const capture = join(dir, 'flood.pcap');
  await writeFloodCapture(capture, FRAMES, 7);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `sensor: {id: bounds, site: t, ward: t}
state: {dir: ${join(dir, 'state')}}
sources:
  - {type: pcap-file, name: flood, path: ${capture}}
mqtt: {url: "${broker.url}"}
inventory: {max_devices: ${MAX_DEVICES}, learning_period_s: 0, delta_interval_s: 1}
runtime: {commit_pending: ${COMMIT_PENDING}}
alerts: {max_per_minute: 600, suppress_s: 3600}
`);
  const alerts = new Set<string>();
  const sub = mqtt.connect(broker.url, { protocolVersion: 5 });
  t.teardown(() => sub.endAsync(true));
  sub.on('message', (topic, payload) => {
    if (topic.endsWith('/alerts')) alerts.add(payload.toString('hex'));
  });
  await sub.subscribeAsync('iomt/v1/t/t/bounds/#', { qos: 1 });
  const stats = join(dir, 'stats.json');
  const agent = runAgent(['--config', config, '--exit-when-done', '--stats-file', stats]);
  const done = await agent.exit;
  t.equal(done.code, 0, `the agent finished cleanly\n${done.out.slice(-2000)}`);
  const s = JSON.parse(readFileSync(stats, 'utf8')) as { frames: number; counters: Record<string, number>; messages: { outboxDepth: number; acked: number } };
  const c = s.counters;
  t.equal(s.frames, FRAMES, 'every frame processed');
  t.equal(c['inventory.devices'], MAX_DEVICES, 'the table is at its cap');
  t.equal(c['inventory.devices_new'], FRAMES, 'each frame was a new MAC');
  t.equal(c['inventory.devices_evicted'], FRAMES - MAX_DEVICES, 'every eviction counted');
  t.ok(c['runtime.early_commits']! > 0, `commits started early (${c['runtime.early_commits']} of ${c['runtime.commits']})`);
  // One commit carries what one batch added on top of the threshold, and at most one
  // delta's worth of device records: never a backlog proportional to the input.
  t.ok(c['runtime.largest_commit']! <= COMMIT_PENDING + 2 * MAX_DEVICES + 64, `largest commit ${c['runtime.largest_commit']} items`);
  const published = (c['alerts.rate_limited'] ?? 0) + (c['alerts.suppressed'] ?? 0);
  t.ok(published > 0, 'the gate held back the flood of new_device alerts');
  // Everything the gate let through is in the outbox and was acknowledged by the broker.
  t.equal(s.messages.outboxDepth, 0, 'the outbox drained');
  t.ok(s.messages.acked >= 600, `the broker acknowledged every message (${s.messages.acked})`);
  await new Promise((r) => setTimeout(r, 500));
  // The flood's capture time fits in one minute: the gate publishes exactly max_per_minute.
  t.equal(alerts.size, 600, 'every alert the gate let through arrived at the broker');
});
