import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, StoreVersionError, SCHEMA_KEY } from './store.js';
import { MIGRATIONS, type Migration } from './migrations.js';

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iomt-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The schema this build writes: the last migration's. */
const LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.to;

t.test('open creates the directory, writes the current schema, and data survives reopen', async (t) => {
  const dir = join(await tempDir(t), 'nested', 'db');
  const s = await Store.open(dir);
  t.equal(s.schemaVersion, LATEST);
  await s.batch(
    [
      { type: 'put', area: 'devices', key: 'mac:aa:bb:cc:dd:ee:ff', value: { vendor: 'Acme', ips: ['10.0.0.1'], n: 3 } },
      { type: 'put', area: 'devices', key: 'ip:10.0.0.2', value: { vendor: null } },
      { type: 'put', area: 'flows', key: 'f1', value: [1, 2, 3] },
    ],
    { sync: true },
  );
  await s.batch([{ type: 'del', area: 'devices', key: 'ip:10.0.0.2' }]);
  await s.close();
  await s.close(); // idempotent

  const s2 = await Store.open(dir);
  t.teardown(() => s2.close());
  t.same(await s2.all('devices'), [['mac:aa:bb:cc:dd:ee:ff', { vendor: 'Acme', ips: ['10.0.0.1'], n: 3 }]]);
  t.same(await s2.all('flows'), [['f1', [1, 2, 3]]]);
  t.same(await s2.all('alerts'), [], 'areas are separate');
  t.equal(await s2.getMeta(SCHEMA_KEY), LATEST);
  t.equal(await s2.get('devices', 'missing'), undefined);
  await s2.putMeta('k', { a: 1 });
  t.same(await s2.getMeta('k'), { a: 1 });
  await t.rejects(s2.batch([{ type: 'put', area: 'devices', key: 'x' }]), /value is undefined/);
  await t.rejects(s2.all('nope' as 'devices'), /unknown store area "nope"/);
});

t.test('migrations run once, in order, atomically with the version bump', async (t) => {
  const dir = await tempDir(t);
  const runs: number[] = [];
  const migrations: Migration[] = [
    { to: 2, description: 'add x', async up() { runs.push(2); return [{ type: 'put', area: 'meta', key: 'x', value: 'two' }]; } },
    { to: 1, description: 'initial', async up() { runs.push(1); } },
  ];
  const s = await Store.open(dir, { migrations });
  t.same(runs, [1, 2]);
  t.equal(s.schemaVersion, 2);
  t.equal(await s.getMeta('x'), 'two');
  await s.close();

  const s2 = await Store.open(dir, { migrations });
  t.same(runs, [1, 2], 'nothing re-runs on reopen');
  await s2.close();

  const three: Migration[] = [...migrations, { to: 3, description: 'y', async up() { runs.push(3); } }];
  const s3 = await Store.open(dir, { migrations: three });
  t.same(runs, [1, 2, 3], 'only the new migration runs');
  t.equal(s3.schemaVersion, 3);
  await s3.close();
});

t.test('a database newer than the code is refused with a clear error', async (t) => {
  const dir = await tempDir(t);
  const s = await Store.open(dir);
  await s.putMeta(SCHEMA_KEY, 7, { sync: true });
  await s.close();
  const err = await Store.open(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof StoreVersionError, 'StoreVersionError');
  t.match((err as Error).message, new RegExp(`schema version 7, newer than the ${LATEST} this build supports`));
  // The refused open must release the LevelDB lock, so the directory can be opened again.
  const again = await Store.open(dir, { migrations: [{ to: 7, description: 'x', async up() {} }] });
  t.equal(again.schemaVersion, 7);
  await again.close();
});

t.test('a failing migration leaves the version where it was', async (t) => {
  const dir = await tempDir(t);
  const bad: Migration[] = [
    { to: 1, description: 'ok', async up() {} },
    { to: 2, description: 'boom', async up() { throw new Error('boom'); } },
  ];
  await t.rejects(Store.open(dir, { migrations: bad }), /boom/);
  const s = await Store.open(dir, { migrations: bad.slice(0, 1) });
  t.equal(s.schemaVersion, 1);
  await s.close();
});
