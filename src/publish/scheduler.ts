/**
 * Periodic jobs (full inventory snapshot, health) on node-cron. Each
 * `Scheduler` owns its tasks; nothing is kept at module level, so two agents
 * in one process (tests) do not see each other's jobs.
 */
import cron from 'node-cron';

export interface Job {
  /** Used in error messages and as the node-cron task name. */
  readonly name: string;
  /** Cron expression with optional seconds field, e.g. `*\/30 * * * * *` or `0 *\/6 * * *`. */
  readonly cron: string;
  readonly run: () => void | Promise<void>;
}

/** The part of a node-cron task the scheduler uses. */
export interface CronTask {
  start(): void | Promise<void>;
  destroy(): void | Promise<void>;
}

export interface CronTaskOptions {
  readonly name: string;
  readonly noOverlap: boolean;
  readonly timezone?: string;
}

/** Makes a stopped task that calls `fn` on the schedule `expression` once started. */
export type CreateCronTask = (expression: string, fn: () => Promise<void>, opts: CronTaskOptions) => CronTask;

/** node-cron's createTask: the real clock. */
export const nodeCronTask: CreateCronTask = (expression, fn, opts) => cron.createTask(expression, fn, { ...opts });

export interface SchedulerOptions {
  readonly timezone?: string;
  /** Called when a job throws or rejects; the schedule keeps going. */
  readonly onError?: (job: string, err: unknown) => void;
  /**
   * Where the schedule comes from; node-cron unless given. Tests pass a
   * trigger they fire themselves, so what a run does is not judged by how
   * many wall-clock seconds a busy machine managed to fit in.
   */
  readonly createTask?: CreateCronTask;
}

export class Scheduler {
  private readonly tasks = new Map<string, CronTask>();

  constructor(readonly jobs: readonly Job[], private readonly opts: SchedulerOptions = {}) {
    const seen = new Set<string>();
    for (const j of jobs) {
      if (seen.has(j.name)) throw new Error(`scheduler: job name ${JSON.stringify(j.name)} is used twice`);
      seen.add(j.name);
      const check = cron.validateDetailed(j.cron);
      if (!check.valid) {
        const why = check.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
        throw new Error(`scheduler: job ${JSON.stringify(j.name)} has invalid cron expression ${JSON.stringify(j.cron)}: ${why}`);
      }
    }
  }

  /** Creates and starts every job (again, if stopped). */
  start(): void {
    if (this.tasks.size > 0) return;
    const createTask = this.opts.createTask ?? nodeCronTask;
    for (const j of this.jobs) {
      const task = createTask(
        j.cron,
        async () => {
          try {
            await j.run();
          } catch (err) {
            this.opts.onError?.(j.name, err);
          }
        },
        {
          name: j.name,
          // A slow snapshot must not pile up behind itself on a small Pi.
          noOverlap: true,
          ...(this.opts.timezone === undefined ? {} : { timezone: this.opts.timezone }),
        },
      );
      this.tasks.set(j.name, task);
      void task.start();
    }
  }

  get running(): boolean {
    return this.tasks.size > 0;
  }

  /** Runs a job now, outside its schedule (e.g. a snapshot right after start-up). */
  async runNow(name: string): Promise<void> {
    const j = this.jobs.find((x) => x.name === name);
    if (j === undefined) throw new Error(`scheduler: no job ${JSON.stringify(name)}; jobs: ${this.jobs.map((x) => x.name).join(', ')}`);
    await j.run();
  }

  async stop(): Promise<void> {
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    // destroy() also removes the task from node-cron's own registry.
    await Promise.all(tasks.map((t) => t.destroy()));
  }
}
