/**
 * The wired discovery sighting sources through the real inventory: built
 * frames for every protocol, and the shared DHCP/NBNS/mDNS/SSDP captures
 * (real data: the Windows host academy04, the Ubuntu client ubuntu2, the
 * zeek mDNS host).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { AlertGate } from '../../alerts/gate.js';
import { InventoryAnalyzer } from '../../analyze/inventory/index.js';
import { BatchSink } from '../../analyze/sink.js';
import { PcapReader } from '../../capture/pcap/reader.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import { OuiRegistry } from '../../identify/oui.js';
import { deviceAttr, deviceId } from '../../telemetry/device.js';
import type { AttributeName } from '../../telemetry/kinds.js';
import {
  cdp, dhcp, dhcpFqdn, dhcpv6, dhcpv6Relay, dns, dnsName, duidLlt, ether8023, lldp, nbName, snap, srvRdata, ssdp, txtRdata, udp4Frame, udp6Frame, vendorClass6, wsd,
} from '../../../test/builders/discovery.js';
import { ethernet, ipv4, rawFrame, udp } from '../../../test/builders/frames.js';
import { capturesDir } from '../../../test/support/captures.js';
import { serviceType } from './names.js';
import { wiredDiscoverySources } from './index.js';
import { hostLabel } from './common.js';

const PUMP = '00:09:fb:12:34:56';
const RELAY = '00:1b:21:3a:4f:aa';
const SW = '00:1b:21:3a:4f:99';

function harness() {
  const inv = new InventoryAnalyzer(
    { maxDevices: 1000, learningPeriodS: 0, deltaIntervalS: 0, maxIpsPerDevice: 4, maxEphemeral: 10 },
    new OuiRegistry('/nonexistent'),
    wiredDiscoverySources(),
  );
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const dec = defaultFrameDecoder();
  const feed = (bytes: Uint8Array, ts = 1000): void => inv.onFrame(dec.decode({ ...rawFrame(bytes, 1, bytes.length, 'eth0'), tsSec: ts, tsNsec: 0 }), sink);
  const dev = (key: string) => inv.records().find((r) => deviceId(r) === key);
  const attr = (key: string, name: AttributeName) => {
    const d = dev(key);
    return d === undefined ? undefined : deviceAttr(d, name);
  };
  const evidence = (key: string, name: AttributeName) => dev(key)?.attrs.find((a) => a.name === name);
  const facts = (key: string): string[] => {
    const table = (inv as unknown as { table: { devices: Map<string, { facts: { key: string; value: string }[] }> } }).table;
    return (table.devices.get(key)?.facts ?? []).map((f) => `${f.key}=${f.value}`);
  };
  return { inv, feed, dev, attr, facts, evidence, dec };
}

t.test('DHCP: the client is chaddr, also behind a relay; hostname, PRL in order, vendor class', async (t) => {
  const h = harness();
  const req = dhcp({ chaddr: PUMP, giaddr: '10.30.0.1', options: [[53, new Uint8Array([3])], [12, 'pump-7'], [60, 'BD Alaris'], [55, new Uint8Array([1, 3, 6, 15, 28, 42])], [77, 'ward'], [81, dhcpFqdn(5, 'pump-7.ward.example')]] });
  h.feed(ethernet({ src: RELAY, dst: '00:00:00:00:00:01', type: 0x0800 }, ipv4({ src: '10.30.0.1', dst: '10.0.0.5', proto: 17 }, udp({ sport: 67, dport: 67 }, req))));
  t.equal(h.attr(`mac:${PUMP}`, 'hostname'), 'pump-7');
  t.same(h.evidence(`mac:${PUMP}`, 'hostname')?.field, 'option 12');
  t.same(h.facts(`mac:${PUMP}`), ['dhcp.prl=1,3,6,15,28,42', 'dhcp.vendor_class=BD Alaris', 'dhcp.user_class=ward', 'dhcp.hostname=pump-7', 'dhcp.fqdn=pump-7.ward.example.']);
  t.equal(h.attr(`mac:${RELAY}`, 'hostname'), undefined, 'the relay is not the client');
  t.equal(h.dev(`mac:${PUMP}`)?.frames, 0, 'a relayed frame does not count as the client\'s');
  // Option 81 alone names the host by its first label; a server reply says nothing.
  const h2 = harness();
  h2.feed(udp4Frame(68, 67, dhcp({ chaddr: PUMP, options: [[81, dhcpFqdn(0, 'academy04.far-far-away')]] }), '0.0.0.0', '255.255.255.255', PUMP));
  t.equal(h2.attr(`mac:${PUMP}`, 'hostname'), 'academy04');
  t.equal(h2.evidence(`mac:${PUMP}`, 'hostname')?.field, 'option 81');
  const h3 = harness();
  h3.feed(udp4Frame(67, 68, dhcp({ op: 2, chaddr: PUMP, options: [[12, 'server-says'], [60, 'ArubaAP']] }), '10.0.0.1', '10.0.0.9', RELAY));
  t.equal(h3.attr(`mac:${PUMP}`, 'hostname'), undefined);
  t.same(h3.facts(`mac:${RELAY}`), []);
});

t.test('DHCPv6: sender directly, DUID MAC behind a relay, enterprise:data', async (t) => {
  const h = harness();
  const sol = dhcpv6(1, 7, [[1, duidLlt(PUMP)], [16, vendorClass6(311, 'MSFT 5.0')], [39, new Uint8Array([1, ...dnsName('monitor-3.ward.example')])]]);
  h.feed(udp6Frame(546, 547, sol));
  t.equal(h.attr('mac:00:1b:21:3a:4f:01', 'hostname'), 'monitor-3');
  t.same(h.facts('mac:00:1b:21:3a:4f:01'), ['dhcpv6.vendor_class=311:MSFT 5.0', 'dhcpv6.fqdn=monitor-3.ward.example.']);
  h.feed(udp6Frame(547, 547, dhcpv6Relay(12, sol)));
  t.equal(h.attr(`mac:${PUMP}`, 'hostname'), 'monitor-3', 'relayed: the DUID-LLT MAC');
  h.feed(udp6Frame(547, 546, dhcpv6(7, 7, [[39, new Uint8Array([1, ...dnsName('reply.example')])]])));
  t.equal(h.attr('mac:00:1b:21:3a:4f:01', 'hostname'), 'monitor-3', 'a Reply is not the client');
});

t.test('DNS queries, mDNS announcements, NBNS registrations', async (t) => {
  const h = harness();
  const me = 'mac:00:1b:21:3a:4f:01';
  h.feed(udp4Frame(40000, 53, dns({ flags: 0x0100, questions: [{ name: 'Update.Vendor.example', type: 1 }, { name: 'b.example', type: 1 }, { name: 'c.example', type: 1 }] })));
  t.same(h.facts(me), ['dns.query=update.vendor.example', 'dns.query=b.example'], 'at most MAX_QUERY_FACTS per frame');
  const inst = 'Infusion Pump 7._sdc._tcp.local';
  h.feed(udp4Frame(5353, 5353, dns({
    flags: 0x8400, answers: [
      { name: '_sdc._tcp.local', type: 12, rdata: dnsName(inst) },
      { name: inst, type: 33, rdata: srvRdata(0, 0, 6464, 'pump-7.local') },
      { name: 'x._ipp._tcp.local', type: 33, rdata: srvRdata(0, 0, 631, 'pump-7.local') },
      { name: inst, type: 16, rdata: txtRdata('md=Sigma Spectrum', 'Manufacturer=Baxter', 'fw=8.01', 'junk', '=x') },
      { name: 'other-host.local', type: 1, rdata: new Uint8Array([10, 30, 1, 99]) },
      { name: 'pump-7.local', type: 1, rdata: new Uint8Array([10, 30, 1, 20]) },
    ],
  }), '10.30.1.20', '224.0.0.251'));
  t.equal(h.attr(me, 'hostname'), 'pump-7', 'the A record for the source address, not the proxied one');
  t.equal(h.attr(me, 'services'), '_ipp._tcp,_sdc._tcp');
  const f = h.facts(me);
  for (const want of ['mdns.model=Sigma Spectrum', 'mdns.manufacturer=Baxter', 'mdns.version=8.01', 'mdns.hostname=pump-7.local', 'mdns.service=_sdc._tcp', 'mdns.service=_ipp._tcp']) t.ok(f.includes(want), want);
  const h2 = harness();
  h2.feed(udp4Frame(5353, 5353, dns({ questions: [{ name: '_ipp._tcp.local', type: 12 }] })));
  t.same(h2.facts(me), [], 'an mDNS query is what the sender looks for');
  h2.feed(udp4Frame(137, 137, dns({ flags: 0x2910, questions: [{ name: nbName('WARD3-PC07', 0x20), type: 32 }], additionals: [{ name: new Uint8Array([0xc0, 12]), type: 32, rdata: new Uint8Array([0, 0, 10, 30, 1, 20]) }] })));
  t.equal(h2.attr(me, 'hostname'), 'ward3-pc07');
  t.equal(h2.evidence(me, 'hostname')?.confidence, 2);
  const h3 = harness();
  h3.feed(udp4Frame(137, 137, dns({ flags: 0x2910, questions: [{ name: nbName('WORKGROUP', 0x00), type: 32 }], additionals: [{ name: new Uint8Array([0xc0, 12]), type: 32, rdata: new Uint8Array([0x80, 0, 10, 30, 1, 20]) }] })));
  t.equal(h3.attr(me, 'hostname'), undefined, 'a group name is no host name');
  t.same(h3.facts(me), ['nbns.group=WORKGROUP<00>'], 'a group name is its own fact');
  h3.feed(udp4Frame(137, 137, dns({ flags: 0x0110, questions: [{ name: nbName('SOMEONE', 0x20), type: 32 }] })));
  t.same(h3.facts(me), ['nbns.group=WORKGROUP<00>'], 'a name query names someone else');
});

t.test('SSDP and WS-Discovery: server, types, services; searches only give the user agent', async (t) => {
  const h = harness();
  const me = 'mac:00:1b:21:3a:4f:01';
  h.feed(udp4Frame(1900, 1900, ssdp('NOTIFY * HTTP/1.1', [['NT', 'urn:schemas-upnp-org:device:MediaRenderer:1'], ['NTS', 'ssdp:alive'], ['SERVER', 'Linux/4.9 UPnP/1.0 Philips/1.2']])));
  t.equal(h.attr(me, 'services'), 'urn:schemas-upnp-org:device:MediaRenderer:1');
  t.same(h.facts(me), ['ssdp.server=Linux/4.9 UPnP/1.0 Philips/1.2', 'ssdp.type=urn:schemas-upnp-org:device:MediaRenderer:1']);
  h.feed(udp4Frame(1900, 1900, ssdp('NOTIFY * HTTP/1.1', [['NT', 'urn:x'], ['NTS', 'ssdp:byebye']])));
  h.feed(udp4Frame(50000, 1900, ssdp('M-SEARCH * HTTP/1.1', [['ST', 'ssdp:all'], ['USER-AGENT', 'Chrome/99']])));
  t.same(h.facts(me).slice(2), ['ssdp.user_agent=Chrome/99'], 'byebye ignored, M-SEARCH gives its user agent');
  const h2 = harness();
  h2.feed(udp4Frame(3702, 3702, wsd({ action: 'Hello', body: '<wsd:Hello><wsd:Types>dpws:Device mdpws:MedicalDevice</wsd:Types><wsd:Scopes>sdc.mds.pkp:1.2.840.10004.20701.1.1</wsd:Scopes></wsd:Hello>' })));
  t.equal(h2.attr(me, 'services'), 'dpws:Device mdpws:MedicalDevice');
  t.same(h2.facts(me), ['wsd.type=dpws:Device', 'wsd.type=mdpws:MedicalDevice', 'wsd.scope=sdc.mds.pkp:1.2.840.10004.20701.1.1']);
  const h3 = harness();
  h3.feed(udp4Frame(3702, 3702, wsd({ action: 'Probe', body: '<wsd:Probe><wsd:Types>dpws:Device</wsd:Types></wsd:Probe>' })));
  t.same(h3.facts(me), [], 'a Probe says what the sender seeks');
});

t.test('LLDP and CDP: hostname, facts, and a location only for a switch port', async (t) => {
  const h = harness();
  const lf = (src: string, p: Uint8Array) => ethernet({ src, dst: '01:80:c2:00:00:0e', type: 0x88cc }, p);
  h.feed(lf(SW, lldp({ chassisMac: SW, portId: 'Gi1/0/12', sysName: 'ward3-sw1.example', sysDescr: 'Cisco IOS', caps: [0x14, 0x14] })));
  t.equal(h.attr(`mac:${SW}`, 'location'), 'switch ward3-sw1.example port Gi1/0/12');
  t.equal(h.attr(`mac:${SW}`, 'hostname'), 'ward3-sw1');
  t.same(h.facts(`mac:${SW}`), ['lldp.sys_name=ward3-sw1.example', 'lldp.sys_descr=Cisco IOS', 'lldp.capabilities=bridge,router']);
  h.feed(lf(PUMP, lldp({ chassisMac: PUMP, portId: 'eth0', sysName: 'pump-7', caps: [0x80, 0x80] })));
  t.equal(h.attr(`mac:${PUMP}`, 'hostname'), 'pump-7');
  t.equal(h.attr(`mac:${PUMP}`, 'location'), undefined, 'an end station says nothing of where it sits');
  const C = '00:1b:21:3a:4f:cc';
  h.feed(ether8023(C, '01:00:0c:cc:cc:cc', snap(0x0c, 0x2000, cdp({ deviceId: 'sw2', portId: 'Fa0/1', caps: 0x08, platform: 'cisco WS-C3560', software: 'Cisco IOS 12.2\nTechnical Support' }))));
  t.equal(h.attr(`mac:${C}`, 'location'), 'switch sw2 port Fa0/1');
  t.same(h.facts(`mac:${C}`), ['cdp.platform=cisco WS-C3560', 'cdp.software=Cisco IOS 12.2']);
  const P = '00:1b:21:3a:4f:dd';
  h.feed(ether8023(P, '01:00:0c:cc:cc:cc', snap(0x0c, 0x2000, cdp({ deviceId: 'SEP001122334455', portId: 'Port 1', caps: 0x90 }))));
  t.equal(h.attr(`mac:${P}`, 'hostname'), 'SEP001122334455');
  t.equal(h.attr(`mac:${P}`, 'location'), undefined);
});

t.test('helpers', async (t) => {
  t.equal(serviceType('_ipp._tcp.local'), '_ipp._tcp');
  t.equal(serviceType('My Printer._IPPS._tcp.local'), '_ipps._tcp');
  t.equal(serviceType('_services._dns-sd._udp.local'), undefined);
  t.equal(serviceType('host.local'), undefined);
  t.equal(hostLabel('a b'), undefined);
  t.equal(hostLabel(''), undefined);
  t.equal(hostLabel('x'.repeat(64)), undefined);
  t.equal(hostLabel('pump.local'), 'pump');
});

t.test('real captures: the Windows and Ubuntu DHCP clients, NBNS, mDNS', async (t) => {
  const dir = join(capturesDir(), 'ethernet_fingerprint');
  const replay = (file: string) => {
    const h = harness();
    const r = new PcapReader(file, { anomaly() {}, state() {} });
    for (const raw of [...r.push(readFileSync(join(dir, file))), ...r.end()]) h.inv.onFrame(h.dec.decode({ ...raw, source: 'eth0' }), new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 })));
    return h;
  };
  const win = replay('wireshark-wiki_dhcp-and-dyndns.pcap');
  const w = 'mac:00:50:ba:12:47:cb';
  t.equal(win.attr(w, 'hostname'), 'academy04');
  const wf = win.facts(w);
  for (const want of ['dhcp.prl=1,15,3,6,44,46,47,31,33,249,43', 'dhcp.vendor_class=MSFT 5.0', 'dhcp.hostname=academy04', 'nbns.name=ACADEMY04<00>', 'nbns.name=ACADEMY04<20>', 'nbns.group=ARBEITSGRUPPE<00>']) t.ok(wf.includes(want), want);
  t.notOk(wf.includes('nbns.name=ARBEITSGRUPPE<00>'), 'the workgroup (a group name) is no name of the host');
  t.ok(wf.some((f) => f.startsWith('dns.query=')), 'its DNS queries');
  const ubuntu = replay('chrissanders_dhcp_nolease_initialization.pcapng');
  t.equal(ubuntu.attr('mac:00:0c:29:59:fd:21', 'hostname'), 'ubuntu2');
  t.ok(ubuntu.facts('mac:00:0c:29:59:fd:21').includes('dhcp.prl=1,28,2,3,15,6,119,12,44,47,26,121,42'));
  const z = replay('zeek_dhcp.pcap');
  t.equal(z.attr('mac:90:b1:1c:99:49:29', 'hostname'), 'btest');
  const m = replay('zeek_mdns.pcap');
  const hosts = m.inv.records().map((d) => deviceAttr(d, 'hostname')).filter((x) => x !== undefined);
  t.ok(hosts.includes('johanna-QEMU-Virtual-Machine'), `mDNS host name among ${JSON.stringify(hosts)}`);
});
