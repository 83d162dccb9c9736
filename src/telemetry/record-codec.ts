/**
 * One generic walker over the tables in `kinds.ts`: named-field objects to
 * CBOR-ready `Map`s with integer keys, and back. Errors carry a breadcrumb
 * (`alert.facts.rssi`, `inventory-delta.devices[3].firstSeen`).
 */
import type { FieldType, RecordSpec } from './kinds.js';
import { ID_KIND_NAMES, IdKind, identifierBytes, identifierText, type Identifier } from './ident.js';

/** Identifier kinds that carry a third item, and its largest value (docs/telemetry.cddl `ident`). */
const IDENT_EXTRA_MAX: Partial<Record<Identifier['kind'], number>> = { ble: 3, ieee802154Short: 0xffff };

/**
 * Per-message state: the string table (envelope key 6) and the envelope's
 * seconds that relative times count back from.
 */
export interface CodecContext {
  readonly baseSec: number;
  readonly strings: string[];
  readonly index: Map<string, number>;
}

export function codecContext(baseSec: number, strings: string[] = []): CodecContext {
  return { baseSec, strings, index: new Map(strings.map((s, i) => [s, i])) };
}

/** Relative times and string references need a context; one made here is a bug in the caller. */
function need(ctx: CodecContext | undefined, path: string): CodecContext {
  if (ctx === undefined) throw new TelemetryShapeError(path, 'needs the message context (string table, envelope time)');
  return ctx;
}

export class TelemetryShapeError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'TelemetryShapeError';
  }
}

const U32 = 0x1_0000_0000;

/** cbor-x writes numbers of 2^32 and above as float64; a BigInt keeps them a CBOR uint. */
function encUint(v: unknown, path: string): number | bigint {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new TelemetryShapeError(path, `expected an unsigned integer, got ${describe(v)}`);
  }
  return v >= U32 ? BigInt(v) : v;
}

function decUint(v: unknown, path: string): number {
  if (typeof v === 'bigint') {
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new TelemetryShapeError(path, `uint ${v} out of range`);
    return Number(v);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new TelemetryShapeError(path, `expected an unsigned integer, got ${describe(v)}`);
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Map) return 'map';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v;
}

export function encodeTime(v: unknown, path: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) throw new TelemetryShapeError(path, `expected [sec, nsec], got ${describe(v)}`);
  const [s, ns] = v as unknown[];
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s >= U32) {
    throw new TelemetryShapeError(path, `seconds must be an integer in 0..2^32-1, got ${describe(s)}`);
  }
  if (typeof ns !== 'number' || !Number.isInteger(ns) || ns < 0 || ns > 999_999_999) {
    throw new TelemetryShapeError(path, `nanoseconds must be an integer in 0..999999999, got ${describe(ns)}`);
  }
  return [s, ns];
}

export function encodeField(type: FieldType, v: unknown, path: string, ctx?: CodecContext): unknown {
  switch (type.t) {
    case 'uint':
      return encUint(v, path);
    case 'tstr':
      if (typeof v !== 'string') throw new TelemetryShapeError(path, `expected a string, got ${describe(v)}`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new TelemetryShapeError(path, `expected a boolean, got ${describe(v)}`);
      return v;
    case 'time':
      return encodeTime(v, path);
    case 'enum':
      if (typeof v !== 'string' || !type.values.includes(v)) {
        throw new TelemetryShapeError(path, `expected one of ${type.values.join('|')}, got ${describe(v)}`);
      }
      return v;
    case 'range':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < type.min || v > type.max) {
        throw new TelemetryShapeError(path, `expected an integer in ${type.min}..${type.max}, got ${describe(v)}`);
      }
      return v;
    case 'array':
      if (!Array.isArray(v)) throw new TelemetryShapeError(path, `expected an array, got ${describe(v)}`);
      return v.map((item, i) => encodeField(type.of, item, `${path}[${i}]`, ctx));
    case 'record':
      return encodeRecord(type.fields, v, path, ctx);
    case 'sref': {
      if (typeof v !== 'string') throw new TelemetryShapeError(path, `expected a string, got ${describe(v)}`);
      const c = need(ctx, path);
      let i = c.index.get(v);
      if (i === undefined) {
        i = c.strings.length;
        c.strings.push(v);
        c.index.set(v, i);
      }
      return i;
    }
    case 'reltime':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= U32) {
        throw new TelemetryShapeError(path, `expected epoch seconds in 0..2^32-1, got ${describe(v)}`);
      }
      return need(ctx, path).baseSec - v;
    case 'code': {
      const i = typeof v === 'string' ? type.values.indexOf(v) : -1;
      if (i < 0) throw new TelemetryShapeError(path, `expected one of ${type.values.join('|')}, got ${describe(v)}`);
      return i;
    }
    case 'ident': {
      const id = v as Identifier;
      const kind = typeof id === 'object' && id !== null ? IdKind[id.kind] : undefined;
      const bytes = kind === undefined ? undefined : identifierBytes(id);
      if (kind === undefined || bytes === undefined) throw new TelemetryShapeError(path, `expected an identifier {kind, value}, got ${JSON.stringify(v)}`);
      const extraMax = IDENT_EXTRA_MAX[id.kind];
      if (id.extra === undefined && extraMax === undefined) return [kind, bytes];
      if (extraMax === undefined || id.extra === undefined || !Number.isInteger(id.extra) || id.extra < 0 || id.extra > extraMax) {
        throw new TelemetryShapeError(`${path}.extra`, extraMax === undefined ? `a ${id.kind} has no extra` : `expected 0..${extraMax}, got ${describe(id.extra)}`);
      }
      return [kind, bytes, id.extra];
    }
    case 'counters': {
      const m = new Map<string, number | bigint>();
      for (const [k, n] of entriesOf(v, path)) m.set(k, encUint(n, `${path}.${k}`));
      return m;
    }
    case 'facts': {
      const m = new Map<string, string | number | boolean>();
      for (const [k, f] of entriesOf(v, path)) {
        if (typeof f === 'string' || typeof f === 'boolean') m.set(k, f);
        // The schema allows tstr / int / bool only: a non-integer number goes
        // out as its decimal text rather than as a CBOR float.
        else if (typeof f === 'number' && Number.isSafeInteger(f) && Math.abs(f) < U32) m.set(k, f);
        else if (typeof f === 'number' && Number.isFinite(f)) m.set(k, String(f));
        else throw new TelemetryShapeError(`${path}.${k}`, `expected string, integer or boolean, got ${describe(f)}`);
      }
      return m;
    }
  }
}

function entriesOf(v: unknown, path: string): Array<[string, unknown]> {
  if (v instanceof Map) return [...(v as Map<unknown, unknown>)].map(([k, x]) => [String(k), x]);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new TelemetryShapeError(path, `expected a map, got ${describe(v)}`);
  }
  return Object.entries(v);
}

export function encodeRecord(spec: RecordSpec, v: unknown, path: string, ctx?: CodecContext): Map<number, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new TelemetryShapeError(path, `expected an object, got ${describe(v)}`);
  }
  const obj = v as Record<string, unknown>;
  const m = new Map<number, unknown>();
  for (const f of spec) {
    const x = obj[f.name];
    if (x === undefined) {
      if (f.optional) continue;
      throw new TelemetryShapeError(`${path}.${f.name}`, 'is required');
    }
    m.set(f.key, encodeField(f.type, x, `${path}.${f.name}`, ctx));
  }
  return m;
}

export function decodeField(type: FieldType, v: unknown, path: string, ctx?: CodecContext): unknown {
  switch (type.t) {
    case 'uint':
      return decUint(v, path);
    case 'time':
      if (!Array.isArray(v) || v.length !== 2) throw new TelemetryShapeError(path, `expected [sec, nsec], got ${describe(v)}`);
      return encodeTime([decUint(v[0], `${path}[0]`), decUint(v[1], `${path}[1]`)], path);
    case 'tstr':
    case 'bool':
    case 'enum':
    case 'range':
      return encodeField(type, v, path);
    case 'array':
      if (!Array.isArray(v)) throw new TelemetryShapeError(path, `expected an array, got ${describe(v)}`);
      return v.map((item, i) => decodeField(type.of, item, `${path}[${i}]`, ctx));
    case 'record':
      return decodeRecord(type.fields, v, path, ctx);
    case 'sref': {
      const i = decUint(v, path);
      const str = need(ctx, path).strings[i];
      if (str === undefined) throw new TelemetryShapeError(path, `string reference ${i} is past the table (${need(ctx, path).strings.length} strings)`);
      return str;
    }
    case 'reltime': {
      const d = typeof v === 'bigint' ? Number(v) : v;
      if (typeof d !== 'number' || !Number.isSafeInteger(d)) throw new TelemetryShapeError(path, `expected an integer, got ${describe(v)}`);
      const t = need(ctx, path).baseSec - d;
      if (t < 0 || t >= U32) throw new TelemetryShapeError(path, `time ${t} out of range`);
      return t;
    }
    case 'code': {
      const i = decUint(v, path);
      const name = type.values[i];
      if (name === undefined) throw new TelemetryShapeError(path, `code ${i} is not one of ${type.values.length} known`);
      return name;
    }
    case 'ident': {
      if (!Array.isArray(v) || v.length < 2 || v.length > 3) throw new TelemetryShapeError(path, `expected [kind, bstr, ?extra], got ${describe(v)}`);
      const kind = ID_KIND_NAMES[decUint(v[0], `${path}[0]`)];
      if (kind === undefined) throw new TelemetryShapeError(`${path}[0]`, `unknown identifier kind ${String(v[0])}`);
      const text = v[1] instanceof Uint8Array ? identifierText(kind, v[1]) : undefined;
      if (text === undefined) throw new TelemetryShapeError(`${path}[1]`, `expected the ${kind} address bytes, got ${describe(v[1])}`);
      const extraMax = IDENT_EXTRA_MAX[kind];
      if ((v.length === 3) !== (extraMax !== undefined)) throw new TelemetryShapeError(path, `a ${kind} identifier ${extraMax === undefined ? 'has no' : 'needs its'} third item`);
      if (extraMax === undefined) return { kind, value: text };
      const extra = decUint(v[2], `${path}[2]`);
      if (extra > extraMax) throw new TelemetryShapeError(`${path}[2]`, `expected 0..${extraMax}, got ${extra}`);
      return { kind, value: text, extra };
    }
    case 'counters': {
      const out: Record<string, number> = {};
      for (const [k, n] of mapEntries(v, path)) {
        if (typeof k !== 'string') throw new TelemetryShapeError(path, `counter key must be a string, got ${describe(k)}`);
        out[k] = decUint(n, `${path}.${k}`);
      }
      return out;
    }
    case 'facts': {
      const out: Record<string, string | number | boolean> = {};
      for (const [k, f] of mapEntries(v, path)) {
        if (typeof k !== 'string') throw new TelemetryShapeError(path, `fact key must be a string, got ${describe(k)}`);
        if (typeof f === 'bigint') out[k] = Number(f);
        else if (typeof f === 'string' || typeof f === 'boolean' || (typeof f === 'number' && Number.isInteger(f))) out[k] = f;
        else throw new TelemetryShapeError(`${path}.${k}`, `expected string, integer or boolean, got ${describe(f)}`);
      }
      return out;
    }
  }
}

function mapEntries(v: unknown, path: string): Array<[unknown, unknown]> {
  if (!(v instanceof Map)) throw new TelemetryShapeError(path, `expected a map, got ${describe(v)}`);
  return [...(v as Map<unknown, unknown>)];
}

/**
 * Unknown integer keys are ignored so that a newer sensor can add optional
 * fields without breaking older subscribers (the CDDL marks where).
 */
export function decodeRecord(spec: RecordSpec, v: unknown, path: string, ctx?: CodecContext): Record<string, unknown> {
  const m = mapEntries(v, path);
  const byKey = new Map(m);
  const out: Record<string, unknown> = {};
  for (const f of spec) {
    if (!byKey.has(f.key)) {
      if (f.optional) continue;
      throw new TelemetryShapeError(`${path}.${f.name}`, `is required (key ${f.key} missing)`);
    }
    out[f.name] = decodeField(f.type, byKey.get(f.key), `${path}.${f.name}`, ctx);
  }
  return out;
}
