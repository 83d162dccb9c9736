/**
 * A power cut, not a process kill: the outbox's state directory is on ext4
 * (with its journal) on a loop device. A writer process commits ticks through
 * the real Store and Outbox and prints each seq once `commit` resolved. The
 * test kills it, waits until it is gone, and at that instant copies the block
 * device's backing file: the copy holds exactly the blocks the filesystem had
 * sent to the device, so everything still in the page cache (written but not
 * fsync'd) is lost, as it would be when the machine loses power. The copy is
 * then attached as the disk, mounted (the journal replays), and reopened with
 * the real code; the next round's writer runs on it, so the restart after a
 * cut is exercised too.
 *
 * This kernel has no device-mapper (no dm-flakey, no dm-log-writes), so the
 * cut is the copy; docs/testing.md says what that does and does not model.
 * Needs root (losetup, mount); skipped only when not root. As root, a missing
 * tool or loop device fails the test.
 */
import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Store } from '../src/store/store.js';
import { Outbox } from '../src/publish/outbox.js';
import { ITEMS_PER_TICK, WRITER_KEY, payloadSeq } from './support/power-cut-writer.js';
import { LoopDisk, TOOLS } from './support/loop-disk.js';

const WRITER = new URL('./support/power-cut-writer.js', import.meta.url).pathname;
const isRoot = process.getuid?.() === 0;
/** Cuts per run; each lands at a different point of the write/fsync cycle. */
const ROUNDS = Number(process.env['H2_POWER_CUT_ROUNDS'] ?? 10);

interface WriterRun {
  opened: number;
  acked: number[];
  ackedTicks: Map<number, number>;
  sentThrough: number;
}

/** Starts the writer, lets it acknowledge `ticks` ticks (plus a jitter), then SIGKILLs it and waits until it is gone. */
async function runAndKill(t: Test, dir: string, ticks: number, jitterMs: number): Promise<WriterRun> {
  const child: ChildProcess = spawn(process.execPath, [WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  t.teardown(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const res: WriterRun = { opened: -1, acked: [], ackedTicks: new Map(), sentThrough: 0 };
  let ackLines = 0;
  await new Promise<void>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
    rl.on('line', (line) => {
      const [what, ...nums] = line.split(' ');
      const n = nums.map(Number);
      if (what === 'open') res.opened = n[0]!;
      else if (what === 'ack') {
        res.ackedTicks.set(n[0]!, n[n.length - 1]!);
        res.acked.push(...n.slice(1));
        if (++ackLines === ticks) setTimeout(resolve, jitterMs);
      } else if (what === 'sent') res.sentThrough = n[0]!;
    });
  });
  // Lines still buffered in the pipe were acknowledged too; they are read until the process is gone.
  child.kill('SIGKILL');
  await exited;
  await new Promise((r) => setImmediate(r));
  return res;
}

/** What the reopened store holds, through the real code. */
async function inspect(dir: string) {
  const store = await Store.open(dir);
  try {
    const outbox = await Outbox.open(store, { maxMessages: 1_000_000, maxBytes: 1 << 30 });
    const entries = await outbox.peek(1_000_000);
    const state = (await store.get('devices', WRITER_KEY)) as { tick: number; lastSeq: number } | undefined;
    return { lastSeq: outbox.lastSeq, entries: entries.map((e) => ({ seq: e.seq, payloadSeq: payloadSeq(e.bytes) })), state };
  } finally {
    await store.close();
  }
}

t.test('a power cut loses no acknowledged seq, reuses none, and keeps state and outbox together', { skip: isRoot ? false : 'needs root (loop devices, mount)', timeout: 300_000 }, async (t) => {
  for (const tool of TOOLS) {
    t.equal(spawnSync('sh', ['-c', `command -v ${tool}`]).status, 0, `${tool} is installed (build.sh installs it)`);
  }
  const t0 = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'h2-power-cut-'));
  let disk: LoopDisk | undefined;
  t.teardown(() => {
    disk?.destroy();
    rmSync(work, { recursive: true, force: true });
  });
  disk = new LoopDisk(work, join(work, 'mnt'));
  const stateDir = join(disk.mnt, 'state');

  const seed = Number(process.env['H2_POWER_CUT_SEED'] ?? Date.now() % 100_000);
  let rnd = seed;
  const random = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31), rnd % n);
  t.comment(`seed ${seed} (H2_POWER_CUT_SEED to repeat), ${ROUNDS} cuts`);

  const everAcked = new Set<number>();
  let durableLast = 0;
  let sentThrough = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const w = await runAndKill(t, stateDir, 10 + random(30), random(15));
    t.equal(w.opened, durableLast, `round ${round}: the writer reopened at the last durable seq`);
    const reused = w.acked.filter((s) => everAcked.has(s) || s <= w.opened);
    t.same(reused, [], `round ${round}: no seq acknowledged twice (writer opened at ${w.opened})`);
    for (const s of w.acked) everAcked.add(s);
    sentThrough = Math.max(sentThrough, w.sentThrough);

    // The cut: whatever the device has now is all there will be.
    t.ok(disk.cut(), `round ${round}: the device was idle while its image was copied, so the copy is one instant`);

    const got = await inspect(stateDir);
    const held = new Set(got.entries.map((e) => e.seq));
    const lost = w.acked.filter((s) => !held.has(s) && s > sentThrough);
    t.same(lost, [], `round ${round}: every acknowledged seq (${w.acked.length}, last ${w.acked[w.acked.length - 1]}) is in the outbox or was delivered`);
    t.ok(got.lastSeq >= Math.max(...w.acked), `round ${round}: next seq (${got.lastSeq + 1}) is above every acknowledged seq`);
    t.ok(got.entries.every((e) => e.payloadSeq === e.seq), `round ${round}: each entry carries the payload built for its seq`);
    // Acks remove a prefix, so what is held is one run up to the last seq written: no batch landed in part.
    const seqs = got.entries.map((e) => e.seq);
    const head = seqs[0] ?? got.lastSeq + 1;
    t.same(seqs, Array.from({ length: got.lastSeq - head + 1 }, (_, i) => head + i), `round ${round}: the outbox is the run ${head}..${got.lastSeq} without gaps`);
    t.ok(got.state !== undefined, `round ${round}: the writer's state survived`);
    t.equal(got.state?.lastSeq, got.lastSeq, `round ${round}: state (tick ${got.state?.tick}) names seq ${got.state?.lastSeq}, the outbox's last seq is ${got.lastSeq}: written together`);
    const ackedAt = got.state === undefined ? undefined : w.ackedTicks.get(got.state.tick);
    if (ackedAt !== undefined) t.equal(ackedAt, got.state!.lastSeq, `round ${round}: the tick on disk is the one acknowledged with those seqs`);
    t.ok((got.state?.lastSeq ?? 0) % ITEMS_PER_TICK === 0, `round ${round}: whole ticks only`);
    durableLast = got.lastSeq;
  }
  t.comment(`${ROUNDS} power cuts, ${everAcked.size} acknowledged seqs checked, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
