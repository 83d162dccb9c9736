/**
 * `iomt-sensor inventory` with its class column and `--explain DEVICE`, and
 * `watch` showing the class: devices made by the real inventory from frames
 * (builders + a test SightingSource), stored in a real LevelDB state
 * directory, read back by the built CLI in a child process.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InventoryAnalyzer, type SightingSource } from '../src/analyze/inventory/index.js';
import { BatchSink } from '../src/analyze/sink.js';
import { AlertGate } from '../src/alerts/gate.js';
import { AlertCatalogue } from '../src/alerts/catalogue.js';
import { OuiRegistry } from '../src/identify/oui.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { LINKTYPE_ETHERNET } from '../src/decode/routes.js';
import type { UdpView } from '../src/decode/udp/index.js';
import { Store } from '../src/store/store.js';
import { encodeMessage, timeNow } from '../src/telemetry/envelope.js';
import { decodeTelemetry } from '../src/telemetry/index.js';
import { describe } from '../src/telemetry/watch.js';
import { ethernet, ipv4, rawFrame, udp } from './builders/frames.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');

const PUMP = 'f8:c6:78:00:00:01';
const SWAPPED = 'f8:c6:78:00:00:02';
const PHONE = '02:00:00:00:00:03';

/** `key=value` lines in UDP port 6767 payloads: `hostname` an attribute, the rest facts. */
const lines: SightingSource = {
  name: 'lines',
  layers: ['udp'],
  extract(layer, _frame, emit) {
    const u = layer as UdpView;
    if (u.dstPort !== 6767) return;
    for (const l of new TextDecoder().decode(u.bytes.subarray(u.payloadOffset, u.payloadEnd)).split('\n')) {
      const [key, value] = [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)];
      if (key === 'hostname') emit({ subject: 'sender', attrs: [['hostname', { value, proto: 'dhcp', field: 'option 12', time: 0, confidence: 3, source: 'eth0' }]] });
      else if (key !== '') emit({ subject: 'sender', facts: [{ key, value }] });
    }
  },
};

async function buildState(dir: string): Promise<void> {
  const inv = new InventoryAnalyzer({ maxDevices: 100, learningPeriodS: 0, deltaIntervalS: 0, maxIpsPerDevice: 4 }, new OuiRegistry(), [lines]);
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const dec = defaultFrameDecoder();
  let ts = 1_700_000_000;
  const send = (mac: string, ip: string, text: string): void => {
    const bytes = ethernet({ src: mac, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0800 }, ipv4({ src: ip, dst: '10.0.0.1', proto: 17 }, udp({ sport: 6768, dport: 6767 }, new TextEncoder().encode(text))));
    inv.onFrame(dec.decode({ ...rawFrame(bytes, LINKTYPE_ETHERNET, bytes.length, 'eth0'), tsSec: ts++, tsNsec: 0 }), sink);
  };
  send(PUMP, '10.0.0.7', 'dhcp.vendor_class=CareFusion Alaris\nhostname=ALARIS-0412\ndhcp.prl=1,3,6,12,15,28,42');
  send(SWAPPED, '10.0.0.8', 'dhcp.vendor_class=CareFusion Alaris\nhostname=ALARIS-0413');
  send(PHONE, '10.0.0.9', 'hostname=Galaxy-S9\ndhcp.vendor_class=MSFT 5.0');
  inv.onTick(ts, sink);
  send(SWAPPED, '10.0.0.8', 'dhcp.vendor_class=MSFT 5.0\nhostname=LAPTOP-7\ndhcp.prl=1,3,6,15,31,33,43,44,46,47,119,121,249,252');
  inv.flush(sink);
  const ops = sink.drain().ops;
  const store = await Store.open(dir);
  await store.batch(ops.filter((o) => o.area === 'devices').map((o) => (o.type === 'put' ? { type: 'put' as const, area: 'devices' as const, key: o.key, value: o.value } : { type: 'del' as const, area: 'devices' as const, key: o.key })));
  await store.close();
}

function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => execFile(process.execPath, [CLI, ...args], { encoding: 'utf8' }, (err, out, errOut) => res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut })));
}

t.test('inventory prints a class column, --explain the rules and facts behind it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'iomt-explain-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await buildState(dir);

  const list = await cli('inventory', '--state', dir);
  t.equal(list.code, 0, list.err);
  t.match(list.out, /DEVICE\s+VENDOR\s+CLASS\s+MODEL/, 'a class and a model column');
  t.match(list.out, new RegExp(`mac:${PUMP}\\s+Carefusion\\s+infusion-pump/3\\s+Alaris`), 'the pump row: class/confidence and model');
  t.match(list.out, new RegExp(`mac:${SWAPPED}\\s+Carefusion\\s+workstation/2`), 'the swapped device shows its new class');
  t.match(list.out, new RegExp(`mac:${PHONE}\\s+-\\s+-`), 'a tie stays unclassified');

  const ex = await cli('inventory', '--state', dir, '--explain', PUMP);
  t.equal(ex.code, 0, ex.err);
  t.match(ex.out, `device mac:${PUMP}`);
  t.match(ex.out, /class\s+infusion-pump\s+\[classify bd\.oui,bd\.alaris\.vendor_class,bd\.alaris\.hostname, confidence 3 strong/);
  t.match(ex.out, 'class from the 2 stored facts: infusion-pump, confidence 3 (strong)');
  t.match(ex.out, 'rule bd.alaris.vendor_class  -> infusion-pump, confidence 2');
  t.match(ex.out, 'cites dhcp.vendor_class = "CareFusion Alaris"');
  t.match(ex.out, 'cites vendor = "Carefusion"');
  t.match(ex.out, 'cites hostname = "ALARIS-0412"');
  t.match(ex.out, 'evidence: IEEE registry', 'each rule says where its evidence comes from');
  t.match(ex.out, /facts:\n\s+dhcp\.vendor_class\s+CareFusion Alaris\n\s+dhcp\.prl\s+1,3,6,12,15,28,42/);

  const byName = await cli('inventory', '--state', dir, '--explain', 'laptop-7');
  t.equal(byName.code, 0, 'a hostname names the device too');
  t.match(byName.out, `device mac:${SWAPPED}`);
  t.match(byName.out, /class\s+workstation\s+\[classify windows\.vendor_class.*disagrees: infusion-pump \(classify bd\.oui,bd\.alaris\.vendor_class,bd\.alaris\.hostname, confidence 3\)/, 'the old class is shown as the disagreement');
  t.match(byName.out, 'rule bd.oui  -> infusion-pump (lost), confidence 1', 'the losing rule is shown');
  t.match(byName.out, /conflicting classes: workstation 2 \(windows\.vendor_class\); infusion-pump 1 \(bd\.oui\)/);

  const tie = await cli('inventory', '--state', dir, '--explain', '10.0.0.9');
  t.match(tie.out, 'class from the 1 stored facts: unknown', 'the hostname is an attribute, the vendor class the one fact');
  t.match(tie.out, 'unknown: no class reaches medium confidence without a tie');

  const json = await cli('inventory', '--state', dir, '--explain', PUMP, '--json');
  const j = JSON.parse(json.out) as { classification: { class: string; rules: string[] } };
  t.same(j.classification.rules, ['bd.oui', 'bd.alaris.vendor_class', 'bd.alaris.hostname']);

  const none = await cli('inventory', '--state', dir, '--explain', 'nope');
  t.equal(none.code, 1, 'an unknown device is an error');
  t.match(none.err, 'no device "nope" in the inventory');
});

t.test('watch shows the class of the devices in an inventory message', async (t) => {
  const time = timeNow();
  const bytes = encodeMessage('inventory-delta', { sensor: 's', seq: 1, time }, {
    devices: [{ ids: [{ kind: 'mac', value: PUMP }], attrs: [{ name: 'vendor', value: 'Carefusion', proto: 'oui', field: 'mac', time: time[0], confidence: 2, source: 'eth0' }, { name: 'class', value: 'infusion-pump', proto: 'classify', field: 'bd.oui', time: time[0], confidence: 3, source: 'eth0' }], firstSeen: time[0], lastSeen: time[0], frames: 1, bytes: 60, sources: ['eth0'], facts: [{ key: 'dhcp.vendor_class', value: 'CareFusion Alaris' }] }],
    removed: [],
  });
  const m = decodeTelemetry(bytes);
  t.ok(m.ok);
  t.match(describe('iomt/v1/a/b/s/inventory', m), `mac:${PUMP} (Carefusion) [infusion-pump]`);
  t.same(m.ok && m.kindName === 'inventory-delta' ? m.body.devices[0]!.facts : undefined, [{ key: 'dhcp.vendor_class', value: 'CareFusion Alaris' }], 'facts survive the wire');
});
