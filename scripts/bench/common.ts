/** Shared by the sections of `npm run bench`: timing children, the unit's node flags, a counting subscriber, table output. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';

export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');
export const TIME = '/usr/bin/time';

export interface Timed {
  readonly code: number;
  readonly seconds: number;
  readonly maxRssBytes: number;
  /** User plus system CPU seconds. */
  readonly cpuSeconds: number;
  readonly stderr: string;
  /** What the child wrote to stdout, when asked for. */
  readonly stdout?: string;
}

/**
 * The V8 flags the systemd unit starts the agent with (its ExecStart line), so
 * the benchmark measures the agent as it runs on a ward, not a differently
 * tuned one.
 */
export function unitNodeFlags(): string[] {
  const unit = join(ROOT, 'systemd', 'iomt-sensor.service');
  if (!existsSync(unit)) return [];
  const m = /^ExecStart=\S*node((?:\s+--[\w-]+(?:=\S+)?)*)\s/m.exec(readFileSync(unit, 'utf8'));
  return m?.[1]?.trim().split(/\s+/).filter((f) => f !== '') ?? [];
}

/** Runs argv under `/usr/bin/time -f '%e %M %U %S'`; stdout is discarded unless `keepStdout`. */
export function timed(argv: readonly string[], keepStdout = false): Promise<Timed> {
  return new Promise((res, rej) => {
    const child = spawn(TIME, ['-f', '@@time %e %M %U %S', ...argv], { stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
    let err = '';
    let out = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('error', rej);
    child.once('exit', (code) => {
      const m = /@@time ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(err);
      if (m === null) return rej(new Error(`no timing from ${argv[0]}: ${err.slice(-500)}`));
      res({ code: code ?? 1, seconds: Number(m[1]), maxRssBytes: Number(m[2]) * 1024, cpuSeconds: Number(m[3]) + Number(m[4]), stderr: err.replace(m[0], ''), ...(keepStdout ? { stdout: out } : {}) });
    });
  });
}

export interface StreamCount { count: number; bytes: number }

/** Subscribes before the agent starts; counts non-retained messages per stream. */
export async function subscriber(url: string, filter: string): Promise<{ byStream: Map<string, StreamCount>; close(): Promise<void>; total(): number }> {
  const client = mqtt.connect(url, { protocolVersion: 5, clean: true, clientId: `bench-sub-${process.pid}` });
  const byStream = new Map<string, StreamCount>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) return;
    const stream = topic.slice(topic.lastIndexOf('/') + 1);
    const s = byStream.get(stream) ?? { count: 0, bytes: 0 };
    s.count++;
    s.bytes += payload.length;
    byStream.set(stream, s);
  });
  await new Promise<void>((res, rej) => {
    client.once('connect', () => client.subscribe(filter, { qos: 1 }, (e) => (e ? rej(e) : res())));
    client.once('error', rej);
  });
  let n = 0;
  return {
    byStream,
    total: () => {
      n = 0;
      for (const s of byStream.values()) n += s.count;
      return n;
    },
    close: () => new Promise((res) => client.end(false, {}, () => res())),
  };
}

export function table(rows: readonly string[][]): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function mib(b: number): string {
  return (b / 1048576).toFixed(1);
}

export function verdict(ok: boolean): string {
  return ok ? 'met' : 'not met';
}

/** A replay and tshark on the same file: the table and the ratio line, against a target speed-up. */
export function besideTshark(
  replay: { readonly framesPerSecond: number; readonly cpuSeconds: number; readonly maxRssBytes: number },
  tshark: { readonly framesPerSecond: number; readonly cpuSeconds: number; readonly maxRssBytes: number },
  ratio: number,
  target: number,
): string[] {
  return [
    ...table([
      ['', 'frames/s (wall, whole process)', 'CPU s', 'peak RSS MiB'],
      ['iomt-sensor replay', fmt(replay.framesPerSecond), replay.cpuSeconds.toFixed(2), mib(replay.maxRssBytes)],
      ['tshark -T fields', fmt(tshark.framesPerSecond), tshark.cpuSeconds.toFixed(2), mib(tshark.maxRssBytes)],
    ]),
    '',
    `replay / tshark: ${ratio.toFixed(1)}x (target >= ${target}x: ${verdict(ratio >= target)}); by CPU seconds ${(tshark.cpuSeconds / replay.cpuSeconds).toFixed(1)}x (steadier on a loaded machine)`,
  ];
}

export function say(s: string): void {
  process.stderr.write(`bench: ${s}\n`);
}

