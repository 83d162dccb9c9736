/**
 * The nRF Sniffer for Bluetooth LE source against a simulated sniffer on a
 * socat pseudo-terminal pair (test/support/sim-nrf-ble.ts), protocol v3
 * (firmware 4.x) and v2 (firmware 3.x). Packets of real LINKTYPE 272
 * captures go on air; what the source delivers must be the capture's own
 * records (v3) or their v2 form, and tshark must read the source's output
 * as it reads the capture. Following an allow-listed device into its
 * connection, silence, unplug, wrong baud rate and wrong firmware are
 * tested; every byte the source wrote is parsed back against the allow-list.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFrameDecoder } from '../../decode/index.js';
import type { BtleView } from '../../decode/btle/index.js';
import { PcapReader } from '../pcap/reader.js';
import { pcapFile } from '../pcap/writer.js';
import type { RawFrame } from '../types.js';
import { capturesDir } from '../../../test/support/captures.js';
import { DongleSim, PtyCable, runSource, until } from '../../../test/support/dongle-pty.js';
import { NrfBleSim, onUart, unslip } from '../../../test/support/sim-nrf-ble.js';
import { ALLOWED_IDS, hostPacket, Id, LINKTYPE_NORDIC_BLE } from './consts.js';
import { nrfBleSource, type FollowTarget } from './index.js';

const ADV = join(capturesDir(), 'ble_ll/iotsec-medical_fitbit-inspire2_adv_3.pcap');
const CONN = join(capturesDir(), 'ble_ll/iotsec-medical_withings-bpm_connection_2.pcap');
const DOC = join(capturesDir(), '../reference/dongle-protocols.md');
const FIELDS = ['nordic_ble.channel', 'nordic_ble.rssi', 'nordic_ble.crcok', 'btle.access_address', 'btle.advertising_header.pdu_type',
  'btle.advertising_header.randomized_tx', 'btle.advertising_address', 'btle.length', 'btle.crc', 'btcommon.eir_ad.entry.company_id',
  'btcommon.eir_ad.entry.device_name', 'btle.data_header.llid'];

const base = { probeAfterMs: 400, probeTimeoutMs: 300, answerTimeoutMs: 300, hopMs: 0, backoff: { initialMs: 50, maxMs: 200 }, advChannels: [37, 38, 39], follow: [] as FollowTarget[] };

function records(file: string): RawFrame[] {
  const r = new PcapReader('t', { anomaly: () => undefined, state: () => undefined });
  return [...r.push(readFileSync(file)), ...r.end()].map((f) => ({ ...f, bytes: Uint8Array.from(f.bytes) }));
}

function tshark(file: string): string[] {
  const args = ['-r', file, '-T', 'fields', '-E', 'occurrence=f'];
  for (const f of FIELDS) args.push('-e', f);
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l !== '');
}

function setup(t: Test): { cable: PtyCable; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nrf-ble-'));
  const cable = new PtyCable(dir);
  t.teardown(async () => {
    await cable.unplug();
    rmSync(dir, { recursive: true, force: true });
  });
  return { cable, dir };
}

/** Everything the sniffer received: SLIP packets with the v1 host header, allowed ids, sane payloads. */
function checkAllowList(t: Test, received: readonly number[], follow: readonly number[][] = []): void {
  const { packets, stray } = unslip(received);
  t.equal(stray, 0, 'no byte outside a SLIP packet');
  t.ok(packets.length > 0, 'commands were sent');
  const bad: string[] = [];
  packets.forEach((p, i) => {
    const id = p[5]!;
    const pl = p.slice(6);
    if (p[0] !== 6 || p[2] !== 1 || p[1] !== pl.length) bad.push(`#${i} header ${p.slice(0, 6)}`);
    if ((p[3]! | (p[4]! << 8)) !== i % 65536) bad.push(`#${i} counter`);
    if (!ALLOWED_IDS.has(id)) bad.push(`#${i} id 0x${id.toString(16)}`);
    if (id === Id.SET_ADV_CHANNEL_HOP_SEQ && (pl.length !== 4 || pl[0]! < 1 || pl[0]! > 3 || pl.slice(1).some((c) => c < 37 || c > 39))) bad.push(`#${i} hop ${pl}`);
    if (id === Id.REQ_SCAN_CONT && !(pl.length === 0 || (pl.length === 1 && pl[0] === 0x03))) bad.push(`#${i} scan flags ${pl}`);
    if ((id === Id.PING_REQ || id === Id.REQ_VERSION) && pl.length !== 0) bad.push(`#${i} payload`);
    if (id === Id.REQ_FOLLOW && !follow.some((f) => f.join() === pl.join())) bad.push(`#${i} follow ${pl}`);
  });
  t.same(bad, [], `all ${packets.length} commands are allowed`);
}

t.test('host commands are the reference examples', async (t) => {
  const doc = readFileSync(DOC, 'utf8');
  const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');
  for (const [name, b] of [
    ['PING_REQ', hostPacket(0, Id.PING_REQ)], ['REQ_VERSION', hostPacket(1, Id.REQ_VERSION)],
    ['SET_ADV_CHANNEL_HOP_SEQ', hostPacket(3, Id.SET_ADV_CHANNEL_HOP_SEQ, [3, 37, 38, 39])], ['REQ_SCAN_CONT', hostPacket(4, Id.REQ_SCAN_CONT, [3])],
  ] as const) t.ok(doc.includes(hex(b)), `${name} ${hex(b)} is in dongle-protocols.md §1.8`);
});

for (const [protover, simBaud] of [[3, 1_000_000], [2, 460_800]] as const) {
  t.test(`protocol v${protover} at ${simBaud} baud: a real capture through the simulated sniffer reads as tshark reads it`, async (t) => {
    const { cable, dir } = setup(t);
    await cable.plug();
    const sim = new NrfBleSim(cable, protover, simBaud);
    sim.attach();
    t.teardown(() => sim.detach());
    const run = runSource(nrfBleSource({ ...base, name: 'ble', path: cable.host }));
    t.teardown(() => run.stop());
    await until('running', () => run.last().startsWith('running') && sim.scanning);
    t.match(run.last(), new RegExp(`at ${simBaud} baud, firmware ${protover === 3 ? '4\\.1\\.1' : '3\\.1\\.0'} \\(UART protocol v${protover}\\)`));
    t.match(execFileSync('stty', ['-F', cable.host, '-a'], { encoding: 'utf8' }), / crtscts/, 'RTS/CTS on, as the Nordic host opens it');
    const pcap = records(ADV);
    t.equal(pcap.length, 37);
    for (const f of pcap) t.ok(sim.transmit(f.bytes));
    await until('37 frames', () => run.frames.length >= 37);
    await run.stop();
    t.equal(run.frames.length, 37);
    // v3: the capture's own records; v2: the same with PROTOVER 2 and id 0x06.
    const want = pcap.map((f) => {
      const u = onUart(f.bytes, protover);
      u.splice(22, 1);
      const plen = (u[0]! | (u[1]! << 8)) - 1;
      return Buffer.from([0, plen & 0xff, plen >> 8, ...u.slice(2)]);
    });
    t.same(run.frames.map((f) => Buffer.from(f.bytes).toString('hex')), want.map((b) => b.toString('hex')), 'LINKTYPE 272 records as Nordic writes them');
    if (protover === 3) t.same(run.frames.map((f) => Buffer.from(f.bytes.subarray(1)).toString('hex')), pcap.map((f) => Buffer.from(f.bytes.subarray(1)).toString('hex')), 'identical to the capture after the board id');
    const ours = join(dir, 'ours.pcap');
    writeFileSync(ours, pcapFile(LINKTYPE_NORDIC_BLE, run.frames.map((f) => ({ tsSec: f.tsSec, tsNsec: f.tsNsec, bytes: f.bytes }))));
    t.same(tshark(ours), tshark(ADV), 'tshark reads the same fields from our output as from the capture');
    const dec = defaultFrameDecoder();
    const theirs = tshark(ADV).map((l) => l.split('\t'));
    run.frames.forEach((f, i) => {
      const d = dec.decode(f);
      const ll = d.layers.find((l) => l.name === 'btle') as BtleView | undefined;
      t.equal(ll?.advAString.toLowerCase(), theirs[i]![6], `frame ${i + 1} advertiser as tshark`);
      t.same(f.meta, { rssi: Number(theirs[i]![1]), channel: Number(theirs[i]![0]) });
    });
    t.equal(dec.counters.bugs, 0);
    checkAllowList(t, sim.received);
  });
}

t.test('follows an allow-listed device into its connection', async (t) => {
  const { cable } = setup(t);
  await cable.plug();
  const sim = new NrfBleSim(cable, 3);
  sim.attach();
  t.teardown(() => sim.detach());
  // The device the capture's CONNECT_IND goes to, as tshark reads it.
  const [addr, rxRandom] = execFileSync('tshark', ['-r', CONN, '-Y', 'btle.advertising_header.pdu_type==5', '-T', 'fields', '-e', 'btle.advertising_address', '-e', 'btle.advertising_header.randomized_rx'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.split('\t');
  const target = { address: addr!.toUpperCase(), random: rxRandom === '1' || rxRandom === 'True' };
  const run = runSource(nrfBleSource({ ...base, name: 'ble', path: cable.host, follow: [{ address: '11:22:33:44:55:66', random: false }, target] }));
  t.teardown(() => run.stop());
  await until('running', () => run.last().startsWith('running') && sim.scanning);
  const pcap = records(CONN);
  let data = 0;
  for (const f of pcap) {
    if (f.bytes[9]! < 37) {
      await until('REQ_FOLLOW', () => sim.follow !== undefined, 3000);
      data++;
    }
    t.ok(sim.transmit(f.bytes));
  }
  await until('all frames', () => run.frames.length >= pcap.length);
  await run.stop();
  const msb = addr!.split(':').map((h) => parseInt(h, 16));
  t.same(sim.follow, [...msb, target.random ? 1 : 0, 0], 'REQ_FOLLOW names the allow-listed device, MSB first, with its address type');
  t.equal(sim.commands.filter((c) => c === Id.REQ_FOLLOW).length, 1, 'one REQ_FOLLOW');
  t.ok(data > 200, `${data} data-channel packets followed`);
  t.same(run.frames.map((f) => Buffer.from(f.bytes.subarray(1)).toString('hex')), pcap.map((f) => Buffer.from(f.bytes.subarray(1)).toString('hex')));
  checkAllowList(t, sim.received, [sim.follow!]);
});

t.test('not following a device that is not allow-listed', async (t) => {
  const { cable } = setup(t);
  await cable.plug();
  const sim = new NrfBleSim(cable, 3);
  sim.attach();
  t.teardown(() => sim.detach());
  const run = runSource(nrfBleSource({ ...base, name: 'ble', path: cable.host, advChannels: [38], follow: [{ address: '11:22:33:44:55:66', random: false }] }));
  t.teardown(() => run.stop());
  await until('running', () => run.last().startsWith('running') && sim.scanning);
  t.same(sim.hopSeq, [38], 'pinned to channel 38');
  let sent = 0;
  for (const f of records(CONN)) if (sim.transmit(f.bytes)) sent++;
  await until('frames', () => run.frames.length >= sent);
  await new Promise((r) => setTimeout(r, 100));
  await run.stop();
  t.ok(sent > 0 && run.frames.every((f) => f.meta.channel === 38), `${sent} packets, all on 38`);
  t.equal(sim.follow, undefined, 'no REQ_FOLLOW');
  checkAllowList(t, sim.received);
});

t.test('wrong baud rate, wrong firmware, silence, unplug', async (t) => {
  const { cable } = setup(t);
  await cable.plug();
  let sim = new NrfBleSim(cable, 3);
  sim.attach();
  const first = async (o: Partial<Parameters<typeof nrfBleSource>[0]>): Promise<string> => {
    const run = runSource(nrfBleSource({ ...base, name: 'ble', path: cable.host, ...o }));
    await until('a retry', () => run.states.some((s) => s.startsWith('retrying')));
    await run.stop();
    return run.states.find((s) => s.startsWith('retrying'))!;
  };
  t.match(await first({ bauds: [460_800] }), /bytes from .* at 460800 baud but not one nRF Sniffer for Bluetooth LE frame: wrong baud rate/);
  sim.detach();
  await cable.unplug();
  await cable.plug();
  const other = new (class extends DongleSim {
    protected onBytes(): void {
      this.send(Buffer.from('4053800100038440534053c00e0015cd5b0700000502002ae03bc4804045', 'hex'));
    }
  })(cable);
  other.attach();
  t.match(await first({}), /wrong firmware on .*: it speaks TI Packet Sniffer 2 frames, not nRF Sniffer for Bluetooth LE/);
  other.detach();
  sim = new NrfBleSim(cable, 3);
  sim.attach();
  const run = runSource(nrfBleSource({ ...base, name: 'ble', path: cable.host }));
  t.teardown(() => run.stop());
  await until('running', () => run.last().startsWith('running') && sim.scanning);
  sim.silent = true;
  await until('silence reported', () => run.states.some((s) => /retrying: nRF Sniffer for Bluetooth LE on .* stopped answering/.test(s)));
  sim.silent = false;
  await until('running again', () => run.last().startsWith('running'));
  sim.detach();
  await cable.unplug();
  await until('unplug reported', () => run.states.some((s) => /(unplugged|does not exist)/.test(s)));
  await cable.plug();
  sim = new NrfBleSim(cable, 3);
  sim.attach();
  t.teardown(() => sim.detach());
  await until('running after replug', () => run.last().startsWith('running') && sim.scanning);
  sim.transmit(records(ADV)[0]!.bytes);
  await until('a frame after replug', () => run.frames.length === 1);
  checkAllowList(t, sim.received);
});
