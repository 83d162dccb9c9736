/** Running the real `iomt-sensor` command in tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

export interface RunningAgent {
  readonly child: ChildProcess;
  /** Everything the agent wrote so far, stdout and stderr together. */
  output(): string;
  readonly exit: Promise<{ code: number | null; signal: string | null; out: string }>;
}

export function runAgent(args: readonly string[], env: NodeJS.ProcessEnv = process.env): RunningAgent {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out })));
  return { child, output: () => out, exit };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
