/**
 * DNS, mDNS/DNS-SD and NetBIOS name service as a sighting source. Every
 * sighting is about the sender (the frame's attributed device).
 *
 * - DNS (RFC 1035): a query says which names the sender looks up
 *   (`dns.query`, one fact per distinct name, at most MAX_QUERY_FACTS per
 *   frame). Responses say nothing about the sender as a client.
 * - mDNS (RFC 6762/6763): in a response, the sender's own records: an A or
 *   AAAA record whose address is the frame's source address gives the host
 *   name (a Bonjour sleep proxy answers for others, so the address must
 *   match); PTR records under a service type and SRV owner names give the
 *   services it offers (`mdns.service`, and the `services` attribute); TXT
 *   keys give model, manufacturer and version facts (RFC 6763 §6, keys in
 *   consts.ts).
 * - NBNS (RFC 1002 §4.2.2): a registration, refresh or multi-homed
 *   registration names the sender (queries name someone else, and a WINS
 *   server answers for others). A unique name with suffix 00 or 20 is its
 *   host name, at medium confidence (NetBIOS names are upper-cased and cut
 *   to 15 characters); group names (NB_FLAGS G bit) are facts only.
 */
import { TXT_MANUFACTURER_KEYS, TXT_MODEL_KEYS, TXT_VERSION_KEYS } from '../../decode/dns/consts.js';
import type { DnsMessageView } from '../../decode/dns/index.js';
import type { Ipv4View } from '../../decode/ipv4/index.js';
import type { Ipv6View } from '../../decode/ipv6/index.js';
import type { NbnsView } from '../../decode/nbns/index.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import { Confidence } from '../../analyze/inventory/identity.js';
import type { Sighting, SightingSource } from '../../analyze/inventory/sighting.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import { attr, FactList, hostLabel } from './common.js';

export const MAX_QUERY_FACTS = 2;
const TYPE_A = 1;
const TYPE_PTR = 12;
const TYPE_TXT = 16;
const TYPE_AAAA = 28;
const TYPE_SRV = 33;
/** NBNS opcodes that register the sender's own names (RFC 1002 §4.2.1.1; 15 is multi-homed registration). */
const NB_OWN_OPCODES: ReadonlySet<number> = new Set([5, 8, 9, 15]);

/** The frame's IP source address as text, or undefined. */
function sourceAddress(frame: DecodedFrame): string | undefined {
  for (const l of frame.layers) {
    if (l.name === 'ipv4') return (l as Ipv4View).srcString;
    if (l.name === 'ipv6') return (l as Ipv6View).srcString;
  }
  return undefined;
}

/** "_ipp._tcp" from "_ipp._tcp.local" or "Printer._ipp._tcp.local" (RFC 6763 §4.1, §7); undefined otherwise. */
export function serviceType(name: string): string | undefined {
  const m = /(?:^|\.)(_[^.]+\._(?:tcp|udp))\.local$/i.exec(name);
  if (m === null) return undefined;
  const t = m[1]!.toLowerCase();
  // The enumeration meta-query (RFC 6763 §9) is not a service the sender offers.
  return t === '_dns-sd._udp' ? undefined : t;
}

function txtFacts(pairs: readonly string[], facts: FactList): void {
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const key = p.slice(0, eq).toLowerCase();
    const value = p.slice(eq + 1);
    if (TXT_MODEL_KEYS.includes(key)) facts.add('mdns.model', value);
    else if (TXT_MANUFACTURER_KEYS.includes(key)) facts.add('mdns.manufacturer', value);
    else if (TXT_VERSION_KEYS.includes(key)) facts.add('mdns.version', value);
  }
}

function fromDns(d: DnsMessageView, emit: (s: Sighting) => void): void {
  if (d.isResponse || d.opcode !== 0) return;
  const facts = new FactList();
  for (const q of d.questions) {
    if (facts.facts.length >= MAX_QUERY_FACTS) break;
    if (q.name !== '') facts.add('dns.query', q.name.toLowerCase());
  }
  if (facts.facts.length > 0) emit({ subject: 'sender', facts: facts.facts });
}

function fromMdns(d: DnsMessageView, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  if (!d.isResponse) return;
  const src = sourceAddress(frame);
  const facts = new FactList();
  const services = new Set<string>();
  let host: string | undefined;
  for (const r of d.resources) {
    if ((r.type === TYPE_A || r.type === TYPE_AAAA) && host === undefined && src !== undefined && d.rdataText(r) === src) {
      host = hostLabel(r.name);
      facts.add('mdns.hostname', r.name);
    } else if (r.type === TYPE_PTR || r.type === TYPE_SRV) {
      const t = serviceType(r.type === TYPE_PTR ? d.rdataText(r) ?? '' : r.name);
      if (t !== undefined) services.add(t);
    } else if (r.type === TYPE_TXT) {
      txtFacts(d.txt(r), facts);
    }
  }
  for (const s of [...services].sort()) facts.add('mdns.service', s);
  const attrs: Array<readonly [AttributeName, Observation]> = [];
  if (host !== undefined) attrs.push(attr(frame, 'hostname', host, 'mdns', 'A/AAAA owner name', Confidence.strong));
  if (services.size > 0) attrs.push(attr(frame, 'services', [...services].sort().join(','), 'mdns', 'PTR/SRV service type', Confidence.strong));
  if (facts.facts.length > 0 || attrs.length > 0) emit({ subject: 'sender', attrs, facts: facts.facts });
}

function fromNbns(d: NbnsView, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  if (d.isResponse || !NB_OWN_OPCODES.has(d.opcode)) return;
  const q = d.records[0];
  if (q === undefined) return;
  const nb = d.netbiosName(q);
  if (nb === undefined || nb.name === '') return;
  // NB_FLAGS of the additional record (RFC 1002 §4.2.1.3): bit 15 is G, a group name.
  const rr = d.resources[0];
  const group = rr !== undefined && rr.rdataLength >= 2 && (d.bytes[rr.rdataOffset]! & 0x80) !== 0;
  // A group name (the workgroup, __MSBROWSE__) is shared, not the device's own,
  // so it is its own fact key: the class engine reads nbns.name as a host name.
  const facts = new FactList();
  facts.add(group ? 'nbns.group' : 'nbns.name', `${nb.name}<${nb.suffix.toString(16).padStart(2, '0')}>`);
  const attrs: Array<readonly [AttributeName, Observation]> = [];
  const host = hostLabel(nb.name);
  if (!group && (nb.suffix === 0x00 || nb.suffix === 0x20) && host !== undefined && !host.includes('<')) {
    attrs.push(attr(frame, 'hostname', host.toLowerCase(), 'nbns', 'name registration', Confidence.medium));
  }
  emit({ subject: 'sender', attrs, facts: facts.facts });
}

export const nameSightings: SightingSource = {
  name: 'names',
  layers: ['dns', 'mdns', 'nbns'],
  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    if (layer.name === 'dns') fromDns(layer as DnsMessageView, emit);
    else if (layer.name === 'mdns') fromMdns(layer as DnsMessageView, frame, emit);
    else fromNbns(layer as NbnsView, frame, emit);
  },
};
