/**
 * The live section of `npm run bench`: how fast the sensor can capture before
 * it loses frames. A ward capture is replayed with `tcpreplay --pps` at rising
 * rates into one end of a veth pair; on the other end, inside a network
 * namespace, a pcap-live source (tcpdump, as the agent runs it) feeds the
 * agent's decode and inventory pipeline. For every rate: frames sent, frames
 * the interface received, libpcap's received / dropped-by-kernel /
 * dropped-by-interface, frames the pipeline got, and the loss. Needs root
 * (ip netns); about 5 s per rate.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { PcapLiveSource } from '../../src/capture/pcap-live/index.js';
import type { SourceEvents } from '../../src/capture/types.js';
import { defaultFrameDecoder } from '../../src/decode/index.js';
import { AlertCatalogue } from '../../src/alerts/catalogue.js';
import { AlertGate } from '../../src/alerts/gate.js';
import { OuiRegistry } from '../../src/identify/oui.js';
import { InventoryAnalyzer } from '../../src/analyze/inventory/index.js';
import { Pipeline } from '../../src/analyze/pipeline.js';
import { BatchSink } from '../../src/analyze/sink.js';
import { writeWardCapture } from '../ward-gen.js';

const run = promisify(execFile);

export interface LiveRow {
  /** Target rate, frames/s; 0 for --topspeed. */
  readonly targetPps: number;
  /** What tcpreplay says it achieved. */
  readonly actualPps: number;
  readonly sent: number;
  /** rx_packets of the capture interface over the run. */
  readonly ifaceRx: number;
  readonly received: number;
  readonly droppedKernel: number;
  readonly droppedIface: number;
  /** Frames that reached the pipeline. */
  readonly captured: number;
  /** (sent - captured) / sent. */
  readonly loss: number;
}

export interface LiveResult {
  readonly rows: readonly LiveRow[];
  /** Highest target rate with no frame lost; undefined when even the lowest lost some. */
  readonly highestLosslessPps: number | undefined;
  readonly seconds: number;
}

export const DEFAULT_RATES = [10_000, 25_000, 50_000, 100_000, 150_000, 200_000, 300_000, 0];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rxPackets(ns: string, iface: string): number {
  return Number(execFileSync('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${iface}/statistics/rx_packets`], { encoding: 'utf8' }).trim());
}

/** One rate: a fresh capture, `seconds` of replay, wait until the pipeline has everything libpcap kept. */
async function oneRate(ns: string, outside: string, inside: string, capture: string, pps: number, seconds: number, statsIntervalMs: number): Promise<LiveRow> {
  const decoder = defaultFrameDecoder();
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 3600, maxPerMinute: 1_000_000 }));
  const inventory = new InventoryAnalyzer({ maxDevices: 4096, learningPeriodS: 0, deltaIntervalS: 10, maxIpsPerDevice: 16 }, new OuiRegistry());
  const pipeline = new Pipeline(decoder, [inventory], sink);
  const src = new PcapLiveSource({ name: 'bench', iface: inside, wrap: ['ip', 'netns', 'exec', ns], statsIntervalMs });
  const ac = new AbortController();
  let running = false;
  const events: SourceEvents = { anomaly: () => undefined, state: (s) => { if (s === 'running') running = true; } };
  const consumed = (async () => {
    for await (const batch of src.open(ac.signal, events)) {
      pipeline.process(batch);
      sink.drain();
    }
  })();
  for (let i = 0; !running && i < 300; i++) await sleep(50);
  if (!running) throw new Error('the live source did not start');
  await sleep(500);
  const rx0 = rxPackets(ns, inside);
  const limit = pps === 0 ? 400_000 : Math.round(pps * seconds);
  const rate = pps === 0 ? ['--topspeed'] : [`--pps=${pps}`];
  // --loop large enough for --limit; tcpreplay stops at whichever comes first.
  const { stdout } = await run('tcpreplay', [...rate, '--loop=1000', `--limit=${limit}`, '-i', outside, capture], { maxBuffer: 1 << 20 });
  const actual = /Actual: (\d+) packets/.exec(stdout);
  const rated = /Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(stdout);
  const sent = Number(actual?.[1] ?? NaN);
  // Settle: until the pipeline stops growing for a second.
  for (let last = -1; pipeline.frames !== last;) {
    last = pipeline.frames;
    await sleep(1000);
  }
  const ifaceRx = rxPackets(ns, inside) - rx0;
  ac.abort();
  await consumed; // tcpdump's closing report is in src.loss now
  const captured = pipeline.frames;
  return {
    targetPps: pps, actualPps: Number(rated?.[1] ?? NaN), sent, ifaceRx,
    received: src.loss.received, droppedKernel: src.loss.droppedKernel, droppedIface: src.loss.droppedIface,
    captured, loss: sent > 0 ? (sent - captured) / sent : 0,
  };
}

/** Runs the rates in order on a veth pair of its own, removed at the end. */
export async function liveBench(capturePath: string, rates: readonly number[] = DEFAULT_RATES, seconds = 2,
  say: (s: string) => void = () => undefined, statsIntervalMs = 1000): Promise<LiveResult> {
  const t0 = Date.now();
  if (!existsSync(capturePath)) {
    const g = await writeWardCapture({ out: capturePath, frames: 100_000, devices: 60 });
    say(`generated ${capturePath}: ${g.frames} frames`);
  }
  const id = process.pid % 10_000_000;
  const ns = `iomt-bench-${id}`;
  const outside = `ib${id}a`;
  const inside = `ib${id}b`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', inside, 'netns', ns);
    // No IPv6 on either end: the kernel's own neighbour discovery would count as traffic.
    execFileSync('sysctl', ['-qw', `net.ipv6.conf.${outside}.disable_ipv6=1`]);
    ip('netns', 'exec', ns, 'sysctl', '-qw', `net.ipv6.conf.${inside}.disable_ipv6=1`);
    ip('link', 'set', outside, 'up');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', inside, 'up');
    const rows: LiveRow[] = [];
    for (const pps of rates) {
      const row = await oneRate(ns, outside, inside, capturePath, pps, seconds, statsIntervalMs);
      say(`live ${pps === 0 ? 'topspeed' : pps} pps: sent ${row.sent}, captured ${row.captured}, kernel dropped ${row.droppedKernel}, loss ${(row.loss * 100).toFixed(3)} %`);
      rows.push(row);
    }
    const lossless = rows.filter((r) => r.sent > 0 && r.captured === r.sent && r.droppedKernel === 0 && r.droppedIface === 0);
    const highest = lossless.length === 0 ? undefined : Math.max(...lossless.map((r) => (r.targetPps === 0 ? r.actualPps : r.targetPps)));
    return { rows, highestLosslessPps: highest, seconds: (Date.now() - t0) / 1000 };
  } finally {
    for (const args of [['link', 'del', outside], ['netns', 'del', ns]]) {
      try {
        ip(...args);
      } catch { /* already gone */ }
    }
  }
}

export function liveTable(r: LiveResult): string[] {
  const rows = [['target pps', 'actual pps', 'sent', 'iface rx', 'pcap received', 'kernel dropped', 'iface dropped', 'captured', 'loss %']];
  for (const x of r.rows) {
    rows.push([x.targetPps === 0 ? 'topspeed' : String(x.targetPps), String(Math.round(x.actualPps)), String(x.sent), String(x.ifaceRx), String(x.received),
      String(x.droppedKernel), String(x.droppedIface), String(x.captured), (x.loss * 100).toFixed(3)]);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return [
    ...rows.map((row) => row.map((c, i) => c.padStart(w[i]!)).join('  ')),
    '',
    `highest lossless rate: ${r.highestLosslessPps === undefined ? 'none (loss at every rate)' : `${Math.round(r.highestLosslessPps)} frames/s`} (${r.seconds.toFixed(0)} s for the section)`,
  ];
}
