/**
 * The real agent through a power cut (test/support/loop-disk.ts): its state
 * directory is on ext4 on a loop device; it replays a ward capture in real
 * time and publishes to a real Mosquitto; it is SIGKILLed and the disk keeps
 * only what had reached the device. A second agent on the recovered disk
 * drains. Every message the subscriber got before the cut was in the outbox
 * before it was sent, so the second agent must neither lose a seq nor reuse
 * one: a seq seen twice must be the same message. Root only.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto } from './support/mosquitto.js';
import { runAgent, sleep, until } from './support/agent.js';
import { LoopDisk, TOOLS } from './support/loop-disk.js';
import { pcapFile, type WriterFrame } from '../src/capture/pcap/writer.js';
import { ethernet, ipv4, udp } from './builders/frames.js';
import { decodeTelemetry } from '../src/telemetry/index.js';

const isRoot = process.getuid?.() === 0;
const DEVICES = 24;

/** Device i joins at 0.25·i s and sends every 100 ms, over 7 s: new devices, alerts and deltas all along. */
function wardFrames(): WriterFrame[] {
  const frames: WriterFrame[] = [];
  const t0 = 1_767_600_000;
  for (let ms = 0; ms < 7000; ms += 100) {
    for (let i = 0; i < DEVICES; i++) {
      if (ms < i * 250) continue;
      const mac = `00:1a:fa:00:02:${i.toString(16).padStart(2, '0')}`;
      const bytes = ethernet({ src: mac, dst: '00:09:5c:00:00:01', type: 0x0800 }, ipv4({ src: `10.21.0.${10 + i}`, dst: '10.21.0.1', proto: 17 }, udp({ sport: 4000 + i, dport: 2575 }, new Uint8Array(32))));
      frames.push({ tsSec: t0 + Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1_000_000 + i, bytes });
    }
  }
  return frames;
}

t.test('the agent through a power cut: no acknowledged seq lost, none reused', { skip: isRoot ? false : 'needs root (loop devices, mount)', timeout: 180_000 }, async (t) => {
  for (const tool of TOOLS) t.equal(spawnSync('sh', ['-c', `command -v ${tool}`]).status, 0, `${tool} is installed (build.sh installs it)`);
  const t0 = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'h2-agent-cut-'));
  const broker = await startMosquitto();
  let disk: LoopDisk | undefined;
  t.teardown(async () => {
    disk?.destroy();
    await broker.destroy();
    rmSync(work, { recursive: true, force: true });
  });
  disk = new LoopDisk(work, join(work, 'mnt'));
  const capture = join(work, 'ward.pcap');
  writeFileSync(capture, pcapFile(1, wardFrames()));
  const cfg = join(work, 'config.yaml');
  writeFileSync(
    cfg,
    `sensor: {id: h2-cut, site: test-site, ward: icu-9}
state: {dir: ${join(disk.mnt, 'state')}}
sources:
  - {type: pcap-file, name: ward, path: ${capture}, realtime: true}
mqtt:
  url: ${broker.url}
  reconnect: {initial_ms: 100, max_ms: 400}
inventory: {learning_period_s: 0, delta_interval_s: 1}
health: {interval_s: 5}
`,
  );

  const received: Array<{ seq: number; payload: Buffer }> = [];
  const sub = mqtt.connect(broker.url, { clientId: 'h2-cut-soc', clean: false, protocolVersion: 5, reconnectPeriod: 100, properties: { sessionExpiryInterval: 3600 } });
  t.teardown(() => void sub.end(true));
  sub.on('message', (_topic, payload) => {
    const m = decodeTelemetry(payload);
    if (m.ok && m.seq > 0) received.push({ seq: m.seq, payload: Buffer.from(payload) });
  });
  await new Promise<void>((resolve, reject) => sub.once('connect', () => sub.subscribe('iomt/v1/test-site/icu-9/h2-cut/+', { qos: 1 }, (err) => (err ? reject(err) : resolve()))));

  const first = runAgent(['--config', cfg]);
  t.teardown(() => void first.child.kill('SIGKILL'));
  await until('the first messages', () => received.length >= 5).catch((err: Error) => {
    throw new Error(`${err.message}; agent said:\n${first.output().slice(-3000)}`);
  });
  await sleep(2000);
  first.child.kill('SIGKILL');
  const killed = await first.exit;
  t.equal(killed.signal, 'SIGKILL', 'the first agent was killed mid-replay');
  const beforeCut = new Map(received.map((r) => [r.seq, r.payload] as const));
  const maxBefore = Math.max(...beforeCut.keys());
  t.ok(disk.cut(), 'power cut: the disk keeps what had reached the device');

  const stats = join(work, 'stats.json');
  const second = runAgent(['--config', cfg, '--exit-when-done', '--stats-file', stats]);
  t.teardown(() => void second.child.kill('SIGKILL'));
  const done = await second.exit;
  t.equal(done.code, 0, `the agent on the recovered disk drains and exits\n${done.out.slice(-2000)}`);
  const lastSeq = (JSON.parse(readFileSync(stats, 'utf8')) as { messages: { lastSeq: number } }).messages.lastSeq;
  await until('every seq at the subscriber', () => new Set(received.map((r) => r.seq)).size >= lastSeq, 15_000).catch(() => undefined);

  t.ok(lastSeq > maxBefore, `the recovered agent went on past seq ${maxBefore} (to ${lastSeq})`);
  const firstSeen = new Map<number, Buffer>();
  const reused: number[] = [];
  for (const r of received) {
    const prev = firstSeen.get(r.seq);
    if (prev === undefined) firstSeen.set(r.seq, r.payload);
    else if (!prev.equals(r.payload)) reused.push(r.seq);
  }
  t.same([...new Set(reused)].slice(0, 20), [], `no seq was given to two different messages (${beforeCut.size} delivered before the cut)`);
  const missing: number[] = [];
  for (let s = 1; s <= lastSeq; s++) if (!firstSeen.has(s)) missing.push(s);
  t.same(missing.slice(0, 20), [], `no seq of 1..${lastSeq} is missing`);
  t.comment(`agent power cut: ${beforeCut.size} seqs delivered before the cut, ${lastSeq} in all, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
