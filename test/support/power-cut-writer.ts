/**
 * The process whose power is cut in test/power-cut.test.ts. It commits ticks
 * through the real Store and Outbox, the way the agent does (analyzer state
 * and the telemetry announcing it in one `Outbox.commit`), and prints a line
 * only after the commit resolved, so every line is a promise of durability:
 *
 *   open <lastSeq>                 outbox opened, last seq already used
 *   ack <tick> <seq> <seq>         the tick's commit resolved with these seqs
 *   sent <seq>                     everything through seq was delivered (acked)
 *
 * Usage: node power-cut-writer.js <state dir>
 */
import { pathToFileURL } from 'node:url';
import { Store } from '../../src/store/store.js';
import { Outbox } from '../../src/publish/outbox.js';

export const WRITER_KEY = 'h2-writer';
/** Entries a tick appends; the state written with them names the last one. */
export const ITEMS_PER_TICK = 2;

/** Payload: the seq (8 bytes, big-endian) then filler, so the entry proves which seq it was built for. */
export function payload(seq: number, size = 256): Uint8Array {
  const b = new Uint8Array(size).fill(0x5a);
  new DataView(b.buffer).setBigUint64(0, BigInt(seq));
  return b;
}

export function payloadSeq(b: Uint8Array): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0));
}

async function main(dir: string): Promise<void> {
  const store = await Store.open(dir);
  const outbox = await Outbox.open(store, { maxMessages: 1_000_000, maxBytes: 1 << 30 });
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out(`open ${outbox.lastSeq}`);
  const prior = (await store.get('devices', WRITER_KEY)) as { tick?: number } | undefined;
  for (let tick = (prior?.tick ?? 0) + 1; ; tick++) {
    // The commit is serialised and this is the only writer, so the seqs it will assign are known now.
    const last = outbox.lastSeq + ITEMS_PER_TICK;
    const items = Array.from({ length: ITEMS_PER_TICK }, () => ({ stream: 'inventory', priority: 'normal' as const, payloadFactory: (seq: number) => payload(seq) }));
    const seqs = await outbox.commit(items, [{ type: 'put', area: 'devices', key: WRITER_KEY, value: { tick, lastSeq: last } }]);
    out(`ack ${tick} ${seqs.join(' ')}`);
    if (tick % 8 === 0) {
      // Delivery: the session removes acked entries without fsync; a cut may bring them back, never lose others.
      const through = last - 3;
      await outbox.ackThrough(through);
      out(`sent ${through}`);
    }
  }
}

// Run only as a program: the test imports the helpers above.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: power-cut-writer <state dir>\n');
    process.exit(2);
  }
  main(dir).catch((err: unknown) => {
    process.stderr.write(`power-cut-writer: ${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  });
}
