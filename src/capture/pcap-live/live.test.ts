import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { vethNamespace } from '../../../test/support/netns.js';
import { EventLog, plain, type PlainFrame } from '../pcap/testing.js';
import { pcapFile } from '../pcap/writer.js';
import { captureCommand, classifyExit, PcapLiveSource, validateBpf } from './index.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

t.test('command lines: capture mode only, filter after --', async (t) => {
  const cases: [string, ConstructorParameters<typeof PcapLiveSource>[0], string[]][] = [
    ['tcpdump, defaults', { name: 'a', iface: 'eth0' }, ['tcpdump', '-U', '-n', '-i', 'eth0', '-s', '262144', '-w', '-']],
    ['tcpdump, monitor and filter', { name: 'a', iface: 'wlan0', monitor: true, snaplen: 512, filter: 'type mgt' },
      ['tcpdump', '-U', '-n', '-i', 'wlan0', '-s', '512', '-w', '-', '-I', '--', 'type mgt']],
    ['tcpdump in a namespace', { name: 'a', iface: 'v1', wrap: ['ip', 'netns', 'exec', 'ns1'], toolPath: '/usr/bin/tcpdump' },
      ['ip', 'netns', 'exec', 'ns1', '/usr/bin/tcpdump', '-U', '-n', '-i', 'v1', '-s', '262144', '-w', '-']],
    ['tcpdump, immediate mode and a 16 MiB buffer', { name: 'a', iface: 'eth1', immediate: true, bufferKib: 16384 },
      ['tcpdump', '-U', '-n', '-i', 'eth1', '-s', '262144', '-w', '-', '--immediate-mode', '-B', '16384']],
    ['dumpcap, buffer in MiB rounded up', { name: 'a', iface: 'eth1', tool: 'dumpcap', bufferKib: 1500 },
      ['dumpcap', '-i', 'eth1', '-w', '-', '-P', '-q', '-s', '262144', '-B', '2']],
    ['dumpcap', { name: 'a', iface: 'eth1', tool: 'dumpcap', filter: 'udp', monitor: true },
      ['dumpcap', '-i', 'eth1', '-w', '-', '-P', '-q', '-s', '262144', '-I', '-f', 'udp']],
  ];
  for (const [name, opts, want] of cases) {
    const [cmd, args] = captureCommand(opts);
    t.same([cmd, ...args], want, name);
  }
});

t.test('tool failures are classified from stderr', async (t) => {
  const base = { tool: 'tcpdump', iface: 'eth9', code: 1, signal: null };
  const enoent = Object.assign(new Error('spawn tcpdump ENOENT'), { code: 'ENOENT' });
  const cases: [string, Parameters<typeof classifyExit>[0], RegExp][] = [
    ['spawn ENOENT', { ...base, code: null, spawnError: enoent, stderr: '' }, /capture tool "tcpdump" not found/],
    ['ENOENT under ip netns exec', { ...base, code: 255, stderr: 'exec of "tcpdump" failed: No such file or directory\n' }, /not found/],
    ['no such device (tcpdump)', { ...base, stderr: 'tcpdump: eth9: No such device exists\n(No such device exists)\n' }, /^interface "eth9" does not exist$/],
    ['no such device (dumpcap)', { ...base, tool: 'dumpcap', stderr: 'Capturing on \'eth9\'\ndumpcap: There is no device named "eth9".\n' }, /does not exist/],
    ['device does not exist', { ...base, stderr: "Capture interface 'eth9' doesn't exist\n" }, /does not exist/],
    ['permission', { ...base, stderr: "tcpdump: eth9: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n" },
      /^no permission to capture on "eth9": run as root or give tcpdump CAP_NET_RAW and CAP_NET_ADMIN/],
    ['operation not permitted', { ...base, stderr: 'socket: Operation not permitted\n' }, /no permission/],
    ['monitor mode', { ...base, stderr: "tcpdump: eth9: That device doesn't support monitor mode\n" }, /does not support monitor mode/],
    ['interface down', { ...base, stderr: 'tcpdump: eth9: That device is not up\n' }, /is down/],
    ['bad filter', { ...base, stderr: "tcpdump: can't parse filter expression: syntax error\n" }, /capture filter rejected: .*syntax error/],
    ['killed', { ...base, code: null, signal: 'SIGKILL', stderr: '' }, /^tcpdump was killed by SIGKILL$/],
    ['plain exit', { ...base, code: 3, stderr: 'tcpdump: something odd\n0 packets captured\n' }, /^tcpdump exited with code 3: tcpdump: something odd$/],
  ];
  for (const [name, exit, want] of cases) t.match(classifyExit(exit), want, name);
});

t.test('validateBpf compiles filters without opening an interface', async (t) => {
  t.equal(await validateBpf('tcp port 104 or udp port 5353'), undefined);
  t.equal(await validateBpf(''), undefined, 'no filter is fine');
  t.equal(await validateBpf('type mgt subtype beacon', { linkType: 127 }), undefined, '802.11 filter on radiotap');
  t.match(await validateBpf('tcp portx 80'), /syntax error/);
  t.match(await validateBpf('-w /tmp/evil'), /syntax error|parse/, 'a filter is never read as an option');
  t.match(await validateBpf('tcp', { tcpdumpPath: '/nonexistent/tcpdump' }), /cannot check the filter/);
});

/** Waits for `pred` over the log, polling; false after `ms`. */
async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return pred();
}

/** Backoff waits the test releases itself, recording the delay asked for. */
class ManualWait {
  readonly waits: Array<{ readonly ms: number; readonly release: () => void }> = [];
  readonly wait = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      this.waits.push({ ms, release: resolve });
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
}

t.test('missing interface: retrying with a clear message and doubling backoff; abort ends', async (t) => {
  const log = new EventLog();
  const ac = new AbortController();
  const gate = new ManualWait();
  const src = new PcapLiveSource({ name: 'live', iface: 'nosuch0', backoff: { initialMs: 50, maxMs: 100 }, wait: gate.wait });
  const done = (async () => {
    let n = 0;
    for await (const b of src.open(ac.signal, log)) n += b.length;
    return n;
  })();
  for (let i = 1; i <= 3; i++) {
    t.ok(await until(() => gate.waits.length === i, 30_000), `failure ${i} starts a backoff wait`);
    t.equal(src.attempts, i, `no attempt ${i + 1} before the wait is over`);
    if (i < 3) gate.waits[i - 1]!.release();
  }
  ac.abort(); // during the third wait
  t.equal(await done, 0);
  t.equal(src.attempts, 3, 'abort during a wait starts nothing more');
  t.same(gate.waits.map((w) => w.ms), [50, 100, 100], 'doubles, then capped');
  const retries = log.states.filter((s) => s.state === 'retrying');
  const expectMsg = isRoot ? /^interface "nosuch0" does not exist; retrying in / : /does not exist|no permission/;
  t.match(retries[0]?.detail, expectMsg);
  t.same(retries.map((s) => /retrying in (\d+) ms/.exec(s.detail ?? '')?.[1]), ['50', '100', '100'], 'the message names the delay waited');
  t.equal(log.states.at(-1)?.state, 'ended');
  t.same(log.anomalies, [], 'a tool that wrote nothing is not an empty-file anomaly');
});

t.test('missing tool: retrying with "not found"', async (t) => {
  const log = new EventLog();
  const ac = new AbortController();
  const src = new PcapLiveSource({ name: 'live', iface: 'lo', toolPath: '/nonexistent/tcpdump', backoff: { initialMs: 10, maxMs: 10 } });
  const done = (async () => {
    for await (const _ of src.open(ac.signal, log)) { /* no frames expected */ }
  })();
  t.ok(await until(() => log.states.some((s) => s.state === 'retrying'), 10_000));
  ac.abort();
  await done;
  t.match(log.states.find((s) => s.state === 'retrying')?.detail, /capture tool "tcpdump" not found/);
  t.equal(log.states.at(-1)?.state, 'ended');
});

t.test('no permission: retrying with what to do', { skip: isRoot ? false : 'needs root to drop to nobody' }, async (t) => {
  const log = new EventLog();
  const ac = new AbortController();
  const src = new PcapLiveSource({ name: 'live', iface: 'lo', wrap: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'],
    backoff: { initialMs: 10, maxMs: 10 } });
  const done = (async () => {
    for await (const _ of src.open(ac.signal, log)) { /* no frames expected */ }
  })();
  t.ok(await until(() => log.states.some((s) => s.state === 'retrying'), 10_000));
  ac.abort();
  await done;
  t.match(log.states.find((s) => s.state === 'retrying')?.detail, /^no permission to capture on "lo"/);
});

t.test('live capture in a network namespace: tcpreplay frames arrive whole', { skip: isRoot ? false : 'needs root for ip netns' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pcap-live-test-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const { ns, outside: vOut, inside: vIn } = vethNamespace(t, 'cap', 'vc');

  // 40 Ethernet frames with the local experimental ethertype 0x88b5, 60..1014 bytes, so that
  // IPv6 neighbour discovery on the fresh link cannot be mistaken for them.
  const sent = Array.from({ length: 40 }, (_, i) => {
    const b = new Uint8Array(60 + i * 24);
    b.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0xb5, i]);
    for (let k = 15; k < b.length; k++) b[k] = (k * 7 + i) & 0xff;
    return { tsSec: 1_700_000_000, tsNsec: i * 1000, bytes: b };
  });
  const file = join(dir, 'replay.pcap');
  writeFileSync(file, pcapFile(1, sent));
  // A probe of the same ethertype, byte 14 = 0xff (the frames above use 0..39).
  const probe = new Uint8Array(60);
  probe.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0xb5, 0xff]);
  const probeFile = join(dir, 'probe.pcap');
  writeFileSync(probeFile, pcapFile(1, [{ tsSec: 1_700_000_000, tsNsec: 0, bytes: probe }]));
  const isProbe = (f: PlainFrame): boolean => f.hex.slice(28, 30) === 'ff';

  for (const tool of ['tcpdump', 'dumpcap'] as const) {
    const log = new EventLog();
    const ac = new AbortController();
    const src = new PcapLiveSource({ name: 'live', iface: vIn, tool, filter: 'ether proto 0x88b5', wrap: ['ip', 'netns', 'exec', ns],
      backoff: { initialMs: 200, maxMs: 1000 } });
    const got: PlainFrame[] = [];
    let probes = 0;
    const timer = setTimeout(() => ac.abort(), 60_000);
    let replay: Promise<unknown> | undefined;
    const watcher = (async () => {
      if (await until(() => log.states.some((s) => s.state === 'running'), 30_000)) {
        // dumpcap says "Capturing on" a moment before its socket is bound. Rather than
        // guess how long that takes on a busy machine, send probes until one comes through.
        const deadline = Date.now() + 30_000;
        while (probes === 0 && Date.now() < deadline) {
          await run('tcpreplay', ['-q', '-i', vOut, probeFile]);
          await until(() => probes > 0, 500);
        }
        replay = run('tcpreplay', ['-q', '-i', vOut, file]);
      }
    })();
    for await (const batch of src.open(ac.signal, log)) {
      for (const f of batch) {
        const p = plain(f);
        if (isProbe(p)) probes++;
        else got.push(p);
      }
      if (got.length >= sent.length) ac.abort();
    }
    clearTimeout(timer);
    await watcher;
    await replay;
    t.ok(probes > 0, `${tool}: a probe came through before the replay`);
    t.equal(got.length, sent.length, `${tool}: every frame arrived`);
    t.same(got.map((f) => f.hex), sent.map((f) => Buffer.from(f.bytes).toString('hex')), `${tool}: bytes identical, in order`);
    t.same([...new Set(got.map((f) => f.linkType))], [1]);
    t.same(got.map((f) => f.origLen), sent.map((f) => f.bytes.length));
    t.same(log.states.map((s) => s.state), ['starting', 'running', 'ended'], `${tool}: states`);
    t.same(log.anomalies, []);
    // The abort killed the tool: nothing is left running in the namespace.
    t.ok(await until(() => execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).trim() === '', 10_000), `${tool} stopped`);
  }
});
