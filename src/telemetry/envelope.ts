/**
 * The CBOR envelope every telemetry message travels in (docs/telemetry.cddl
 * `envelope`): a map with small integer keys
 *   0 schema, 1 sensor, 2 seq, 3 time, 4 kind, 5 body, 6 strings.
 * Key 6, present when the body refers to strings, holds each repeated
 * string (vendor, source name, evidence) once; the body carries indexes.
 * `seq` is 0 only for messages outside the outbox sequence (the retained
 * status and the MQTT last will); outbox messages count from 1.
 */
import { Encoder } from 'cbor-x';
import { kindByName, type KindBodies, type KindName, type Time } from './kinds.js';
import { codecContext, encodeRecord, encodeTime, TelemetryShapeError } from './record-codec.js';

export const SCHEMA_VERSION = 2;

export const EnvelopeKey = { schema: 0, sensor: 1, seq: 2, time: 3, kind: 4, body: 5, strings: 6 } as const;

export interface EnvelopeHead {
  readonly sensor: string;
  readonly seq: number;
  readonly time: Time;
}

export interface Envelope<B = unknown> extends EnvelopeHead {
  readonly schema: number;
  readonly kind: number;
  readonly body: B;
}

/**
 * Options for telemetry CBOR. `mapsAsObjects: false` makes cbor-x encode JS
 * `Map`s as plain CBOR maps (with it true, cbor-x prefixes tag 259) and decode
 * every map as a `Map`, keeping integer keys integers. `tagUint8Array: false`
 * writes a Uint8Array as a plain byte string (major type 2); by default
 * cbor-x wraps it in the RFC 8746 typed-array tag 64, which the schema's
 * `bstr` does not allow (the cbor2 check caught it).
 */
export const TELEMETRY_CBOR_OPTIONS = Object.freeze({ useRecords: false, mapsAsObjects: false, variableMapSize: true, tagUint8Array: false });

/** cbor-x encoders share one module-level output buffer inside cbor-x, so a fresh instance costs little. */
export function telemetryCbor(): Encoder {
  return new Encoder({ ...TELEMETRY_CBOR_OPTIONS });
}

export function timeFromMs(ms: number): Time {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

export function timeFromNs(ns: bigint): Time {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

export function timeNow(): Time {
  return timeFromMs(Date.now());
}

/** The envelope as a CBOR-ready map; `body` must already be integer-keyed. */
export function envelopeMap(head: EnvelopeHead, kind: number, body: unknown, strings: readonly string[] = []): Map<number, unknown> {
  if (typeof head.sensor !== 'string' || head.sensor.length === 0 || head.sensor.length > 64) {
    throw new TelemetryShapeError('envelope.sensor', 'must be a string of 1..64 characters');
  }
  if (!Number.isSafeInteger(head.seq) || head.seq < 0) {
    throw new TelemetryShapeError('envelope.seq', `must be an unsigned integer, got ${String(head.seq)}`);
  }
  return new Map<number, unknown>([
    [EnvelopeKey.schema, SCHEMA_VERSION],
    [EnvelopeKey.sensor, head.sensor],
    // cbor-x writes 2^32 and above as float64; BigInt keeps seq a CBOR uint.
    [EnvelopeKey.seq, head.seq >= 0x1_0000_0000 ? BigInt(head.seq) : head.seq],
    [EnvelopeKey.time, encodeTime(head.time, 'envelope.time')],
    [EnvelopeKey.kind, kind],
    [EnvelopeKey.body, body],
    ...(strings.length > 0 ? [[EnvelopeKey.strings, strings] as [number, unknown]] : []),
  ]);
}

/** Encodes a body of a known kind (validated against the kind table) into its envelope. */
export function encodeMessage<K extends KindName>(kind: K, head: EnvelopeHead, body: KindBodies[K]): Uint8Array {
  const spec = kindByName(kind);
  const ctx = codecContext(head.time[0]);
  const bodyMap = encodeRecord(spec.body, body, kind, ctx);
  return telemetryCbor().encode(envelopeMap(head, spec.id, bodyMap, ctx.strings));
}

/** Returns a factory for `Outbox.append`: the seq is only known when the outbox assigns it. */
export function messageFactory<K extends KindName>(
  kind: K,
  sensor: string,
  time: Time,
  body: KindBodies[K],
): (seq: number) => Uint8Array {
  // Validate now, so a bad body fails at the caller rather than inside the outbox batch.
  const spec = kindByName(kind);
  const ctx = codecContext(time[0]);
  const bodyMap = encodeRecord(spec.body, body, kind, ctx);
  return (seq) => telemetryCbor().encode(envelopeMap({ sensor, seq, time }, spec.id, bodyMap, ctx.strings));
}

export const encodeStatus = (head: EnvelopeHead, body: KindBodies['status']): Uint8Array =>
  encodeMessage('status', head, body);
export const encodeHealth = (head: EnvelopeHead, body: KindBodies['health']): Uint8Array =>
  encodeMessage('health', head, body);
export const encodeInventoryDelta = (head: EnvelopeHead, body: KindBodies['inventory-delta']): Uint8Array =>
  encodeMessage('inventory-delta', head, body);
export const encodeInventorySnapshot = (head: EnvelopeHead, body: KindBodies['inventory-snapshot']): Uint8Array =>
  encodeMessage('inventory-snapshot', head, body);
export const encodeAlert = (head: EnvelopeHead, body: KindBodies['alert']): Uint8Array =>
  encodeMessage('alert', head, body);

/**
 * An `Outbox.append` item for a message of a known kind: stream, priority and
 * expiry come from the kind table, the payload is built once the seq is known.
 */
export function outboxItem<K extends KindName>(
  kind: K,
  sensor: string,
  time: Time,
  body: KindBodies[K],
): { stream: string; priority: 'alert' | 'normal'; expirySec?: number; payloadFactory: (seq: number) => Uint8Array } {
  const spec = kindByName(kind);
  const payloadFactory = messageFactory(kind, sensor, time, body);
  return spec.expirySec === undefined
    ? { stream: spec.stream, priority: spec.priority, payloadFactory }
    : { stream: spec.stream, priority: spec.priority, expirySec: spec.expirySec, payloadFactory };
}
