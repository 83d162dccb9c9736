import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Encoder } from 'cbor-x';
import { CommandHandler, encodeCommand, validateCommand, MAX_COMMAND_BYTES, type CommandRejectReason } from './commands.js';
import { Topics } from '../telemetry/topics.js';
import type { Level } from '../log.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const topics = new Topics({ site: 'st-olaf', ward: 'icu-2', sensor: 'gw-1' });
const other = new Topics({ site: 'st-olaf', ward: 'icu-2', sensor: 'gw-2' });
const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, variableMapSize: true });
const enc = (v: unknown): Uint8Array => cbor.encode(v);
const hex = (h: string): Uint8Array => Buffer.from(h.replace(/\s+/g, ''), 'hex');

const SNAP = topics.cmd('snapshot');

// [name, topic, payload, retained, expected ('ok' or a reason), what the CDDL `command` rule says of the payload (undefined: not a payload case)]
const cases: Array<[string, string, Uint8Array, boolean, 'ok' | CommandRejectReason, boolean | undefined]> = [
  ['snapshot', SNAP, encodeCommand('req-1'), false, 'ok', true],
  ['health', topics.cmd('health'), encodeCommand('r'), false, 'ok', true],
  ['64-byte id', SNAP, encodeCommand('x'.repeat(64)), false, 'ok', true],
  ['UTF-8 id of 64 bytes', SNAP, encodeCommand('é'.repeat(32)), false, 'ok', true],
  // a1 00 63 616263: map(1) {0: "abc"}, as cbor-x, cbor2 or any library writes it
  ['cbor-x encoding', SNAP, enc(new Map([[0, 'abc']])), false, 'ok', true],
  ['hand-made bytes', SNAP, hex('a1 00 63 616263'), false, 'ok', true],
  ['other sensor\'s topic', other.cmd('snapshot'), encodeCommand('r'), false, 'topic', undefined],
  ['telemetry topic', topics.stream('health'), encodeCommand('r'), false, 'topic', undefined],
  ['deeper topic', `${SNAP}/x`, encodeCommand('r'), false, 'topic', undefined],
  ['unknown verb', topics.cmd('reboot'), encodeCommand('r'), false, 'verb', undefined],
  ['verb with different case', topics.cmd('Snapshot'), encodeCommand('r'), false, 'verb', undefined],
  ['retained', SNAP, encodeCommand('r'), true, 'retained', undefined],
  ['oversize', SNAP, new Uint8Array(MAX_COMMAND_BYTES + 1), false, 'oversize', false],
  ['oversize but valid CBOR', SNAP, enc(new Map([[0, 'x'.repeat(2000)]])), false, 'oversize', false],
  ['empty payload', SNAP, new Uint8Array(0), false, 'not_cbor', false],
  ['truncated', SNAP, hex('a1 00 63 6162'), false, 'not_cbor', false],
  ['huge declared length', SNAP, hex('a1 00 7a ffffffff'), false, 'not_cbor', false],
  ['trailing bytes', SNAP, hex('a1 00 61 41 00'), false, 'not_cbor', false],
  ['array', SNAP, enc(['r']), false, 'not_map', false],
  ['plain string', SNAP, enc('snapshot'), false, 'not_map', false],
  ['tagged date', SNAP, hex('c1 00'), false, 'not_map', false],
  ['empty map', SNAP, enc(new Map()), false, 'keys', false],
  ['text key', SNAP, enc(new Map([['0', 'r']])), false, 'keys', false],
  ['extra key', SNAP, enc(new Map<number, unknown>([[0, 'r'], [1, 'rm -rf /']])), false, 'keys', false],
  ['id is a number', SNAP, enc(new Map([[0, 7]])), false, 'request_id', false],
  ['id is bytes', SNAP, enc(new Map([[0, Buffer.from('r')]])), false, 'request_id', false],
  ['id is null', SNAP, hex('a1 00 f6'), false, 'request_id', false],
  ['id is a map', SNAP, enc(new Map([[0, new Map([[0, 'r']])]])), false, 'request_id', false],
  ['empty id', SNAP, encodeCommand(''), false, 'request_id', false],
  ['65-byte id', SNAP, encodeCommand('x'.repeat(65)), false, 'request_id', false],
  ['UTF-8 id of 66 bytes', SNAP, encodeCommand('é'.repeat(33)), false, 'request_id', false],
  // Valid CBOR the CDDL cannot tell apart, refused by the one-encoding rule:
  ['duplicate key', SNAP, hex('a2 00 61 41 00 61 42'), false, 'not_deterministic', undefined],
  ['non-shortest length', SNAP, hex('a1 00 78 01 41'), false, 'not_deterministic', true],
  ['indefinite map', SNAP, hex('bf 00 61 41 ff'), false, 'not_deterministic', true],
  ['half-float key', SNAP, hex('a1 f9 0000 61 41'), false, 'not_deterministic', undefined],
  // Not given to the CDDL check: Debian's cbor2 raises UnicodeDecodeError, which test/py/cddl_check.py does not catch.
  ['invalid UTF-8', SNAP, hex('a1 00 62 fffe'), false, 'not_deterministic', undefined],
];

t.test('commands: a table of good and bad inputs', async (t) => {
  for (const [name, topic, payload, retained, want] of cases) {
    const r = validateCommand(topics, topic, payload, retained);
    t.equal(r.ok ? 'ok' : r.reason, want, `${name}${r.ok ? '' : `: ${r.detail}`}`);
  }
  const ok = validateCommand(topics, SNAP, encodeCommand('req-42'));
  t.same(ok, { ok: true, verb: 'snapshot', requestId: 'req-42' });
});

t.test('the payload rows agree with docs/telemetry.cddl, checked by Python cbor2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-cmd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const rows = cases.filter((c) => c[5] !== undefined);
  const files = rows.map((c, i) => {
    const file = join(dir, `${i}.cbor`);
    writeFileSync(file, c[2]);
    return file;
  });
  const out = await new Promise<string>((res, rej) =>
    execFile('/usr/bin/python3', [join(ROOT, 'test', 'py', 'cddl_check.py'), join(ROOT, 'docs', 'telemetry.cddl'), 'command', ...files], (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout))),
  );
  const verdicts = out.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; error?: string });
  t.equal(verdicts.length, rows.length);
  rows.forEach((c, i) => t.equal(verdicts[i]?.ok, c[5], `${c[0]}: CDDL says ${verdicts[i]?.ok ? 'valid' : verdicts[i]?.error}`));
});

function harness(opts: { maxPerMinute?: number; fail?: boolean } = {}) {
  const counters = new Map<string, number>();
  const ran: string[] = [];
  const lines: Array<{ level: Level; msg: string; fields: unknown }> = [];
  let now = 1_000_000;
  const h = new CommandHandler({
    topics,
    count: (c) => counters.set(c, (counters.get(c) ?? 0) + 1),
    run: {
      snapshot: () => {
        ran.push('snapshot');
        if (opts.fail) return Promise.reject(new Error('store closed'));
        return undefined;
      },
      health: () => void ran.push('health'),
    },
    log: { log: (level, msg, fields) => lines.push({ level, msg, fields }) },
    now: () => now,
    ...(opts.maxPerMinute === undefined ? {} : { maxPerMinute: opts.maxPerMinute }),
  });
  return { h, counters, ran, lines, advance: (ms: number) => (now += ms) };
}

t.test('the handler runs valid commands and counts every rejection', async (t) => {
  const { h, counters, ran, lines } = harness();
  t.equal(h.filter, 'iomt/v1/st-olaf/icu-2/gw-1/cmd/+');
  h.handle(SNAP, encodeCommand('a'), false);
  h.handle(topics.cmd('health'), encodeCommand('b'), false);
  for (let i = 0; i < 100; i++) h.handle(SNAP, hex('ff'), false);
  h.handle(topics.cmd('reboot'), encodeCommand('c'), false);
  h.handle(SNAP, encodeCommand('d'), true);
  t.same(ran, ['snapshot', 'health']);
  t.same(Object.fromEntries(counters), {
    'cmd.accepted.snapshot': 1,
    'cmd.accepted.health': 1,
    'cmd.rejected.not_cbor': 100,
    'cmd.rejected.verb': 1,
    'cmd.rejected.retained': 1,
  });
  const rejectLines = lines.filter((l) => l.msg === 'commands rejected');
  t.equal(rejectLines.length, 1, '103 rejections, one log line within the minute');
  t.equal(lines.filter((l) => l.msg === 'command accepted').length, 2);
});

t.test('the rejection log line comes back after the interval, with the count since the last', async (t) => {
  const { h, lines, advance } = harness();
  h.handle(SNAP, hex('ff'), false);
  h.handle(SNAP, hex('ff'), false);
  advance(60_000);
  h.handle(SNAP, hex('ff'), false);
  const rejectLines = lines.filter((l) => l.msg === 'commands rejected');
  t.equal(rejectLines.length, 2);
  t.match(rejectLines[1]?.fields, { count: 2, last_reason: 'not_cbor' });
});

t.test('commands are rate-limited per rolling minute', async (t) => {
  const { h, counters, ran, advance } = harness({ maxPerMinute: 3 });
  for (let i = 0; i < 5; i++) h.handle(SNAP, encodeCommand(`r${i}`), false);
  t.equal(ran.length, 3);
  t.equal(counters.get('cmd.rejected.rate_limited'), 2);
  advance(60_000);
  h.handle(SNAP, encodeCommand('later'), false);
  t.equal(ran.length, 4, 'allowed again a minute later');
});

t.test('a failing command is counted and logged, not thrown', async (t) => {
  const { h, counters, lines } = harness({ fail: true });
  t.doesNotThrow(() => h.handle(SNAP, encodeCommand('a'), false));
  await new Promise((r) => setImmediate(r));
  t.equal(counters.get('cmd.failed.snapshot'), 1);
  t.ok(lines.some((l) => l.msg === 'command failed' && l.level === 'error'));
});
