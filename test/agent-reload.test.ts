/**
 * SIGHUP reloads the configuration without losing state: a source is added
 * while another keeps capturing, a bad file is refused with the running
 * configuration kept, a removed source stops, keys that need a restart are
 * named; SIGTERM then flushes and exits cleanly.
 */
import { deviceId } from '../src/telemetry/device.js';
import type { DeviceRecord } from '../src/analyze/inventory/record.js';
import t from 'tap';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto } from './support/mosquitto.js';
import { CLI, runAgent, until } from './support/agent.js';
import { pcapFile, type WriterFrame } from '../src/capture/pcap/writer.js';
import { ethernet, ipv4, udp } from './builders/frames.js';
import { decodeTelemetry } from '../src/telemetry/index.js';

/** `n` devices with MACs 00:1a:fa:<tag>:00:xx sending every 100 ms for `seconds`. */
function capture(tag: number, n: number, seconds: number): Uint8Array {
  const frames: WriterFrame[] = [];
  for (let ms = 0; ms < seconds * 1000; ms += 100) {
    for (let i = 0; i < n; i++) {
      const src = `00:1a:fa:${tag.toString(16).padStart(2, '0')}:00:${i.toString(16).padStart(2, '0')}`;
      const bytes = ethernet({ src, dst: '00:09:5c:00:00:01', type: 0x0800 }, ipv4({ src: `10.${tag}.0.${i + 2}`, dst: '10.0.0.1', proto: 17 }, udp({ sport: 5000, dport: 514 }, new Uint8Array(20))));
      frames.push({ tsSec: 1_767_600_000 + Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1_000_000, bytes });
    }
  }
  return pcapFile(1, frames);
}

t.test('SIGHUP adds and removes sources without losing state; a bad file is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-reload-'));
  const broker = await startMosquitto();
  t.teardown(async () => {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'a.pcap'), capture(1, 5, 30));
  writeFileSync(join(dir, 'b.pcap'), capture(2, 3, 1));
  const cfg = join(dir, 'config.yaml');
  const write = (sources: string, extra = '') =>
    writeFileSync(cfg, `sensor: {id: reload-1, site: s, ward: w}\nstate: {dir: ${join(dir, 'state')}}\nsources:\n${sources}\nmqtt: {url: "${broker.url}"}\ninventory: {delta_interval_s: 1}\n${extra}`);
  const srcA = `  - {type: pcap-file, name: a, path: ${join(dir, 'a.pcap')}, realtime: true}`;
  const srcB = `  - {type: pcap-file, name: b, path: ${join(dir, 'b.pcap')}}`;
  write(srcA);

  const statuses: string[] = [];
  const sub = mqtt.connect(broker.url, { protocolVersion: 5 });
  t.teardown(() => {
    sub.end(true);
  });
  sub.on('message', (_topic, p) => {
    const m = decodeTelemetry(p);
    if (m.ok && m.kindName === 'status') statuses.push(`${m.body.state} ${m.body.sources.map((s) => `${s.name}=${s.state}`).join(',')}`);
  });
  await new Promise<void>((r) => sub.once('connect', () => sub.subscribe('iomt/v1/s/w/reload-1/status', { qos: 1 }, () => r())));

  const agent = runAgent(['--config', cfg]);
  await until('the agent to run source a', () => /source running.*source=a/.test(agent.output()));
  // The event the checks below rely on, not a fixed second: the sensor is online with a alone.
  await until('the status with a running', () => statuses.includes('online a=running'), 20_000);

  // Add b, and change a key that needs a restart: b starts, a keeps running.
  write(`${srcA}\n${srcB}`, 'outbox: {max_messages: 5000}\n');
  agent.child.kill('SIGHUP');
  await until('the reload', () => /configuration reloaded/.test(agent.output()));
  t.match(agent.output(), /level=warn msg="configuration reloaded" sources="a,b" .*restart_needed_for=outbox/, 'restart-only keys are named');
  await until('source b to end', () => /source ended.*source=b/.test(agent.output()));
  t.notMatch(agent.output(), /source ended.*source=a|source starting.*source=a.*source starting.*source=a/s, 'a was neither stopped nor restarted');

  // A broken file is refused and the agent keeps going.
  writeFileSync(cfg, 'sensor: {id: reload-1, site: s, ward: w}\nsources: [{type: pcap-lvie}]\n');
  agent.child.kill('SIGHUP');
  await until('the refusal', () => /reload refused/.test(agent.output()));
  t.match(agent.output(), /level=error msg="reload refused; keeping the running configuration" error=.*sources\[0\]\.type = \\?"pcap-lvie\\?"/, 'says which key and value');
  t.equal(agent.child.exitCode, null, 'still running');

  // Remove a: it stops; b's devices and a's devices stay in the inventory.
  write(srcB);
  agent.child.kill('SIGHUP');
  await until('a stopped', () => /source ended.*source=a/.test(agent.output()));
  await until('the status without a', () => statuses.includes('online b=ended'), 20_000);
  agent.child.kill('SIGTERM');
  const done = await agent.exit;
  t.equal(done.code, 0, 'SIGTERM exits cleanly');
  t.match(done.out, /msg=stopped/, 'after flushing');

  const inv = JSON.parse(execFileSync(process.execPath, [CLI, 'inventory', '--state', join(dir, 'state'), '--json'], { encoding: 'utf8' })) as DeviceRecord[];
  t.same(inv.map((d) => deviceId(d)).sort(), [...[0, 1, 2, 3, 4].map((i) => `mac:00:1a:fa:01:00:0${i}`), ...[0, 1, 2].map((i) => `mac:00:1a:fa:02:00:0${i}`)].sort(), 'devices from both sources kept');
  await until('the last status', () => statuses.some((s) => s.startsWith('offline')), 5000).catch(() => undefined);
  t.ok(statuses.some((s) => s === 'online a=running'), `status showed a running: ${statuses.join(' | ')}`);
  t.match(statuses[statuses.length - 1] ?? '', /^offline b=ended$/, 'the last status lists only b');
});
