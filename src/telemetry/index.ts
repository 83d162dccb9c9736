/**
 * The subscriber side of the telemetry contract (docs/telemetry.cddl):
 * decode an envelope and its body into named-field objects, and render them
 * as JSON. Used by `iomt-sensor watch` and `iomt-sensor decode`. Payloads are
 * untrusted input: decoding never throws, it returns a `TelemetryError`.
 */
import { EnvelopeKey, SCHEMA_VERSION, telemetryCbor } from './envelope.js';
import { kindById, type FieldType, type KindBodies, type KindName, type RecordSpec, type Time } from './kinds.js';
import { codecContext, decodeField, decodeRecord, TelemetryShapeError } from './record-codec.js';

export type { KindBodies, KindName, Time } from './kinds.js';
export { Kind, KINDS, Severity } from './kinds.js';

interface MessageBase {
  readonly ok: true;
  readonly schema: number;
  readonly sensor: string;
  readonly seq: number;
  readonly time: Time;
  readonly kind: number;
}

export type KnownMessage = {
  [K in KindName]: MessageBase & { readonly kindName: K; readonly body: KindBodies[K] };
}[KindName];

/** A kind this build does not know: the body is passed on with maps as plain objects. */
export interface UnknownKindMessage extends MessageBase {
  readonly kindName: undefined;
  readonly body: unknown;
}

export type TelemetryMessage = KnownMessage | UnknownKindMessage;

export type TelemetryErrorCode =
  | 'telemetry.not_cbor'
  | 'telemetry.bad_envelope'
  | 'telemetry.unsupported_schema'
  | 'telemetry.bad_body';

export interface TelemetryError {
  readonly ok: false;
  readonly code: TelemetryErrorCode;
  /** Breadcrumb and reason, e.g. `alert.time: expected [sec, nsec], got string "x"`. */
  readonly detail: string;
  /** What was decoded of the envelope before the failure, if anything. */
  readonly seq?: number;
  readonly kind?: number;
}

function fail(code: TelemetryErrorCode, detail: string, extra: { seq?: number; kind?: number } = {}): TelemetryError {
  return { ok: false, code, detail, ...extra };
}

export function decodeTelemetry(bytes: Uint8Array): TelemetryMessage | TelemetryError {
  let raw: unknown;
  try {
    raw = telemetryCbor().decode(bytes);
  } catch (err) {
    return fail('telemetry.not_cbor', (err as Error).message);
  }
  if (!(raw instanceof Map)) return fail('telemetry.bad_envelope', 'envelope: expected a map');
  const env = raw as Map<unknown, unknown>;
  let head: { schema: number; sensor: string; seq: number; time: Time; kind: number };
  try {
    const schema = decodeField({ t: 'uint' }, env.get(EnvelopeKey.schema), 'envelope.schema') as number;
    if (schema !== SCHEMA_VERSION) {
      return fail('telemetry.unsupported_schema', `envelope.schema is ${schema}; this build reads ${SCHEMA_VERSION}`);
    }
    head = {
      schema,
      sensor: decodeField({ t: 'tstr' }, env.get(EnvelopeKey.sensor), 'envelope.sensor') as string,
      seq: decodeField({ t: 'uint' }, env.get(EnvelopeKey.seq), 'envelope.seq') as number,
      time: decodeField({ t: 'time' }, env.get(EnvelopeKey.time), 'envelope.time') as Time,
      kind: decodeField({ t: 'uint' }, env.get(EnvelopeKey.kind), 'envelope.kind') as number,
    };
    if (head.sensor.length === 0 || head.sensor.length > 64) {
      throw new TelemetryShapeError('envelope.sensor', `must be 1..64 characters, got ${head.sensor.length}`);
    }
    if (!env.has(EnvelopeKey.body)) throw new TelemetryShapeError('envelope.body', 'is required (key 5 missing)');
  } catch (err) {
    return fail('telemetry.bad_envelope', (err as Error).message);
  }
  const spec = kindById(head.kind);
  if (spec === undefined) {
    return { ok: true, ...head, kindName: undefined, body: plain(env.get(EnvelopeKey.body)) };
  }
  try {
    const rawStrings = env.get(EnvelopeKey.strings) ?? [];
    if (!Array.isArray(rawStrings) || !rawStrings.every((x) => typeof x === 'string')) throw new TelemetryShapeError('envelope.strings', 'expected an array of strings');
    const body = decodeRecord(spec.body, env.get(EnvelopeKey.body), spec.name, codecContext(head.time[0], rawStrings as string[]));
    return { ok: true, ...head, kindName: spec.name, body } as unknown as KnownMessage;
  } catch (err) {
    return fail('telemetry.bad_body', (err as Error).message, { seq: head.seq, kind: head.kind });
  }
}

/** Maps to objects, byte strings to hex, big integers to numbers or strings: something JSON can carry. */
function plain(v: unknown): unknown {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v as Map<unknown, unknown>) o[String(k)] = plain(x);
    return o;
  }
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return v;
}

/** ISO-8601 UTC with nanoseconds, e.g. `2026-11-23T22:13:41.123456789Z`. */
export function timeToIso(t: Time): string {
  const base = new Date(t[0] * 1000).toISOString().slice(0, 19);
  return `${base}.${String(t[1]).padStart(9, '0')}Z`;
}

/**
 * A JSON rendering for humans and log shippers: field names from the kind
 * table, times as ISO strings next to their raw [sec, nsec] pair.
 */
export function toJson(msg: TelemetryMessage | TelemetryError): Record<string, unknown> {
  if (!msg.ok) return { ...msg };
  return {
    schema: msg.schema,
    sensor: msg.sensor,
    seq: msg.seq,
    time: timeToIso(msg.time),
    kind: msg.kindName ?? msg.kind,
    body: jsonBody(msg),
  };
}

function jsonBody(msg: TelemetryMessage): unknown {
  const spec = msg.kindName === undefined ? undefined : kindById(msg.kind);
  if (spec === undefined) return plain(msg.body);
  return jsonRecord(spec.body, msg.body as Record<string, unknown>);
}

function jsonRecord(fields: RecordSpec, obj: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) if (obj[f.name] !== undefined) o[f.name] = jsonField(f.type, obj[f.name]);
  return o;
}

function jsonField(type: FieldType, v: unknown): unknown {
  switch (type.t) {
    case 'time':
      return timeToIso(v as Time);
    case 'reltime':
      return new Date((v as number) * 1000).toISOString().replace('.000Z', 'Z');
    case 'array':
      return (v as unknown[]).map((x) => jsonField(type.of, x));
    case 'record':
      return jsonRecord(type.fields, v as Record<string, unknown>);
    default:
      return v;
  }
}
