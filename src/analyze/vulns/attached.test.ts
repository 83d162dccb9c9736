/**
 * Alerts other analyzers raise that the vulns analyzer attaches CVEs to
 * (indicators.ts ATTACHED), through the real pipeline's alert fan-out
 * (pipeline.ts AlertFanout): BleedingTooth advertising from the BLE analyzer
 * and default credentials from the wired-app analyzer.
 */
import t from 'tap';
import { VulnsAnalyzer } from './index.js';
import { ATTACHED } from './indicators.js';
import { Pipeline } from '../pipeline.js';
import { BatchSink } from '../sink.js';
import type { Analyzer, Sink } from '../types.js';
import type { AlertInput } from '../../alerts/types.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue, catalogue } from '../../alerts/catalogue.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import type { VulnsDeltaBody } from '../../telemetry/kinds.js';
import { ethernet, ipv4, rawFrame, udp } from '../../../test/builders/frames.js';
import { CsafValidator, readFeedDir, type Feed } from '../../identify/advisories/index.js';
import { csafDir } from '../../../test/support/feeds.js';

// The shared advisories: the analyzer correlates only once it has a feed.
const feed: Feed = await readFeedDir(csafDir(), new CsafValidator());

/** Raises the alerts it is given, one per frame, as the BLE or credentials analyzer would. */
class Raiser implements Analyzer {
  readonly name = 'raiser';
  constructor(private readonly queue: AlertInput[]) {}
  onFrame(_frame: unknown, out: Sink): void {
    const next = this.queue.shift();
    if (next !== undefined) out.alert(next);
  }
  onTick(): void {}
}

/** Listens to alerts and throws: its bug is counted, the other listeners still hear the alert. */
class Broken implements Analyzer {
  readonly name = 'broken';
  heard = 0;
  onFrame(): void {}
  onTick(): void {}
  onAlert(): void {
    this.heard++;
    throw new Error('listener bug');
  }
}

function run(alerts: AlertInput[], extra: Analyzer[] = []) {
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const vulns = new VulnsAnalyzer({ maxDevices: 100, rankingSize: 10, maxMatchesPerDevice: 8 });
  vulns.setFeed(feed);
  const pipe = new Pipeline(defaultFrameDecoder(), [new Raiser([...alerts]), ...extra, vulns], sink);
  const bytes = ethernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(4))));
  pipe.process(alerts.map(() => ({ ...rawFrame(bytes), tsSec: 1_767_600_000 })));
  vulns.onTick(0, sink);
  const out = sink.drain();
  const devices = out.messages.filter((m) => m.kind === 'vulns-delta').flatMap((m) => (m.body as VulnsDeltaBody).devices);
  return { out, devices, sink, pipe };
}

t.test('every attached code is an alert the catalogue knows', async (t) => {
  const codes = new Set(catalogue.map((d) => d.code));
  for (const r of ATTACHED) t.ok(codes.has(r.code), `${r.code} is in the catalogue`);
});

t.test('BleedingTooth advertising from the BLE analyzer attaches CVE-2020-24490 to that advertiser', async (t) => {
  const ble = 'ble:c0:11:22:33:44:55';
  const { out, devices } = run([{ code: 'ble.malformed_advertising', device: ble, time: 1_767_600_000, facts: { pdu: 'ADV_EXT_IND', data_length: 300 } }]);
  t.same(out.alerts.map((a) => a.def.code), ['ble.malformed_advertising'], 'the BLE alert itself goes out as raised');
  t.same(devices.map((d) => [d.device, d.matches.map((m) => m.indicator)]), [[ble, ['ble.malformed_advertising']]]);
  t.same(devices[0]!.matches[0]!.cves, ['CVE-2020-24490']);
});

t.test('default credentials attach as an exposure; unrelated alerts attach nothing', async (t) => {
  const { devices } = run([
    { code: 'credentials.default', device: 'ipv4:10.0.0.2', time: 1_767_600_000, facts: { protocol: 'snmp', port: 161 } },
    { code: 'inventory.new_device', device: 'mac:02:00:00:00:00:09', time: 1_767_600_000 },
  ]);
  t.same(devices.map((d) => [d.device, d.matches.map((m) => m.indicator)]), [['ipv4:10.0.0.2', ['credentials.default']]]);
});

t.test('a listener that throws is counted as its bug; the alert still reaches the others', async (t) => {
  const broken = new Broken();
  const { devices, out, pipe } = run([{ code: 'ble.malformed_advertising', device: 'ble:c0:00:00:00:00:01', time: 1_767_600_000 }], [broken]);
  t.equal(broken.heard, 1);
  t.equal(pipe.bugs.get('broken'), 1);
  t.equal(out.alerts.length, 1);
  t.equal(devices.length, 1, 'vulns, after the broken listener, still attached the CVE');
});
