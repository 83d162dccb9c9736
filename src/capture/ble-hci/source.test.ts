/**
 * The ble-hci source. The HCI socket binding cannot bind on this machine
 * (its kernel has no AF_BLUETOOTH), so the source is tested two ways:
 *
 * - with the real binding, loaded lazily as in production: the bind fails,
 *   the source reports `retrying` with the reason and a doubling backoff,
 *   and never throws;
 * - against a fake socket object at the binding boundary only (the
 *   `load` option hands the source a class with the binding's methods):
 *   a small controller that answers every command with Command Complete
 *   and plays back real LE Advertising Report events recorded in
 *   ../shared/captures/ble_hci. Everything above the socket (command
 *   sequence, event parsing, frames, decode, inventory) is the real code.
 *
 * Every packet the source wrote, in every test, is checked: only the
 * allow-listed opcodes, scan type 0x00, never LE Create Connection or an
 * advertising enable.
 */
import t from 'tap';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturesDir } from '../../../test/support/captures.js';
import { runSource, until, type Running } from '../../../test/support/dongle-pty.js';
import { replayFiles } from '../../analyze/replay.js';
import { decodeBytes } from '../../decode/testing.js';
import type { HciEvtView } from '../../decode/hci_evt/index.js';
import type { DeviceRecord } from '../../analyze/inventory/record.js';
import { PcapReader } from '../pcap/reader.js';
import { pcapFile } from '../pcap/writer.js';
import type { RawFrame } from '../types.js';
import { ALLOWED_OPCODES } from './events.js';
import { bleHciSource, type BleHciOptions, type HciSocketLike } from './index.js';

const RECORDED = join(capturesDir(), 'ble_hci/wban-python_btsnoop_hci.DERIVED-editcap.pcap');
const base: BleHciOptions = { name: 'hci', device: 0, channel: 'raw', extended: 'auto', reset: false, interval: 0x10, window: 0x10, answerTimeoutMs: 300, backoff: { initialMs: 50, maxMs: 200 } };
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

/** Every packet written to any fake controller in this file. */
const allWritten: Uint8Array[] = [];

/** A controller behind the binding's API: Command Complete for every command, reports on demand. */
class FakeController extends EventEmitter implements HciSocketLike {
  static last: FakeController | undefined;
  static extended = false;
  static refuse: number | undefined;
  static silent = false;
  readonly written: Uint8Array[] = [];
  filter: Buffer | undefined;
  bound: string | undefined;
  started = false;
  constructor() {
    super();
    FakeController.last = this;
  }
  bindRaw(dev: number): number { this.bound = `raw ${dev}`; return 0; }
  bindUser(dev: number): number { this.bound = `user ${dev}`; return 0; }
  isDevUp(): boolean { return true; }
  setFilter(f: Buffer): void { this.filter = f; }
  start(): void { this.started = true; }
  stop(): void { this.started = false; }
  write(data: Buffer): void {
    const p = Uint8Array.from(data);
    this.written.push(p);
    allWritten.push(p);
    if (FakeController.silent) return;
    const op = p[1]! | (p[2]! << 8);
    const status = op === FakeController.refuse ? 0x0c : 0x00;
    const ret = op === 0x1002 ? [status, ...Array.from({ length: 64 }, (_, i) => (i === 37 && FakeController.extended ? 0x60 : 0))] : [status];
    setImmediate(() => this.emit('data', Buffer.from([0x04, 0x0e, 3 + ret.length, 1, p[1]!, p[2]!, ...ret])));
  }
  report(h4: Uint8Array): void {
    this.emit('data', Buffer.from(h4));
  }
}

const fake = { ...base, load: async () => ({ ok: true as const, module: { default: FakeController } }) };

function opcodes(w: readonly Uint8Array[]): string[] {
  return w.map((p) => `0x${(p[1]! | (p[2]! << 8)).toString(16).padStart(4, '0')}`);
}

/** The recorded LE advertising report events (H4 packets, controller to host) of a real btsnoop log. */
function recordedAdverts(): RawFrame[] {
  const r = new PcapReader('t', { anomaly: () => undefined, state: () => undefined });
  return [...r.push(readFileSync(RECORDED)), ...r.end()]
    .filter((f) => f.linkType === 201 && f.bytes[3] === 1 && f.bytes[4] === 0x04 && f.bytes[5] === 0x3e && (f.bytes[7] === 0x02 || f.bytes[7] === 0x0d))
    .map((f) => ({ ...f, bytes: Uint8Array.from(f.bytes) }));
}

function canon(devices: readonly DeviceRecord[]): string[] {
  return devices.map((d) => JSON.stringify({ ids: d.ids, attrs: d.attrs.map((a) => `${a.name}=${a.value} ${a.field}`).sort(), frames: d.frames, bytes: d.bytes, facts: d.facts ?? [] })).sort();
}

async function started(o: Partial<BleHciOptions> = {}): Promise<{ run: Running; ctl: FakeController }> {
  FakeController.last = undefined;
  const run = runSource(bleHciSource({ ...fake, ...o }));
  await until('running', () => run.last().startsWith('running'), 5000);
  return { run, ctl: FakeController.last! };
}

t.afterEach(() => {
  FakeController.extended = false;
  FakeController.refuse = undefined;
  FakeController.silent = false;
});

t.test('legacy controller: recorded advertising reports become the frames and the inventory of the recording', async (t) => {
  const { run, ctl } = await started();
  t.equal(ctl.bound, 'raw 0');
  t.equal(hex(ctl.filter!), '10 00 00 00 00 c0 00 00 00 00 00 40 00 00', 'raw-channel filter: events; Command Complete, Command Status, LE Meta');
  t.same(ctl.written.map(hex), ['01 02 10 00', '01 0b 20 07 00 10 00 10 00 00 00', '01 0c 20 02 01 00'], 'Read_Local_Supported_Commands, then the legacy passive scan of dongle-protocols.md §5.2');
  t.match(run.last(), /passive LE scan on hci0 \(raw channel, legacy reports, duplicates reported\)/);
  const rec = recordedAdverts();
  t.ok(rec.length > 2000, `${rec.length} recorded advertising report events`);
  for (const f of rec) ctl.report(f.bytes.subarray(4));
  // Hostile packets in between: counted, not believed, not fatal.
  ctl.report(Uint8Array.from([0x04, 0x3e, 0x05, 0x02, 0x01, 0x00, 0x01, 0x66]));
  ctl.report(Uint8Array.from([0x04, 0x3e]));
  ctl.report(Uint8Array.from([0x04, 0x3e, 0x02, 0x02, 0x00]));
  await until('all frames', () => run.frames.length >= rec.length, 10_000);
  await run.stop();
  t.same(run.anomalies, ['hci.truncated_report', 'hci.short_event', 'hci.empty_report']);
  t.equal(run.frames.length, rec.length);
  t.ok(run.frames.every((f, i) => f.linkType === 201 && hex(f.bytes) === hex(rec[i]!.bytes)), 'each frame is the recorded LINKTYPE 201 record, direction 1');
  t.ok(run.frames.some((f) => f.meta.rssi !== undefined && f.meta.rssi < 0), 'RSSI in frame meta');
  t.equal(hex(ctl.written.at(-1)!), '01 0c 20 02 00 00', 'on abort the scan is disabled');
  t.notOk(ctl.started, 'and the socket stopped');
  const dir = mkdtempSync(join(tmpdir(), 'ble-hci-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ours.pcap'), pcapFile(201, run.frames.map((f) => ({ tsSec: f.tsSec, tsNsec: f.tsNsec, bytes: f.bytes }))));
  writeFileSync(join(dir, 'theirs.pcap'), pcapFile(201, rec.map((f) => ({ tsSec: f.tsSec, tsNsec: f.tsNsec, bytes: f.bytes }))));
  const ours = await replayFiles({ files: [join(dir, 'ours.pcap')] });
  const theirs = await replayFiles({ files: [join(dir, 'theirs.pcap')] });
  t.ok(theirs.devices.length >= 4, `${theirs.devices.length} devices in the recording`);
  t.same(canon(ours.devices), canon(theirs.devices), 'the BLE analyzer builds the same inventory from the source as from the recording');
  t.same(ours.bugs, []);
});

t.test('extended controller: extended scan, extended reports decoded', async (t) => {
  FakeController.extended = true;
  const { run, ctl } = await started({ reset: true });
  t.same(opcodes(ctl.written), ['0x0c03', '0x1002', '0x2041', '0x2042']);
  t.equal(hex(ctl.written[2]!), '01 41 20 08 00 00 01 00 10 00 10 00', 'LE Set Extended Scan Parameters, passive 1M, §5.2');
  t.equal(hex(ctl.written[3]!), '01 42 20 06 01 00 00 00 00 00');
  // An ADV_IND (0x13) from public 00:1A:7D:DA:71:13, TX power 127, RSSI -60, flags + Heart Rate UUID.
  const data = [0x02, 0x01, 0x06, 0x03, 0x03, 0x0d, 0x18];
  const report = [0x13, 0x00, 0x00, 0x13, 0x71, 0xda, 0x7d, 0x1a, 0x00, 0x01, 0x00, 0xff, 0x7f, 0xc4, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, data.length, ...data];
  ctl.report(Uint8Array.from([0x04, 0x3e, 2 + report.length, 0x0d, 0x01, ...report]));
  await until('a frame', () => run.frames.length === 1);
  await run.stop();
  t.same(run.frames[0]!.meta, { rssi: -60 });
  const d = decodeBytes(run.frames[0]!.bytes, 201);
  const ev = d.layers.find((l) => l.name === 'hci_evt') as HciEvtView | undefined;
  t.equal(ev?.reportCount, 1, 'hci_evt reads the extended report');
  t.equal(d.anomaly, undefined);
  t.equal(hex(ctl.written.at(-1)!), '01 42 20 06 00 00 00 00 00 00', 'extended scan disabled on abort');
});

t.test('the controller refuses, stays silent, or the socket fails: retrying with the reason', async (t) => {
  FakeController.refuse = 0x200b;
  let run = runSource(bleHciSource(fake));
  await until('retrying', () => run.states.length >= 3);
  await run.stop();
  t.match(run.states[1], /^retrying: hci0 refused LE Set Scan Parameters \(passive\) \(0x200b\): status 0x0c .*retrying in 50 ms$/);
  FakeController.refuse = undefined;
  FakeController.silent = true;
  run = runSource(bleHciSource(fake));
  await until('retrying', () => run.states.length >= 2);
  await run.stop();
  t.match(run.states[1], /^retrying: hci0 did not answer Read_Local_Supported_Commands \(0x1002\) within 300 ms/);
  FakeController.silent = false;
  run = runSource(bleHciSource({ ...fake, extended: true }));
  await until('retrying', () => run.states.length >= 2);
  t.match(run.states[1], /^retrying: hci0 does not support extended scanning/, 'extended: true on a legacy controller says so');
  FakeController.extended = true;
  await until('running once the controller has it', () => run.last().startsWith('running'));
  const before = run.states.length;
  FakeController.last!.emit('error', Object.assign(new Error('Network is down'), { code: 'ENETDOWN' }));
  await until('retrying after a socket error', () => run.states.slice(before).some((x) => /^retrying: hci0: Network is down; retrying in \d+ ms/.test(x)));
  await until('running again', () => run.last().startsWith('running') && run.states.length > before + 1);
  await run.stop();
  const { run: user, ctl } = await started({ channel: 'user', device: 2 });
  await user.stop();
  t.equal(ctl.bound, 'user 2');
  t.equal(ctl.filter, undefined, 'no filter on the user channel (it is exclusive)');
});

t.test('the real binding on a kernel without AF_BLUETOOTH: unavailable, retrying with backoff, never a throw', async (t) => {
  const run = runSource(bleHciSource({ ...base, backoff: { initialMs: 20, maxMs: 80 } }));
  await until('four retries', () => run.states.filter((s) => s.startsWith('retrying')).length >= 4, 10_000);
  await run.stop();
  const retries = run.states.filter((s) => s.startsWith('retrying'));
  t.match(retries[0], /^retrying: hci0: (Address family not supported by protocol: this kernel has no Bluetooth sockets|.*needs CAP_NET_RAW|.*no such adapter|.*is down)/, retries[0]);
  t.same(retries.slice(0, 4).map((s) => Number(/retrying in (\d+) ms/.exec(s)?.[1])), [20, 40, 80, 80], 'doubling backoff up to its cap');
  t.equal(run.last(), 'ended: aborted');
  t.same(run.frames, []);
});

t.test('every packet written in this file is a passive-scan command', async (t) => {
  t.ok(allWritten.length > 10, `${allWritten.length} packets`);
  const bad: string[] = [];
  for (const p of allWritten) {
    const op = p[1]! | (p[2]! << 8);
    if (p[0] !== 0x01 || p[3] !== p.length - 4 || !ALLOWED_OPCODES.has(op)) bad.push(hex(p));
    // LE Create Connection, Extended Create Connection, advertising enables: never.
    if ([0x200d, 0x2043, 0x200a, 0x2039, 0x2006, 0x2036].includes(op)) bad.push(hex(p));
    if (op === 0x200b && p[4] !== 0x00) bad.push(`active scan ${hex(p)}`);
    if (op === 0x2041) for (let i = 0; i < ((p[6]! & 1) + ((p[6]! >> 2) & 1)); i++) if (p[7 + i * 5] !== 0x00) bad.push(`active scan ${hex(p)}`);
    if ((op === 0x200c || op === 0x2042) && p[5] !== 0x00) bad.push(`duplicates filtered ${hex(p)}`);
  }
  t.same(bad, []);
  t.same([...new Set(opcodes(allWritten))].sort(), ['0x0c03', '0x1002', '0x200b', '0x200c', '0x2041', '0x2042']);
});
