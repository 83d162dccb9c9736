/**
 * The Zigbee ward capture (scripts/ward/zigbee.ts): deterministic for a
 * seed; tshark, given only the default TC link key "ZigBeeAlliance09",
 * reads every frame with a good FCS and nothing malformed, decrypts the
 * Transport Key, learns the network key from it and decrypts everything
 * after it (only frames before the join stay encrypted). The sensor does
 * the same through `replay`: it recovers the key (and alerts on how it
 * travelled), names every node with vendor, model and software from ZDO and
 * ZCL Basic, and alerts on the injected join while the network is closed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { replayConfig, replayFiles } from '../src/analyze/replay.js';
import { deviceAttr } from '../src/telemetry/device.js';
import { writeZigbeeWardCapture, ZIGBEE_WARD, zigbeeWardFrames } from '../scripts/ward/zigbee.js';

const DEFAULT_TC = '5A6967426565416C6C69616E63653039'; // "ZigBeeAlliance09"

t.test('deterministic for a seed', async (t) => {
  const a = zigbeeWardFrames({ seed: 3, seconds: 60 });
  const b = zigbeeWardFrames({ seed: 3, seconds: 60 });
  const c = zigbeeWardFrames({ seed: 4, seconds: 60 });
  t.same(a.frames.map((f) => Buffer.from(f.bytes).toString('hex')), b.frames.map((f) => Buffer.from(f.bytes).toString('hex')));
  t.equal(a.networkKey, b.networkKey);
  t.not(a.networkKey, c.networkKey, 'another seed, another network key');
});

t.test('Zigbee ward capture through tshark and replay', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zigbee-ward-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'zigbee.pcap');
  const n = writeZigbeeWardCapture(file, { seed: 5 });
  t.equal(readFileSync(file).readUInt32LE(20), 195, 'LINKTYPE_IEEE802_15_4_WITHFCS');
  const rows = execFileSync('tshark', ['-r', file, '-n', '-o', `uat:zigbee_pc_keys:"${DEFAULT_TC}","Normal","TC"`, '-T', 'fields', '-E', 'separator=|',
    '-e', 'frame.number', '-e', 'wpan.fcs_ok', '-e', '_ws.malformed', '-e', '_ws.expert.message', '-e', 'zbee_aps.cmd.id', '-e', 'zbee_zcl.attr.str'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').map((l) => l.split('|'));
  t.equal(rows.length, n, 'tshark reads every frame');
  t.same(rows.filter((r) => r[1] !== '1').map((r) => r[0]), [], 'every FCS good');
  t.same(rows.filter((r) => r[2] !== '').map((r) => r[0]), [], 'nothing malformed');
  const tk = rows.find((r) => r[4] === '0x05');
  t.ok(tk, 'tshark decrypts the Transport Key under the default TC link key');
  const undecrypted = rows.filter((r) => r[3]!.includes('Encrypted Payload')).map((r) => Number(r[0]));
  t.ok(undecrypted.length > 0, 'frames before the join stay encrypted');
  t.ok(undecrypted.every((x) => x < Number(tk![0])), 'everything after the Transport Key decrypts with the key it carried');
  t.same(rows.filter((r) => r[3] !== '' && !r[3]!.includes('Encrypted Payload')).map((r) => r.join('|')), [], 'no other expert message');
  const strings = new Set(rows.flatMap((r) => (r[5] === '' ? [] : r[5]!.split(','))));
  for (const node of ZIGBEE_WARD.nodes.filter((x) => x.role !== 'coordinator')) t.ok(strings.has(node.model) && strings.has(node.swBuild), `tshark reads ${node.name}'s Basic report`);

  const s = await replayFiles({ files: [file], config: replayConfig({ inventory: { learning_period_s: 0 } }) });
  t.same(s.bugs, []);
  t.equal(s.frames, n);
  for (const node of ZIGBEE_WARD.nodes) {
    const d = s.devices.find((x) => x.ids.some((i) => i.kind === 'ieee802154' && i.value === node.ieee));
    t.ok(d, `${node.name} is one device`);
    if (d === undefined) continue;
    t.ok(d.ids.some((i) => i.kind === 'ieee802154Short' && i.value === `0x${node.short.toString(16).padStart(4, '0')}`), `${node.name}: short and IEEE addresses merged`);
    if (node.role === 'coordinator') continue;
    t.same([deviceAttr(d, 'vendor'), deviceAttr(d, 'model'), deviceAttr(d, 'software')], [node.manufacturer, node.model, node.swBuild], `${node.name}: vendor, model, software`);
    t.equal(deviceAttr(d, 'role'), node.role, `${node.name}: role`);
    if (node.battery) t.ok(Number(deviceAttr(d, 'battery')) > 0, `${node.name}: battery`);
  }
  t.equal(s.devices.filter((d) => d.ids.every((i) => i.kind === 'ieee802154Short')).length, 0, 'no node left known by its short address only');
  const codes = s.alerts.map((a) => a.def.code);
  const joiner = ZIGBEE_WARD.nodes[ZIGBEE_WARD.nodes.length - 1]!;
  t.ok(s.alerts.some((a) => a.def.code === 'zigbee.key_transport_default_tc_key' && String(a.input.device).includes(joiner.ieee)), 'key transported under ZigBeeAlliance09, against the joiner');
  t.ok(s.alerts.some((a) => a.def.code === 'zigbee.join_while_closed' && String(a.input.device).includes(ZIGBEE_WARD.rogue)), 'the injected rogue join');
  t.notOk(codes.includes('zigbee.frame_counter_replay'), 'frame counters only grow');
  t.notOk(codes.includes('zigbee.unencrypted_nwk_data'), 'all NWK data secured');
});
