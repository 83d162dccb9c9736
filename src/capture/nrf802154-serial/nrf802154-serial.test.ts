/**
 * The nRF Sniffer for 802.15.4 source against a simulated dongle on a socat
 * pseudo-terminal pair (test/support/sim-nrf802154.ts speaks the firmware's
 * shell): frames of a real capture go through the simulated radio, the
 * source, and the decoders, and must read as tshark reads the capture; the
 * source hops, notices a hung dongle, survives an unplug, says what is
 * wrong with a wrong port or firmware, and never writes a line outside the
 * allow-list of consts.ts.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ROUTES, defaultFrameDecoder, RouteTable } from '../../decode/index.js';
import { ZigbeeKeyring } from '../../analyze/zigbee/keyring.js';
import { ZigbeeOpener } from '../../analyze/zigbee/open.js';
import { capturesDir } from '../../../test/support/captures.js';
import type { RawFrame } from '../types.js';
import { DongleSim, PtyCable, runSource, until, type Running } from '../../../test/support/dongle-pty.js';
import { Nrf802154Sim } from '../../../test/support/sim-nrf802154.js';
import { diffRows, dropGenerated, ourRow, readFrames, tsharkRows } from '../../../test/support/tshark-zigbee.js';
import { ALLOWED_COMMANDS, LINKTYPE_NOFCS } from './consts.js';
import { nrf802154Source } from './index.js';

const CAPTURE = join(capturesDir(), 'zigbee_802154/wireshark-wiki_zigbee-join-authenticate.pcap');

const base = { probeAfterMs: 400, probeTimeoutMs: 300, answerTimeoutMs: 300, hopMs: 0, backoff: { initialMs: 50, maxMs: 200 }, hop: [] as number[] };

function setup(t: Test): { cable: PtyCable; sim: Nrf802154Sim } {
  const dir = mkdtempSync(join(tmpdir(), 'nrf802154-'));
  const cable = new PtyCable(dir);
  const sim = new Nrf802154Sim(cable);
  t.teardown(async () => {
    sim.detach();
    await cable.unplug();
    rmSync(dir, { recursive: true, force: true });
  });
  return { cable, sim };
}

/** Every line the dongle received is one of the allowed commands. */
function checkAllowList(t: Test, received: readonly number[]): void {
  const text = Buffer.from(received).toString('latin1');
  t.ok(text.endsWith('\r\n'), 'every command ends in CR LF');
  const lines = text.split('\r\n').slice(0, -1);
  t.ok(lines.length > 0, 'commands were sent');
  const bad = lines.filter((l) => !ALLOWED_COMMANDS.some((re) => re.test(l)));
  t.same(bad, [], `all ${lines.length} lines are on the allow-list`);
}

t.test('a real capture through the simulated dongle reads as tshark reads the file', async (t) => {
  const { cable, sim } = setup(t);
  await cable.plug();
  sim.attach();
  const run: Running = runSource(nrf802154Source({ ...base, name: 'zb', path: cable.host, channel: 15 }));
  t.teardown(() => run.stop());
  await until('running', () => run.last().startsWith('running') && sim.receiving);
  t.match(run.last(), /channel 15/);
  t.same(sim.commands.slice(0, 6), ['sleep', 'shell echo off', 'channel', 'channel 15', 'channel', 'receive'], 'the start sequence of the Nordic extcap');
  const { frames: pcap } = readFrames(CAPTURE);
  t.equal(pcap.length, 54);
  // The capture was taken with the FCS snapped off (caplen = len - 2); where it is there, it is cut here.
  const mpduOf = (f: RawFrame): Uint8Array => (f.origLen > f.bytes.length ? f.bytes : f.bytes.subarray(0, f.bytes.length - 2));
  let lqi = 100;
  for (const f of pcap) {
    // Off-channel frames are not heard: one copy on channel 20 first.
    sim.transmit({ mpdu: mpduOf(f), channel: 20, rssi: -70, lqi: 1 });
    t.ok(sim.transmit({ mpdu: mpduOf(f), channel: 15, rssi: -40 - (lqi % 30), lqi: lqi++ }));
  }
  await until('54 frames', () => run.frames.length >= 54).catch((e: Error) => t.fail(`${e.message}: ${run.frames.length} frames, anomalies ${run.anomalies.join(',')}, states ${run.states.join(' / ')}`));
  await run.stop();
  t.equal(run.frames.length, 54, 'only the frames on the channel listened to');
  const want = tsharkRows(CAPTURE);
  const dec = defaultFrameDecoder();
  const keyring = new ZigbeeKeyring({ networkKeys: [], linkKeys: [], installCodes: [], defaultTcLinkKey: true, maxKeys: 16, maxAddresses: 1024 });
  const opener = new ZigbeeOpener(keyring, new RouteTable(DEFAULT_ROUTES));
  const diffs: string[] = [];
  run.frames.forEach((f, i) => {
    t.equal(f.linkType, LINKTYPE_NOFCS);
    t.same(Buffer.from(f.bytes), Buffer.from(mpduOf(pcap[i]!)), `frame ${i + 1}: the MPDU without the FCS-position bytes`);
    t.same(f.meta, { rssi: -40 - ((100 + i) % 30), lqi: 100 + i, channel: 15 });
    const d = dec.decode(f);
    diffs.push(...diffRows(i + 1, ourRow(d, opener.open(d)), dropGenerated(d, want[i]!)));
  });
  t.same(diffs, [], 'every compared field as tshark shows the capture');
  t.equal(dec.counters.bugs, 0);
  t.same(run.anomalies, []);
  checkAllowList(t, sim.received);
});

t.test('hops over the configured channels', async (t) => {
  const { cable, sim } = setup(t);
  await cable.plug();
  sim.attach();
  const run = runSource(nrf802154Source({ ...base, name: 'zb', path: cable.host, channel: 11, hop: [15, 20, 25], hopMs: 150 }));
  t.teardown(() => run.stop());
  await until('hop to 25', () => run.last().includes('channel 25'));
  await until('hop back to 15', () => sim.channel === 15 && run.last().includes('channel 15'));
  const mpdu = Uint8Array.from([0x02, 0x00, 0x07]); // an ACK, sequence 7
  await until('a frame heard on 20', () => {
    sim.transmit({ mpdu, channel: 20, rssi: -50, lqi: 200 });
    return run.frames.some((f) => f.meta.channel === 20);
  });
  // A frame heard while a change is under way carries no channel: it could be from either.
  t.ok(run.frames.every((f) => f.meta.channel === 20 || f.meta.channel === undefined), 'frames carry the channel they were heard on, or none');
  t.ok(sim.commands.includes('channel 20') && sim.commands.includes('channel 25'));
  await run.stop();
  checkAllowList(t, sim.received);
});

t.test('a hung dongle is detected and picked up again; an unplugged one is reopened', async (t) => {
  const { cable, sim } = setup(t);
  await cable.plug();
  sim.attach();
  const run = runSource(nrf802154Source({ ...base, name: 'zb', path: cable.host, channel: 15 }));
  t.teardown(() => run.stop());
  await until('running', () => run.last().startsWith('running'));
  // Quiet channel: keep-alives are answered, the source stays running.
  const before = run.states.length;
  await new Promise((r) => setTimeout(r, 1200));
  t.equal(run.states.length, before, 'a quiet channel alone is not a failure');
  t.ok(sim.commands.filter((c) => c === 'channel').length >= 3, 'keep-alive queries were sent');
  sim.silent = true;
  await until('silence reported', () => run.states.some((s) => /retrying: .*stopped answering/.test(s)));
  sim.silent = false;
  await until('running again', () => run.last().startsWith('running'));
  // Unplug: socat dies, the link vanishes; the source retries with backoff until it is back.
  sim.detach();
  await cable.unplug();
  await until('unplug reported', () => run.states.some((s) => /retrying: .*(unplugged|does not exist)/.test(s)));
  await until('a retry that finds no port', () => run.states.some((s) => /does not exist: is the dongle plugged in/.test(s)));
  await cable.plug();
  sim.attach();
  await until('running after replug', () => run.last().startsWith('running'));
  sim.transmit({ mpdu: Uint8Array.from([0x02, 0x00, 0x09]), channel: 15, rssi: -60, lqi: 90 });
  await until('a frame after replug', () => run.frames.length === 1);
  await run.stop();
  t.match(run.last(), /^ended/);
  checkAllowList(t, sim.received);
});

t.test('wrong port and wrong firmware say so', async (t) => {
  const { cable, sim } = setup(t);
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['no such port', async () => '/dev/ttyACM-none', /does not exist/],
    ['not a tty', async () => '/dev/null', /not a serial port/],
    ['nothing answers', async () => { await cable.plug(); return cable.host; }, /no answer from .* wrong port, or the dongle does not run nRF Sniffer for 802.15.4 firmware/],
  ];
  for (const [name, path, want] of cases) {
    const run = runSource(nrf802154Source({ ...base, name: 'zb', path: await path(), channel: 15 }));
    await until(name, () => run.states.some((s) => s.startsWith('retrying')));
    await run.stop();
    t.match(run.states.find((s) => s.startsWith('retrying')), want, name);
  }
  // A dongle with another firmware: it answers every command with TI Packet Sniffer 2 frames (§3.5).
  void sim;
  await cable.unplug();
  await cable.plug();
  const other = new (class extends DongleSim {
    protected onBytes(): void {
      this.send(Buffer.from('4053800100038440534053c00e0015cd5b0700000502002ae03bc4804045', 'hex'));
    }
  })(cable);
  other.attach();
  t.teardown(() => other.detach());
  const run = runSource(nrf802154Source({ ...base, name: 'zb', path: cable.host, channel: 15 }));
  await until('wrong firmware', () => run.states.some((s) => s.startsWith('retrying')));
  await run.stop();
  t.comment(run.states.join(' / '));
  t.match(run.states.find((s) => s.startsWith('retrying')), /wrong firmware on .*: it speaks TI Packet Sniffer 2 frames, not nRF Sniffer for 802.15.4/);
});
