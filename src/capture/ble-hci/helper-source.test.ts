/**
 * `ble-hci` with `via: helper`, the agent's side: createSource gives a
 * PcapHelperSource listening on <runtime>/capture/hci0.sock, naming
 * iomt-sensor-ble@hci0.service, writing the scan settings to hci0.env. A
 * helper process (test/support/ble-fake-helper.ts: the real ble-capture core
 * over a fake controller playing a recorded btsnoop log) gets the socket as
 * its stdout, as systemd's StandardOutput=file: gives it, and the agent reads
 * exactly the recorded frames, which build the same inventory as the
 * recording; SIGTERM disables the scan and the source goes back to waiting.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSource, until } from '../../../test/support/dongle-pty.js';
import { replayFiles } from '../../analyze/replay.js';
import type { DeviceRecord } from '../../analyze/inventory/record.js';
import { sourceSchema } from '../../config/schema.js';
import { checkSources, createSource } from '../index.js';
import { PcapHelperSource } from '../pcap-live/helper.js';
import { pcapFile } from '../pcap/writer.js';
import { recordedAdverts } from './testing.js';

const FAKE_HELPER = fileURLToPath(new URL('../../../test/support/ble-fake-helper.js', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function canon(devices: readonly DeviceRecord[]): string[] {
  return devices.map((d) => JSON.stringify({ ids: d.ids, attrs: d.attrs.map((a) => `${a.name}=${a.value} ${a.field}`).sort(), frames: d.frames, bytes: d.bytes, facts: d.facts ?? [] })).sort();
}

function connectTo(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once('error', reject);
  });
}

t.test('config: via defaults to direct; helper gives a listening source named after the BLE unit', async (t) => {
  const direct = createSource(sourceSchema.parse({ type: 'ble-hci', name: 'bt' }));
  t.notOk(direct instanceof PcapHelperSource, 'direct: the agent scans itself');
  const h = createSource(sourceSchema.parse({ type: 'ble-hci', name: 'bt', device: 1, via: 'helper', runtime_dir: '/srv/rt' })) as PcapHelperSource;
  t.ok(h instanceof PcapHelperSource);
  t.equal(h.unit, 'iomt-sensor-ble@hci1.service');
  t.equal(h.paths.socket, '/srv/rt/capture/hci1.sock');
  t.throws(() => sourceSchema.parse({ type: 'ble-hci', name: 'bt', via: 'child' }), 'only direct or helper');
  const clash = await checkSources([
    sourceSchema.parse({ type: 'ble-hci', name: 'bt', device: 0, via: 'helper' }),
    sourceSchema.parse({ type: 'pcap-live', name: 'l', iface: 'hci0', via: 'helper' }),
  ]);
  t.match(clash, [/^sources\[1\]\.iface = "hci0": another source with via: helper uses this interface/]);
  const clash2 = await checkSources([
    sourceSchema.parse({ type: 'pcap-live', name: 'l', iface: 'hci0', via: 'helper' }),
    sourceSchema.parse({ type: 'ble-hci', name: 'bt', device: 0, via: 'helper' }),
  ]);
  t.match(clash2, [/^sources\[1\]\.device = 0: a pcap-live source with via: helper captures on hci0/]);
  t.same(await checkSources([sourceSchema.parse({ type: 'ble-hci', name: 'bt', via: 'helper' }), sourceSchema.parse({ type: 'pcap-live', name: 'l', iface: 'eth1', via: 'helper' })]), []);
});

t.test('a helper process on the agent socket: the recorded frames, the inventory of the recording, a clean stop', async (t) => {
  const rt = mkdtempSync(join(tmpdir(), 'ble-helper-'));
  t.teardown(() => rmSync(rt, { recursive: true, force: true }));
  const src = createSource(sourceSchema.parse({ type: 'ble-hci', name: 'hci0', via: 'helper', runtime_dir: rt, channel: 'user', interval: 0x30, window: 0x20, backoff: { initial_ms: 20, max_ms: 80 } })) as PcapHelperSource;
  const sock = join(rt, 'capture/hci0.sock');
  const run = runSource(src);
  t.teardown(() => run.stop());
  await until('waiting', () => run.last().startsWith('retrying'), 5000);
  t.equal(run.last(), `retrying: waiting for iomt-sensor-ble@hci0.service to connect to ${sock}`);
  t.equal(readFileSync(join(rt, 'capture/hci0.env'), 'utf8'), 'CHANNEL=user\nEXTENDED=auto\nINTERVAL=48\nWINDOW=32\nRESET=\n', 'the scan settings for the unit\'s EnvironmentFile=');
  t.notOk(existsSync(join(rt, 'capture/hci0.filter')), 'no BPF filter file for the BLE helper');

  // systemd connects a stream socket to the agent's and makes it the helper's stdout.
  const conn = await connectTo(sock);
  const guard = spawn('/bin/sh', ['-c', 'test -S /proc/self/fd/1'], { stdio: ['ignore', conn, 'ignore'] });
  t.equal(await new Promise((r) => guard.once('exit', r)), 0, 'the unit\'s guard (test -S /proc/self/fd/1) passes on such a stdout');
  const env = Object.fromEntries(readFileSync(join(rt, 'capture/hci0.env'), 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const child = spawn(process.execPath, [FAKE_HELPER], { stdio: ['ignore', conn, 'pipe'], env: { ...process.env, ...env } });
  conn.destroy(); // the child has its own copy
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  const rec = recordedAdverts();
  await until('all frames', () => run.frames.length >= rec.length, 20_000);
  t.match(run.states, ['starting: iomt-sensor-ble@hci0.service via ' + sock, /^retrying: waiting/, 'running: iomt-sensor-ble@hci0.service connected to ' + sock]);
  t.equal(run.frames.length, rec.length);
  t.ok(run.frames.every((f, i) => f.linkType === 201 && f.source === 'hci0' && hex(f.bytes) === hex(rec[i]!.bytes)), 'each frame is the recorded event, LINKTYPE 201, named after the source');
  t.same(run.anomalies, []);

  child.kill('SIGTERM');
  t.equal(await exited, 0, stderr);
  t.match(stderr, new RegExp(`exit 0 stopped ${rec.length}\\n$`));
  t.match(stderr, /^written 01021000 010b200700300020000000 010c20020100 010c20020000$/m, 'Read_Local_Supported_Commands, passive scan (type 0x00) with the interval and window the agent wrote, enable, and disable at SIGTERM: nothing else');
  await until('back to waiting', () => run.last().startsWith('retrying'), 5000);
  t.match(run.last(), /^retrying: iomt-sensor-ble@hci0\.service disconnected; waiting for /);

  const dir = mkdtempSync(join(tmpdir(), 'ble-helper-inv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'agent.pcap'), pcapFile(201, run.frames.map((f) => ({ tsSec: f.tsSec, tsNsec: f.tsNsec, bytes: f.bytes }))));
  writeFileSync(join(dir, 'rec.pcap'), pcapFile(201, rec.map((f) => ({ tsSec: f.tsSec, tsNsec: f.tsNsec, bytes: f.bytes }))));
  const ours = await replayFiles({ files: [join(dir, 'agent.pcap')] });
  const theirs = await replayFiles({ files: [join(dir, 'rec.pcap')] });
  t.ok(theirs.devices.length >= 4, `${theirs.devices.length} devices in the recording`);
  t.same(canon(ours.devices), canon(theirs.devices), 'the agent builds the same inventory through the helper as from the recording');
  await run.stop();
  t.notOk(existsSync(sock), 'abort removed the socket');
});
