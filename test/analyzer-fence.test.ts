/**
 * Fences: an analyzer that throws is counted and its frame quarantined, and
 * neither a file source nor a live source stops capturing; a source whose
 * loop ends abnormally is reported `failed` and restarted.
 *
 * Real sources only: a pcap file read by PcapFileSource, and tcpdump
 * capturing on a veth inside a network namespace while tcpreplay sends.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { vethNamespace } from './support/netns.js';
import { SourceSupervisor } from '../src/capture/supervisor.js';
import { PcapLiveSource } from '../src/capture/pcap-live/index.js';
import { PcapFileSource } from '../src/capture/pcap-file/index.js';
import type { CaptureSource, RawFrame, SourceEvents } from '../src/capture/types.js';
import type { SourceConfig } from '../src/config/index.js';
import { pcapFile } from '../src/capture/pcap/writer.js';
import { PcapReader } from '../src/capture/pcap/reader.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { Pipeline } from '../src/analyze/pipeline.js';
import { BatchSink } from '../src/analyze/sink.js';
import { AlertGate } from '../src/alerts/gate.js';
import { AlertCatalogue } from '../src/alerts/catalogue.js';
import type { Analyzer } from '../src/analyze/types.js';
import { Quarantine } from '../src/runtime/quarantine.js';
import { ethernet } from './builders/frames.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

/** Throws on every third frame it sees; counts the rest. */
class Thrower implements Analyzer {
  readonly name = 'thrower';
  seen = 0;
  onFrame(): void {
    if (++this.seen % 3 === 0) throw new RangeError('deliberate bug');
  }
  onTick(): void {
    throw new Error('tick bug');
  }
}

/** Counts every frame it is handed, so we see the others still run. */
class Counter implements Analyzer {
  readonly name = 'counter';
  frames = 0;
  onFrame(): void {
    this.frames++;
  }
  onTick(): void {}
}

/** Raises an alert code that is not in the catalogue. */
class Typo implements Analyzer {
  readonly name = 'typo';
  onFrame(_f: unknown, out: Parameters<Analyzer['onFrame']>[1]): void {
    out.alert({ code: 'inventory.new_devcie', device: 'x', time: 1 });
  }
  onTick(): void {}
}

function frames(n: number): Uint8Array {
  const fr = [];
  for (let i = 0; i < n; i++) {
    fr.push({ tsSec: 1_700_000_000 + i, tsNsec: 0, bytes: ethernet({ src: `02:00:00:00:00:${(i % 250).toString(16).padStart(2, '0')}`, dst: 'ff:ff:ff:ff:ff:ff', type: 0x88b5 }, new Uint8Array(40).fill(i & 0xff)) });
  }
  return pcapFile(1, fr);
}

function rig(dir: string | undefined): { pipeline: Pipeline; sink: BatchSink; thrower: Thrower; counter: Counter; quarantine: Quarantine; gate: AlertGate } {
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 1000 });
  const sink = new BatchSink(gate);
  const thrower = new Thrower();
  const counter = new Counter();
  const quarantine = new Quarantine({ dir, maxPending: 5 });
  const pipeline = new Pipeline(defaultFrameDecoder(), [thrower, counter, new Typo()], sink, { quarantine });
  return { pipeline, sink, thrower, counter, quarantine, gate };
}

async function untilTrue(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const silent = { log: () => {} };

t.test('a throwing analyzer does not stop a file source, the others, or the tick', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-fence-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'in.pcap');
  writeFileSync(file, frames(30));
  const r = rig(join(dir, 'quarantine'));
  let ended = false;
  const sup = new SourceSupervisor(
    { process: (b) => r.pipeline.process(b), count: (c) => r.sink.count(c), changed: () => {}, allEnded: () => (ended = true), log: silent },
    (sc) => new PcapFileSource({ name: sc.name, path: (sc as { path: string }).path }),
  );
  sup.start({ type: 'pcap-file', name: 'f', path: file, realtime: false });
  await untilTrue('file source end', () => ended);
  t.equal(r.pipeline.frames, 30, 'every frame went through the pipeline');
  t.equal(r.counter.frames, 30, 'the analyzer after the thrower saw every frame');
  t.equal(r.sink.counters.get('analyzer.bug.thrower'), 10, 'one bug counted per throw');
  t.equal(sup.status()[0]?.state, 'ended', 'the source ended normally, not failed');
  r.pipeline.tick(1);
  t.equal(r.sink.counters.get('analyzer.bug.thrower'), 11, 'a throwing onTick is counted too');
  t.equal(r.gate.counters.unknown_code, 30, 'an unknown alert code is counted, never thrown');
  t.equal(r.sink.pendingAlerts, 0, 'and raises nothing');

  // Five frames fit the pending list; the other five are counted as dropped.
  r.quarantine.flush();
  t.same(r.quarantine.counters, { kept: 5, dropped: 5, write_failed: 0 });
  const files = readdirSync(join(dir, 'quarantine'));
  t.same(files, ['1.pcap'], 'one pcap per link type');
  const got: RawFrame[] = [];
  const reader = new PcapReader('q', { anomaly: () => {}, state: () => {} });
  for (const b of [...reader.push(readFileSync(join(dir, 'quarantine', '1.pcap'))), ...reader.end()]) got.push({ ...b, bytes: b.bytes.slice() });
  t.equal(got.length, 5, 'the quarantined frames read back');
  t.equal(got[0]!.tsSec, 1_700_000_002, 'the first is the third frame, the first that threw');
  t.equal(got[0]!.bytes.length, 14, 'cut after the last decoded header (Ethernet): no payload is stored');
  t.equal(got[0]!.origLen, 54, 'the record still says how long the frame was');

  // `full` keeps whole frames (a lab setting); `off` keeps none.
  for (const [mode, want] of [['full', 54], ['off', undefined]] as const) {
    const q = new Quarantine({ dir: join(dir, mode), mode });
    const always: Analyzer = { name: 'always', onFrame: () => { throw new Error('always'); }, onTick: () => {} };
    const p = new Pipeline(defaultFrameDecoder(), [always], r.sink, { quarantine: q });
    const rd = new PcapReader('q', { anomaly: () => {}, state: () => {} });
    p.process([...rd.push(frames(1)), ...rd.end()]);
    q.flush();
    if (want === undefined) t.same(q.counters, { kept: 0, dropped: 1, write_failed: 0 }, 'off: nothing kept');
    else {
      const rb = new PcapReader('q', { anomaly: () => {}, state: () => {} });
      const back = [...rb.push(readFileSync(join(dir, mode, '1.pcap'))), ...rb.end()];
      t.equal(back[0]?.bytes.length, want, 'full: the whole frame');
    }
  }
});

t.test('a throwing analyzer does not stop a live source', { skip: isRoot ? false : 'needs root for network namespaces' }, async (t) => {
  const n = vethNamespace(t, 'fence', 'vf');
  const dir = mkdtempSync(join(tmpdir(), 'iomt-fence-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'in.pcap');
  writeFileSync(file, frames(60));
  const r = rig(undefined);
  const sup = new SourceSupervisor(
    { process: (b) => r.pipeline.process(b), count: (c) => r.sink.count(c), changed: () => {}, allEnded: () => {}, log: silent },
    (sc) => new PcapLiveSource({ name: sc.name, iface: n.inside, wrap: ['ip', 'netns', 'exec', n.ns] }),
  );
  sup.start({ type: 'pcap-live', name: 'live', iface: n.inside } as SourceConfig);
  t.teardown(() => sup.stopAll());
  await untilTrue('capture running', () => sup.status()[0]?.state === 'running');
  // tcpdump reports running before its socket is bound: send until frames arrive, then the real run.
  const sendOnce = () => run('tcpreplay', ['-q', '-i', n.outside, '--pps', '2000', file]);
  while (r.pipeline.frames === 0) await sendOnce();
  const before = r.counter.frames;
  await sendOnce();
  await untilTrue('second replay captured', () => r.counter.frames >= before + 60);
  t.ok((r.sink.counters.get('analyzer.bug.thrower') ?? 0) >= 20, 'throws were counted');
  t.equal(sup.status()[0]?.state, 'running', 'the live source is still running');
  await sendOnce();
  await untilTrue('third replay captured', () => r.counter.frames >= before + 120);
  t.pass('frames keep arriving after the analyzer threw');
});

/** A source that yields one batch and then ends (or throws) without being asked to: a broken loop. */
class Breaks implements CaptureSource {
  opened = 0;
  constructor(readonly name: string, private readonly how: 'end' | 'throw') {}
  async *open(_signal: AbortSignal, events: SourceEvents): AsyncIterable<readonly RawFrame[]> {
    this.opened++;
    events.state('running', 'fake');
    yield [{ tsSec: 1, tsNsec: 0, source: this.name, linkType: 1, bytes: new Uint8Array(14), origLen: 14, meta: {} }];
    if (this.how === 'throw') throw new Error('boom in the source');
  }
}

for (const how of ['end', 'throw'] as const) {
  t.test(`a live source whose loop ${how === 'end' ? 'ends' : 'throws'} is reported failed and restarted with backoff`, async (t) => {
    const counts = new Map<string, number>();
    const states: string[] = [];
    const src = new Breaks('b', how);
    const sup = new SourceSupervisor(
      {
        process: () => {},
        count: (c) => counts.set(c, (counts.get(c) ?? 0) + 1),
        changed: () => states.push(`${sup.status()[0]?.state}: ${sup.status()[0]?.detail ?? ''}`),
        allEnded: () => {},
        log: silent,
      },
      () => src,
      { restartInitialMs: 20, restartMaxMs: 80 },
    );
    sup.start({ type: 'pcap-live', name: 'b', iface: 'x' } as SourceConfig);
    await untilTrue('three restarts', () => src.opened >= 4);
    await sup.stopAll();
    t.ok((counts.get('source.restarts') ?? 0) >= 3, 'restarts counted');
    const failed = states.filter((s) => s.startsWith('failed'));
    t.ok(failed.length >= 3, 'status says failed each time');
    t.match(failed[0], how === 'end' ? /capture loop ended unexpectedly; restarting in/ : /boom in the source; restarting in/);
    if (how === 'throw') t.ok((counts.get('source.bug') ?? 0) >= 1, 'the exception is counted as source.bug');
  });
}
