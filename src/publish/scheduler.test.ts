import t from 'tap';
import { Scheduler } from './scheduler.js';

t.test('runs jobs on their schedule and stops', async (t) => {
  let health = 0;
  const errors: string[] = [];
  const s = new Scheduler(
    [
      { name: 'health', cron: '* * * * * *', run: () => { health++; } },
      { name: 'snapshot', cron: '0 0 */6 * * *', run: () => { throw new Error('never here'); } },
      { name: 'boom', cron: '* * * * * *', run: async () => { throw new Error('boom'); } },
    ],
    { onError: (job, err) => errors.push(`${job}: ${(err as Error).message}`) },
  );
  t.teardown(() => s.stop());
  s.start();
  s.start(); // idempotent
  t.ok(s.running);
  await new Promise((r) => setTimeout(r, 2300));
  t.ok(health >= 2 && health <= 3, `ran ${health} times in 2.3 s`);
  t.ok(errors.length >= 2 && errors.every((e) => e === 'boom: boom'), 'errors reported, schedule continues');
  await s.stop();
  t.notOk(s.running);
  const after = health;
  await new Promise((r) => setTimeout(r, 1200));
  t.equal(health, after, 'nothing runs after stop');
  await s.runNow('health');
  t.equal(health, after + 1, 'runNow');
  await t.rejects(s.runNow('nope'), /no job "nope"; jobs: health, snapshot, boom/);
});

t.test('configuration errors name the job', async (t) => {
  t.throws(() => new Scheduler([{ name: 'health', cron: 'every minute', run: () => undefined }]), /job "health" has invalid cron expression "every minute"/);
  t.throws(() => new Scheduler([{ name: 'a', cron: '* * * * *', run: () => undefined }, { name: 'a', cron: '* * * * *', run: () => undefined }]), /used twice/);
});

t.test('two schedulers are independent', async (t) => {
  let a = 0;
  let b = 0;
  const s1 = new Scheduler([{ name: 'tick', cron: '* * * * * *', run: () => { a++; } }]);
  const s2 = new Scheduler([{ name: 'tick', cron: '* * * * * *', run: () => { b++; } }]);
  t.teardown(() => Promise.all([s1.stop(), s2.stop()]));
  s1.start();
  s2.start();
  await s1.stop();
  await new Promise((r) => setTimeout(r, 1200));
  t.equal(a, 0);
  t.ok(b >= 1, 'the other keeps running');
});
