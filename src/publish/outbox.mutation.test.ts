/**
 * Tests written to kill mutants that outbox.test.ts let live (npm run
 * mutation -- publish): the exact bounds check, state-only commits, what a
 * reopen rebuilds (priorities, seq, counters), and the counters' names.
 * Real LevelDB in a temp dir, as in outbox.test.ts.
 */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../store/store.js';
import { COUNTERS_META_KEY, Outbox, SEQ_META_KEY, type AppendItem, type OutboxOptions } from './outbox.js';

type Teardown = { teardown(fn: () => unknown): void };

async function tempStore(t: Teardown): Promise<{ dir: string; store: Store }> {
  const dir = await mkdtemp(join(tmpdir(), 'h3-outbox-mut-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  t.teardown(() => store.close());
  return { dir, store };
}

async function reopen(t: Teardown, dir: string, old: Store, opts: OutboxOptions): Promise<{ store: Store; outbox: Outbox }> {
  await old.close();
  const store = await Store.open(dir);
  t.teardown(() => store.close());
  return { store, outbox: await Outbox.open(store, opts) };
}

const item = (stream: string, priority: 'alert' | 'normal', size = 10): AppendItem => ({ stream, priority, bytes: new Uint8Array(size).fill(size) });
const seqs = async (o: Outbox): Promise<number[]> => (await o.peek(100)).map((e) => e.seq);

t.test('bounds: both must be at least 1', async (t) => {
  const { store } = await tempStore(t);
  const cases: ReadonlyArray<readonly [name: string, opts: OutboxOptions, ok: boolean]> = [
    ['1 message, 1 byte', { maxMessages: 1, maxBytes: 1 }, true],
    ['0 messages', { maxMessages: 0, maxBytes: 10 }, false],
    ['0 bytes', { maxMessages: 10, maxBytes: 0 }, false],
    ['NaN messages', { maxMessages: Number.NaN, maxBytes: 10 }, false],
    ['NaN bytes', { maxMessages: 10, maxBytes: Number.NaN }, false],
  ];
  for (const [name, opts, ok] of cases) {
    if (ok) t.ok(await Outbox.open(store, opts), name);
    else await t.rejects(Outbox.open(store, opts), { name: 'RangeError', message: `outbox bounds must be positive: maxMessages=${opts.maxMessages} maxBytes=${opts.maxBytes}` }, name);
  }
});

t.test('a commit with no items writes its state and assigns no seq', async (t) => {
  const { store } = await tempStore(t);
  const outbox = await Outbox.open(store, { maxMessages: 10, maxBytes: 1000 });
  let notified = 0;
  outbox.onAppend(() => notified++);
  t.same(await outbox.commit([], [{ type: 'put', area: 'devices', key: 'd1', value: { n: 1 } }]), []);
  t.same(await store.get('devices', 'd1'), { n: 1 }, 'state written');
  t.same(await outbox.commit([], []), [], 'nothing at all is fine too');
  t.equal(outbox.lastSeq, 0);
  t.equal(await store.getMeta(SEQ_META_KEY), undefined, 'no seq written');
  t.equal(notified, 0, 'no append announced');
  t.same(await outbox.commit([item('health', 'normal')], [{ type: 'put', area: 'devices', key: 'd2', value: 2 }]), [1]);
  t.equal(await store.get('devices', 'd2'), 2, 'state written with the items');
  t.equal(notified, 1);
});

t.test('a reopened outbox still drops normal entries before alerts', async (t) => {
  const { dir, store } = await tempStore(t);
  const opts = { maxMessages: 3, maxBytes: 1000 };
  const first = await Outbox.open(store, opts);
  await first.append(item('alerts', 'alert'), item('health', 'normal'), item('alerts', 'alert'));
  const { outbox } = await reopen(t, dir, store, opts);
  t.equal(outbox.headSeq, 1);
  t.equal(outbox.bytes, 30);
  await outbox.append(item('inventory', 'normal'));
  t.same(await seqs(outbox), [1, 3, 4], 'the normal entry from before the restart went, the alerts stayed');
  await outbox.append(item('alerts', 'alert'));
  t.same(await seqs(outbox), [1, 3, 5], 'then the newer normal one');
  t.same(outbox.droppedByStream(), { health: 1, inventory: 1 });
});

t.test('seq on reopen: the larger of meta/seq and the highest stored key', async (t) => {
  const { dir, store } = await tempStore(t);
  const opts = { maxMessages: 100, maxBytes: 10_000 };
  const first = await Outbox.open(store, opts);
  await first.append(item('health', 'normal'), item('health', 'normal'));
  // meta/seq behind the entries (as if written by an older version): the keys win.
  await store.batch([{ type: 'put', area: 'meta', key: SEQ_META_KEY, value: 1 }]);
  const a = await reopen(t, dir, store, opts);
  t.equal(a.outbox.lastSeq, 2);
  // meta/seq ahead of the entries (everything acked): meta wins.
  await a.outbox.ackThrough(2);
  await a.store.batch([{ type: 'put', area: 'meta', key: SEQ_META_KEY, value: 9 }]);
  const b = await reopen(t, dir, a.store, opts);
  t.equal(b.outbox.lastSeq, 9);
  t.same(await b.outbox.append(item('health', 'normal')), [10]);
  // A value of the wrong type is ignored rather than trusted.
  await b.outbox.ackThrough(10);
  await b.store.batch([
    { type: 'put', area: 'meta', key: SEQ_META_KEY, value: '99' },
    { type: 'put', area: 'meta', key: COUNTERS_META_KEY, value: 'junk' },
  ]);
  const c = await reopen(t, dir, b.store, opts);
  t.equal(c.outbox.lastSeq, 0);
  t.same(c.outbox.healthCounters(), {});
});

t.test('discard counters are persisted; only dropped.* counts as dropped', async (t) => {
  const { dir, store } = await tempStore(t);
  const opts = { maxMessages: 2, maxBytes: 10_000 };
  const first = await Outbox.open(store, opts);
  await first.append(item('health', 'normal'), item('alerts', 'alert'), item('health', 'normal'));
  await first.discard(2, 'expired');
  await first.discard(3, 'rejected');
  await first.discard(3, 'rejected');
  const want = { 'outbox.dropped.health': 1, 'outbox.expired.alerts': 1, 'outbox.rejected.health': 1 };
  t.same(first.healthCounters(), want);
  t.equal(first.dropped, 1);
  t.same(first.droppedByStream(), { health: 1 });
  t.equal(first.depth, 0);
  t.equal(first.bytes, 0);
  const { outbox } = await reopen(t, dir, store, opts);
  t.same(outbox.healthCounters(), want, 'persisted');
  const h = outbox.healthCounters();
  h['outbox.dropped.health'] = 100;
  t.equal(outbox.dropped, 1, 'healthCounters() is a copy');
});

t.test('peek: n <= 0 or an empty outbox gives nothing; afterSeq is exclusive', async (t) => {
  const { store } = await tempStore(t);
  const outbox = await Outbox.open(store, { maxMessages: 100, maxBytes: 10_000 });
  t.same(await outbox.peek(5), []);
  await outbox.append(item('a', 'normal'), item('b', 'alert', 3), item('c', 'normal'));
  t.same(await outbox.peek(0), []);
  t.same(await outbox.peek(-1), []);
  t.same((await outbox.peek(2)).map((e) => e.seq), [1, 2]);
  t.same((await outbox.peek(5, 2)).map((e) => e.seq), [3]);
  t.same((await outbox.peek(5, 3)).map((e) => e.seq), []);
  const e = (await outbox.peek(5, 1))[0]!;
  t.same({ seq: e.seq, stream: e.stream, priority: e.priority, size: e.bytes.length, hasExpiry: 'expirySec' in e }, { seq: 2, stream: 'b', priority: 'alert', size: 3, hasExpiry: false });
});

t.test('ack of an unknown seq and ackThrough below the head change nothing', async (t) => {
  const { store } = await tempStore(t);
  const outbox = await Outbox.open(store, { maxMessages: 100, maxBytes: 10_000 });
  await outbox.append(item('a', 'normal'), item('a', 'normal'));
  await outbox.ack(7);
  await outbox.ackThrough(0);
  t.equal(outbox.depth, 2);
  t.equal(outbox.bytes, 20);
  await outbox.ackThrough(1);
  t.same(await seqs(outbox), [2]);
  t.equal(outbox.bytes, 10);
});

t.test('a throwing payload factory leaves the outbox as it was', async (t) => {
  const { store } = await tempStore(t);
  const outbox = await Outbox.open(store, { maxMessages: 100, maxBytes: 10_000 });
  const bad: AppendItem = {
    stream: 'x',
    priority: 'normal',
    payloadFactory: () => {
      throw new Error('encoder failed');
    },
  };
  await t.rejects(outbox.append(item('a', 'normal'), bad), /encoder failed/);
  t.equal(outbox.depth, 0);
  t.equal(outbox.lastSeq, 0);
  t.same(await outbox.append(item('a', 'normal')), [1], 'the chain goes on after a failure');
  await outbox.settled();
});

t.test('a long drop run compacts the lazy queue and keeps oldest-first order', async (t) => {
  const { store } = await tempStore(t);
  const outbox = await Outbox.open(store, { maxMessages: 2, maxBytes: 10_000 });
  // 1200 in one batch for a bound of 2: 1198 drops walk the queue head past 1024.
  const got = await outbox.append(...Array.from({ length: 1200 }, () => item('h', 'normal', 1)));
  t.equal(got.length, 1200);
  t.same(await seqs(outbox), [1199, 1200]);
  await outbox.append(item('h', 'normal', 1), item('a', 'alert', 1));
  t.same(await seqs(outbox), [1201, 1202], 'the two oldest normal entries went');
  await outbox.append(item('h', 'normal', 1));
  t.same(await seqs(outbox), [1202, 1203]);
  t.same(outbox.droppedByStream(), { h: 1201 });
});
