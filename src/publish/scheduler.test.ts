/**
 * The scheduler's own logic runs on a trigger the test fires, so no assert
 * counts how many cron ticks fit in some wall-clock time. One test keeps
 * real node-cron and waits for its ticks as events, with a generous bound.
 */
import t from 'tap';
import { Scheduler, type CreateCronTask, type CronTaskOptions } from './scheduler.js';

interface FakeTask {
  readonly expression: string;
  readonly fn: () => Promise<void>;
  readonly opts: CronTaskOptions;
  started: boolean;
  destroyed: boolean;
}

/** Tasks that run only when the test fires them, as node-cron's would at a tick. */
class ManualCron {
  readonly tasks: FakeTask[] = [];
  readonly create: CreateCronTask = (expression, fn, opts) => {
    const task: FakeTask = { expression, fn, opts, started: false, destroyed: false };
    this.tasks.push(task);
    return {
      start: () => { task.started = true; },
      destroy: () => { task.destroyed = true; },
    };
  };

  /** One tick of the named job's schedule; a stopped or destroyed task does not run, as in node-cron. */
  async fire(name: string): Promise<boolean> {
    const live = this.tasks.filter((x) => x.opts.name === name && x.started && !x.destroyed);
    for (const x of live) await x.fn();
    return live.length > 0;
  }
}

/** Resolves when pred() holds; fails after timeoutMs, a bound far above the normal wait. */
async function until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('runs jobs when their schedule fires, reports errors and stops', async (t) => {
  const cron = new ManualCron();
  let health = 0;
  const errors: string[] = [];
  const s = new Scheduler(
    [
      { name: 'health', cron: '* * * * * *', run: () => { health++; } },
      { name: 'snapshot', cron: '0 0 */6 * * *', run: () => { throw new Error('never here'); } },
      { name: 'boom', cron: '* * * * * *', run: async () => { throw new Error('boom'); } },
    ],
    { onError: (job, err) => errors.push(`${job}: ${(err as Error).message}`), timezone: 'Europe/Oslo', createTask: cron.create },
  );
  t.teardown(() => s.stop());
  s.start();
  s.start(); // idempotent
  t.ok(s.running);
  t.same(cron.tasks.map((x) => [x.expression, x.opts, x.started]), [
    ['* * * * * *', { name: 'health', noOverlap: true, timezone: 'Europe/Oslo' }, true],
    ['0 0 */6 * * *', { name: 'snapshot', noOverlap: true, timezone: 'Europe/Oslo' }, true],
    ['* * * * * *', { name: 'boom', noOverlap: true, timezone: 'Europe/Oslo' }, true],
  ], 'one started task per job, no overlap, in the configured timezone');

  for (let i = 0; i < 3; i++) await cron.fire('health');
  t.equal(health, 3, 'a run per tick');
  await cron.fire('boom');
  await cron.fire('boom');
  t.same(errors, ['boom: boom', 'boom: boom'], 'errors reported, schedule continues');
  await cron.fire('health');
  t.equal(health, 4, 'other jobs keep running after one fails');

  await s.stop();
  t.notOk(s.running);
  t.ok(cron.tasks.every((x) => x.destroyed), 'every task destroyed on stop');
  t.equal(await cron.fire('health'), false, 'no live task is left to fire');
  t.equal(health, 4, 'nothing runs after stop');
  await s.runNow('health');
  t.equal(health, 5, 'runNow');
  await t.rejects(s.runNow('nope'), /no job "nope"; jobs: health, snapshot, boom/);

  s.start();
  t.equal(cron.tasks.length, 6, 'start after stop makes fresh tasks');
  await cron.fire('health');
  t.equal(health, 6);
});

t.test('without a timezone none is passed on', async (t) => {
  const cron = new ManualCron();
  const s = new Scheduler([{ name: 'health', cron: '*/30 * * * * *', run: () => undefined }], { createTask: cron.create });
  s.start();
  await s.stop();
  t.same(cron.tasks[0]?.opts, { name: 'health', noOverlap: true });
});

t.test('configuration errors name the job', async (t) => {
  t.throws(() => new Scheduler([{ name: 'health', cron: 'every minute', run: () => undefined }]), /job "health" has invalid cron expression "every minute"/);
  t.throws(() => new Scheduler([{ name: 'a', cron: '* * * * *', run: () => undefined }, { name: 'a', cron: '* * * * *', run: () => undefined }]), /used twice/);
});

t.test('real node-cron: two schedulers tick independently; a stopped one stays still while the other ticks on', async (t) => {
  let a = 0;
  let b = 0;
  const errors: string[] = [];
  const s1 = new Scheduler([
    { name: 'tick', cron: '* * * * * *', run: () => { a++; } },
    { name: 'boom', cron: '* * * * * *', run: () => { throw new Error('boom'); } },
  ], { onError: (job) => errors.push(job) });
  const s2 = new Scheduler([{ name: 'tick', cron: '* * * * * *', run: () => { b++; } }]);
  t.teardown(() => Promise.all([s1.stop(), s2.stop()]));
  s1.start();
  s2.start();
  await until(() => a >= 2 && b >= 2 && errors.length >= 1, 'two ticks of each scheduler');
  await s1.stop();
  const stoppedAt = a;
  // Two more ticks of the same clock on s2 prove at least one tick of s1's schedule came and went.
  const target = b + 2;
  await until(() => b >= target, 'two more ticks of the running scheduler');
  t.equal(a, stoppedAt, 'the stopped scheduler did not run');
  t.same([...new Set(errors)], ['boom'], 'a job that throws is reported by name');
});
