/**
 * The BLE capture helper (`iomt-sensor ble-capture`): its core against the
 * ble-hci source with a fake controller at the binding boundary only (as in
 * source.test.ts), and the command itself on this kernel, which has no
 * AF_BLUETOOTH.
 *
 * - The bytes written are a classic pcap stream that our PcapReader reads
 *   back as exactly the recorded LE advertising report events, LINKTYPE 201.
 * - An abort (SIGTERM) disables the scan, then the helper returns 0.
 * - A refused command, a failed bind or a closed output ends it with 1 and
 *   the reason, without a pcap header when the scan never ran.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { until } from '../../../test/support/dongle-pty.js';
import { PcapReader } from '../pcap/reader.js';
import type { RawFrame } from '../types.js';
import { bleCapture } from './capture.js';
import { bleHciSource, type BleHciOptions } from './index.js';
import { Controller, recordedAdverts } from './testing.js';

const CLI = fileURLToPath(new URL('../../cli.js', import.meta.url));
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

const opts: BleHciOptions = {
  name: 'hci0', device: 0, channel: 'raw', extended: 'auto', reset: false, interval: 0x10, window: 0x10, answerTimeoutMs: 300,
  backoff: { initialMs: 50, maxMs: 200 }, load: async () => ({ ok: true as const, module: { default: Controller } }),
};

function readBack(bytes: Uint8Array): { frames: RawFrame[]; anomalies: string[] } {
  const anomalies: string[] = [];
  const r = new PcapReader('back', { anomaly: (a) => anomalies.push(a.code), state: () => undefined }, { guessVariant: false });
  const frames = [...r.push(bytes), ...r.end()].map((f) => ({ ...f, bytes: Uint8Array.from(f.bytes) }));
  return { frames, anomalies };
}

t.afterEach(() => {
  Controller.refuse = undefined;
});

t.test('recorded advertising reports leave as a pcap stream that reads back as the recording; SIGTERM disables the scan', async (t) => {
  Controller.last = undefined;
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ac = new AbortController();
  const lines: string[] = [];
  const done = bleCapture(bleHciSource(opts), out, { signal: ac.signal, log: (l) => lines.push(l) });
  await until('running', () => lines.some((l) => l.startsWith('running')), 5000);
  const ctl = Controller.last!;
  const rec = recordedAdverts();
  t.ok(rec.length > 2000, `${rec.length} recorded advertising report events`);
  for (const f of rec) ctl.emit('data', Buffer.from(f.bytes.subarray(4)));
  ctl.emit('data', Buffer.from([0x04, 0x3e, 0x02, 0x02, 0x00])); // hostile: counted, not written, not fatal
  const recordBytes = rec.reduce((n, f) => n + 16 + f.bytes.length, 24);
  await until('all records written', () => Buffer.concat(chunks).length >= recordBytes, 10_000);
  ac.abort();
  const r = await done;
  t.same({ code: r.code, reason: r.reason, frames: r.frames, anomalies: r.anomalies }, { code: 0, reason: 'stopped', frames: rec.length, anomalies: { 'hci.empty_report': 1 } });
  t.equal(hex(ctl.written.at(-1)!), '01 0c 20 02 00 00', 'the last command before exit: LE Set Scan Enable, disabled');
  t.notOk(ctl.started, 'socket stopped');
  const bytes = Buffer.concat(chunks);
  t.equal(bytes.length, recordBytes, 'a 24-byte header and one record per frame, nothing else');
  t.equal(bytes.readUInt32LE(0), 0xa1b23c4d, 'classic pcap, nanosecond magic');
  t.equal(bytes.readUInt32LE(20), 201, 'LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR');
  const back = readBack(bytes);
  t.same(back.anomalies, []);
  t.equal(back.frames.length, rec.length);
  t.ok(back.frames.every((f, i) => f.linkType === 201 && hex(f.bytes) === hex(rec[i]!.bytes)), 'each record is the recorded event with its direction pseudo-header');
  t.ok(back.frames.every((f, i) => i === 0 || f.tsSec * 1e9 + f.tsNsec >= back.frames[i - 1]!.tsSec * 1e9 + back.frames[i - 1]!.tsNsec), 'host timestamps, in order');
});

t.test('a controller that refuses the scan: exit code 1, the reason, and no byte written', async (t) => {
  Controller.refuse = 0x200b;
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const r = await bleCapture(bleHciSource(opts), out, { signal: new AbortController().signal });
  t.equal(r.code, 1);
  t.equal(r.reason, 'hci0 refused LE Set Scan Parameters (passive) (0x200b): status 0x0c (Core Spec Vol 1 Part F)');
  t.equal(Buffer.concat(chunks).length, 0, 'no pcap header: the agent sees a helper that sent nothing');
});

t.test('the agent goes away mid-scan: exit code 1, the scan disabled', async (t) => {
  Controller.last = undefined;
  const out = new Writable({ write: (_c, _e, cb) => cb() });
  const lines: string[] = [];
  const done = bleCapture(bleHciSource(opts), out, { signal: new AbortController().signal, log: (l) => lines.push(l) });
  await until('running', () => lines.some((l) => l.startsWith('running')), 5000);
  out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  const r = await done;
  t.same([r.code, r.reason], [1, 'output: write EPIPE']);
  t.equal(hex(Controller.last!.written.at(-1)!), '01 0c 20 02 00 00');
});

t.test('the command on a kernel without AF_BLUETOOTH: exit 1, the reason on stderr, nothing on stdout', async (t) => {
  const r = spawnSync(process.execPath, [CLI, 'ble-capture', '--device', 'hci0'], { encoding: 'buffer', timeout: 20_000 });
  const err = r.stderr.toString();
  t.equal(r.status, 1, err);
  t.equal(r.stdout.length, 0);
  t.match(err, /failed: hci0: (Address family not supported by protocol: this kernel has no Bluetooth sockets|.*needs CAP_NET_RAW|.*no such adapter|.*is down)/);
  t.notMatch(err, /retrying in/, 'the helper does not retry by itself: systemd restarts it');
  const bad = spawnSync(process.execPath, [CLI, 'ble-capture', '--device', '0', '--window', '0x20', '--interval', '0x10'], { encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--window = 0x20: expected a whole number from 4 to 16/);
});
