/**
 * The zigbee analyzer, sighting source, keyring and AES-CCM*: known
 * vectors, key recovery on the real Control4 capture (its clear Transport
 * Key), alerts and inventory from a replay of every shared 802.15.4
 * capture, and the alert rules on built frames.
 */
import { join } from 'node:path';
import t from 'tap';
import { ccmStarDecrypt, ccmStarEncrypt, DEFAULT_TC_LINK_KEY, installCodeKey, keyTransportKey, zigbeeNonce } from './ccm.js';
import { ZigbeeKeyring } from './keyring.js';
import { ZigbeeOpener } from './open.js';
import { ZigbeeAnalyzer, ZigbeeContext, zigbeeOptions } from './index.js';
import { replayFiles } from '../replay.js';
import { replayConfig } from '../replay-config.js';
import { DEFAULT_ROUTES, defaultFrameDecoder, RouteTable } from '../../decode/index.js';
import { BatchSink } from '../sink.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { capturesDir } from '../../../test/support/captures.js';
import { readFrames } from '../../../test/support/tshark-zigbee.js';
import { apsCommand, apsData, macFrame, nwkFrame, nwkSecured, transportNetworkKey, zclGlobal, zclRecords, zclString } from '../../../test/builders/ieee802154.js';

const CONTROL4 = join(capturesDir(), 'zigbee_802154/killerbee_control4-sample.pcap');

t.test('install code -> link key (AN1089 vector) and the MMO keyed hash', async (t) => {
  t.equal(installCodeKey(Buffer.from('83FED3407A939723A5C639B26916D505C3B5', 'hex')).toString('hex'), '66b6900981e1ee3ca4206b6b861c02bb');
  t.equal(keyTransportKey(DEFAULT_TC_LINK_KEY).length, 16);
  t.not(keyTransportKey(DEFAULT_TC_LINK_KEY).toString('hex'), DEFAULT_TC_LINK_KEY.toString('hex'));
});

t.test('CCM*: every MIC length round-trips, a wrong key or MIC fails, M=0 is CTR', async (t) => {
  const key = Buffer.alloc(16, 7);
  const nonce = zigbeeNonce(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 0, 0x01020304, 0x28, 5);
  t.same([...nonce.subarray(8)], [4, 3, 2, 1, 0x2d], 'counter little-endian, level written into the control byte');
  const a = Buffer.from('header');
  const m = Buffer.from('a ZCL report');
  for (const mic of [4, 8, 16]) {
    const c = ccmStarEncrypt(key, nonce, a, m, mic);
    t.same(ccmStarDecrypt(key, nonce, a, c.subarray(0, m.length), c.subarray(m.length)), m, `MIC ${mic}`);
    t.equal(ccmStarDecrypt(Buffer.alloc(16, 8), nonce, a, c.subarray(0, m.length), c.subarray(m.length)), undefined, `wrong key, MIC ${mic}`);
    const bad = Buffer.from(c);
    bad[0]! ^= 1;
    t.equal(ccmStarDecrypt(key, nonce, a, bad.subarray(0, m.length), bad.subarray(m.length)), undefined, `altered, MIC ${mic}`);
  }
  const enc = ccmStarEncrypt(key, nonce, a, m, 4).subarray(0, m.length);
  t.same(ccmStarDecrypt(key, nonce, a, enc, new Uint8Array(0)), m, 'M=0: the same key stream, no MIC');
});

t.test('keyring bounds', async (t) => {
  const kr = new ZigbeeKeyring({ networkKeys: [], linkKeys: [], installCodes: [], defaultTcLinkKey: true, maxKeys: 4, maxAddresses: 2 });
  for (let i = 0; i < 5; i++) kr.addNetworkKey(Buffer.alloc(16, i), 'recovered_cleartext', 1);
  t.equal(kr.networkKeys.length + kr.linkKeys.length, 4, 'capped');
  t.equal(kr.evictedKeys, 2, 'evictions counted');
  t.notOk(kr.addNetworkKey(Buffer.alloc(16, 4), 'recovered_cleartext', 1), 'a key held already is not added');
  const ieee = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  kr.learn(1, 1, ieee, 0);
  kr.learn(1, 2, ieee, 0);
  kr.learn(1, 3, ieee, 0);
  t.equal(kr.addressCount, 2);
  t.equal(kr.evictedAddresses, 1);
  t.equal(kr.lookup(1, 1), undefined, 'the oldest went first');
  t.same([...kr.lookup(1, 3)!], [...ieee]);
});

t.test('key recovery: the Control4 capture gives its network key away, the rest decrypts', async (t) => {
  const { frames } = readFrames(CONTROL4);
  const kr = new ZigbeeKeyring({ networkKeys: [], linkKeys: [], installCodes: [], defaultTcLinkKey: false, maxKeys: 8, maxAddresses: 256 });
  const opener = new ZigbeeOpener(kr, new RouteTable(DEFAULT_ROUTES));
  const dec = defaultFrameDecoder();
  let recoveredAt = -1;
  let before = 0;
  let after = 0;
  let failedAfter = 0;
  frames.forEach((f, i) => {
    const o = opener.open(dec.decode(f));
    if (o.recoveredKey !== undefined && recoveredAt < 0) recoveredAt = i + 1;
    if (o.nwkSec === 'decrypted') (recoveredAt < 0 ? before++ : after++);
    if (o.nwkSec === 'undecryptable' && recoveredAt >= 0) failedAfter++;
  });
  t.equal(recoveredAt, 151, 'frame 151 carries the key');
  t.equal(kr.networkKeys[0]?.key.toString('hex'), '26546b723b396a727b5d5271517d392f');
  t.equal(kr.networkKeys[0]?.origin, 'recovered_cleartext');
  t.equal(before, 0, 'nothing decrypts before');
  t.ok(after >= 100, `${after} NWK frames decrypt after`);
  t.equal(failedAfter, 0, 'every secured frame after it decrypts');
});

async function replay(file: string, ti = false, overrides: Record<string, unknown> = {}) {
  const s = await replayFiles({ files: [join(capturesDir(), file)], ...(ti ? { fcsFormat: 'ti-cc24xx' as const } : {}), config: replayConfig({ inventory: { learning_period_s: 0 }, ...overrides }) });
  const codes: Record<string, number> = {};
  for (const a of s.alerts) if (a.def.code.startsWith('zigbee.') || a.def.code.startsWith('ieee802154.')) codes[a.def.code] = (codes[a.def.code] ?? 0) + a.count;
  return { s, codes };
}

t.test('replay of the shared captures: alerts', async (t) => {
  t.same((await replay('zigbee_802154/killerbee_control4-sample.pcap')).codes, { 'zigbee.key_transport_cleartext': 1 });
  t.same((await replay('zigbee_802154/wireshark-wiki_zigbee_gppb_bidirectional_commissioning.pcap')).codes, { 'zigbee.key_transport_default_tc_key': 1 });
  t.same((await replay('zigbee_802154/whad_zigbee_touchlink_provisioning.pcap')).codes, { 'zigbee.touchlink_unknown_initiator': 1 });
  t.same((await replay('zigbee_802154/whad_zigbee_touchlink_provisioning.pcap', false, { zigbee: { touchlink_initiators: ['000B57FFFE209D2A'] } })).codes, {}, 'a known initiator is quiet');
  t.same((await replay('ieee802154_medical/medtronic6xx_remote_bolus.pcap', true)).codes, { 'ieee802154.insulin_pump_new_peer': 2 }, 'the meter and the CGM transmitter');
  t.same((await replay('ieee802154_medical/medtronic6xx_pump_beaconing.pcap', true)).codes, {}, 'an idle pump raises nothing');
  t.same((await replay('ieee802154_medical/medtronic6xx_autoconnect_CNL24.pcap', true)).codes, { 'ieee802154.insulin_pump_new_peer': 1 });
});

t.test('replay: the inventory gets the nodes through the sighting seam', async (t) => {
  const { s } = await replay('zigbee_802154/killerbee_control4-sample.pcap');
  const byId = new Map(s.devices.map((d) => [d.ids.map((i) => `${i.kind}:${i.value}${i.extra === undefined ? '' : '@' + i.extra}`).join(' '), d]));
  const coord = [...byId.entries()].find(([k]) => k.startsWith('ieee802154:000fff00001f0222'));
  t.ok(coord, 'the coordinator by IEEE address');
  t.match(coord![0], /ieee802154Short:0x0000@13145/, 'also known by its short address on PAN 0x3359');
  const attrs = Object.fromEntries(coord![1].attrs.map((a) => [a.name, a.value]));
  t.equal(attrs['role'], 'coordinator');
  t.equal(attrs['associated'], '0x3359');
  const pump = (await replay('ieee802154_medical/medtronic6xx_remote_bolus.pcap', true)).s.devices;
  t.equal(pump.length, 3, 'pump, meter and CGM transmitter');
  const p = pump.find((d) => d.ids[0]!.value === '0023f746080f6805')!;
  t.same(Object.fromEntries(p.attrs.filter((a) => ['class', 'vendor', 'role'].includes(a.name)).map((a) => [a.name, a.value])), { role: 'coordinator', vendor: 'Medtronic', class: 'insulin-pump' });
  t.ok(pump.every((d) => d.attrs.some((a) => a.name === 'associated' && a.value === '0xe26b')), 'all on PAN 0xe26b');
});

/** A harness over built frames: decode, open, analyze. */
function harness(overrides: Record<string, unknown> = {}) {
  const config = replayConfig(overrides);
  const ctx = new ZigbeeContext(config);
  const an = new ZigbeeAnalyzer(zigbeeOptions(config), ctx);
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const dec = defaultFrameDecoder();
  const alerts: string[] = [];
  let time = 1000;
  const feed = (bytes: Uint8Array, dt = 1): void => {
    time += dt;
    an.onFrame(dec.decode({ tsSec: time, tsNsec: 0, source: 't', linkType: 230, bytes, origLen: bytes.length, meta: {} }), sink);
    for (const a of sink.drain().alerts) alerts.push(a.def.code);
  };
  return { an, feed, alerts, ctx };
}

const PAN = 0x1aab;
const E1 = '00124b0001020304';
const E2 = '00124b00aabbccdd';
const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const data = (src: number, payload: number[]): Uint8Array => macFrame({ type: 1, panIdCompression: true, dstPan: PAN, dst: 0, src }, payload, false);
const beacon = (permit: boolean): Uint8Array =>
  macFrame({ type: 0, srcPan: PAN, src: 0 }, [0xff, permit ? 0xcf : 0x4f, 0, 0, 0, 0x22, 0x84, ...[1, 2, 3, 4, 5, 6, 7, 8], 0xff, 0xff, 0xff, 0], false);

t.test('join while closed, and not while open', async (t) => {
  const h = harness();
  h.feed(beacon(false));
  h.feed(macFrame({ type: 3, dstPan: PAN, dst: 0, srcPan: 0xffff, src: E1 }, [0x01, 0x8e], false));
  t.same(h.alerts, ['zigbee.join_while_closed']);
  const o = harness();
  o.feed(beacon(true));
  o.feed(macFrame({ type: 3, dstPan: PAN, dst: 0, srcPan: 0xffff, src: E1 }, [0x01, 0x8e], false));
  t.same(o.alerts, []);
});

t.test('frame counter going backwards, key re-sent resets it', async (t) => {
  const h = harness({ zigbee: { network_keys: [KEY.toString('hex')] } });
  const report = apsData(0x0402, 0x0104, 1, 1, 1, zclGlobal(1, 0x0a, zclRecords([[0, 0x29, [0x10, 0x08]]])));
  h.feed(data(0x1001, nwkSecured({ dst: 0, src: 0x1001 }, report, KEY, E1, 100)));
  h.feed(data(0x1001, nwkSecured({ dst: 0, src: 0x1001 }, report, KEY, E1, 101)));
  t.same(h.alerts, []);
  h.feed(data(0x1001, nwkSecured({ dst: 0, src: 0x1001 }, report, KEY, E1, 50)));
  t.same(h.alerts, ['zigbee.frame_counter_replay']);
  t.equal(h.ctx.opener.decrypted, 3, 'decrypted with the configured key');
});

t.test('unencrypted application data on a secured network', async (t) => {
  const h = harness({ zigbee: { network_keys: [KEY.toString('hex')] } });
  const report = apsData(0x0006, 0x0104, 1, 1, 1, zclGlobal(1, 0x0a, []));
  h.feed(data(0x1001, nwkFrame({ dst: 0, src: 0x1001 }, report)));
  t.same(h.alerts, [], 'not before the PAN is known to be secured');
  h.feed(data(0x1001, nwkSecured({ dst: 0, src: 0x1001 }, report, KEY, E1, 1)));
  h.feed(data(0x1001, nwkFrame({ dst: 0, src: 0x1001 }, apsCommand(1, transportNetworkKey(KEY, 0, E2, E1)))));
  t.same(h.alerts, ['zigbee.key_transport_cleartext'], 'key transport is not application data');
  h.feed(data(0x1001, nwkFrame({ dst: 0, src: 0x1001 }, report)));
  t.same(h.alerts, ['zigbee.key_transport_cleartext', 'zigbee.unencrypted_nwk_data']);
});

t.test('rejoin storm, new coordinator, PAN id conflict', async (t) => {
  const h = harness({ zigbee: { storm_per_minute: 3 } });
  h.feed(beacon(true));
  for (let i = 0; i < 5; i++) h.feed(data(0x2000 + i, [0x09, 0x00, 0, 0, 0x00, 0x20 + i, 1, i, 0x06, 0x8e]));
  t.same(h.alerts, ['zigbee.rejoin_storm']);
  h.feed(macFrame({ type: 0, srcPan: PAN, src: 0x0001 }, [0xff, 0xcf, 0, 0, 0, 0x22, 0x84, 9, 9, 9, 9, 9, 9, 9, 9, 0xff, 0xff, 0xff, 0], false));
  t.same(h.alerts.slice(1), ['zigbee.new_coordinator', 'zigbee.pan_id_conflict']);
});

t.test('sighting: ZCL Basic attributes and Device Announce through a replay of built frames', async (t) => {
  const h = harness();
  const basic = zclGlobal(5, 0x0a, zclRecords([[0x0004, 0x42, zclString('Acme')], [0x0005, 0x42, zclString('BedSense 2')], [0x4000, 0x42, zclString('1.2.3')]]));
  const { ZigbeeSightingSource } = await import('./sighting.js');
  const src = new ZigbeeSightingSource(h.ctx);
  const dec = defaultFrameDecoder();
  const out: unknown[] = [];
  const bytes = data(0x1001, nwkFrame({ dst: 0, src: 0x1001 }, apsData(0, 0x0104, 1, 1, 1, basic)));
  const f = dec.decode({ tsSec: 1, tsNsec: 0, source: 't', linkType: 230, bytes, origLen: bytes.length, meta: { channel: 15 } });
  src.extract(f.layers[0]!, f, (s) => out.push(s));
  const flat = JSON.stringify(out);
  for (const want of ['"model"', '"BedSense 2"', '"software"', '"1.2.3"', '"zigbee.model"', '"zigbee.sw_build"', '"channel"', '"15"']) t.match(flat, want);
});
