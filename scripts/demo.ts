/**
 * The quick-start demo: generate a ward capture, run the agent on it with
 * the embedded broker (no broker configured), and print what a subscriber
 * receives, then the inventory the agent kept in LevelDB.
 *
 *   npm run demo [-- --frames N --seed S]
 *
 * The capture is streamed into the agent's standard input (source path "-"),
 * the way `tcpdump -w - | iomt-sensor` would, only once the subscriber is
 * listening, so nothing is published before someone can see it.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeWardCapture } from './ward-gen.js';
import { watch } from '../src/telemetry/watch.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 1884));
    });
  });
}

async function waitPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), r(true)));
      c.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the agent's embedded broker did not open port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const say = (s: string) => process.stderr.write(`\x1b[1m==> ${s}\x1b[0m\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { frames: { type: 'string', default: '20000' }, seed: { type: 'string', default: '1' } } });
  const frames = Number(values.frames);
  const seed = Number(values.seed);
  const dir = join(ROOT, 'var', 'demo');
  rmSync(join(dir, 'state'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const capture = join(dir, 'ward.pcap');
  const gen = await writeWardCapture({ out: capture, frames, seed });
  say(`generated ${capture}: ${gen.frames} frames from ${gen.devices} devices (seed ${seed})`);

  const learning = gen.lateJoinSec === undefined ? 600 : Math.max(0, Math.floor(gen.lateJoinSec - gen.firstSec) - 30);
  const port = await freePort();
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `# Written by scripts/demo.ts. No mqtt.url: the agent starts its embedded broker.
sensor: {id: demo-gw1, site: demo-hospital, ward: icu-3}
state: {dir: ${join(dir, 'state')}}
sources:
  - {type: pcap-file, name: ward-span, path: "-"}
mqtt:
  embedded: {host: 127.0.0.1, port: ${port}}
inventory:
  # Learn quietly until just before the generator's late devices join, then alert on newcomers.
  learning_period_s: ${learning}
`,
  );
  say(`starting the agent: iomt-sensor run --config ${config} --exit-when-done`);
  const agent = spawn(process.execPath, [CLI, 'run', '--config', config, '--exit-when-done'], { stdio: ['pipe', 'pipe', 'inherit'] });
  agent.stdout.on('data', (d: Buffer) => process.stderr.write(d.toString().replace(/^/gm, '   agent | ').replace(/ {3}agent \| $/, '')));
  const exited = new Promise<number>((r) => agent.once('exit', (code) => r(code ?? 1)));
  await waitPort(port, 15_000);

  say(`subscribing: iomt-sensor watch --url mqtt://127.0.0.1:${port} --mqtt3`);
  const ac = new AbortController();
  let ready!: () => void;
  const subscribed = new Promise<void>((r) => (ready = r));
  const watching = watch({ url: `mqtt://127.0.0.1:${port}`, protocolVersion: 4, onReady: () => ready(), signal: ac.signal });
  await subscribed;
  say('replaying the ward capture into the agent');
  createReadStream(capture).pipe(agent.stdin);
  const code = await exited;
  await new Promise((r) => setTimeout(r, 300));
  ac.abort();
  const messages = await watching;
  if (code !== 0) throw new Error(`the agent exited with ${code}`);
  say(`the subscriber received ${messages} messages; the inventory the agent kept in LevelDB:`);
  const inv = spawn(process.execPath, [CLI, 'inventory', '--state', join(dir, 'state')], { stdio: 'inherit' });
  await new Promise((r) => inv.once('exit', r));
  await wifiDemo(dir);
  await bleDemo(dir);
  await zigbeeDemo(dir);
  say(`done. Try: node dist/src/cli.js replay ${capture}`);
}

/** wifi (issue 8): the ward's radiotap capture through replay; Wi-Fi inventory and alerts. */
async function wifiDemo(dir: string): Promise<void> {
  const { wifiFrames, LINKTYPE_RADIOTAP } = await import('./ward/wifi.js');
  const { pcapFile } = await import('../src/capture/pcap/writer.js');
  const { replayConfig, replayFiles } = await import('../src/analyze/replay.js');
  const file = join(dir, 'ward-wifi.pcap');
  writeFileSync(file, pcapFile(LINKTYPE_RADIOTAP, wifiFrames({ seed: 1 })));
  const s = await replayFiles({ files: [file], config: replayConfig({ inventory: { learning_period_s: 0 } }) });
  say(`Wi-Fi: ${file}, ${s.frames} radiotap frames; access points and stations:`);
  const a = (d: (typeof s.devices)[number], n: string): string => d.attrs.find((x) => x.name === n)?.value ?? '';
  for (const d of s.devices) {
    const ap = d.ids.find((i) => i.kind === 'bssid');
    if (ap !== undefined) process.stdout.write(`  AP      ${ap.value}  ${a(d, 'ssid').padEnd(16)} ${a(d, 'security').padEnd(28)} ch ${a(d, 'channel')}\n`);
    else if (a(d, 'associated') !== '') process.stdout.write(`  station ${d.ids[0]?.value}  -> ${a(d, 'associated')}  ${a(d, 'vendor')} ${a(d, 'model')}\n`);
  }
  process.stdout.write(`  randomised station MACs tracked as ephemeral: ${s.counters['inventory.ephemeral_new'] ?? 0}\n`);
  for (const al of s.alerts.filter((x) => x.def.code.startsWith('wifi.'))) process.stdout.write(`  ALERT ${al.def.code} ${al.input.device} ${JSON.stringify(al.input.facts)}\n`);
}

type Summary = Awaited<ReturnType<typeof import('../src/analyze/replay.js').replayFiles>>;
const attr = (d: Summary['devices'][number], n: string): string => d.attrs.find((x) => x.name === n)?.value ?? '';
const fact = (d: Summary['devices'][number], k: string): string => d.facts?.find((x) => x.key === k)?.value ?? '';

function printAlerts(s: Summary, prefixes: readonly string[]): void {
  for (const al of s.alerts.filter((x) => prefixes.some((p) => x.def.code.startsWith(p)))) {
    process.stdout.write(`  ALERT ${al.def.code} ${al.input.device} ${JSON.stringify(al.input.facts)}\n`);
  }
}

/** BLE (issue 9): the ward's nRF Sniffer capture (LINKTYPE 272) through replay; BLE devices and alerts. */
async function bleDemo(dir: string): Promise<void> {
  const { writeBleWardCapture } = await import('./ward/ble.js');
  const { replayConfig, replayFiles } = await import('../src/analyze/replay.js');
  const file = join(dir, 'ward-ble.pcap');
  writeBleWardCapture(file, { seed: 1, seconds: 300 });
  const s = await replayFiles({ files: [file], config: replayConfig({ inventory: { learning_period_s: 0 } }) });
  say(`BLE: ${file}, ${s.frames} nRF Sniffer (LINKTYPE 272) frames; devices:`);
  for (const d of s.devices) {
    const id = d.ids.find((i) => i.kind === 'ble');
    if (id === undefined) continue;
    const dis = [attr(d, 'model'), attr(d, 'serial'), attr(d, 'firmware') && `fw ${attr(d, 'firmware')}`, attr(d, 'pairing') && `pairing: ${attr(d, 'pairing')}`].filter((x) => x !== '');
    process.stdout.write(`  ${id.value}  ${fact(d, 'ble.name').padEnd(13)} ${(attr(d, 'class') || '-').padEnd(9)} ${(attr(d, 'vendor') || '-').padEnd(14)} services ${attr(d, 'services') || '-'}  ${dis.join(', ')}\n`);
  }
  process.stdout.write(`  rotating private addresses merged: ${s.devices.filter((d) => d.ids.some((i) => i.kind === 'ble' && i.extra === 2)).length} device(s) kept for the phones\n`);
  printAlerts(s, ['ble.']);
}

/** Zigbee (issue 10): the ward's 802.15.4 capture (LINKTYPE 195) through replay; the PAN's nodes and alerts. */
async function zigbeeDemo(dir: string): Promise<void> {
  const { writeZigbeeWardCapture, ZIGBEE_WARD } = await import('./ward/zigbee.js');
  const { replayConfig, replayFiles } = await import('../src/analyze/replay.js');
  const file = join(dir, 'ward-zigbee.pcap');
  writeZigbeeWardCapture(file, { seed: 1 });
  // No key configured: the sensor has only the well-known default TC link key, and recovers the network key from the join.
  const s = await replayFiles({ files: [file], config: replayConfig({ inventory: { learning_period_s: 0 } }) });
  say(`Zigbee: ${file}, ${s.frames} IEEE 802.15.4 (LINKTYPE 195) frames, PAN 0x${ZIGBEE_WARD.pan.toString(16)}; nodes:`);
  for (const d of s.devices) {
    const ieee = d.ids.find((i) => i.kind === 'ieee802154');
    const short = d.ids.find((i) => i.kind === 'ieee802154Short');
    if (ieee === undefined && short === undefined) continue;
    const battery = attr(d, 'battery') === '' ? '' : `battery ${attr(d, 'battery')} %`;
    process.stdout.write(`  ${(ieee?.value ?? '-').padEnd(16)} ${(short?.value ?? '-').padEnd(6)} ${(attr(d, 'role') || '-').padEnd(11)} ${(attr(d, 'vendor') || '-').padEnd(17)} ${(attr(d, 'model') || '-').padEnd(10)} ${(attr(d, 'software') || '').padEnd(7)} ${battery}\n`);
  }
  printAlerts(s, ['zigbee.', 'ieee802154.']);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
