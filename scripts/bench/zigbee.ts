/**
 * Bench section `zigbee`: 802.15.4/Zigbee frames per second beside
 * `tshark -T fields` on the same file, in one run (issue 10: target 15x).
 *
 * The file is the shared Control4 capture (../shared/captures, a real
 * Zigbee PRO network, LINKTYPE 195) repeated to `frames` frames, written to
 * var/bench; both sides get its network key, so both decrypt. The sensor
 * side is the decode walk plus the zigbee opener (NWK decryption, APS,
 * ZDO, ZCL) in this process; tshark prints the fields the conformance test
 * compares. Timed with wall clock, tshark including its start-up (about a
 * second, which a larger `frames` amortises).
 *
 * Alone: `npx tsc -p tsconfig.json && node dist/scripts/bench/zigbee.js [frames]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapReader } from '../../src/capture/pcap/reader.js';
import { pcapHeader, pcapRecord, concatBytes } from '../../src/capture/pcap/writer.js';
import { DEFAULT_ROUTES, defaultFrameDecoder, RouteTable } from '../../src/decode/index.js';
import { ZigbeeKeyring } from '../../src/analyze/zigbee/keyring.js';
import { ZigbeeOpener } from '../../src/analyze/zigbee/open.js';

const KEY = '26546b723b396a727b5d5271517d392f';
const FIELDS = ['wpan.frame_type', 'wpan.src16', 'wpan.dst16', 'wpan.src64', 'wpan.dst_pan', 'zbee_nwk.src', 'zbee_nwk.dst', 'zbee_aps.cluster', 'zbee_zcl.cmd.id'];

export interface ZigbeeBench {
  readonly frames: number;
  readonly oursFps: number;
  readonly tsharkFps: number;
  readonly ratio: number;
  readonly decrypted: number;
  /** The decode walk alone (no key, so no decryption), frames/s. */
  readonly decodeOnlyFps: number;
}

export function zigbeeSection(benchDir: string, frames: number, root: string): ZigbeeBench {
  const src = join(root, '..', 'shared', 'captures', 'zigbee_802154', 'killerbee_control4-sample.pcap');
  const reader = new PcapReader('bench', { anomaly: () => {}, state: () => {} });
  const base = [...reader.push(readFileSync(src)), ...reader.end()].map((f) => Uint8Array.from(f.bytes));
  const parts: Uint8Array[] = [pcapHeader(195)];
  for (let i = 0; i < frames; i++) parts.push(pcapRecord(1_700_000_000 + Math.floor(i / 1000), (i % 1000) * 1000, base[i % base.length]!));
  mkdirSync(benchDir, { recursive: true });
  const file = join(benchDir, 'zigbee-bench.pcap');
  writeFileSync(file, concatBytes(parts));

  const t0 = process.hrtime.bigint();
  const r = new PcapReader('bench', { anomaly: () => {}, state: () => {} });
  const dec = defaultFrameDecoder();
  const kr = new ZigbeeKeyring({ networkKeys: [KEY], linkKeys: [], installCodes: [], defaultTcLinkKey: true, maxKeys: 16, maxAddresses: 4096 });
  const opener = new ZigbeeOpener(kr, new RouteTable(DEFAULT_ROUTES));
  let n = 0;
  for (const f of [...r.push(readFileSync(file)), ...r.end()]) {
    opener.open(dec.decode(f));
    n++;
  }
  const ours = Number(process.hrtime.bigint() - t0) / 1e9;

  const t2 = process.hrtime.bigint();
  const dec2 = defaultFrameDecoder();
  const r2 = new PcapReader('bench', { anomaly: () => {}, state: () => {} });
  for (const f of [...r2.push(readFileSync(file)), ...r2.end()]) dec2.decode(f);
  const decodeOnlyFps = n / (Number(process.hrtime.bigint() - t2) / 1e9);

  const t1 = process.hrtime.bigint();
  const args = ['-r', file, '-n', '-T', 'fields', '-o', `uat:zigbee_pc_keys:"${KEY}","Normal",""`];
  for (const f of FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
  const theirs = Number(process.hrtime.bigint() - t1) / 1e9;
  const lines = out.toString('latin1').split('\n').length - 1;
  if (lines !== n) throw new Error(`tshark printed ${lines} rows for ${n} frames`);
  const oursFps = n / ours;
  const tsharkFps = n / theirs;
  return { frames: n, oursFps, tsharkFps, ratio: oursFps / tsharkFps, decrypted: opener.decrypted, decodeOnlyFps };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
  const r = zigbeeSection(join(root, 'var', 'bench'), Number(process.argv[2] ?? 200_000), root);
  console.log(`zigbee: ${r.frames} frames, sensor ${Math.round(r.oursFps)} frames/s (${r.decrypted} NWK/APS decryptions), tshark -T fields ${Math.round(r.tsharkFps)} frames/s, ${r.ratio.toFixed(1)}x (target 15x); decode walk alone ${Math.round(r.decodeOnlyFps)} frames/s, ${(r.decodeOnlyFps / r.tsharkFps).toFixed(1)}x`);
}
