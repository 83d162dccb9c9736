/**
 * `via: helper`: the agent side of the capture helper unit. A scripted helper
 * (a unix socket client writing pcap) checks the files, the states, the
 * refusal of a second helper and the clean-up; then, as root, a real tcpdump
 * in a network namespace, started the way iomt-sensor-capture@.service starts
 * it (stdout = a stream socket connected to the agent's socket, the settings
 * from the files the source wrote), captures frames sent with tcpreplay.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { vethNamespace } from '../../../test/support/netns.js';
import { EventLog, plain, type PlainFrame } from '../pcap/testing.js';
import { pcapFile, type WriterFrame } from '../pcap/writer.js';
import { ethernet, ipv4, udp } from '../../../test/builders/frames.js';
import { captureUnit, helperPaths, PcapHelperSource, resolveRuntimeDir, systemdEscape } from './helper.js';
import { PcapLiveSource } from './index.js';
import { checkSources, createSource } from '../index.js';
import { sourceSchema } from '../../config/schema.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return pred();
}

/** UDP frames from a pump to a gateway; `dport` decides whether the filter keeps them. */
function udpFrame(i: number, dport: number): WriterFrame {
  const payload = new Uint8Array(20 + i * 13).map((_, k) => (k * 7 + i) & 0xff);
  const bytes = ethernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800 },
    ipv4({ src: '10.20.2.10', dst: '10.20.0.1', proto: 17, id: i }, udp({ sport: 40_000 + i, dport }, payload)));
  return { tsSec: 1_767_600_000, tsNsec: i * 1000, bytes };
}

const hexOf = (f: WriterFrame) => Buffer.from(f.bytes).toString('hex');

/** Consumes a source in the background, collecting frames. */
function consume(src: PcapHelperSource, signal: AbortSignal, log: EventLog) {
  const got: PlainFrame[] = [];
  const done = (async () => {
    for await (const batch of src.open(signal, log)) for (const f of batch) got.push(plain(f));
  })();
  return { got, done };
}

function connectTo(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once('error', reject);
  });
}

t.test('runtime directory, unit name and file paths', async (t) => {
  t.equal(resolveRuntimeDir('/srv/rt', { RUNTIME_DIRECTORY: '/run/a' }), '/srv/rt', 'the config key wins');
  t.equal(resolveRuntimeDir(undefined, { RUNTIME_DIRECTORY: '/run/iomt-sensor:/run/iomt-sensor/capture' }), '/run/iomt-sensor', 'first of several');
  t.equal(resolveRuntimeDir(undefined, {}), '/run/iomt-sensor');
  for (const iface of ['eth1', 'br-lan', 'wlan0.mon', 'eth0:1', 'a@b']) {
    t.equal(systemdEscape(iface), execFileSync('systemd-escape', ['--', iface], { encoding: 'utf8' }).trim(), `escaped like systemd-escape: ${iface}`);
  }
  t.equal(captureUnit('br-lan'), 'iomt-sensor-capture@br\\x2dlan.service');
  t.same(helperPaths('/run/iomt-sensor', 'eth1'), {
    dir: '/run/iomt-sensor/capture',
    socket: '/run/iomt-sensor/capture/eth1.sock',
    filter: '/run/iomt-sensor/capture/eth1.filter',
    env: '/run/iomt-sensor/capture/eth1.env',
  });
});

t.test('config: via selects the source; helper-mode checks', async (t) => {
  const live = (o: object) => sourceSchema.parse({ type: 'pcap-live', name: 'span0', iface: 'eth1', ...o });
  const d = live({});
  t.equal(d.type === 'pcap-live' ? d.via : undefined, 'child', 'child by default');
  t.ok(createSource(live({})) instanceof PcapLiveSource);
  const h = createSource(live({ via: 'helper', runtime_dir: '/srv/rt' }));
  t.ok(h instanceof PcapHelperSource);
  t.equal((h as PcapHelperSource).paths.socket, '/srv/rt/capture/eth1.sock');
  t.throws(() => live({ via: 'socket' }), 'only child or helper');
  t.same(await checkSources([live({ via: 'helper' })]), []);
  t.match(await checkSources([live({ via: 'helper', tool: 'dumpcap' })]), [/^sources\[0\]\.tool = "dumpcap": with via: helper the capture unit runs tcpdump/]);
  t.match(await checkSources([live({ via: 'helper' }), live({ name: 'span1', via: 'helper' })]), [/^sources\[1\]\.iface = "eth1": another source with via: helper/]);
  t.same(await checkSources([live({}), live({ name: 'span1', via: 'helper' })]), [], 'a child and a helper may share an interface');
});

t.test('scripted helper: files, states, one connection at a time, clean-up', async (t) => {
  const rt = mkdtempSync(join(tmpdir(), 'helper-src-'));
  t.teardown(() => rmSync(rt, { recursive: true, force: true }));
  const paths = helperPaths(rt, 'eth7');
  // What systemd leaves when the helper starts before the agent listens: an empty regular file.
  execFileSync('mkdir', ['-p', paths.dir]);
  writeFileSync(paths.socket, '');
  const log = new EventLog();
  const ac = new AbortController();
  const src = new PcapHelperSource({ name: 'span0', iface: 'eth7', filter: 'udp port 2575', snaplen: 1500, monitor: true, runtimeDir: rt });
  const { got, done } = consume(src, ac.signal, log);

  t.ok(await until(() => log.states.some((s) => s.state === 'retrying'), 5000), 'retrying once listening');
  t.equal(log.states[0]?.state, 'starting');
  t.equal(log.states[1]?.detail, `waiting for iomt-sensor-capture@eth7.service to connect to ${paths.socket}`);
  t.equal(readFileSync(paths.filter, 'utf8'), 'udp port 2575\n', 'filter file');
  t.equal(readFileSync(paths.env, 'utf8'), 'SNAPLEN=1500\nMONITOR=-I\n', 'env file');
  const st = statSync(paths.socket);
  t.ok(st.isSocket(), 'the stray regular file was replaced by the socket');
  t.equal(st.mode & 0o777, 0o660, 'socket mode 0660');

  const frames = Array.from({ length: 30 }, (_, i) => udpFrame(i, 2575));
  const bytes = pcapFile(1, frames);
  const a = await connectTo(paths.socket);
  t.ok(await until(() => log.states.at(-1)?.state === 'running', 5000), 'running once connected');
  // Written in odd pieces, as a pipe would deliver them.
  for (let off = 0; off < bytes.length; off += 97) a.write(bytes.subarray(off, off + 97));
  t.ok(await until(() => got.length === frames.length, 5000), 'every frame arrived');
  t.same(got.map((f) => f.hex), frames.map(hexOf), 'bytes identical, in order');

  // A second helper while the first is connected: closed at once, counted.
  const b = await connectTo(paths.socket);
  let bClosed = false;
  b.once('close', () => (bClosed = true));
  b.on('error', () => undefined);
  b.write(bytes.subarray(0, 24));
  t.ok(await until(() => bClosed, 5000), 'the second connection was closed by the source');
  t.equal(src.refused, 1, 'refused and counted');
  t.same(log.anomalies.map((x) => x.code), ['pcap-live.helper_refused']);
  t.equal(log.states.at(-1)?.state, 'running', 'the first helper is still the one connected');

  a.end();
  t.ok(await until(() => log.states.at(-1)?.state === 'retrying', 5000), 'retrying when the helper goes away');
  t.match(log.states.at(-1)?.detail, /^iomt-sensor-capture@eth7\.service disconnected; waiting for iomt-sensor-capture@eth7\.service to connect to /);

  const c = await connectTo(paths.socket);
  t.ok(await until(() => log.states.at(-1)?.state === 'running', 5000), 'running again with a new helper');
  c.write(pcapFile(1, frames.slice(0, 5)));
  t.ok(await until(() => got.length === frames.length + 5, 5000), 'a fresh reader for the new stream (header again)');
  t.equal(src.connections, 2);

  ac.abort();
  await done;
  t.equal(log.states.at(-1)?.state, 'ended');
  t.notOk(existsSync(paths.socket), 'abort removed the socket');
  t.same(log.anomalies.map((x) => x.code), ['pcap-live.helper_refused'], 'no other anomaly');
  c.destroy();
});

t.test('an unusable runtime directory: retrying with the reason', async (t) => {
  const rt = mkdtempSync(join(tmpdir(), 'helper-src-'));
  t.teardown(() => rmSync(rt, { recursive: true, force: true }));
  writeFileSync(join(rt, 'capture'), 'not a directory');
  const log = new EventLog();
  const ac = new AbortController();
  const src = new PcapHelperSource({ name: 'span0', iface: 'eth7', runtimeDir: rt, backoff: { initialMs: 20, maxMs: 40 } });
  const { done } = consume(src, ac.signal, log);
  t.ok(await until(() => log.states.filter((s) => s.state === 'retrying').length >= 2, 5000));
  ac.abort();
  await done;
  t.match(log.states.find((s) => s.state === 'retrying')?.detail, /^cannot listen on .*eth7\.sock for iomt-sensor-capture@eth7\.service: .*; retrying in 20 ms$/);
  t.equal(log.states.at(-1)?.state, 'ended');
});

t.test('a real tcpdump in a network namespace as the helper', { skip: isRoot ? false : 'needs root for ip netns' }, async (t) => {
  const rt = mkdtempSync(join(tmpdir(), 'helper-live-'));
  const helpers: ChildProcess[] = [];
  t.teardown(() => {
    for (const h of helpers) if (h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
    rmSync(rt, { recursive: true, force: true });
  });
  const { ns, outside: vOut, inside: vIn } = vethNamespace(t, 'hlp', 'vh');

  // 40 frames the filter keeps, interleaved with 20 it drops.
  const all: WriterFrame[] = [];
  for (let i = 0; i < 60; i++) all.push(udpFrame(i, i % 3 === 2 ? 9999 : 2575));
  const kept = all.filter((_, i) => i % 3 !== 2);
  const file = join(rt, 'replay.pcap');
  writeFileSync(file, pcapFile(1, all));

  const log = new EventLog();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 90_000);
  t.teardown(() => clearTimeout(timer));
  const src = new PcapHelperSource({ name: 'span0', iface: vIn, filter: 'udp dst port 2575', snaplen: 65535, runtimeDir: rt });
  const paths = helperPaths(rt, vIn);
  const { got, done } = consume(src, ac.signal, log);
  t.ok(await until(() => log.states.at(-1)?.state === 'retrying', 10_000), 'waiting for the helper');

  /**
   * Starts the helper as the unit does: systemd connects a stream socket to
   * the agent's socket and makes it tcpdump's stdout; SNAPLEN and MONITOR come
   * from the env file (EnvironmentFile=), the filter from the filter file (-F).
   */
  async function startHelper(): Promise<{ child: ChildProcess; stderr: () => string; exited: Promise<number | null> }> {
    const env = Object.fromEntries(readFileSync(paths.env, 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
    const sock = await connectTo(paths.socket);
    const args = ['netns', 'exec', ns, '/bin/sh', '-c', 'test -S /proc/self/fd/1 && exec "$@"', 'helper',
      'tcpdump', '-n', '-U', '-i', vIn, '-s', env['SNAPLEN']!, ...(env['MONITOR'] === '' ? [] : [env['MONITOR']!]), '-F', paths.filter, '-w', '-'];
    const child = spawn('ip', args, { stdio: ['ignore', sock, 'pipe'] });
    sock.destroy(); // the child has its own copy: the agent sees EOF when tcpdump dies
    helpers.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, stderr: () => stderr, exited };
  }

  async function replayAndCollect(label: string): Promise<void> {
    const before = got.length;
    await run('tcpreplay', ['-q', '-i', vOut, file]);
    t.ok(await until(() => got.length >= before + kept.length, 20_000), `${label}: every kept frame arrived (${got.length - before})`);
    await new Promise((r) => setTimeout(r, 200)); // nothing more should come
    t.same(got.slice(before).map((f) => f.hex), kept.map(hexOf), `${label}: bytes identical, in order, dropped ones filtered out`);
    t.same(got.slice(before).map((f) => f.origLen), kept.map((f) => f.bytes.length), `${label}: original lengths`);
  }

  const h1 = await startHelper();
  t.ok(await until(() => /listening on/.test(h1.stderr()), 10_000), `tcpdump 1 listening: ${h1.stderr().trim()}`);
  t.match(h1.stderr(), /snapshot length 65535 bytes/, 'snaplen from the env file');
  t.equal(log.states.at(-1)?.state, 'running');
  await replayAndCollect('helper 1');

  h1.child.kill('SIGTERM');
  await h1.exited;
  t.ok(await until(() => log.states.at(-1)?.state === 'retrying', 10_000), 'retrying when the helper dies');
  t.match(log.states.at(-1)?.detail, /disconnected; waiting for iomt-sensor-capture@vh\d+b\.service to connect to /);

  const h2 = await startHelper();
  t.ok(await until(() => /listening on/.test(h2.stderr()) && log.states.at(-1)?.state === 'running', 10_000), 'running with a new helper');

  // A second helper while h2 is connected: refused and counted. Its tcpdump
  // notices the closed socket at its first write of a packet and exits.
  const h3 = await startHelper();
  t.ok(await until(() => src.refused === 1, 10_000), 'second concurrent connection refused and counted');
  t.ok(await until(() => /listening on/.test(h3.stderr()), 10_000), 'tcpdump 3 started');
  t.equal(log.states.at(-1)?.state, 'running', 'h2 still connected');
  await replayAndCollect('helper 2');
  t.ok(await until(() => h3.child.exitCode !== null || h3.child.signalCode !== null, 10_000), 'the refused tcpdump exited');

  ac.abort();
  await done;
  t.equal(log.states.at(-1)?.state, 'ended');
  t.notOk(existsSync(paths.socket), 'abort removed the socket');
  // Likewise the connected one, at the first packet after the agent closed its end.
  await run('tcpreplay', ['-q', '-i', vOut, file]);
  t.ok(await until(() => h2.child.exitCode !== null || h2.child.signalCode !== null, 10_000), 'the connected tcpdump exits once the agent has closed the socket');
  t.same(log.states.map((s) => s.state), ['starting', 'retrying', 'running', 'retrying', 'running', 'ended']);
  t.same(log.anomalies.map((a) => a.code), ['pcap-live.helper_refused']);
  t.ok(await until(() => execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).trim() === '', 10_000), 'nothing left in the namespace');
});
