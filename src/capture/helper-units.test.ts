/**
 * helperUnits: the instances scripts/install.sh enables, from a config text
 * parsed as install.sh parses it (parseConfigText).
 */
import t from 'tap';
import { parseConfigText } from '../config/index.js';
import { helperUnits } from './helper-units.js';

const config = (sources: string): string => `sensor:
  id: ward3-gw1
  site: s
  ward: w
sources:
${sources}`;

t.test('one instance per helper-captured interface and per helper-scanned adapter; none for direct or child sources', async (t) => {
  const cfg = parseConfigText(config(`  - { type: pcap-live, name: a, iface: eth1, via: helper }
  - { type: pcap-live, name: b, iface: br-lan, via: helper }
  - { type: pcap-live, name: c, iface: eth2 }
  - { type: ble-hci, name: bt0, device: 0, via: helper }
  - { type: ble-hci, name: bt1, device: 1 }
  - { type: ble-hci, name: bt2, device: 2, via: helper, channel: user }
`), 'test.yaml');
  t.same(helperUnits(cfg.sources), ['iomt-sensor-capture@eth1.service', 'iomt-sensor-capture@br\\x2dlan.service', 'iomt-sensor-ble@hci0.service', 'iomt-sensor-ble@hci2.service']);
  t.same(helperUnits(parseConfigText(config('  - { type: ble-hci, name: bt0 }\n'), 'test.yaml').sources), [], 'ble-hci defaults to via: direct');
});
