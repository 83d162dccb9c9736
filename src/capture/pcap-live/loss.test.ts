/**
 * Capture loss, measured: a real tcpdump in a network namespace, frames sent
 * with tcpreplay. First the counters agree with what was sent and polling
 * them does not disturb the capture; then a reader that stops reading makes
 * the kernel drop frames, and the counters account for every frame sent:
 * captured + dropped by kernel = received = sent.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { vethNamespace } from '../../../test/support/netns.js';
import { EventLog } from '../pcap/testing.js';
import { pcapFile, type WriterFrame } from '../pcap/writer.js';
import type { SourceLoss } from '../types.js';
import { PcapLiveSource } from './index.js';

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

/** `n` frames of `size` bytes with the local experimental ethertype 0x88b5, which the filter keeps. */
function frames(n: number, size: number): WriterFrame[] {
  return Array.from({ length: n }, (_, i) => {
    const b = new Uint8Array(size);
    b.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0xb5, i >> 8, i & 0xff]);
    return { tsSec: 1_700_000_000, tsNsec: i, bytes: b };
  });
}

/** Records loss events as well as states and anomalies. */
class LossLog extends EventLog {
  readonly losses: SourceLoss[] = [];
  loss(l: SourceLoss): void {
    this.losses.push(l);
  }
}

t.test('libpcap drop counters from a live tcpdump', { skip: isRoot ? false : 'needs root for ip netns' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h5-loss-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { ns, outside, inside } = vethNamespace(t, 'h5l', 'v5l');

  const open = () => {
    const log = new LossLog();
    const ac = new AbortController();
    t.teardown(() => ac.abort());
    const src = new PcapLiveSource({ name: 'live', iface: inside, filter: 'ether proto 0x88b5', wrap: ['ip', 'netns', 'exec', ns], statsIntervalMs: 200 });
    return { log, ac, src, it: src.open(ac.signal, log)[Symbol.asyncIterator]() };
  };

  await t.test('no loss: counters equal what was sent, read while capturing', async (t) => {
    const { log, ac, src, it } = open();
    const file = join(dir, 'small.pcap');
    const sent = frames(2000, 200);
    writeFileSync(file, pcapFile(1, sent));
    let got = 0;
    const reading = (async () => {
      for (let r = await it.next(); r.done !== true; r = await it.next()) got += r.value.length;
    })();
    t.ok(await until(() => log.states.some((s) => s.state === 'running'), 30_000), 'running');
    await new Promise((r) => setTimeout(r, 300));
    await run('tcpreplay', ['-q', '--pps=20000', '-i', outside, file]);
    t.ok(await until(() => got === sent.length && src.loss.received === sent.length, 20_000), `all captured (${got}) and counted (${src.loss.received})`);
    t.same(src.loss, { received: 2000, droppedKernel: 0, droppedIface: 0 }, 'reported while tcpdump runs (SIGUSR1)');
    t.same(log.losses.at(-1), src.loss, 'through the loss event');
    t.ok(log.losses.length >= 1, `reported as it changed (${log.losses.length} reports)`);
    t.equal(src.attempts, 1, 'polling never killed or restarted the tool');
    t.same(log.states.map((s) => s.state), ['starting', 'running'], 'still running');
    ac.abort();
    await reading;
    t.same(src.loss, { received: 2000, droppedKernel: 0, droppedIface: 0 }, 'the exit report agrees');
  });

  await t.test('dumpcap is never signalled (SIGUSR1 would kill it) and reports at exit', async (t) => {
    const log = new LossLog();
    const ac = new AbortController();
    const src = new PcapLiveSource({ name: 'live', iface: inside, tool: 'dumpcap', filter: 'ether proto 0x88b5', wrap: ['ip', 'netns', 'exec', ns], statsIntervalMs: 100 });
    const it = src.open(ac.signal, log)[Symbol.asyncIterator]();
    const file = join(dir, 'dumpcap.pcap');
    writeFileSync(file, pcapFile(1, frames(500, 200)));
    let got = 0;
    const reading = (async () => {
      for (let r = await it.next(); r.done !== true; r = await it.next()) got += r.value.length;
    })();
    t.ok(await until(() => log.states.some((s) => s.state === 'running'), 30_000), 'running');
    await new Promise((r) => setTimeout(r, 500));
    await run('tcpreplay', ['-q', '--pps=5000', '-i', outside, file]);
    t.ok(await until(() => got === 500, 20_000), `all captured (${got})`);
    await new Promise((r) => setTimeout(r, 500)); // five polling intervals
    t.equal(src.attempts, 1, 'still the first dumpcap');
    t.same(log.states.map((s) => s.state), ['starting', 'running']);
    t.same(log.losses, [], 'no report while running');
    ac.abort();
    await reading;
    t.same(src.loss, { received: 500, droppedKernel: 0, droppedIface: 0 }, "dumpcap's closing report");
  });

  await t.test('a stalled reader: the kernel drops, and every frame is accounted for', async (t) => {
    const { log, ac, src, it } = open();
    const file = join(dir, 'big.pcap');
    // 40 MB: far more than libpcap's 2 MiB ring plus the pipe can hold while nobody reads.
    const sent = frames(40_000, 1000);
    writeFileSync(file, pcapFile(1, sent));
    const first = it.next(); // starts tcpdump; then nobody asks for more until the replay is over
    t.ok(await until(() => log.states.some((s) => s.state === 'running'), 30_000), 'running');
    await new Promise((r) => setTimeout(r, 300));
    await run('tcpreplay', ['-q', '--topspeed', '-i', outside, file]);
    // tcpdump blocked in write() holds its SIGUSR1 report until that write returns (infodelay in tcpdump.c), so read on.
    let got = 0;
    const r0 = await first;
    if (r0.done !== true) got += r0.value.length;
    const reading = (async () => {
      for (let r = await it.next(); r.done !== true; r = await it.next()) got += r.value.length;
    })();
    const expected = (): number => src.loss.received - src.loss.droppedKernel;
    t.ok(await until(() => src.loss.received === sent.length && got === expected(), 20_000),
      `captured ${got} = received ${src.loss.received} - dropped ${src.loss.droppedKernel}`);
    t.equal(src.loss.received, sent.length, 'the kernel counted every frame sent');
    t.ok(src.loss.droppedKernel > 0, `and reported the ones it dropped (${src.loss.droppedKernel}) while tcpdump still runs`);
    t.equal(src.attempts, 1);
    await new Promise((r) => setTimeout(r, 500));
    t.equal(got, expected(), 'nothing more arrived');
    ac.abort();
    await reading;
    t.equal(got + src.loss.droppedKernel, sent.length, 'captured + dropped by kernel = sent');
    t.equal(src.attempts, 1);
  });
});
