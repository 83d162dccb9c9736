/**
 * Passive indicators: traffic that shows a known vulnerability at work or a
 * known-vulnerable stack, without asking the device anything. Each rule is
 * data (code, CVEs, the source it rests on) plus one check over the decoded
 * layers; a hit raises the rule's alert (src/alerts/defs/vulns.ts) on the
 * device it concerns, and the vulns analyzer attaches the CVEs to it.
 *
 * Rules raised elsewhere and only attached here (by alert code):
 * BleedingTooth (ble) and cleartext default credentials (wired-app), see
 * ATTACHED below.
 */
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { EthernetView } from '../../decode/ethernet/index.js';
import type { Ipv4View } from '../../decode/ipv4/index.js';
import type { TcpView } from '../../decode/tcp/index.js';
import type { UdpView } from '../../decode/udp/index.js';

export interface IndicatorRule {
  readonly code: string;
  readonly cves: readonly string[];
  /** Where the rule comes from. */
  readonly source: string;
}

export interface IndicatorHit {
  readonly rule: IndicatorRule;
  /** The device it concerns, as a device id (`mac:...`, `ipv4:...`). */
  readonly device: string;
  readonly facts: Readonly<Record<string, string | number>>;
}

export const CONTEC_BLOCK: IndicatorRule = {
  code: 'vulns.contec_cms8000_backdoor',
  cves: ['CVE-2025-0626', 'CVE-2025-0683'],
  source: 'CISA ICSMA-25-030-01 (Contec Health CMS8000, 2025-01-30) and CISA fact sheet "Contec CMS8000 Contains a Backdoor": hard-coded 202.114.4.119 / .120',
};
export const URGENT11_IP_OPTIONS: IndicatorRule = {
  code: 'vulns.urgent11_ip_options',
  cves: ['CVE-2019-12256'],
  source: 'Armis URGENT/11 technical report (2019) §"Stack overflow in the parsing of IPv4 packets\' IP options"; CISA ICSA-19-211-01',
};
export const URGENT11_URGENT_POINTER: IndicatorRule = {
  code: 'vulns.urgent11_tcp_urgent_pointer',
  cves: ['CVE-2019-12255', 'CVE-2019-12260', 'CVE-2019-12261', 'CVE-2019-12263'],
  source: 'Armis URGENT/11 technical report (2019) §"TCP Urgent Pointer = 0 leads to integer underflow"; CISA ICSA-19-211-01',
};
export const NAME_WRECK: IndicatorRule = {
  code: 'vulns.namewreck_dns_compression',
  cves: ['CVE-2020-27009', 'CVE-2020-15795', 'CVE-2016-20009'],
  source: 'Forescout/JSOF NAME:WRECK report (2021) §4 (message compression abuse); RFC 1035 §4.1.4; CISA ICSA-21-103-03',
};
export const RIPPLE20_TUNNEL: IndicatorRule = {
  code: 'vulns.ripple20_ip_tunnel_fragment',
  cves: ['CVE-2020-11896', 'CVE-2020-11898'],
  source: 'JSOF Ripple20 whitepaper (2020) §"CVE-2020-11896": fragmented IP-in-IP tunnelled packets; CISA ICSA-20-168-01',
};

export const INDICATOR_RULES: readonly IndicatorRule[] = [CONTEC_BLOCK, URGENT11_IP_OPTIONS, URGENT11_URGENT_POINTER, NAME_WRECK, RIPPLE20_TUNNEL];

/**
 * Alerts other analyzers raise whose CVEs the vulns analyzer attaches to the
 * device they name (Analyzer.onAlert; same rule shape). A test checks every
 * code is in the alert catalogue.
 */
export const ATTACHED: readonly IndicatorRule[] = [
  {
    code: 'ble.malformed_advertising',
    cves: ['CVE-2020-24490'],
    source: 'Google Security Research BleedingTooth advisory GHSA-ccx2-w2r4-x649 (2020): oversized extended advertising data overflows the Linux HCI event buffer',
  },
  { code: 'credentials.default', cves: [], source: 'wired-app: a well-known default SNMP community answered (CWE-798, CWE-1392); no CVE, an exposure' },
];

const ATTACHED_BY_CODE: ReadonlyMap<string, IndicatorRule> = new Map(ATTACHED.map((r) => [r.code, r]));

/** The attached rule for an alert code, if the vulns analyzer attaches that alert. */
export function attachedRule(code: string): IndicatorRule | undefined {
  return ATTACHED_BY_CODE.get(code);
}

/** 202.114.4.0/24: ICSMA-25-030-01's hard-coded addresses are .119 and .120; the block is watched so a firmware variant is caught too. */
const CONTEC_NET = (202 << 24 >>> 0) + (114 << 16) + (4 << 8);

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
function macKey(n: number): string {
  const s: string[] = [];
  for (let i = 5; i >= 0; i--) s.push(hex2(Math.floor(n / 2 ** (8 * i)) % 256));
  return `mac:${s.join(':')}`;
}

function find<T extends Layer>(frame: DecodedFrame, name: string): T | undefined {
  for (const l of frame.layers) if (l.name === name) return l as T;
  return undefined;
}

const NO_HITS: readonly IndicatorHit[] = Object.freeze([]);

/** The device a hit concerns: the frame's source or destination, by MAC when the frame has one. */
function deviceOf(frame: DecodedFrame, ip: Ipv4View, source: boolean): string {
  const eth = find<EthernetView>(frame, 'ethernet');
  if (eth !== undefined) return macKey(source ? eth.src : eth.dst);
  return `ipv4:${source ? ip.srcString : ip.dstString}`;
}

/**
 * Runs every rule over one frame; returns its hits (usually none). It runs
 * on every IPv4 frame, so the device keys are built only for a hit.
 */
export function indicatorHits(frame: DecodedFrame): readonly IndicatorHit[] {
  const ip = find<Ipv4View>(frame, 'ipv4');
  if (ip === undefined) return NO_HITS;
  let hits: IndicatorHit[] | undefined;
  const hit = (rule: IndicatorRule, toSource: boolean, facts: Readonly<Record<string, string | number>>): void => {
    (hits ??= []).push({ rule, device: deviceOf(frame, ip, toSource), facts });
  };
  if ((ip.dst & 0xffffff00) >>> 0 === CONTEC_NET) hit(CONTEC_BLOCK, true, { destination: ip.dstString });
  // RFC 791 §3.1: loose (0x83) and strict (0x89) source routes; IPnet overflowed on more than one in a packet.
  if (ip.optionsOffset < ip.payloadOffset) {
    const routes = sourceRoutes(ip);
    if (routes >= 2 || routes < 0) hit(URGENT11_IP_OPTIONS, false, { source: ip.srcString, source_routes: routes < 0 ? 'malformed' : routes });
  }
  // RFC 2003: protocol 4 is IP in IP; Treck mis-reassembled fragmented tunnels.
  if (ip.protocol === 4 && ip.isFragment) hit(RIPPLE20_TUNNEL, false, { source: ip.srcString });
  const tcp = find<TcpView>(frame, 'tcp');
  // RFC 9293 §3.1: URG set with an urgent pointer of 0 is the URGENT/11 underflow trigger.
  if (tcp !== undefined && (tcp.flags & 0x20) !== 0 && tcp.urgentPointer === 0) hit(URGENT11_URGENT_POINTER, false, { source: ip.srcString, port: tcp.dstPort });
  const udp = find<UdpView>(frame, 'udp');
  if (udp !== undefined && udp.srcPort === 53) {
    const c = dnsCompressionAbuse(udp.bytes, udp.payloadOffset, udp.payloadEnd);
    if (c !== undefined) hit(NAME_WRECK, false, { source: ip.srcString, reason: c });
  }
  return hits ?? NO_HITS;
}

/** Source-route options in the IPv4 header; -1 when the options are malformed (a length that overruns them). */
function sourceRoutes(ip: Ipv4View): number {
  const b = ip.bytes;
  const end = ip.payloadOffset;
  let n = 0;
  for (let i = ip.optionsOffset; i < end; ) {
    const type = b[i]!;
    if (type === 0) break;
    if (type === 1) {
      i++;
      continue;
    }
    if (i + 1 >= end) return -1;
    const len = b[i + 1]!;
    if (len < 2 || i + len > end) return -1;
    if (type === 0x83 || type === 0x89) n++;
    i += len;
  }
  return n;
}

/**
 * RFC 1035 §4.1.4: a compression pointer must point to a prior occurrence
 * of a name. A pointer into the header, or into the name it belongs to
 * (a loop), or at or past itself, is what NAME:WRECK used. Only the
 * question names are walked (at most 64 labels each, 8 questions): enough
 * to see the abuse, bounded per packet.
 */
export function dnsCompressionAbuse(b: Uint8Array, start: number, end: number): string | undefined {
  if (end - start < 12) return undefined;
  const qd = (b[start + 4]! << 8) | b[start + 5]!;
  let p = start + 12;
  for (let q = 0; q < Math.min(qd, 8); q++) {
    const nameStart = p;
    for (let labels = 0; ; labels++) {
      if (p >= end || labels > 63) return undefined;
      const len = b[p]!;
      if (len === 0) {
        p += 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        if (p + 1 >= end) return undefined;
        const target = ((len & 0x3f) << 8) | b[p + 1]!;
        if (target < 12) return `pointer at ${p - start} into the header (${target})`;
        if (start + target >= nameStart) return `pointer at ${p - start} to ${target}, not before its own name`;
        p += 2;
        break;
      }
      if ((len & 0xc0) !== 0) return `reserved label type 0x${hex2(len & 0xc0)} at ${p - start}`;
      p += 1 + len;
    }
    p += 4;
  }
  return undefined;
}
