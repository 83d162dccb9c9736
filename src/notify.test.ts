/**
 * sd_notify through the socat helper, against a real AF_UNIX datagram socket
 * (a small Python receiver, since Node cannot bind one), and the agent as
 * systemd runs it: READY=1, watchdog pings only while ticks commit, STOPPING=1.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SystemdNotifier, Watchdog, socatAddress, type Every } from './notify.js';
import type { Level, Logger } from './log.js';
import { startMosquitto } from '../test/support/mosquitto.js';
import { pcapFile, type WriterFrame } from './capture/pcap/writer.js';
import { ethernet, ipv4, udp } from '../test/builders/frames.js';

const PYTHON = '/usr/bin/python3';
const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist', 'src', 'cli.js');

/** Prints every datagram received on the socket as one JSON string per line. */
const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
addr = sys.argv[1]
s.bind('\\0' + addr[1:] if addr.startswith('@') else addr)
print(json.dumps('BOUND'), flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps(data.decode('utf-8', 'replace')), flush=True)
`;

interface Datagram {
  readonly at: number;
  readonly text: string;
}

interface Receiver {
  readonly datagrams: Datagram[];
  /** Every assignment received, in order (a datagram may hold several). */
  lines(): string[];
  count(line: string, since?: number): number;
  waitFor(line: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

async function receiver(address: string): Promise<Receiver> {
  const child: ChildProcess = spawn(PYTHON, ['-c', RECEIVER, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  const datagrams: Datagram[] = [];
  let bound!: () => void;
  const ready = new Promise<void>((r) => (bound = r));
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const text = JSON.parse(l) as string;
    if (text === 'BOUND') bound();
    else datagrams.push({ at: Date.now(), text });
  });
  await ready;
  const lines = () => datagrams.flatMap((d) => d.text.split('\n').filter((x) => x !== ''));
  return {
    datagrams,
    lines,
    count: (line, since = 0) => datagrams.filter((d) => d.at >= since).flatMap((d) => d.text.split('\n')).filter((x) => x === line).length,
    async waitFor(line, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!lines().includes(line)) {
        if (Date.now() > deadline) throw new Error(`no ${line} within ${timeoutMs} ms; got ${JSON.stringify(lines())}`);
        await sleep(20);
      }
    },
    close: () => void child.kill('SIGKILL'),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when pred() holds; fails after timeoutMs, a bound far above the normal wait. */
async function until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** A ping-slot clock the test advances: each tick() is one period elapsing. */
class ManualEvery {
  periodMs: number | undefined;
  private fn: (() => void) | undefined;
  readonly every: Every = (ms, fn) => {
    this.periodMs = ms;
    this.fn = fn;
    return () => (this.fn = undefined);
  };
  get armed(): boolean {
    return this.fn !== undefined;
  }
  tick(): void {
    this.fn?.();
  }
}

/**
 * Resolves when a spawn started now has failed. Node reports a spawn that
 * cannot start on the next tick, in spawn order, so every earlier failed spawn
 * has been reported by then: a barrier for "nothing more is coming".
 */
function spawnBarrier(): Promise<void> {
  return new Promise((resolve) => spawn('/nonexistent/h4-barrier', [], { stdio: 'ignore' }).once('error', () => resolve()));
}

class MemoryLog implements Logger {
  readonly lines: { level: Level; msg: string }[] = [];
  log(level: Level, msg: string): void {
    this.lines.push({ level, msg });
  }
}

t.test('socat addresses: paths and abstract sockets', async (t) => {
  t.equal(socatAddress('/run/systemd/notify'), 'UNIX-SENDTO:/run/systemd/notify');
  t.equal(socatAddress('@/org/freedesktop/systemd1/notify/123'), 'ABSTRACT-SENDTO:/org/freedesktop/systemd1/notify/123');
  t.equal(socatAddress('/tmp/a:b,c'), 'UNIX-SENDTO:/tmp/a\\:b\\,c');
});

t.test('without NOTIFY_SOCKET nothing is sent and nothing is started', async (t) => {
  const n = SystemdNotifier.fromEnv({ WATCHDOG_USEC: '1000000' }, { socat: '/nonexistent/socat' });
  t.equal(n.enabled, false);
  t.equal(n.watchdogUsec, undefined, 'no watchdog without a socket');
  n.ready('x');
  n.watchdog();
  n.stopping();
  await n.close();
});

t.test('WATCHDOG_PID of another process disables the watchdog for this one', async (t) => {
  t.equal(SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '1000000', WATCHDOG_PID: String(process.pid + 1) }).watchdogUsec, undefined);
  t.equal(SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '1000000', WATCHDOG_PID: String(process.pid) }).watchdogUsec, 1_000_000);
  t.equal(SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: 'soon' }).watchdogUsec, undefined);
});

for (const kind of ['path', 'abstract'] as const) {
  t.test(`READY, STATUS, RELOADING and STOPPING reach a real ${kind} socket`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'iomt-notify-'));
    const address = kind === 'path' ? join(dir, 'notify') : `@iomt-notify-test-${process.pid}`;
    const rx = await receiver(address);
    t.teardown(() => {
      rx.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const n = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: address });
    t.equal(n.enabled, true);
    n.ready('running\nwith a newline');
    await rx.waitFor('READY=1');
    t.ok(rx.lines().includes('STATUS=running with a newline'), 'status is one line');
    n.status('capturing on eth1');
    await rx.waitFor('STATUS=capturing on eth1');
    n.reloading();
    await rx.waitFor('RELOADING=1');
    const mono = rx.lines().find((l) => l.startsWith('MONOTONIC_USEC='));
    t.match(mono, /^MONOTONIC_USEC=\d+$/, 'RELOADING=1 carries MONOTONIC_USEC');
    // CLOCK_MONOTONIC is also what /proc/uptime counts (plus suspend, none here): same order of magnitude.
    const uptimeUs = Number((await import('node:fs')).readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1e6;
    t.ok(Math.abs(Number(mono!.slice('MONOTONIC_USEC='.length)) - uptimeUs) < 60e6, 'MONOTONIC_USEC is CLOCK_MONOTONIC in microseconds');
    n.stopping('bye');
    await rx.waitFor('STOPPING=1');
    await n.close();
    const before = rx.lines().length;
    n.ready();
    // A barrier instead of a fixed wait: a second notifier's message, started
    // after, arrives after anything the closed one might still have sent.
    const other = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: address });
    other.status('barrier');
    await rx.waitFor('STATUS=barrier');
    await other.close();
    t.same(rx.lines().slice(before), ['STATUS=barrier'], 'nothing is sent after close()');
  });
}

t.test('a missing socat is logged once and the notifier degrades to nothing', async (t) => {
  const log = new MemoryLog();
  const n = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '/tmp/nowhere' }, { log, socat: '/nonexistent/socat' });
  n.ready();
  await until(() => log.lines.length > 0, 'the warning');
  n.watchdog();
  n.watchdog();
  await spawnBarrier(); // a retried spawn would have failed by now
  t.equal(log.lines.filter((l) => l.level === 'warn').length, 1, 'one warning');
  t.match(log.lines[0]?.msg, /install socat/);
  await n.close();
});

t.test('the watchdog pings only while the pipeline makes progress', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-notify-'));
  const address = join(dir, 'notify');
  const rx = await receiver(address);
  const n = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: address, WATCHDOG_USEC: '400000' });
  const clock = new ManualEvery();
  const wd = new Watchdog(() => n.watchdog(), n.watchdogUsec!, clock.every);
  t.teardown(async () => {
    wd.stop();
    await n.close();
    rx.close();
    rmSync(dir, { recursive: true, force: true });
  });
  t.equal(wd.periodMs, 200, 'half of WATCHDOG_USEC');
  wd.start();
  wd.start(); // idempotent
  t.equal(clock.periodMs, 200, 'ping slots every half interval');
  const pings = () => rx.count('WATCHDOG=1');

  // Ticks commit between ping slots: every slot pings.
  for (let i = 0; i < 4; i++) {
    wd.progress();
    wd.progress();
    clock.tick();
  }
  t.equal(wd.pings, 4);
  await until(() => pings() === 4, 'four pings at the socket');

  // Stall: progress stops, the slots pass without a ping.
  for (let i = 0; i < 4; i++) clock.tick();
  t.equal(wd.missed, 4, 'the missed ping slots are counted');
  t.equal(wd.pings, 4, 'no pings while the pipeline is stalled');

  // Resume. The pings go through one helper in order, so when the fifth
  // arrives every earlier one has: none was sent during the stall.
  wd.progress();
  clock.tick();
  await until(() => pings() === 5, 'the ping after resuming');
  t.equal(pings(), 5, 'exactly one ping per slot with progress');
  clock.tick();
  t.equal(wd.missed, 5, 'progress counts for one slot only');

  wd.stop();
  t.notOk(clock.armed, 'stop cancels the ping slots');
});

t.test('a blocked event loop sends no pings (real timers)', async (t) => {
  const pings: number[] = [];
  const wd = new Watchdog(() => pings.push(Date.now()), 200_000);
  wd.start();
  t.teardown(() => wd.stop());
  wd.progress();
  const t0 = Date.now();
  while (Date.now() - t0 < 500) wd.progress(); // a busy loop: timers cannot run
  t.equal(pings.length, 0, 'no ping while the loop is blocked');
  await until(() => pings.length >= 1, 'a ping once the loop runs');
  wd.stop();
  const after = pings.length;
  wd.progress();
  // Another real interval of the same period, started later, firing twice: the stopped one would have fired by then.
  let other = 0;
  const timer = setInterval(() => other++, 100);
  t.teardown(() => clearInterval(timer));
  await until(() => other >= 2, 'two periods of another timer');
  t.equal(pings.length, after, 'no ping after stop');
});

t.test('the agent under a simulated systemd: READY, watchdog pings, STOPPING on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-notify-agent-'));
  const broker = await startMosquitto();
  const address = join(dir, 'notify');
  const rx = await receiver(address);
  t.teardown(async () => {
    rx.close();
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const frames: WriterFrame[] = [];
  for (let i = 0; i < 50; i++) {
    const bytes = ethernet({ src: `00:1a:fa:00:02:${i.toString(16).padStart(2, '0')}`, dst: '00:09:5c:00:00:01', type: 0x0800 }, ipv4({ src: `10.20.1.${10 + i}`, dst: '10.20.0.1', proto: 17 }, udp({ sport: 4000, dport: 2575 }, new Uint8Array(16))));
    frames.push({ tsSec: 1_767_600_000 + i, tsNsec: 0, bytes });
  }
  const capture = join(dir, 'ward.pcap');
  writeFileSync(capture, pcapFile(1, frames));
  const cfg = join(dir, 'config.yaml');
  writeFileSync(
    cfg,
    `sensor: {id: notify-1, site: test-site, ward: icu-3}
state: {dir: ${join(dir, 'state')}}
sources:
  - {type: pcap-file, name: ward, path: ${capture}}
mqtt:
  url: ${broker.url}
  reconnect: {initial_ms: 100, max_ms: 400}
inventory: {learning_period_s: 0, delta_interval_s: 1}
`,
  );
  const child = spawn(process.execPath, [CLI, 'run', '--config', cfg], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NOTIFY_SOCKET: address, WATCHDOG_USEC: '2000000', WATCHDOG_PID: '' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => void child.kill('SIGKILL'));

  await rx.waitFor('READY=1', 20_000);
  const readyAt = Date.now();
  t.ok(rx.lines().some((l) => l.startsWith('STATUS=running')), 'READY=1 comes with a status');
  // Waited for as an event: how many land in a fixed time depends on the machine's load.
  await until(() => rx.count('WATCHDOG=1', readyAt) >= 2, 'two watchdog pings after READY=1', 20_000);
  t.pass('watchdog pings (WATCHDOG_USEC=2 s) while the agent ticks');
  t.notOk(rx.lines().includes('STOPPING=1'), 'not stopping yet');

  child.kill('SIGTERM');
  await rx.waitFor('STOPPING=1', 20_000);
  t.equal(await exit, 0, `clean exit (${out.split('\n').slice(-5).join(' | ')})`);
  const l = rx.lines();
  t.ok(l.indexOf('READY=1') < l.indexOf('STOPPING=1'), 'READY before STOPPING');
  t.match(out, /level=info msg=stopped/);
});
