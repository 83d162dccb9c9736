import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { EventLog, plain, readSplit, type PlainFrame } from '../pcap/testing.js';
import { pcapFile, PcapNgWriter } from '../pcap/writer.js';
import { PcapFileSource } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'pcap-file-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** 3000 frames of 60..250 bytes: about 500 KiB, so the default 256 KiB reads split it. */
const frames = Array.from({ length: 3000 }, (_, i) => ({
  tsSec: 1_700_000_000 + i,
  tsNsec: (i * 7919) % 1_000_000 * 1000,
  bytes: Uint8Array.from({ length: 60 + (i % 191) }, (_, k) => (k + i) & 0xff),
}));

async function drain(src: PcapFileSource, signal = new AbortController().signal, log = new EventLog()): Promise<{ got: PlainFrame[]; batches: number; log: EventLog }> {
  const got: PlainFrame[] = [];
  let batches = 0;
  for await (const batch of src.open(signal, log)) {
    batches++;
    for (const f of batch) got.push(plain(f)); // copy: bytes are only valid until the next batch
  }
  return { got, batches, log };
}

t.test('reads a pcap file in batches, with states starting, running, ended', async (t) => {
  const path = join(dir, 'a.pcap');
  const bytes = pcapFile(1, frames);
  writeFileSync(path, bytes);
  const want = readSplit(bytes).frames;
  const { got, batches, log } = await drain(new PcapFileSource({ name: 'replay', path }));
  t.equal(got.length, 3000);
  t.same(got, want);
  t.ok(batches >= 2, `several batches (${batches})`);
  t.same(log.states.map((s) => s.state), ['starting', 'running', 'ended']);
  t.same(log.anomalies, []);
});

t.test('small reads give the same frames (records across reads)', async (t) => {
  const path = join(dir, 'b.pcapng');
  const w = new PcapNgWriter();
  w.addInterface(1);
  w.addInterface(127, { tsresol: { base: 10, exp: 9 } });
  frames.slice(0, 500).forEach((f, i) => w.epb(i % 2, f.tsSec, f.tsNsec, f.bytes));
  writeFileSync(path, w.toBytes());
  const want = readSplit(w.toBytes()).frames;
  const src = new PcapFileSource({ name: 'replay', path, highWaterMark: 333 });
  const { got } = await drain(src);
  t.same(got, want);
  t.equal(src.counters?.frames, 500);
});

t.test('a truncated file ends with a counted anomaly', async (t) => {
  const path = join(dir, 'c.pcap');
  const bytes = pcapFile(1, frames.slice(0, 10));
  writeFileSync(path, bytes.subarray(0, bytes.length - 5));
  const { got, log } = await drain(new PcapFileSource({ name: 'replay', path }));
  t.equal(got.length, 9);
  t.same(log.anomalies.map((a) => a.code), ['pcap.truncated_record']);
  t.equal(log.states.at(-1)?.state, 'ended');
});

t.test('a missing file is a failed state, not an exception', async (t) => {
  const { got, log } = await drain(new PcapFileSource({ name: 'replay', path: join(dir, 'nope.pcap') }));
  t.equal(got.length, 0);
  t.equal(log.states.at(-1)?.state, 'failed');
  t.match(log.states.at(-1)?.detail, /ENOENT/);
});

t.test('abort ends the iterable early', async (t) => {
  const path = join(dir, 'd.pcap');
  writeFileSync(path, pcapFile(1, frames));
  const ac = new AbortController();
  const log = new EventLog();
  let batches = 0;
  let seen = 0;
  for await (const batch of new PcapFileSource({ name: 'replay', path, highWaterMark: 1024 }).open(ac.signal, log)) {
    batches++;
    seen += batch.length;
    if (batches === 3) ac.abort();
  }
  t.equal(batches, 3, 'no batch after the abort');
  t.ok(seen < 3000);
  t.same(log.states.at(-1), { state: 'ended', detail: 'aborted', at: log.states.at(-1)?.at });
});

t.test('`-` reads standard input', async (t) => {
  const path = join(dir, 'e.pcap');
  writeFileSync(path, pcapFile(1, frames.slice(0, 123)));
  const mod = fileURLToPath(new URL('./index.js', import.meta.url));
  const script = `
    const { PcapFileSource } = await import(${JSON.stringify(mod)});
    let n = 0;
    const states = [];
    const ev = { anomaly() {}, state(s) { states.push(s); } };
    for await (const b of new PcapFileSource({ name: 'stdin', path: '-' }).open(new AbortController().signal, ev)) n += b.length;
    console.log(n, states.join(','));`;
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    child.stdin?.end(pcapFile(1, frames.slice(0, 123)));
  });
  t.equal(out.trim(), '123 starting,running,ended');
});

t.test('realtime replays at capture pace', async (t) => {
  const path = join(dir, 'f.pcap');
  // Five frames 100 ms apart, all in one read.
  writeFileSync(path, pcapFile(1, frames.slice(0, 5).map((f, i) => ({ ...f, tsSec: 1000, tsNsec: i * 100_000_000 }))));
  const arrivals: number[] = [];
  const start = performance.now();
  for await (const batch of new PcapFileSource({ name: 'rt', path, realtime: true }).open(new AbortController().signal, new EventLog())) {
    for (const _ of batch) arrivals.push(performance.now() - start);
  }
  t.equal(arrivals.length, 5);
  t.ok(arrivals[4]! >= 390, `the last frame came after its 400 ms (${arrivals[4]!.toFixed(0)} ms)`);
  t.ok(arrivals[1]! >= 90, 'the second frame waited for its 100 ms');
});
