/**
 * The size section of `npm run bench`: the agent on the demo ward capture
 * (scripts/demo.ts: ward-gen, seed 1, 20,000 frames, the same learning
 * period), every published payload captured by a subscriber, and the CBOR
 * bytes set against the compact JSON of the same decoded content, the JSON
 * `iomt-sensor watch --json` prints (decodeTelemetry + toJson, then
 * JSON.stringify without spaces) minus the `topic` member, which is not part
 * of the payload. Issue 6 part 8 sets CBOR at most 35% of that JSON.
 *
 * Where the bytes go: each envelope member, each body field and, for
 * inventory messages, each device field, measured as the CBOR of that value
 * and the JSON of its rendering. The string table (envelope key 6) has no
 * JSON counterpart: in JSON the strings sit inline in the fields that refer
 * to them, so a field's sref column is small and the table carries the rest.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { writeWardCapture } from '../ward-gen.js';
import { EnvelopeKey, telemetryCbor } from '../../src/telemetry/envelope.js';
import { decodeTelemetry, toJson } from '../../src/telemetry/index.js';
import { DEVICE, kindById } from '../../src/telemetry/kinds.js';
import { CLI, table, timed, unitNodeFlags, verdict } from './common.js';

/** The issue's target: CBOR at most this fraction of the compact JSON. */
export const SIZE_TARGET_RATIO = 0.35;

export interface Bytes { cbor: number; json: number }

export interface SizeResult {
  readonly capture: { path: string; frames: number; seed: number };
  readonly learningPeriodSec: number;
  readonly messages: number;
  readonly total: Bytes & { jsonWithTopic: number; ratio: number };
  readonly byStream: Record<string, Bytes & { count: number; ratio: number }>;
  /** Inventory messages: devices carried and bytes per device (whole message, and the device entries alone). */
  readonly inventory: { messages: number; devices: number; perDevice: Bytes; deviceEntriesPerDevice: Bytes };
  /** Where the bytes go, `<kind>.<field>` and `<kind>.devices[].<field>`, summed over messages. */
  readonly fields: Record<string, Bytes>;
  readonly decodeErrors: number;
  readonly target: { ratio: number; met: boolean };
}

interface Captured { topic: string; payload: Buffer }

/** Subscribes before the agent starts and keeps every non-retained payload. */
async function collector(url: string, filter: string): Promise<{ got: Captured[]; close(): Promise<void> }> {
  const client = mqtt.connect(url, { protocolVersion: 5, clean: true, clientId: `bench-size-sub-${process.pid}` });
  const got: Captured[] = [];
  client.on('message', (topic, payload, packet) => {
    if (!packet.retain) got.push({ topic, payload });
  });
  await new Promise<void>((res, rej) => {
    client.once('connect', () => client.subscribe(filter, { qos: 1 }, (e) => (e ? rej(e) : res())));
    client.once('error', rej);
  });
  return { got, close: () => new Promise((res) => client.end(false, {}, () => res())) };
}

const cborLen = (v: unknown): number => telemetryCbor().encode(v).length;
const jsonLen = (v: unknown): number => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));

function add(into: Record<string, Bytes>, key: string, cbor: number, json: number): void {
  const b = (into[key] ??= { cbor: 0, json: 0 });
  b.cbor += cbor;
  b.json += json;
}

/**
 * Splits one message into its parts. A map member costs its key too; the
 * CBOR key is a small integer (1 byte), the JSON key `"name":` plus a comma.
 */
function breakdown(payload: Uint8Array, json: Record<string, unknown>, fields: Record<string, Bytes>): void {
  const env = telemetryCbor().decode(payload) as Map<number, unknown>;
  const spec = kindById(env.get(EnvelopeKey.kind) as number);
  if (spec === undefined) return;
  const kind = spec.name;
  const member = (name: string, v: unknown): number => (v === undefined ? 0 : jsonLen(name) + 2 + jsonLen(v));
  const head = ['schema', 'sensor', 'seq', 'time', 'kind'] as const;
  let headCbor = 1; // the envelope map's own header
  for (const k of [EnvelopeKey.schema, EnvelopeKey.sensor, EnvelopeKey.seq, EnvelopeKey.time, EnvelopeKey.kind]) headCbor += 1 + cborLen(env.get(k));
  add(fields, `${kind}.<envelope head>`, headCbor, 2 + head.reduce((n, h) => n + member(h, json[h]), 0));
  const strings = env.get(EnvelopeKey.strings);
  if (strings !== undefined) add(fields, `${kind}.<string table>`, 1 + cborLen(strings), 0);
  const body = env.get(EnvelopeKey.body) as Map<number, unknown>;
  const jbody = json.body as Record<string, unknown>;
  add(fields, `${kind}.<body framing>`, 2, jsonLen('body') + 4);
  for (const f of spec.body) {
    if (!body.has(f.key)) continue;
    const v = body.get(f.key);
    if (f.name === 'devices' && Array.isArray(v)) {
      const jdevs = jbody.devices as Record<string, unknown>[];
      add(fields, `${kind}.devices (framing)`, 1 + cborLen([]) + (v.length > 23 ? 1 : 0), member('devices', []));
      v.forEach((d: Map<number, unknown>, i) => {
        const jd = jdevs[i]!;
        add(fields, `${kind}.devices[].<map>`, 1, 2);
        for (const df of (DEVICE as { fields: readonly { key: number; name: string }[] }).fields) {
          if (!d.has(df.key)) continue;
          add(fields, `${kind}.devices[].${df.name}`, 1 + cborLen(d.get(df.key)), member(df.name, jd[df.name]));
        }
      });
    } else add(fields, `${kind}.${f.name}`, 1 + cborLen(v), member(f.name, jbody[f.name]));
  }
}

export async function sizeSection(benchDir: string, broker: string, keep: boolean, frames = 20_000, seed = 1): Promise<SizeResult> {
  const capture = join(benchDir, `demo-ward-s${seed}-f${frames}.pcap`);
  mkdirSync(benchDir, { recursive: true });
  // Generated every time (it takes a second): the learning period depends on when the late devices join.
  const gen = await writeWardCapture({ out: capture, frames, seed });
  // As scripts/demo.ts: learn quietly until just before the late devices join, so the alerts are the demo's.
  const learning = gen.lateJoinSec === undefined ? 600 : Math.max(0, Math.floor(gen.lateJoinSec - gen.firstSec) - 30);
  const work = mkdtempSync(join(benchDir, 'size-'));
  const sensor = `bench-size-${process.pid}`;
  const config = join(work, 'config.yaml');
  writeFileSync(config, `# Written by scripts/bench/size.ts: the demo's configuration against the bench broker.
sensor: {id: ${sensor}, site: demo-hospital, ward: icu-3}
state: {dir: ${join(work, 'state')}}
sources:
  - {type: pcap-file, name: ward-span, path: ${JSON.stringify(capture)}}
mqtt:
  url: ${broker}
inventory:
  learning_period_s: ${learning}
`);
  const sub = await collector(broker, `iomt/v1/demo-hospital/icu-3/${sensor}/#`);
  const run = await timed([process.execPath, ...unitNodeFlags(), CLI, 'run', '--config', config, '--exit-when-done']);
  if (run.code !== 0) {
    await sub.close();
    throw new Error(`size: the agent exited with ${run.code}: ${run.stderr.slice(-1500)}`);
  }
  for (let last = -1; sub.got.length !== last;) {
    last = sub.got.length;
    await new Promise((r) => setTimeout(r, 500));
  }
  await sub.close();
  if (!keep) rmSync(work, { recursive: true, force: true });
  if (sub.got.length === 0) throw new Error(`size: the subscriber received nothing from ${sensor}; agent stderr: ${run.stderr.slice(-1500)}`);

  const byStream: SizeResult['byStream'] = {};
  const fields: Record<string, Bytes> = {};
  const total = { cbor: 0, json: 0, jsonWithTopic: 0, ratio: 0 };
  const inv = { messages: 0, devices: 0, cbor: 0, json: 0, entryCbor: 0, entryJson: 0 };
  let decodeErrors = 0;
  for (const { topic, payload } of sub.got) {
    const m = decodeTelemetry(payload);
    if (!m.ok) decodeErrors++;
    const j = toJson(m);
    const json = jsonLen(j);
    const stream = topic.slice(topic.lastIndexOf('/') + 1);
    const s = (byStream[stream] ??= { count: 0, cbor: 0, json: 0, ratio: 0 });
    s.count++;
    s.cbor += payload.length;
    s.json += json;
    total.cbor += payload.length;
    total.json += json;
    total.jsonWithTopic += jsonLen({ topic, ...j });
    if (!m.ok) continue;
    breakdown(payload, j, fields);
    if (m.kindName === 'inventory-delta' || m.kindName === 'inventory-snapshot') {
      inv.messages++;
      inv.devices += m.body.devices.length;
      inv.cbor += payload.length;
      inv.json += json;
    }
  }
  for (const s of Object.values(byStream)) s.ratio = s.cbor / s.json;
  total.ratio = total.json > 0 ? total.cbor / total.json : 0;
  for (const [k, b] of Object.entries(fields)) {
    if (!k.includes('.devices[].')) continue;
    inv.entryCbor += b.cbor;
    inv.entryJson += b.json;
  }
  const per = (n: number): number => (inv.devices > 0 ? n / inv.devices : 0);
  return {
    capture: { path: capture, frames, seed },
    learningPeriodSec: learning,
    messages: sub.got.length,
    total,
    byStream,
    inventory: {
      messages: inv.messages, devices: inv.devices,
      perDevice: { cbor: per(inv.cbor), json: per(inv.json) },
      deviceEntriesPerDevice: { cbor: per(inv.entryCbor), json: per(inv.entryJson) },
    },
    fields,
    decodeErrors,
    target: { ratio: SIZE_TARGET_RATIO, met: total.ratio <= SIZE_TARGET_RATIO },
  };
}

/** The section's table for the bench's stdout. */
export function sizeLines(r: SizeResult): string[] {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const rows: string[][] = [['stream', 'messages', 'CBOR bytes', 'JSON bytes', 'CBOR/JSON']];
  for (const [k, v] of Object.entries(r.byStream).sort()) rows.push([k, String(v.count), String(v.cbor), String(v.json), pct(v.ratio)]);
  rows.push(['all', String(r.messages), String(r.total.cbor), String(r.total.json), pct(r.total.ratio)]);
  const f: string[][] = [['where (summed over messages)', 'CBOR', 'JSON', 'CBOR/JSON']];
  for (const [k, v] of Object.entries(r.fields).sort((a, b) => b[1].cbor - a[1].cbor)) {
    f.push([k, String(v.cbor), String(v.json), v.json > 0 ? pct(v.cbor / v.json) : '-']);
  }
  const i = r.inventory;
  return [
    `size: demo ward capture (${r.capture.frames} frames, seed ${r.capture.seed}, learning ${r.learningPeriodSec} s), every payload against the compact JSON of watch --json without its topic`,
    '',
    ...table(rows),
    '',
    `JSON with the topic member, as watch --json prints it: ${r.total.jsonWithTopic} bytes (CBOR ${pct(r.total.cbor / r.total.jsonWithTopic)} of it)`,
    `inventory: ${i.messages} messages, ${i.devices} devices; per device ${i.perDevice.cbor.toFixed(1)} CBOR / ${i.perDevice.json.toFixed(1)} JSON bytes (whole messages), ${i.deviceEntriesPerDevice.cbor.toFixed(1)} / ${i.deviceEntriesPerDevice.json.toFixed(1)} (device entries alone, string table excluded)`,
    `target CBOR <= ${pct(r.target.ratio)} of compact JSON: ${verdict(r.target.met)} (${pct(r.total.ratio)})${r.decodeErrors > 0 ? `; ${r.decodeErrors} payloads did not decode` : ''}`,
    '',
    ...table(f),
    '',
  ];
}
