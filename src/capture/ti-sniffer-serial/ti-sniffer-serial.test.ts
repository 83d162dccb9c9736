/**
 * The TI Packet Sniffer 2 source against a simulated board on a socat
 * pseudo-terminal pair (test/support/sim-ti-sniffer.ts): the Control4
 * capture goes on air, through the simulated firmware, the source and the
 * decoders, and must read as tshark reads the file (with the network key its
 * clear Transport Key gives). Both baud rates of the reference are proved
 * against a simulator that only understands its own speed: 921 600 (found by
 * probing after 3 000 000 failed) and 3 000 000 (the first probe). Every
 * byte the source wrote is parsed back and checked against the allow-list.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ROUTES, defaultFrameDecoder, RouteTable } from '../../decode/index.js';
import { ZigbeeKeyring } from '../../analyze/zigbee/keyring.js';
import { ZigbeeOpener } from '../../analyze/zigbee/open.js';
import { capturesDir } from '../../../test/support/captures.js';
import { DongleSim, PtyCable, runSource, until } from '../../../test/support/dongle-pty.js';
import { CC1352P1, tiPacket, TiSnifferSim } from '../../../test/support/sim-ti-sniffer.js';
import { diffRows, dropGenerated, ourRow, readFrames, tsharkRows } from '../../../test/support/tshark-zigbee.js';
import { ALLOWED_COMMANDS, channelMhz, Cmd, commandFrame, fcs, LINKTYPE_WITHFCS, PHY_IEEE_802154_CC1352P } from './consts.js';
import { TiParser, tiSnifferSource } from './index.js';

const CAPTURE = join(capturesDir(), 'zigbee_802154/killerbee_control4-sample.pcap');
const CONTROL4_NWK_KEY = '26546b723b396a727b5d5271517d392f';
const DOC = join(capturesDir(), '../reference/dongle-protocols.md');

const base = { probeAfterMs: 400, probeTimeoutMs: 300, answerTimeoutMs: 300, hopMs: 0, backoff: { initialMs: 50, maxMs: 200 }, hop: [] as number[], phy: PHY_IEEE_802154_CC1352P };

function setup(t: Test): PtyCable {
  const dir = mkdtempSync(join(tmpdir(), 'ti-sniffer-'));
  const cable = new PtyCable(dir);
  t.teardown(async () => {
    await cable.unplug();
    rmSync(dir, { recursive: true, force: true });
  });
  return cable;
}

/** Parses everything the board received: nothing but well-formed commands from the allow-list, with sane arguments. */
function checkAllowList(t: Test, received: readonly number[], phy: number): void {
  const parser = new TiParser();
  const units = parser.push(Uint8Array.from(received));
  t.equal(parser.skipped, 0, 'no byte outside a command frame');
  t.ok(units.length > 0, 'commands were sent');
  const bad: string[] = [];
  for (const u of units) {
    if (!u.fcsOk) bad.push(`bad FCS on 0x${u.info.toString(16)}`);
    if (!ALLOWED_COMMANDS.has(u.info)) bad.push(`command 0x${u.info.toString(16)} not allowed`);
    if (u.info === Cmd.CFG_FREQUENCY) {
      const mhz = u.payload[0]! | (u.payload[1]! << 8);
      if (u.payload.length !== 4 || mhz < 2405 || mhz > 2480 || (mhz - 2405) % 5 !== 0 || u.payload[2] !== 0 || u.payload[3] !== 0) bad.push(`CFG_FREQUENCY ${[...u.payload]}`);
    }
    if (u.info === Cmd.CFG_PHY && (u.payload.length !== 1 || u.payload[0] !== phy)) bad.push(`CFG_PHY ${[...u.payload]}`);
    if ((u.info === Cmd.PING || u.info === Cmd.START || u.info === Cmd.STOP) && u.payload.length !== 0) bad.push(`payload on 0x${u.info.toString(16)}`);
  }
  t.same(bad, [], `all ${units.length} commands are allowed`);
}

t.test('frames and commands match the reference examples byte for byte', async (t) => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(DOC, 'utf8');
  const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');
  for (const [name, bytes] of [
    ['PING', commandFrame(Cmd.PING)], ['START', commandFrame(Cmd.START)], ['STOP', commandFrame(Cmd.STOP)],
    ['CFG_PHY 0x12', commandFrame(Cmd.CFG_PHY, [0x12])], ['CFG_FREQUENCY 2405', commandFrame(Cmd.CFG_FREQUENCY, [0x65, 0x09, 0, 0])],
  ] as const) t.ok(doc.includes(hex(bytes)), `${name} ${hex(bytes)} is in dongle-protocols.md §3.5`);
  const b = CC1352P1;
  t.ok(doc.includes(hex(tiPacket(0x80, [0, b.chipId & 0xff, b.chipId >> 8, b.chipRev, b.fwId, b.fwRev & 0xff, b.fwRev >> 8]))), 'the simulator PING response is the reference one');
  t.equal(channelMhz(11), 2405);
  t.equal(channelMhz(26), 2480);
  t.equal(fcs(0x45, Uint8Array.from([0x62, 0x09, 0, 0])), 0xb4);
  // The reference's data packet (§3.5): an ACK with FCS, RSSI -60, CRC OK.
  const p = new TiParser();
  const units = p.push(Buffer.from('4053C00E0015CD5B0700000502002AE03BC4804045'.slice(0, 20), 'hex'));
  t.same(units, [], 'half a packet waits');
  const [u] = p.push(Buffer.from('4053C00E0015CD5B0700000502002AE03BC4804045'.slice(20), 'hex'));
  t.equal(u?.info, 0xc0);
  t.equal(u?.payload.length, 14);
});

t.test('921600 baud, found by probing: the Control4 capture through the simulated board reads as tshark reads it', async (t) => {
  const cable = setup(t);
  await cable.plug();
  const sim = new TiSnifferSim(cable, 921_600);
  sim.attach();
  t.teardown(() => sim.detach());
  const run = runSource(tiSnifferSource({ ...base, name: 'ti', path: cable.host, channel: 15 }));
  t.teardown(() => run.stop());
  await until('running', () => run.last().startsWith('running'));
  t.match(run.last(), /at 921600 baud, chip 0x1353 rev 0x21, firmware 0x50 1\.10, channel 15/);
  t.equal(sim.phy, 0x12);
  t.equal(sim.mhz, 2425);
  const { frames: pcap } = readFrames(CAPTURE);
  t.equal(pcap.length, 407);
  pcap.forEach((f, i) => {
    sim.transmit(f.bytes, 2420, -90); // channel 14: not heard
    t.ok(sim.transmit(f.bytes, 2425, -30 - (i % 60)), `frame ${i + 1} on air`);
  });
  await until('407 frames', () => run.frames.length >= 407);
  await run.stop();
  t.equal(run.frames.length, 407);
  const want = tsharkRows(CAPTURE, { keys: [CONTROL4_NWK_KEY] });
  const dec = defaultFrameDecoder();
  const keyring = new ZigbeeKeyring({ networkKeys: [CONTROL4_NWK_KEY], linkKeys: [], installCodes: [], defaultTcLinkKey: true, maxKeys: 16, maxAddresses: 1024 });
  const opener = new ZigbeeOpener(keyring, new RouteTable(DEFAULT_ROUTES));
  const diffs: string[] = [];
  let sameBytes = 0;
  run.frames.forEach((f, i) => {
    if (f.linkType === LINKTYPE_WITHFCS && Buffer.from(f.bytes).equals(Buffer.from(pcap[i]!.bytes))) sameBytes++;
    if (f.meta.rssi !== -30 - (i % 60) || f.meta.channel !== 15) diffs.push(`#${i + 1} meta ${JSON.stringify(f.meta)}`);
    const d = dec.decode(f);
    diffs.push(...diffRows(i + 1, ourRow(d, opener.open(d)), dropGenerated(d, want[i]!)));
  });
  t.equal(sameBytes, 407, 'every frame as LINKTYPE 195, byte for byte, FCS included');
  t.same(diffs.slice(0, 20), [], `field disagreements with tshark (${diffs.length})`);
  t.same(Object.fromEntries(dec.counters.byCode), { 'ieee802154.bad_fcs': 30 }, 'the 30 bad-FCS frames of the capture are counted, not believed');
  t.ok(opener.decrypted > 0, `${opener.decrypted} NWK payloads decrypted`);
  checkAllowList(t, sim.received, 0x12);
});

t.test('3000000 baud, the first probe; hopping; an RX overflow is counted', async (t) => {
  const cable = setup(t);
  await cable.plug();
  const sim = new TiSnifferSim(cable, 3_000_000);
  sim.attach();
  t.teardown(() => sim.detach());
  const run = runSource(tiSnifferSource({ ...base, name: 'ti', path: cable.host, channel: 11, hop: [11, 15], hopMs: 150 }));
  t.teardown(() => run.stop());
  await until('running', () => run.last().startsWith('running'));
  t.match(run.last(), /at 3000000 baud/);
  const ack = Uint8Array.from([0x02, 0x00, 0x2a, 0xe0, 0x3b]); // §3.5's ACK, FCS E0 3B
  await until('a frame heard on 15', () => {
    sim.transmit(ack, 2425, -60);
    return run.frames.length > 0;
  });
  t.same(run.frames[0]!.meta, { rssi: -60, channel: 15 });
  const d = defaultFrameDecoder().decode(run.frames[0]!);
  t.equal(d.anomaly, undefined, 'the FCS checks');
  sim.overflow();
  await until('overflow counted', () => run.anomalies.includes('ti_sniffer.rx_overflow'));
  await run.stop();
  // STOP, PING, CFG_PHY, CFG_FREQUENCY, START; then each hop STOP, CFG_FREQUENCY, START; PING as keep-alive.
  t.same(sim.commands.slice(0, 8), [0x42, 0x40, 0x47, 0x45, 0x41, 0x42, 0x45, 0x41]);
  checkAllowList(t, sim.received, 0x12);
});

t.test('wrong baud rate, wrong PHY, wrong firmware', async (t) => {
  const cable = setup(t);
  await cable.plug();
  const sim = new TiSnifferSim(cable, 3_000_000);
  sim.attach();
  const first = async (o: Partial<Parameters<typeof tiSnifferSource>[0]>): Promise<string> => {
    const run = runSource(tiSnifferSource({ ...base, name: 'ti', path: cable.host, channel: 15, ...o }));
    await until('a retry', () => run.states.some((s) => s.startsWith('retrying')));
    await run.stop();
    return run.states.find((s) => s.startsWith('retrying'))!;
  };
  t.match(await first({ bauds: [921_600] }), /bytes from .* at 921600 baud but not one TI Packet Sniffer 2 frame: wrong baud rate/);
  t.match(await first({ phy: 25 }), /refused the start sequence: CFG_PHY 0x19 answered with status 5 \(invalid parameter\): set phy/);
  checkAllowList(t, sim.received, 25);
  sim.detach();
  // Another firmware on the port: the nRF 802.15.4 shell answers binary with "command not found".
  const other = new (class extends DongleSim {
    protected onBytes(): void {
      this.send('\r\n@S: command not found\r\n');
    }
  })(cable);
  other.attach();
  t.teardown(() => other.detach());
  t.match(await first({}), /wrong firmware on .*: it speaks the nRF Sniffer for 802.15.4 text shell, not TI Packet Sniffer 2/);
});

t.test('a hung board is detected, an unplugged one reopened', async (t) => {
  const cable = setup(t);
  await cable.plug();
  let sim = new TiSnifferSim(cable, 921_600);
  sim.attach();
  const run = runSource(tiSnifferSource({ ...base, name: 'ti', path: cable.host, channel: 20 }));
  t.teardown(() => run.stop());
  await until('running', () => run.last().startsWith('running'));
  sim.silent = true;
  await until('silence reported', () => run.states.some((s) => /retrying: TI Packet Sniffer 2 on .* stopped answering/.test(s)));
  sim.silent = false;
  await until('running again', () => run.last().startsWith('running'));
  sim.detach();
  await cable.unplug();
  await until('unplug reported', () => run.states.some((s) => /(unplugged|does not exist)/.test(s)));
  await cable.plug();
  sim = new TiSnifferSim(cable, 921_600);
  sim.attach();
  t.teardown(() => sim.detach());
  await until('running after replug', () => run.last().startsWith('running') && sim.state === 'started');
  sim.transmit(Uint8Array.from([0x02, 0x00, 0x2a, 0xe0, 0x3b]), 2450, -44);
  await until('a frame after replug', () => run.frames.length === 1);
  t.same(run.frames[0]!.meta, { rssi: -44, channel: 20 });
});
