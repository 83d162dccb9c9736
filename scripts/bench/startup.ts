/**
 * The start-up section of `npm run bench` (issue 7): what the command costs
 * before it does any work. Bare `node -e 0` beside `iomt-sensor --version`
 * and a replay of a 9-frame capture (the shared HL7 capture, read in place),
 * each run RUNS times under the systemd unit's node flags; the median wall
 * time and the largest peak RSS are reported. Targets: --version under
 * 0.1 s, the tiny replay under 0.15 s and 55 MB.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, mib, ROOT, table, timed, unitNodeFlags } from './common.js';

export const RUNS = 7;
export const TARGET_VERSION_S = 0.1;
export const TARGET_REPLAY_S = 0.15;
export const TARGET_REPLAY_RSS = 55 * 1024 * 1024;
const TINY = join('ethernet_medical', 'ndpi_hl7-mllp_adt-a01.pcap');

export interface StartupRow {
  readonly name: string;
  readonly medianSeconds: number;
  /** Median user+system CPU seconds: on a loaded machine this moves far less than wall time. */
  readonly medianCpuSeconds: number;
  readonly maxRssBytes: number;
  readonly runs: number;
}

export interface StartupResult {
  readonly rows: readonly StartupRow[];
  readonly flags: readonly string[];
}

async function measure(name: string, argv: readonly string[], runs: number): Promise<StartupRow> {
  const secs: number[] = [];
  const cpu: number[] = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const t = await timed(argv);
    if (t.code !== 0) throw new Error(`startup: ${name} exited with ${t.code}: ${t.stderr.slice(-500)}`);
    secs.push(t.seconds);
    cpu.push(t.cpuSeconds);
    rss = Math.max(rss, t.maxRssBytes);
  }
  secs.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { name, medianSeconds: secs[Math.floor(secs.length / 2)]!, medianCpuSeconds: cpu[Math.floor(cpu.length / 2)]!, maxRssBytes: rss, runs };
}

export async function startupSection(runs = RUNS): Promise<StartupResult> {
  const tiny = join(process.env['IOMT_CAPTURES'] ?? join(ROOT, '..', 'shared', 'captures'), TINY);
  if (!existsSync(tiny)) throw new Error(`startup: ${tiny} is missing (the shared captures)`);
  const flags = unitNodeFlags();
  const node = [process.execPath, ...flags];
  return {
    flags,
    rows: [
      await measure('node -e 0', [...node, '-e', '0'], runs),
      await measure('iomt-sensor --version', [...node, CLI, '--version'], runs),
      await measure('iomt-sensor replay (9 frames)', [...node, CLI, 'replay', tiny], runs),
      await measure('iomt-sensor replay --json (9 frames)', [...node, CLI, 'replay', '--json', tiny], runs),
    ],
  };
}

export function startupLines(r: StartupResult): string[] {
  const v = r.rows[1]!;
  const rp = r.rows[2]!;
  return [
    `start-up: median of ${r.rows[0]!.runs} runs, largest peak RSS; node ${r.flags.join(' ')}`,
    '',
    ...table([['', 'wall s', 'CPU s', 'peak RSS MiB'], ...r.rows.map((x) => [x.name, x.medianSeconds.toFixed(3), x.medianCpuSeconds.toFixed(3), mib(x.maxRssBytes)])]),
    '',
    `--version < ${TARGET_VERSION_S} s: ${v.medianSeconds < TARGET_VERSION_S ? 'met' : 'not met'}; tiny replay < ${TARGET_REPLAY_S} s: ${rp.medianSeconds < TARGET_REPLAY_S ? 'met' : 'not met'}, < ${mib(TARGET_REPLAY_RSS)} MiB: ${rp.maxRssBytes < TARGET_REPLAY_RSS ? 'met' : 'not met'}`,
    '',
  ];
}
