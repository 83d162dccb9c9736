/**
 * What `Outbox.commit` hands to LevelDB, watched at the last JavaScript step
 * before the native binding: classic-level's `_batch(ops, options)`, which
 * receives the fully prefixed keys (`!devices!…`, `!outbox!…`) and the write
 * options LevelDB gets. The database is the real one on disk; the test only
 * wraps that one method of the instance it injects through `Store.open`.
 */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { Store, type StoreDatabase } from '../store/store.js';
import { Outbox, seqKey, SEQ_META_KEY, COUNTERS_META_KEY, type AppendItem } from './outbox.js';

interface RecordedBatch {
  readonly keys: readonly string[];
  readonly types: readonly string[];
  readonly sync: boolean | undefined;
}

interface Watched {
  readonly db: StoreDatabase;
  readonly batches: RecordedBatch[];
  /** Makes the next `n` batches fail the way an I/O error does: rejected, nothing written. */
  failNext(n: number): void;
}

type PrivateBatch = (ops: Array<{ type: string; key: unknown }>, opts: { sync?: boolean }) => Promise<void>;

function watchedLevel(dir: string): Watched {
  const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  const inner = db as unknown as { _batch: PrivateBatch };
  const real = inner._batch.bind(db);
  const batches: RecordedBatch[] = [];
  let failing = 0;
  inner._batch = async (ops, opts) => {
    batches.push({ keys: ops.map((o) => String(o.key)), types: ops.map((o) => o.type), sync: opts.sync });
    if (failing > 0) {
      failing--;
      throw new Error('IO error: injected by the test (disk full)');
    }
    return real(ops, opts);
  };
  return { db, batches, failNext: (n) => (failing = n) };
}

async function openWatched(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'h2-outbox-dur-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const w = watchedLevel(dir);
  const store = await Store.open(dir, { database: w.db });
  t.teardown(() => store.close());
  const outbox = await Outbox.open(store, { maxMessages: 3, maxBytes: 1_000_000 });
  return { dir, store, outbox, ...w };
}

const item = (stream: string, priority: 'alert' | 'normal' = 'normal'): AppendItem => ({
  stream,
  priority,
  payloadFactory: (seq) => new Uint8Array([seq & 0xff, 0xee]),
});

t.test('a commit reaches LevelDB as one synced batch holding the state and the outbox entries', async (t) => {
  const { store, outbox, batches } = await openWatched(t);
  const before = batches.length;
  const seqs = await outbox.commit(
    [item('inventory'), item('alerts', 'alert')],
    [
      { type: 'put', area: 'devices', key: 'mac:00:11:22:33:44:55', value: { vendor: 'Acme', tick: 1 } },
      { type: 'del', area: 'flows', key: 'gone' },
    ],
  );
  t.same(seqs, [1, 2]);
  const written = batches.slice(before);
  t.equal(written.length, 1, 'exactly one batch for the whole commit');
  const b = written[0]!;
  t.equal(b.sync, true, 'the batch is fsync\'d before commit resolves');
  t.same(
    [...b.keys].sort(),
    ['!devices!mac:00:11:22:33:44:55', '!flows!gone', `!meta!${SEQ_META_KEY}`, `!outbox!${seqKey(1)}`, `!outbox!${seqKey(2)}`].sort(),
    'state, entries and the next seq travel together',
  );
  t.equal(b.types[b.keys.indexOf('!flows!gone')], 'del');
  // What the batch said is what the disk has.
  t.same(await store.get('devices', 'mac:00:11:22:33:44:55'), { vendor: 'Acme', tick: 1 });
  t.equal(await store.getMeta(SEQ_META_KEY), 2);
  t.same((await outbox.peek(10)).map((e) => e.seq), [1, 2]);

  // Dropping by the bound deletes the victim and persists the drop counters in that same batch.
  const n = batches.length;
  await outbox.commit([item('inventory'), item('inventory')], [{ type: 'put', area: 'devices', key: 'mac:00:11:22:33:44:55', value: { tick: 2 } }]);
  t.equal(batches.length, n + 1, 'one batch again');
  const d = batches[n]!;
  t.equal(d.sync, true);
  t.ok(d.keys.includes(`!outbox!${seqKey(1)}`) && d.types[d.keys.indexOf(`!outbox!${seqKey(1)}`)] === 'del', 'the oldest normal entry is deleted');
  t.ok(d.keys.includes(`!meta!${COUNTERS_META_KEY}`), 'drop counters are in the batch that dropped');
  t.ok(d.keys.includes('!devices!mac:00:11:22:33:44:55'));
  t.equal(outbox.dropped, 1);
});

t.test('state-only commits are synced too', async (t) => {
  const { outbox, batches } = await openWatched(t);
  const n = batches.length;
  t.same(await outbox.commit([], [{ type: 'put', area: 'devices', key: 'k', value: 1 }]), []);
  t.equal(batches.length, n + 1);
  t.same(batches[n]!.keys, ['!devices!k']);
  t.equal(batches[n]!.sync, true);
});

t.test('a failed batch leaves the outbox as it was, and the next commit reuses nothing', async (t) => {
  const { store, outbox, batches, failNext } = await openWatched(t);
  await outbox.commit([item('inventory'), item('alerts', 'alert'), item('inventory')], [{ type: 'put', area: 'devices', key: 'd', value: 1 }]);
  const snap = () => ({
    depth: outbox.depth,
    bytes: outbox.bytes,
    lastSeq: outbox.lastSeq,
    headSeq: outbox.headSeq,
    dropped: outbox.dropped,
    counters: outbox.healthCounters(),
  });
  const before = snap();
  t.same(before, { depth: 3, bytes: 6, lastSeq: 3, headSeq: 1, dropped: 0, counters: {} });

  // This commit would drop seq 1 and 3 by the bound (maxMessages 3) and bump the drop counter in memory first.
  failNext(1);
  const n = batches.length;
  await t.rejects(
    outbox.commit([item('inventory'), item('inventory')], [{ type: 'put', area: 'devices', key: 'd', value: 2 }]),
    /injected by the test/,
  );
  t.equal(batches.length, n + 1, 'the batch was attempted once');
  t.ok(batches[n]!.keys.includes(`!meta!${COUNTERS_META_KEY}`), 'the attempt carried drops, so memory had changed before it failed');
  t.same(snap(), before, 'depth, bytes, seq, head and counters are back to what the disk says');
  t.same((await outbox.peek(10)).map((e) => e.seq), [1, 2, 3]);
  t.equal(await store.get('devices', 'd'), 1, 'the state in the failed batch was not written');

  const seqs = await outbox.commit([item('inventory')], [{ type: 'put', area: 'devices', key: 'd', value: 3 }]);
  t.same(seqs, [4], 'the failed batch\'s seqs were never acknowledged, the next one follows the last written');
  t.equal(outbox.depth, 3);
  t.equal(outbox.dropped, 1);
  t.same((await outbox.peek(10)).map((e) => e.seq), [2, 3, 4]);
  t.equal(await store.get('devices', 'd'), 3);
});

t.test('a database closed underneath fails the commit and leaves memory as it was', async (t) => {
  // Rolling back by reading the disk again fails too when the database is gone; the undo is in memory.
  const { store, outbox } = await openWatched(t);
  await outbox.commit([item('inventory'), item('alerts', 'alert'), item('inventory')], []);
  const before = { depth: outbox.depth, bytes: outbox.bytes, lastSeq: outbox.lastSeq, headSeq: outbox.headSeq, dropped: outbox.dropped };
  await store.close();
  await t.rejects(outbox.commit([item('inventory'), item('inventory')], []));
  t.same({ depth: outbox.depth, bytes: outbox.bytes, lastSeq: outbox.lastSeq, headSeq: outbox.headSeq, dropped: outbox.dropped }, before, 'the index still describes the entries on disk');
});

t.test('after a failed batch the reopened store agrees with memory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'h2-outbox-dur-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const w = watchedLevel(dir);
  const store = await Store.open(dir, { database: w.db });
  const outbox = await Outbox.open(store, { maxMessages: 100, maxBytes: 1_000_000 });
  await outbox.append(item('a'), item('b'));
  w.failNext(1);
  await t.rejects(outbox.append(item('c')));
  const seqs = await outbox.append(item('d'));
  t.same(seqs, [3]);
  const mem = { depth: outbox.depth, bytes: outbox.bytes, lastSeq: outbox.lastSeq };
  await store.close();

  const store2 = await Store.open(dir);
  t.teardown(() => store2.close());
  const reopened = await Outbox.open(store2, { maxMessages: 100, maxBytes: 1_000_000 });
  t.same({ depth: reopened.depth, bytes: reopened.bytes, lastSeq: reopened.lastSeq }, mem);
  t.same((await reopened.peek(10)).map((e) => [e.seq, e.stream]), [[1, 'a'], [2, 'b'], [3, 'd']]);
});
