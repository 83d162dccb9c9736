/**
 * The sensor is passive: while the agent captures live on an interface, that
 * interface transmits nothing. The agent runs, whole, inside a network
 * namespace whose only link is the capture end of a veth pair (its MQTT goes
 * to the embedded broker on the namespace's loopback, the management side).
 * A ward capture is replayed into the other end. Two independent witnesses:
 * the capture interface's transmit counters (/sys/class/net/<if>/statistics)
 * must not move, and a tcpdump on the peer end, capturing only what arrives
 * there (-Q in), must record no frame. Both capture paths are checked: the
 * agent's own child (tcpdump, dumpcap) and the capture helper (via: helper,
 * tcpdump started the way iomt-sensor-capture@.service starts it).
 *
 * The witnesses are shown to work first: a deliberate transmission from the
 * sensor side (tcpreplay there; the image has no ping) moves both.
 *
 * The kernel itself would transmit on a fresh link (IPv6 duplicate address
 * detection, router solicitations, MLD reports): the capture interface has
 * IPv6 disabled, as docs/operations.md tells installers to do.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { vethNamespace, type VethNamespace } from './support/netns.js';
import { CLI, sleep, until } from './support/agent.js';
import { readSplit } from '../src/capture/pcap/testing.js';
import { pcapFile } from '../src/capture/pcap/writer.js';
import { helperPaths } from '../src/capture/pcap-live/helper.js';
import { writeWardCapture } from '../scripts/ward-gen.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

interface Tx {
  readonly packets: number;
  readonly bytes: number;
}

/** The capture interface's transmit counters, read inside its namespace (ip netns exec mounts that namespace's /sys). */
function tx(n: VethNamespace): Tx {
  const read = (what: string) => Number(execFileSync('ip', ['netns', 'exec', n.ns, 'cat', `/sys/class/net/${n.inside}/statistics/${what}`], { encoding: 'utf8' }).trim());
  return { packets: read('tx_packets'), bytes: read('tx_bytes') };
}

/** tcpdump on the peer end, recording only frames that arrive there: everything the sensor side sends. */
async function peerCapture(t: Test, n: VethNamespace, file: string): Promise<() => Promise<number>> {
  // --immediate-mode: without it libpcap hands frames over a ring block at a time, once a second, and frames
  // still in the block when tcpdump is stopped are never written (the negative control below caught that).
  const child = spawn('tcpdump', ['-U', '--immediate-mode', '-n', '-Q', 'in', '-i', n.outside, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL'));
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await until(`peer tcpdump listening (${err})`, () => /listening on/.test(err), 10_000);
  return async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    return readSplit(readFileSync(file)).frames.length;
  };
}

interface Agent {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, wait, and the agent's closing counters (--stats-file). */
  stop(): Promise<Record<string, number>>;
}

/** The real agent, started inside the namespace: `ip netns exec <ns> node cli.js run`. */
function agentInNamespace(t: Test, n: VethNamespace, dir: string, source: string): Agent {
  const cfg = join(dir, 'config.yaml');
  const stats = join(dir, 'stats.json');
  writeFileSync(cfg, `sensor: {id: h5-passive, site: test-site, ward: icu-3}
state: {dir: ${join(dir, 'state')}}
sources:
  - ${source}
inventory: {learning_period_s: 0, delta_interval_s: 1}
health: {interval_s: 5}
`);
  const child = spawn('ip', ['netns', 'exec', n.ns, process.execPath, CLI, 'run', '--config', cfg, '--stats-file', stats], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(late);
      if (child.signalCode === 'SIGKILL') throw new Error(`the agent did not stop on SIGTERM: ${out.slice(-2000)}`);
      return (JSON.parse(readFileSync(stats, 'utf8')) as { counters: Record<string, number> }).counters;
    },
  };
}

function connectTo(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once('error', reject);
  });
}

t.test('the sensor never transmits on the capture interface', { skip: isRoot ? false : 'needs root for ip netns' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h5-passive-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const n = vethNamespace(t, 'h5p', 'v5p');
  execFileSync('ip', ['netns', 'exec', n.ns, 'sysctl', '-qw', `net.ipv6.conf.${n.inside}.disable_ipv6=1`]);
  execFileSync('ip', ['netns', 'exec', n.ns, 'ip', 'link', 'set', 'lo', 'up']);
  const ward = join(dir, 'ward.pcap');
  const { frames: wardCount } = await writeWardCapture({ out: ward, frames: 4000, devices: 30 });
  await sleep(500); // whatever the kernel sent while IPv6 was still on is counted before the first baseline

  /** Replays the ward capture twice into the peer end at 4000 frames/s: about two seconds of traffic. */
  const traffic = async (): Promise<void> => {
    for (let i = 0; i < 2; i++) await run('tcpreplay', ['-q', '--pps=4000', '-i', n.outside, ward]);
  };

  /** Runs `body` between two readings of both witnesses. */
  const witnessed = async (label: string, body: () => Promise<void>): Promise<{ tx: number; txBytes: number; peer: number }> => {
    const stopPeer = await peerCapture(t, n, join(dir, `peer-${label}.pcap`));
    const before = tx(n);
    await body();
    await sleep(1500);
    const after = tx(n);
    const peer = await stopPeer();
    return { tx: after.packets - before.packets, txBytes: after.bytes - before.bytes, peer };
  };

  // The agent must be seen capturing, but not every frame: on a loaded machine the kernel may drop some
  // (capture loss is src/capture/pcap-live/loss.test.ts's subject, not this test's).
  await t.test('negative control: a deliberate transmission from the sensor side is seen by both witnesses', async (t) => {
    const probe = join(dir, 'probe.pcap');
    writeFileSync(probe, pcapFile(1, [0, 1, 2].map((i) => {
      const b = new Uint8Array(64);
      b.set([0x02, 0, 0, 0, 0, 0x09, 0x02, 0, 0, 0, 0, 0x08, 0x88, 0xb5, i]);
      return { tsSec: 1_700_000_000, tsNsec: i, bytes: b };
    })));
    const w = await witnessed('control', async () => {
      await run('ip', ['netns', 'exec', n.ns, 'tcpreplay', '-q', '-i', n.inside, probe]);
    });
    t.equal(w.tx, 3, 'tx_packets moved by the three frames sent');
    t.ok(w.txBytes >= 3 * 64, `tx_bytes moved (${w.txBytes})`);
    t.equal(w.peer, 3, 'the peer capture recorded them');
  });

  await t.test('idle: nothing on the link from the sensor side with nothing running', async (t) => {
    const w = await witnessed('idle', () => sleep(1000));
    t.same(w, { tx: 0, txBytes: 0, peer: 0 });
  });

  for (const tool of ['tcpdump', 'dumpcap'] as const) {
    await t.test(`agent capturing through its own ${tool} (via: child)`, async (t) => {
      const adir = mkdtempSync(join(dir, `child-${tool}-`));
      let agent!: Agent;
      let counters!: Record<string, number>;
      const w = await witnessed(`child-${tool}`, async () => {
        agent = agentInNamespace(t, n, adir, `{type: pcap-live, name: span0, iface: ${n.inside}, tool: ${tool}, via: child}`);
        await until(`source running: ${agent.output()}`, () => /source running/.test(agent.output()), 30_000);
        await sleep(500);
        await traffic();
        await sleep(500);
        counters = await agent.stop();
      });
      t.ok((counters['source.span0.frames'] ?? 0) >= wardCount, `the agent captured the traffic (${counters['source.span0.frames']} frames of ${2 * wardCount} sent)`);
      t.same(w, { tx: 0, txBytes: 0, peer: 0 }, 'tx counters unchanged, no frame at the peer');
    });
  }

  await t.test('agent capturing through the capture helper (via: helper)', async (t) => {
    const adir = mkdtempSync(join(dir, 'helper-'));
    const rt = join(adir, 'run');
    const paths = helperPaths(rt, n.inside);
    let counters!: Record<string, number>;
    const w = await witnessed('helper', async () => {
      const agent = agentInNamespace(t, n, adir, `{type: pcap-live, name: span0, iface: ${n.inside}, via: helper, runtime_dir: ${rt}}`);
      await until(`waiting for the helper: ${agent.output()}`, () => /source retrying/.test(agent.output()), 30_000);
      // The helper as iomt-sensor-capture@.service starts it: stdout a stream socket connected to the agent's, settings from its files.
      const env = Object.fromEntries(readFileSync(paths.env, 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
      const sock = await connectTo(paths.socket);
      const helper = spawn('ip', ['netns', 'exec', n.ns, '/bin/sh', '-c', 'test -S /proc/self/fd/1 && exec "$@"', 'helper',
        'tcpdump', '-n', '-U', '-i', n.inside, '-s', env['SNAPLEN']!, ...(env['MONITOR'] === '' ? [] : [env['MONITOR']!]), '-F', paths.filter, '-w', '-'],
      { stdio: ['ignore', sock, 'pipe'] });
      sock.destroy();
      t.teardown(() => void helper.kill('SIGKILL'));
      await until(`source running: ${agent.output()}`, () => /source running/.test(agent.output()), 30_000);
      await sleep(500);
      await traffic();
      await sleep(500);
      counters = await agent.stop();
      const gone = new Promise((r) => helper.once('exit', r));
      helper.kill('SIGTERM');
      await gone;
    });
    t.ok((counters['source.span0.frames'] ?? 0) >= wardCount, `the agent captured the traffic (${counters['source.span0.frames']} frames of ${2 * wardCount} sent)`);
    t.same(w, { tx: 0, txBytes: 0, peer: 0 }, 'tx counters unchanged, no frame at the peer');
  });
});
