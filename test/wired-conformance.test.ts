/**
 * Wired discovery decoders against tshark, field by field (issue 7 part A).
 *
 * 1. Every capture under ../shared/captures/ethernet_fingerprint is decoded
 *    here and read by tshark; for every frame either both or neither see
 *    DHCP, DNS, mDNS, NBNS, SSDP and WS-Discovery, and the fields agree:
 *    DHCP options in order, option 55 items in order, host name, vendor
 *    class, FQDN, message type, chaddr; DNS/mDNS question and record names
 *    and types, PTR/SRV targets, TXT strings, A/AAAA; NBNS names; SSDP
 *    method and headers; WS-Discovery element text (tshark's XML dissector as a UDP heuristic,
 *    `--enable-heuristic xml_udp`).
 * 2. The shared captures hold no LLDP, CDP or DHCPv6 (checked below with
 *    tshark, so the day they do, this test says so). Those, and the
 *    branches the captures hardly reach, are built with
 *    test/builders/discovery.ts, written to a pcap, and read back by tshark:
 *    a real oracle, since the builders are not our decoders.
 *
 * A missing captures folder, too few files, or too few compared values is
 * a failure, not a skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import { pcapFile } from '../src/capture/pcap/writer.js';
import type { CdpView } from '../src/decode/cdp/index.js';
import type { DhcpView } from '../src/decode/dhcp/index.js';
import type { Dhcpv6View } from '../src/decode/dhcpv6/index.js';
import type { DnsMessageView } from '../src/decode/dns/index.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import type { LldpView } from '../src/decode/lldp/index.js';
import type { NbnsView } from '../src/decode/nbns/index.js';
import type { SsdpView } from '../src/decode/ssdp/index.js';
import type { DecodedFrame, Layer } from '../src/decode/types.js';
import type { WsdView } from '../src/decode/wsd/index.js';
import { discoveryCorpus } from './builders/discovery-corpus.js';
import { capturesDir, capturesIn, tsharkVersion } from './support/captures.js';

const AGG = '\u001e';
const FIELDS = [
  'dhcp.id', 'dhcp.hw.mac_addr', 'dhcp.option.type', 'dhcp.option.request_list_item', 'dhcp.option.hostname', 'dhcp.option.vendor_class_id',
  'dhcp.fqdn.name', 'dhcp.option.dhcp', 'dhcp.option.requested_ip_address',
  'dns.id', 'dns.qry.name', 'dns.qry.type', 'dns.resp.name', 'dns.resp.type', 'dns.ptr.domain_name', 'dns.srv.target', 'dns.srv.port', 'dns.txt', 'dns.a', 'dns.aaaa',
  'nbns.name', 'http.request.method', 'http.response.code', 'http.host', 'http.server', 'http.user_agent', 'http.location', 'http.unknown_header', 'xml.cdata',
  'lldp.chassis.id.mac', 'lldp.port.id', 'lldp.time_to_live', 'lldp.tlv.system.name', 'lldp.tlv.system.desc', 'lldp.port.desc', 'lldp.tlv.system_cap', 'lldp.tlv.enable_system_cap', 'lldp.mgn.addr.ip4',
  'cdp.deviceid', 'cdp.portid', 'cdp.software_version', 'cdp.platform', 'cdp.capabilities', 'cdp.nrgyz.ip_address',
  'dhcpv6.msgtype', 'dhcpv6.vendorclass.enterprise', 'dhcpv6.vendorclass.data', 'dhcpv6.client_domain', 'dhcpv6.duidllt.link_layer_addr',
  'frame.protocols',
] as const;
type Field = (typeof FIELDS)[number];
type Row = Record<Field, string[]>;

/** tshark's reading of `file`: one row per frame, every occurrence of every field. */
function tsharkRows(file: string): Row[] {
  const out = execFileSync('tshark', [
    '-r', file, '-n', '--enable-heuristic', 'xml_udp', '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${AGG}`, '-E', 'separator=/t',
    ...FIELDS.flatMap((f) => ['-e', f]),
  ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l !== '').map((line) => {
    const cols = line.split('\t');
    const row = {} as Row;
    FIELDS.forEach((f, i) => {
      const v = cols[i] ?? '';
      row[f] = v === '' ? [] : v.split(AGG);
    });
    return row;
  });
}

/** Counts each comparison per protocol, and keeps the disagreements. */
class Tally {
  readonly compared = new Map<string, number>();
  readonly diffs: string[] = [];
  eq(where: string, proto: string, field: string, ours: unknown, theirs: unknown): void {
    // Whether a layer is there at all is checked on every frame but not counted: the counts say how many values were compared.
    if (field !== 'present') this.compared.set(proto, (this.compared.get(proto) ?? 0) + 1);
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) this.diffs.push(`${where} ${field}: ours ${JSON.stringify(ours)} tshark ${JSON.stringify(theirs)}`);
  }
}

const hex8 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const nums = (a: readonly string[]): number[] => a.map((x) => Number(x));
/** tshark prints the root name as "<Root>". */
const dnsName = (s: string): string => (s === '' ? '<Root>' : s);

function layer<T extends Layer>(f: DecodedFrame, name: string): T | undefined {
  return f.layers.find((l) => l.name === name) as T | undefined;
}

function compareFrame(tl: Tally, where: string, f: DecodedFrame, row: Row): void {
  const protos = row['frame.protocols'][0]?.split(':') ?? [];
  const dhcp = layer<DhcpView>(f, 'dhcp');
  tl.eq(where, 'dhcp', 'present', dhcp !== undefined, row['dhcp.id'].length > 0);
  if (dhcp) {
    tl.eq(where, 'dhcp', 'xid', hex8(dhcp.xid), row['dhcp.id'][0]);
    tl.eq(where, 'dhcp', 'chaddr', dhcp.chaddr, row['dhcp.hw.mac_addr'][0]);
    // tshark lists pad and end options too (End shows as 0 in 4.0); ours are the options with data.
    tl.eq(where, 'dhcp', 'option order', dhcp.optionCodes, nums(row['dhcp.option.type']).filter((c) => c !== 0 && c !== 255));
    tl.eq(where, 'dhcp', 'option 55', dhcp.parameterRequestList ?? [], nums(row['dhcp.option.request_list_item']));
    tl.eq(where, 'dhcp', 'option 12', dhcp.hostname, row['dhcp.option.hostname'][0]);
    tl.eq(where, 'dhcp', 'option 60', dhcp.vendorClass, row['dhcp.option.vendor_class_id'][0]);
    // With the E flag (RFC 4702 §2.3.1) ours keeps the trailing dot of a complete name, which tshark drops.
    const fq = dhcp.fqdn;
    tl.eq(where, 'dhcp', 'option 81', fq !== undefined && (dhcp.fqdnFlags & 4) !== 0 ? fq.replace(/\.$/, '') : fq, row['dhcp.fqdn.name'][0]);
    tl.eq(where, 'dhcp', 'option 53', dhcp.messageType, Number(row['dhcp.option.dhcp'][0] ?? -1));
    tl.eq(where, 'dhcp', 'option 50', dhcp.requestedIp, row['dhcp.option.requested_ip_address'][0]);
  }
  const dns = layer<DnsMessageView>(f, 'dns') ?? layer<DnsMessageView>(f, 'mdns');
  const theyDns = protos.includes('dns') || protos.includes('mdns');
  tl.eq(where, 'dns', 'present', dns !== undefined, theyDns);
  if (dns) {
    const proto = dns.name;
    tl.eq(where, proto, 'id', `0x${dns.id.toString(16).padStart(4, '0')}`, row['dns.id'][0]);
    const qs = dns.questions;
    const rs = dns.resources;
    tl.eq(where, proto, 'question names', qs.map((q) => dnsName(q.name)), row['dns.qry.name']);
    tl.eq(where, proto, 'question types', qs.map((q) => q.type), nums(row['dns.qry.type']));
    // tshark splits an SRV owner name into service, protocol and name fields, so SRV records are not in dns.resp.name.
    tl.eq(where, proto, 'record names', rs.filter((r) => r.type !== 33).map((r) => dnsName(r.name)), row['dns.resp.name']);
    tl.eq(where, proto, 'record types', rs.map((r) => r.type), nums(row['dns.resp.type']));
    // A record with no RDATA (a dynamic update's delete, RFC 2136 §2.5.2) has no target for tshark either.
    tl.eq(where, proto, 'PTR targets', rs.filter((r) => r.type === 12 && r.rdataLength > 0).map((r) => dns.rdataText(r)), row['dns.ptr.domain_name']);
    tl.eq(where, proto, 'SRV targets', rs.filter((r) => r.type === 33).map((r) => dns.srv(r)?.target), row['dns.srv.target']);
    tl.eq(where, proto, 'SRV ports', rs.filter((r) => r.type === 33).map((r) => dns.srv(r)?.port), nums(row['dns.srv.port']));
    tl.eq(where, proto, 'TXT', rs.flatMap((r) => dns.txt(r)), row['dns.txt']);
    tl.eq(where, proto, 'A', rs.filter((r) => r.type === 1).map((r) => dns.rdataText(r)), row['dns.a']);
    tl.eq(where, proto, 'AAAA', rs.filter((r) => r.type === 28).map((r) => dns.rdataText(r)), row['dns.aaaa']);
  }
  const nbns = layer<NbnsView>(f, 'nbns');
  tl.eq(where, 'nbns', 'present', nbns !== undefined, protos.includes('nbns'));
  if (nbns) {
    // tshark adds the suffix's meaning to some occurrences: "ACADEMY04<00> (Workstation/Redirector)".
    tl.eq(where, 'nbns', 'names', nbns.netbiosNames, row['nbns.name'].map((n) => n.replace(/ \(.*\)$/, '')));
  }
  const ssdp = layer<SsdpView>(f, 'ssdp');
  tl.eq(where, 'ssdp', 'present', ssdp !== undefined, protos.includes('ssdp'));
  if (ssdp) {
    tl.eq(where, 'ssdp', 'method', ssdp.kind === 'RESPONSE' ? undefined : ssdp.kind, row['http.request.method'][0]);
    if (ssdp.kind === 'RESPONSE') tl.eq(where, 'ssdp', 'status', ssdp.statusCode, Number(row['http.response.code'][0]));
    tl.eq(where, 'ssdp', 'host', ssdp.header('host'), row['http.host'][0]);
    tl.eq(where, 'ssdp', 'server', ssdp.server, row['http.server'][0]);
    tl.eq(where, 'ssdp', 'user-agent', ssdp.userAgent, row['http.user_agent'][0]);
    tl.eq(where, 'ssdp', 'location', ssdp.location, row['http.location'][0]);
    // Headers tshark does not name (ST, MAN, NT, NTS, USN ...) come as whole lines "Name: value\r\n".
    for (const line of row['http.unknown_header']) {
      const m = /^([^:]+):\s*(.*?)(\\r\\n|\r\n)?$/.exec(line);
      if (m) tl.eq(where, 'ssdp', `header ${m[1]}`, ssdp.header(m[1]!.toLowerCase()), m[2]);
    }
  }
  const wsd = layer<WsdView>(f, 'wsd');
  tl.eq(where, 'wsd', 'present', wsd !== undefined, protos.includes('xml'));
  if (wsd) {
    const cdata = row['xml.cdata'].map((s) => s.trim());
    const mine = [wsd.actionUri, wsd.messageId, ...wsd.values('Types'), ...wsd.values('Scopes'), ...wsd.values('XAddrs'), ...wsd.addresses].filter((x) => x !== undefined && x !== '');
    tl.eq(where, 'wsd', 'element text found by tshark', mine.filter((v) => !cdata.includes(v!)), []);
    tl.eq(where, 'wsd', 'action is one of tshark\'s texts', cdata.some((c) => c.endsWith('/' + (wsd.action ?? '?'))), true);
  }
  const lldp = layer<LldpView>(f, 'lldp');
  tl.eq(where, 'lldp', 'present', lldp !== undefined, protos.includes('lldp'));
  if (lldp) {
    tl.eq(where, 'lldp', 'chassis id', lldp.chassisId, row['lldp.chassis.id.mac'][0]);
    tl.eq(where, 'lldp', 'port id', lldp.portId, row['lldp.port.id'][0]);
    tl.eq(where, 'lldp', 'ttl', lldp.ttl, Number(row['lldp.time_to_live'][0]));
    tl.eq(where, 'lldp', 'system name', lldp.systemName, row['lldp.tlv.system.name'][0]);
    tl.eq(where, 'lldp', 'system description', lldp.systemDescription, row['lldp.tlv.system.desc'][0]);
    tl.eq(where, 'lldp', 'port description', lldp.portDescription, row['lldp.port.desc'][0]);
    tl.eq(where, 'lldp', 'capabilities', lldp.systemCapabilities, row['lldp.tlv.system_cap'][0] === undefined ? -1 : Number(row['lldp.tlv.system_cap'][0]));
    tl.eq(where, 'lldp', 'enabled', lldp.enabledCapabilities, row['lldp.tlv.enable_system_cap'][0] === undefined ? -1 : Number(row['lldp.tlv.enable_system_cap'][0]));
    tl.eq(where, 'lldp', 'management address', lldp.managementAddresses, row['lldp.mgn.addr.ip4']);
  }
  const cdp = layer<CdpView>(f, 'cdp');
  tl.eq(where, 'cdp', 'present', cdp !== undefined, protos.includes('cdp'));
  if (cdp) {
    tl.eq(where, 'cdp', 'device id', cdp.deviceId, row['cdp.deviceid'][0]);
    tl.eq(where, 'cdp', 'port id', cdp.portId, row['cdp.portid'][0]);
    // tshark splits the software version into lines; ours is the whole TLV.
    tl.eq(where, 'cdp', 'software', cdp.softwareVersion?.split('\n'), row['cdp.software_version'].length ? row['cdp.software_version'] : undefined);
    tl.eq(where, 'cdp', 'platform', cdp.platform, row['cdp.platform'][0]);
    tl.eq(where, 'cdp', 'capabilities', cdp.capabilities, row['cdp.capabilities'][0] === undefined ? -1 : Number(row['cdp.capabilities'][0]));
    tl.eq(where, 'cdp', 'addresses', cdp.addresses, row['cdp.nrgyz.ip_address']);
  }
  const v6 = layer<Dhcpv6View>(f, 'dhcpv6');
  tl.eq(where, 'dhcpv6', 'present', v6 !== undefined, protos.includes('dhcpv6'));
  if (v6) {
    // tshark lists the relay's type first, then the relayed message's.
    tl.eq(where, 'dhcpv6', 'message type', v6.messageType, Number(row['dhcpv6.msgtype'].at(-1)));
    tl.eq(where, 'dhcpv6', 'vendor enterprise', v6.vendorEnterprise, Number(row['dhcpv6.vendorclass.enterprise'][0] ?? -1));
    // tshark 4.0 shows only the first vendor-class-data item of an option.
    tl.eq(where, 'dhcpv6', 'vendor data', (v6.vendorClassData ?? []).slice(0, 1), row['dhcpv6.vendorclass.data'].slice(0, 1));
    tl.eq(where, 'dhcpv6', 'fqdn', v6.fqdn, row['dhcpv6.client_domain'][0]);
    tl.eq(where, 'dhcpv6', 'DUID MAC', v6.duidMac, row['dhcpv6.duidllt.link_layer_addr'][0]);
  }
}

function compareFile(file: string, tl: Tally, label: string): { frames: number; rows: Row[] } {
  const rows = tsharkRows(file);
  const reader = new PcapReader(label, { anomaly() {}, state() {} });
  const raws = [...reader.push(readFileSync(file)), ...reader.end()];
  const dec = defaultFrameDecoder();
  raws.forEach((raw, i) => {
    const row = rows[i];
    if (row !== undefined) compareFrame(tl, `${label}#${i + 1}`, dec.decode(raw), row);
  });
  if (dec.counters.bugs !== 0) tl.diffs.push(`${label}: ${dec.counters.bugs} decoder.bug`);
  if (rows.length !== raws.length) tl.diffs.push(`${label}: ${raws.length} frames, tshark ${rows.length}`);
  return { frames: raws.length, rows };
}

const TSHARK = tsharkVersion();

/** Values compared at least, per protocol: the shared captures have 21 DHCP, 14 DNS, 18 mDNS, 36 NBNS, 7 SSDP and 14 WS-Discovery frames. */
const MIN_SHARED: Readonly<Record<string, number>> = { dhcp: 21 * 9, dns: 14 * 10, mdns: 18 * 10, nbns: 36, ssdp: 7 * 4, wsd: 14 * 2 };

t.test('wired discovery agrees with tshark on ../shared/captures/ethernet_fingerprint', async (t) => {
  t.ok(TSHARK, `tshark: ${TSHARK ?? 'missing'}`);
  const root = capturesDir();
  const files = capturesIn(root, ['ethernet_fingerprint']);
  t.ok(files.length >= 20, `${files.length} capture files (at least 20)`);
  if (TSHARK === undefined) return;
  const tl = new Tally();
  let frames = 0;
  let lldpCdpV6 = 0;
  for (const file of files) {
    const r = compareFile(file, tl, file.slice(root.length + 1));
    frames += r.frames;
    lldpCdpV6 += r.rows.filter((x) => /:(lldp|cdp|dhcpv6)(:|$)/.test(x['frame.protocols'][0] ?? '')).length;
  }
  t.same(tl.diffs.slice(0, 30), [], `disagreements (${tl.diffs.length})`);
  for (const [proto, min] of Object.entries(MIN_SHARED)) {
    t.ok((tl.compared.get(proto) ?? 0) >= min, `${proto}: ${tl.compared.get(proto) ?? 0} values compared (at least ${min})`);
  }
  t.equal(lldpCdpV6, 0, 'the shared captures hold no LLDP, CDP or DHCPv6 (if they now do, compare them here too)');
  t.comment(`${frames} frames; values compared: ${JSON.stringify(Object.fromEntries(tl.compared))}`);
});

t.test('wired discovery agrees with tshark on a pcap written with the builders', async (t) => {
  t.ok(TSHARK, 'tshark runs');
  if (TSHARK === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'wired-disc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'discovery.pcap');
  const frames = discoveryCorpus();
  writeFileSync(file, pcapFile(1, frames.map((bytes, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: 0, bytes }))));
  const tl = new Tally();
  t.equal(compareFile(file, tl, 'corpus').frames, frames.length, 'every built frame compared');
  t.same(tl.diffs.slice(0, 30), [], `disagreements (${tl.diffs.length})`);
  // Comparisons (a list of names or TXT strings is one) per protocol: frames built x fields compared.
  const MIN_BUILT: Readonly<Record<string, number>> = { lldp: 4 * 9, cdp: 3 * 6, dhcpv6: 3 * 5, dhcp: 3 * 9, mdns: 2 * 11, dns: 11, nbns: 2, ssdp: 3 * 5, wsd: 3 * 2 };
  for (const [proto, min] of Object.entries(MIN_BUILT)) {
    t.ok((tl.compared.get(proto) ?? 0) >= min, `${proto}: ${tl.compared.get(proto) ?? 0} comparisons (at least ${min})`);
  }
  t.comment(`values compared: ${JSON.stringify(Object.fromEntries(tl.compared))}`);
});

export type { Test };
