import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceSupervisor } from './supervisor.js';
import { pcapFile } from './pcap/writer.js';
import { ethernet } from '../../test/builders/frames.js';
import type { SourceConfig } from '../config/index.js';
import type { RawFrame } from './types.js';

const frames = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: 0, bytes: ethernet({ src: '00:1a:fa:00:00:01', dst: 'ff:ff:ff:ff:ff:ff', type: 0x0800 }, new Uint8Array(46)) }));

function harness(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-sup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const seen = new Map<string, number>();
  const counts = new Map<string, number>();
  const logs: string[] = [];
  let changed = 0;
  let ended = 0;
  const sup = new SourceSupervisor({
    process: (b: readonly RawFrame[]) => void seen.set(b[0]!.source, (seen.get(b[0]!.source) ?? 0) + b.length),
    count: (c) => counts.set(c, (counts.get(c) ?? 0) + 1),
    changed: () => changed++,
    allEnded: () => ended++,
    log: { log: (level, msg, f) => logs.push(`${level} ${msg} ${f?.source ?? ''}`) },
  });
  const file = (name: string, n: number, garbage = false): Extract<SourceConfig, { type: 'pcap-file' }> => {
    const path = join(dir, `${name}.pcap`);
    const bytes = pcapFile(1, frames(n));
    writeFileSync(path, garbage ? bytes.subarray(0, bytes.length - 10) : bytes);
    return { type: 'pcap-file', name, path, realtime: false };
  };
  return { sup, seen, counts, logs, file, changed: () => changed, ended: () => ended };
}

t.test('sources run, report state, count anomalies and signal the end of input', async (t) => {
  const h = harness(t);
  h.sup.start(h.file('a', 5));
  h.sup.start(h.file('b', 3, true));
  await new Promise<void>((resolve) => {
    const iv = setInterval(() => {
      if (h.ended() > 0) {
        clearInterval(iv);
        resolve();
      }
    }, 10);
  });
  t.same(Object.fromEntries(h.seen), { a: 5, b: 2 }, 'every complete frame of each source reached the pipeline');
  t.equal(h.counts.get('source.pcap.truncated_record'), 1, 'the cut record is a counted anomaly');
  t.same(h.sup.status().map((s) => `${s.name}=${s.state}`), ['a=ended', 'b=ended']);
  t.ok(h.changed() >= 4, 'state changes announced');
  t.equal(h.ended(), 1, 'all-ended fires once');
});

t.test('apply keeps unchanged sources, restarts changed ones and stops removed ones', async (t) => {
  const h = harness(t);
  const a = h.file('a', 2);
  const b = h.file('b', 2);
  h.sup.start(a);
  h.sup.start(b);
  await h.sup.stopAll();
  const before = h.logs.filter((l) => l.startsWith('info source starting')).length;
  await h.sup.apply([a, { ...b, realtime: true }, h.file('c', 1)]);
  const started = h.logs.filter((l) => l.startsWith('info source starting')).slice(before);
  t.same(started.map((l) => l.split(' ').pop()), ['b', 'c'], 'b (changed) restarts and c starts; a is untouched');
  await h.sup.apply([h.file('c', 1)]);
  t.same(h.sup.names(), ['c'], 'a and b are gone after removal');
  await h.sup.stopAll();
  t.same(h.sup.names(), ['c'], 'stopAll keeps the sources listed for the final status');
});
