/**
 * IEEE 11073 SDC through the real inventory and medical analyzer, from
 * built frames: a provider's Hello (types, sdc.mds.pkp and sdc.cdc.type
 * scopes, XAddrs) gives role, MDS type and class; a consumer's Probe gives
 * its role; DPWS ThisModel/ThisDevice metadata in clear gives vendor,
 * model, firmware and serial; the patient context scope is never kept; TLS
 * to a provider counts as protected, cleartext as cleartext, and a
 * PatientContextState crossing in clear is phi.cleartext_transport.
 */
import t from 'tap';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { AlertGate } from '../../alerts/gate.js';
import { InventoryAnalyzer } from '../inventory/index.js';
import { BatchSink } from '../sink.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import { OuiRegistry } from '../../identify/oui.js';
import { wiredDiscoverySources } from '../../identify/wired/index.js';
import { deviceAttr, deviceId } from '../../telemetry/device.js';
import type { AttributeName } from '../../telemetry/kinds.js';
import { udp4Frame, wsd } from '../../../test/builders/discovery.js';
import { ethernet, ipv4, rawFrame, tcp, TCP_FLAGS } from '../../../test/builders/frames.js';
import { clientHello, tlsRecord } from '../../../test/builders/app.js';
import { MedicalContext } from './context.js';
import { MedicalAnalyzer } from './index.js';
import { cdcTypeCode, SdcSightingSource, xaddrEndpoint } from './sdc.js';

const PUMP_MAC = '00:1b:21:3a:4f:01';
const PUMP = `mac:${PUMP_MAC}`;
const STATION_MAC = '00:1b:21:3a:4f:77';
const PATIENT = 'QXSDCPATIENT4471';

function harness() {
  const inv = new InventoryAnalyzer(
    { maxDevices: 1000, learningPeriodS: 0, deltaIntervalS: 0, maxIpsPerDevice: 4, maxEphemeral: 10 },
    new OuiRegistry('/nonexistent'),
    [...wiredDiscoverySources(), new SdcSightingSource()],
  );
  const med = new MedicalAnalyzer({ rejectBurst: 5, rejectWindowS: 60, maxKnown: 64, learningS: 0, siteNetworks: undefined }, new MedicalContext());
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const dec = defaultFrameDecoder();
  const feed = (bytes: Uint8Array, ts = 1000): void => {
    const f = dec.decode({ ...rawFrame(bytes, 1, bytes.length, 'eth0'), tsSec: ts, tsNsec: 0 });
    inv.onFrame(f, sink);
    med.onFrame(f, sink);
  };
  const dev = (key: string) => inv.records().find((r) => deviceId(r) === key);
  const attr = (key: string, name: AttributeName) => {
    const d = dev(key);
    return d === undefined ? undefined : deviceAttr(d, name);
  };
  const facts = (key: string): string[] => {
    const table = (inv as unknown as { table: { devices: Map<string, { facts: { key: string; value: string }[] }> } }).table;
    return (table.devices.get(key)?.facts ?? []).map((f) => `${f.key}=${f.value}`);
  };
  const tick = (): void => inv.onTick(2000, sink);
  return { inv, med, sink, feed, dev, attr, facts, tick };
}

const hello = (xaddr: string): Uint8Array => wsd({
  action: 'Hello',
  body: '<wsd:Hello><wsa:EndpointReference><wsa:Address>urn:uuid:5a1e0000-0000-4000-8000-0000000000aa</wsa:Address></wsa:EndpointReference>'
    + '<wsd:Types>dpws:Device mdpws:MedicalDevice</wsd:Types>'
    + `<wsd:Scopes>sdc.mds.pkp:1.2.840.10004.20701.1.1 sdc.cdc.type:///69985 sdc.ctxt.loc:/sdc.ctxt.loc.detail/ICU%2F3%2F12 sdc.ctxt.pat:/urn%3Aoid%3A1.2.3/${PATIENT}</wsd:Scopes>`
    + `<wsd:XAddrs>${xaddr}</wsd:XAddrs><wsd:MetadataVersion>1</wsd:MetadataVersion></wsd:Hello>`,
});

const tcp4 = (src: string, dst: string, sport: number, dport: number, flags: number, payload: Uint8Array, smac = STATION_MAC, dmac = PUMP_MAC): Uint8Array =>
  ethernet({ src: smac, dst: dmac, type: 0x0800 }, ipv4({ src, dst, proto: 6 }, tcp({ sport, dport, seq: 1, flags }, payload)));
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

t.test('a provider Hello: role, MDS type, transport, class; the patient scope is never kept', async (t) => {
  const h = harness();
  h.feed(udp4Frame(3702, 3702, hello('https://10.30.1.20:6464/sdc')));
  const f = h.facts(PUMP);
  for (const want of ['sdc.role=provider', 'sdc.pkp=1.2.840.10004.20701.1.1', 'sdc.mds_type=MDC_DEV_PUMP_INFUS_MDS', 'sdc.transport=https', 'wsd.type=mdpws:MedicalDevice', 'wsd.scope=sdc.ctxt.loc:/sdc.ctxt.loc.detail/ICU%2F3%2F12']) {
    t.ok(f.includes(want), `${want} (facts: ${f.join(', ')})`);
  }
  t.equal(h.attr(PUMP, 'role'), 'sdc-provider');
  h.tick();
  t.equal(h.attr(PUMP, 'class'), 'infusion-pump', 'sdc.cdc.type 69985 names an infusion pump');
  t.notOk(JSON.stringify([...h.inv.records(), f]).includes(PATIENT), 'the sdc.ctxt.pat scope is in no fact or record');
  t.equal(h.med.gauges()['sdc_providers'], 1);
});

t.test('a Probe for MedicalDevice is a consumer; an ONVIF Hello is not SDC', async (t) => {
  const h = harness();
  h.feed(udp4Frame(3702, 3702, wsd({ action: 'Probe', body: '<wsd:Probe><wsd:Types>mdpws:MedicalDevice</wsd:Types></wsd:Probe>' }), '10.30.1.77', '239.255.255.250', STATION_MAC));
  t.ok(h.facts(`mac:${STATION_MAC}`).includes('sdc.role=consumer'));
  t.equal(h.attr(`mac:${STATION_MAC}`, 'role'), 'sdc-consumer');
  h.tick();
  t.equal(h.attr(`mac:${STATION_MAC}`, 'class'), 'medical-gateway');
  const h2 = harness();
  h2.feed(udp4Frame(3702, 3702, wsd({ action: 'Hello', body: '<wsd:Hello><wsd:Types>tdn:NetworkVideoTransmitter</wsd:Types><wsd:XAddrs>http://10.30.1.20/onvif</wsd:XAddrs></wsd:Hello>' })));
  t.notOk(h2.facts(PUMP).some((x) => x.startsWith('sdc.')), 'no sdc facts for a camera');
  t.equal(h2.med.gauges()['sdc_providers'], 0, 'and it is not tracked as a provider');
});

t.test('DPWS metadata in clear: vendor, model, firmware, serial', async (t) => {
  const h = harness();
  const body = '<s12:Envelope xmlns:s12="http://www.w3.org/2003/05/soap-envelope" xmlns:dpws="http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01"><s12:Body><wsx:Metadata>'
    + '<dpws:ThisModel><dpws:Manufacturer>SynthMed Devices</dpws:Manufacturer><dpws:ModelName>InfuSynth 3000</dpws:ModelName><dpws:ModelNumber>IS-3000</dpws:ModelNumber></dpws:ThisModel>'
    + '<dpws:ThisDevice><dpws:FriendlyName>Pump 12</dpws:FriendlyName><dpws:FirmwareVersion>4.2.1</dpws:FirmwareVersion><dpws:SerialNumber>SN-SYN-0042</dpws:SerialNumber></dpws:ThisDevice>'
    + '</wsx:Metadata></s12:Body></s12:Envelope>';
  const http = ascii(`HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  h.feed(tcp4('10.30.1.20', '10.30.1.77', 6464, 50100, TCP_FLAGS.PSH | TCP_FLAGS.ACK, http, PUMP_MAC, STATION_MAC));
  t.equal(h.attr(PUMP, 'vendor'), 'SynthMed Devices');
  t.equal(h.attr(PUMP, 'model'), 'InfuSynth 3000');
  t.equal(h.attr(PUMP, 'firmware'), '4.2.1');
  t.equal(h.attr(PUMP, 'serial'), 'SN-SYN-0042');
  t.ok(h.facts(PUMP).includes('dpws.friendly_name=Pump 12'));
});

t.test('TLS to an https provider counts as protected; cleartext to an http one, and its patient context is PHI', async (t) => {
  const h = harness();
  h.feed(udp4Frame(3702, 3702, hello('https://10.30.1.20:6464/sdc')));
  h.feed(tcp4('10.30.1.77', '10.30.1.20', 50200, 6464, TCP_FLAGS.SYN, new Uint8Array(0)));
  h.feed(tcp4('10.30.1.77', '10.30.1.20', 50200, 6464, TCP_FLAGS.PSH | TCP_FLAGS.ACK, tlsRecord(22, clientHello({ ciphers: [0xc02f] }))));
  t.equal(h.sink.counters.get('medical.sdc.protected'), 2, 'the SYN and the ClientHello to the https endpoint');
  t.equal(h.sink.counters.get('medical.sdc.cleartext'), undefined);

  const h2 = harness();
  h2.feed(udp4Frame(3702, 3702, hello('http://10.30.1.20:6464/sdc')));
  h2.feed(tcp4('10.30.1.77', '10.30.1.20', 50300, 6464, TCP_FLAGS.SYN, new Uint8Array(0)));
  t.equal(h2.sink.counters.get('medical.sdc.cleartext'), 1);
  const ctx = `<msg:GetContextStatesResponse><msg:ContextState xsi:type="pm:PatientContextState"><pm:CoreData><pm:Givenname>${PATIENT}</pm:Givenname></pm:CoreData></msg:ContextState></msg:GetContextStatesResponse>`;
  h2.feed(tcp4('10.30.1.20', '10.30.1.77', 6464, 50300, TCP_FLAGS.PSH | TCP_FLAGS.ACK, ascii(`HTTP/1.1 200 OK\r\n\r\n${ctx}`), PUMP_MAC, STATION_MAC));
  const alerts = h2.sink.drain().alerts;
  const phi = alerts.filter((a) => a.input.code === 'phi.cleartext_transport');
  t.equal(phi.length, 1, 'phi.cleartext_transport');
  t.match(phi[0]?.input.facts, { protocol: 'sdc', port: 6464 });
  t.notOk(JSON.stringify(alerts).includes(PATIENT), 'the alert names no patient');
});

t.test('scope and XAddr parsing', async (t) => {
  t.equal(cdcTypeCode('sdc.cdc.type:///69985'), '69985');
  t.equal(cdcTypeCode('sdc.cdc.type:/urn%3Aoid%3A1.2.840.10004.1.1.1.0.0.1/2019/69965'), '69965');
  t.equal(cdcTypeCode('sdc.cdc.type:/x/%E0%A4%A'), undefined, 'bad escapes are no code');
  t.equal(cdcTypeCode('sdc.mds.pkp:1.2'), undefined);
  t.same(xaddrEndpoint('https://[fe80::9]:6464/x'), { key: 'fe80::9|6464', tls: true });
  t.same(xaddrEndpoint('http://10.0.0.1/x'), { key: '10.0.0.1|80', tls: false });
  t.equal(xaddrEndpoint('soap.udp://10.0.0.1:3702'), undefined);
  t.equal(xaddrEndpoint('not a url'), undefined);
});
