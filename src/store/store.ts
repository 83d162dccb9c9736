/**
 * The sensor's local state: one LevelDB database, one sublevel per concern,
 * values in CBOR. Writes go in batches; a batch spans sublevels atomically.
 */
import { mkdir } from 'node:fs/promises';
import { Level } from 'level';
import { createValueCodec, type ValueCodec } from './codec.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export const AREAS = ['meta', 'devices', 'flows', 'alerts', 'vulns', 'utilization', 'outbox'] as const;
export type Area = (typeof AREAS)[number];

export interface StoreOp {
  readonly type: 'put' | 'del';
  readonly area: Area;
  readonly key: string;
  /** Required for `put`; any CBOR-encodable owned value. */
  readonly value?: unknown;
}

export interface WriteOptions {
  /** fsync before resolving; use for data that must survive a power cut. */
  readonly sync?: boolean;
}

export interface OpenOptions {
  /** For tests; defaults to the real migration list. */
  readonly migrations?: readonly Migration[];
  /**
   * The LevelDB handle to use instead of a new one at `dir` (utf8 keys, `view`
   * values). The store opens it and closes it on close. A seam so tests can
   * watch the batches the real database receives; production leaves it unset.
   */
  readonly database?: StoreDatabase;
}

export interface RangeOptions {
  readonly gt?: string;
  readonly gte?: string;
  readonly lt?: string;
  readonly lte?: string;
  readonly limit?: number;
  readonly reverse?: boolean;
}

export type StoreDatabase = Level<string, Uint8Array>;
type Db = StoreDatabase;
/** The part of a sublevel this class uses; abstract-level's generics do not survive `sublevel()` well. */
interface Sub {
  get(key: string): Promise<Uint8Array | undefined>;
  iterator(opts: RangeOptions & { limit: number }): { all(): Promise<Array<[string, Uint8Array]>> };
}
type BatchFn = (ops: unknown[], opts: { sync: boolean }) => Promise<void>;

export const SCHEMA_KEY = 'schema';

export class StoreVersionError extends Error {
  constructor(readonly dir: string, readonly found: number, readonly supported: number) {
    super(
      `store at ${dir} has schema version ${found}, newer than the ${supported} this build supports; ` +
        'run a newer iomt-sensor or move the directory aside',
    );
    this.name = 'StoreVersionError';
  }
}

export class Store {
  private readonly subs: ReadonlyMap<Area, Sub>;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly db: Db,
    private readonly codec: ValueCodec,
    private version: number,
  ) {
    const subs = new Map<Area, Sub>();
    for (const area of AREAS) {
      subs.set(area, db.sublevel<string, Uint8Array>(area, { keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as Sub);
    }
    this.subs = subs;
  }

  /** Creates `dir` if needed, opens the database and brings its schema up to date. */
  static async open(dir: string, opts: OpenOptions = {}): Promise<Store> {
    const migrations = [...(opts.migrations ?? MIGRATIONS)].sort((a, b) => a.to - b.to);
    const latest = migrations.length > 0 ? migrations[migrations.length - 1]!.to : 0;
    await mkdir(dir, { recursive: true });
    const db: Db = opts.database ?? new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.open();
    const store = new Store(dir, db, createValueCodec(), 0);
    try {
      const found = await store.getMeta(SCHEMA_KEY);
      const current = typeof found === 'number' ? found : 0;
      if (found !== undefined && typeof found !== 'number') {
        throw new Error(`store at ${dir}: meta/${SCHEMA_KEY} is ${JSON.stringify(found)}, expected a number`);
      }
      if (current > latest) throw new StoreVersionError(dir, current, latest);
      store.version = current;
      for (const m of migrations) {
        if (m.to <= store.version) continue;
        const ops = (await m.up(store)) ?? [];
        await store.batch([...ops, { type: 'put', area: 'meta', key: SCHEMA_KEY, value: m.to }], { sync: true });
        store.version = m.to;
      }
    } catch (err) {
      await db.close();
      throw err;
    }
    return store;
  }

  get schemaVersion(): number {
    return this.version;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  async batch(ops: readonly StoreOp[], opts: WriteOptions = {}): Promise<void> {
    if (ops.length === 0) return;
    const raw = ops.map((op) => {
      const sublevel = this.sub(op.area);
      if (op.type === 'put') {
        if (op.value === undefined) throw new TypeError(`store put ${op.area}/${op.key}: value is undefined`);
        return { type: 'put' as const, sublevel, key: op.key, value: this.codec.encode(op.value) };
      }
      return { type: 'del' as const, sublevel, key: op.key };
    });
    await (this.db.batch as unknown as BatchFn).call(this.db, raw, { sync: opts.sync === true });
  }

  async get(area: Area, key: string): Promise<unknown> {
    const bytes = await this.sub(area).get(key);
    return bytes === undefined ? undefined : this.codec.decode(bytes);
  }

  async put(area: Area, key: string, value: unknown, opts: WriteOptions = {}): Promise<void> {
    await this.batch([{ type: 'put', area, key, value }], opts);
  }

  async del(area: Area, key: string, opts: WriteOptions = {}): Promise<void> {
    await this.batch([{ type: 'del', area, key }], opts);
  }

  getMeta(key: string): Promise<unknown> {
    return this.get('meta', key);
  }

  putMeta(key: string, value: unknown, opts: WriteOptions = {}): Promise<void> {
    return this.put('meta', key, value, opts);
  }

  /** Every record of an area in key order (or a range of it). */
  async all(area: Area, range: RangeOptions = {}): Promise<Array<[string, unknown]>> {
    const entries = await this.sub(area).iterator({ ...range, limit: range.limit ?? -1 }).all();
    return entries.map(([k, v]) => [k, this.codec.decode(v)]);
  }

  /** Keys and raw value sizes only, without decoding values. */
  async sizes(area: Area): Promise<Array<[string, number]>> {
    const entries = await this.sub(area).iterator({ limit: -1 }).all();
    return entries.map(([k, v]) => [k, v.byteLength]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  private sub(area: Area): Sub {
    const s = this.subs.get(area);
    if (s === undefined) throw new RangeError(`unknown store area ${JSON.stringify(area)}; valid: ${AREAS.join(', ')}`);
    return s;
  }
}
