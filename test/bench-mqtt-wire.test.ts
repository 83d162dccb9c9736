/**
 * scripts/bench/mqtt-wire.ts, which the latency bench judges its target on:
 * a hand-built capture where MQTT packets straddle and share TCP segments,
 * and a real one, tcpdump on lo while a client publishes QoS 1 to the local
 * Mosquitto.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { pcapHeader, pcapRecord } from '../src/capture/pcap/writer.js';
import { publishesWithAcks } from '../scripts/bench/mqtt-wire.js';

/** Ethernet (zero MACs, as on lo) / IPv4 / TCP (20-byte header) around `data`. */
function segment(src: number, dst: number, data: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + 20 + 20 + data.length);
  const dv = new DataView(f.buffer);
  dv.setUint16(12, 0x0800);
  f.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1], 14);
  dv.setUint16(16, 40 + data.length);
  dv.setUint16(34, src);
  dv.setUint16(36, dst);
  f[46] = 5 << 4; // data offset: 5 words
  f.set(data, 54);
  return f;
}

/** MQTT 5 PUBLISH, QoS 1 (OASIS mqtt-v5.0 §3.3), no properties. */
function publish(topic: string, id: number, payload: Uint8Array): Uint8Array {
  const tb = Buffer.from(topic);
  const body = Buffer.concat([Buffer.from([tb.length >> 8, tb.length & 0xff]), tb, Buffer.from([id >> 8, id & 0xff, 0]), payload]);
  return Buffer.concat([Buffer.from([0x32, body.length]), body]);
}

const puback = (id: number): Uint8Array => Uint8Array.from([0x40, 2, id >> 8, id & 0xff]);

t.test('packets split across segments and sharing one; a reused packet id matches the next PUBACK', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h7-wire-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const p1 = publish('a/alerts', 7, Uint8Array.from([1, 2, 3]));
  const p2 = publish('a/health', 8, Uint8Array.from([4]));
  const p3 = publish('a/alerts', 7, Uint8Array.from([5, 6]));
  const recs = [
    pcapRecord(100, 1000, segment(40000, 1883, p1.subarray(0, 5))),
    pcapRecord(100, 2000, segment(40000, 1883, Buffer.concat([p1.subarray(5), p2]))),
    pcapRecord(100, 3000, segment(1883, 40000, puback(7))),
    pcapRecord(100, 4000, segment(40000, 1883, p3)),
    pcapRecord(100, 5000, segment(1883, 40000, Buffer.concat([puback(8), puback(7)]))),
  ];
  const file = join(dir, 'x.pcap');
  writeFileSync(file, Buffer.concat([pcapHeader(1), ...recs]));
  const got = publishesWithAcks(file, 1883, (topic) => topic.endsWith('/alerts'));
  t.same(got.map((p) => [p.topic, p.packetId, [...p.payload], Number(p.ns - 100_000_000_000n), p.pubackNs === undefined ? -1 : Number(p.pubackNs - 100_000_000_000n)]), [
    ['a/alerts', 7, [1, 2, 3], 2000, 3000],
    ['a/alerts', 7, [5, 6], 4000, 5000],
  ]);
});

t.test('a real QoS 1 publish to the local Mosquitto, captured on lo', { skip: process.getuid?.() !== 0 ? 'needs root to capture on lo' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h7-wire-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'lo.pcap');
  const cap = spawn('tcpdump', ['-U', '-n', '-i', 'lo', '-w', file, '--', 'tcp port 1883'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((r) => cap.once('exit', r));
  t.teardown(() => void (cap.exitCode === null && cap.kill('SIGKILL')));
  await new Promise<void>((res) => {
    let err = '';
    cap.stderr!.on('data', (d: Buffer) => ((err += d.toString()), err.includes('listening on') && res()));
  });
  const topic = `h7/wire-test/${process.pid}/alerts`;
  const client = mqtt.connect('mqtt://127.0.0.1:1883', { protocolVersion: 5, clientId: `h7-wire-${process.pid}` });
  await new Promise<void>((res, rej) => (client.once('connect', () => res()), client.once('error', rej)));
  for (const n of [1, 2, 3]) await client.publishAsync(topic, Buffer.from([n]), { qos: 1 });
  await client.endAsync();
  // Without --immediate-mode libpcap hands over a ring block on its 1 s timeout; stopping sooner loses it.
  await new Promise((r) => setTimeout(r, 1500));
  cap.kill('SIGTERM');
  await exited;
  const got = publishesWithAcks(file, 1883, (x) => x === topic);
  t.same(got.map((p) => [...p.payload]), [[1], [2], [3]], 'the three publishes, in order');
  for (const p of got) t.ok(p.pubackNs !== undefined && p.pubackNs >= p.ns, `PUBACK after PUBLISH for packet ${p.packetId}`);
});
