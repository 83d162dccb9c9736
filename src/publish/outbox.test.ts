import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../store/store.js';
import { Outbox, seqKey, type AppendItem } from './outbox.js';

async function openAll(t: { teardown(fn: () => unknown): void }, opts = { maxMessages: 1000, maxBytes: 1_000_000 }) {
  const dir = await mkdtemp(join(tmpdir(), 'iomt-outbox-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  t.teardown(() => store.close());
  return { dir, store, outbox: await Outbox.open(store, opts) };
}

const item = (stream: string, priority: 'alert' | 'normal', size = 10): AppendItem => ({
  stream,
  priority,
  bytes: new Uint8Array(size).fill(priority === 'alert' ? 0xaa : 0x11),
});

t.test('seq keys sort lexicographically in numeric order', async (t) => {
  const seqs = [1, 2, 15, 16, 255, 256, 4095, 2 ** 32, 2 ** 40];
  t.same([...seqs.map(seqKey)].sort(), seqs.map(seqKey));
  t.equal(seqKey(255), '00000000000000ff');
});

t.test('append assigns increasing seqs, peek is oldest-first, ack removes', async (t) => {
  const { outbox } = await openAll(t);
  let notified = 0;
  const off = outbox.onAppend(() => notified++);
  const a = await outbox.append(item('health', 'normal'), item('alerts', 'alert'));
  const b = await outbox.append({ stream: 'inventory', priority: 'normal', expirySec: 60, payloadFactory: (seq) => new Uint8Array([seq]) });
  t.same(a, [1, 2]);
  t.same(b, [3]);
  t.equal(notified, 2);
  off();
  t.equal(outbox.depth, 3);
  t.equal(outbox.bytes, 21);
  const peeked = await outbox.peek(10);
  t.same(peeked.map((e) => e.seq), [1, 2, 3]);
  t.same([...peeked[2]!.bytes], [3], 'factory got its seq');
  t.equal(peeked[2]!.expirySec, 60);
  t.equal(peeked[1]!.priority, 'alert');
  t.same((await outbox.peek(1, 1)).map((e) => e.seq), [2], 'peek after a seq');
  await outbox.ack(1);
  await outbox.ack(1); // twice is harmless
  t.same((await outbox.peek(10)).map((e) => e.seq), [2, 3]);
  t.equal(outbox.headSeq, 2);
  await outbox.ackThrough(3);
  t.equal(outbox.depth, 0);
  t.equal(outbox.bytes, 0);
  t.equal(outbox.headSeq, undefined);
  await t.rejects(outbox.append({ stream: 'x', priority: 'normal' }), /neither bytes nor payloadFactory/);
  t.equal(outbox.lastSeq, 3, 'a failed append consumes no seq');
});

t.test('concurrent appends keep seq order equal to key order', async (t) => {
  const { outbox } = await openAll(t);
  const results = await Promise.all(Array.from({ length: 50 }, () => outbox.append(item('health', 'normal'), item('health', 'normal'))));
  t.same(results.flat(), Array.from({ length: 100 }, (_, i) => i + 1));
  t.same((await outbox.peek(200)).map((e) => e.seq), Array.from({ length: 100 }, (_, i) => i + 1));
});

t.test('seq and entries survive close and reopen; index is rebuilt', async (t) => {
  const { dir, store, outbox } = await openAll(t);
  await outbox.append(item('health', 'normal', 5), item('alerts', 'alert', 7), item('health', 'normal', 9));
  await outbox.ack(1);
  await outbox.ack(2);
  await outbox.ack(3);
  await store.close();
  const store2 = await Store.open(dir);
  t.teardown(() => store2.close());
  const ob2 = await Outbox.open(store2, { maxMessages: 1000, maxBytes: 1_000_000 });
  t.equal(ob2.depth, 0);
  t.same(await ob2.append(item('health', 'normal', 4)), [4], 'seq continues after every entry was acked');
  await store2.close();
  const store3 = await Store.open(dir);
  t.teardown(() => store3.close());
  const ob3 = await Outbox.open(store3, { maxMessages: 1000, maxBytes: 1_000_000 });
  t.equal(ob3.depth, 1);
  t.equal(ob3.bytes, 4);
  t.equal(ob3.headSeq, 4);
});

t.test('bound by count: oldest normal entries go first, alerts survive, drops are counted and persisted', async (t) => {
  const { dir, store, outbox } = await openAll(t, { maxMessages: 5, maxBytes: 1_000_000 });
  await outbox.append(item('alerts', 'alert'), item('health', 'normal'), item('inventory', 'normal'), item('alerts', 'alert'));
  await outbox.append(item('health', 'normal'), item('health', 'normal'), item('health', 'normal'));
  // 7 appended, bound 5: seqs 2 (health) and 3 (inventory) are the oldest normals.
  t.same((await outbox.peek(10)).map((e) => e.seq), [1, 4, 5, 6, 7]);
  t.same(outbox.droppedByStream(), { health: 1, inventory: 1 });
  t.equal(outbox.dropped, 2);
  // Fill with alerts: normals go entirely before any alert is touched.
  await outbox.append(item('alerts', 'alert'), item('alerts', 'alert'), item('alerts', 'alert'));
  t.same((await outbox.peek(10)).map((e) => e.priority), ['alert', 'alert', 'alert', 'alert', 'alert']);
  t.same((await outbox.peek(10)).map((e) => e.seq), [1, 4, 8, 9, 10]);
  // Now only alerts are left: a new normal entry is itself the oldest normal and is dropped.
  await outbox.append(item('health', 'normal'));
  t.same((await outbox.peek(10)).map((e) => e.seq), [1, 4, 8, 9, 10]);
  t.equal(outbox.droppedByStream().health, 5);
  // A new alert pushes out the oldest alert.
  await outbox.append(item('alerts', 'alert'));
  t.same((await outbox.peek(10)).map((e) => e.seq), [4, 8, 9, 10, 12]);
  t.same(outbox.droppedByStream(), { health: 5, inventory: 1, alerts: 1 });
  t.equal(outbox.lastSeq, 12);
  await store.close();
  const store2 = await Store.open(dir);
  t.teardown(() => store2.close());
  const ob2 = await Outbox.open(store2, { maxMessages: 5, maxBytes: 1_000_000 });
  t.same(ob2.droppedByStream(), { health: 5, inventory: 1, alerts: 1 }, 'drop counters persisted');
  t.same((await ob2.peek(10)).map((e) => e.seq), [4, 8, 9, 10, 12]);
});

t.test('bound by bytes', async (t) => {
  const { outbox } = await openAll(t, { maxMessages: 1000, maxBytes: 100 });
  await outbox.append(item('alerts', 'alert', 40), item('health', 'normal', 40));
  await outbox.append(item('health', 'normal', 30));
  t.same((await outbox.peek(10)).map((e) => e.seq), [1, 3]);
  t.equal(outbox.bytes, 70);
  await outbox.append(item('alerts', 'alert', 200)); // bigger than the whole bound: everything goes, the new one too
  t.equal(outbox.depth, 0);
  t.same(outbox.droppedByStream(), { health: 2, alerts: 2 });
});

t.test('discard counts expired and rejected entries separately', async (t) => {
  const { outbox } = await openAll(t);
  await outbox.append(item('health', 'normal'), item('alerts', 'alert'));
  await outbox.discard(1, 'expired');
  await outbox.discard(2, 'rejected');
  await outbox.discard(2, 'rejected');
  t.equal(outbox.depth, 0);
  t.same(outbox.healthCounters(), { 'outbox.expired.health': 1, 'outbox.rejected.alerts': 1 });
  t.equal(outbox.dropped, 0);
});

t.test('invalid bounds are refused', async (t) => {
  const { store } = await openAll(t);
  await t.rejects(Outbox.open(store, { maxMessages: 0, maxBytes: 10 }), /bounds must be positive/);
});
