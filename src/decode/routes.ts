/**
 * THE routing table: which decoder handles the layer after a given parent
 * layer and key. Rows are data; a new protocol is a folder plus rows here
 * (or rows a caller appends before building its own table). Nothing
 * registers itself by being imported.
 *
 * Parents: `linktype` (keys are LINKTYPE_* values, tcpdump.org/linktypes.html),
 * then the `name` of the layer just decoded. Link layers key on EtherType,
 * IP layers on the IP protocol number, transports on ports.
 */
import { arpDecoder } from './arp/index.js';
import {
  ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD, ETHERTYPE_VLAN,
} from './ethernet/consts.js';
import { ethernetDecoder } from './ethernet/index.js';
import { icmpDecoder } from './icmp/index.js';
import { icmpv6Decoder } from './icmpv6/index.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from './ipv4/consts.js';
import { ipv4Decoder } from './ipv4/index.js';
import { ipv6Decoder } from './ipv6/index.js';
import { rawIpDecoder } from './raw/index.js';
import { sllDecoder } from './sll/index.js';
import { sll2Decoder } from './sll2/index.js';
import { tcpDecoder } from './tcp/index.js';
import type { Decoder } from './types.js';
import { udpDecoder } from './udp/index.js';
import { vlanDecoder } from './vlan/index.js';
// 802.15.4 / Zigbee (issue 10)
import {
  LINKTYPE_IEEE802_15_4_NOFCS, LINKTYPE_IEEE802_15_4_NONASK_PHY, LINKTYPE_IEEE802_15_4_TAP, LINKTYPE_IEEE802_15_4_WITHFCS,
} from './ieee802154/consts.js';
import {
  ieee802154Fcs16Decoder, ieee802154Fcs32Decoder, ieee802154FcsDecoder, ieee802154NoFcsDecoder,
} from './ieee802154/index.js';
import { ieee802154PhyDecoder } from './ieee802154-phy/index.js';
import { ieee802154TapDecoder } from './ieee802154-tap/index.js';
import { zigbeeApsDecoder } from './zigbee-aps/index.js';
import { zigbeeGpDecoder } from './zigbee-gp/index.js';
import { zigbeeNwkDecoder } from './zigbee-nwk/index.js';
import { zigbeeZclDecoder } from './zigbee-zcl/index.js';
import { zigbeeZdoDecoder } from './zigbee-zdo/index.js';

export interface RouteRow {
  /** `linktype`, or the name of the parent layer (as in its view's `name`). */
  readonly parent: string;
  /** LINKTYPE value, EtherType, IP protocol number, port ... */
  readonly key: number;
  readonly child: Decoder;
}

/** LINKTYPE_* values (tcpdump.org/linktypes.html). */
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as written by some BSDs and old libpcap. */
export const LINKTYPE_RAW_DLT12 = 12;
export const LINKTYPE_RAW_DLT14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_ROWS = (parent: string): RouteRow[] => [
  { parent, key: ETHERTYPE_IPV4, child: ipv4Decoder },
  { parent, key: ETHERTYPE_IPV6, child: ipv6Decoder },
  { parent, key: ETHERTYPE_ARP, child: arpDecoder },
  { parent, key: ETHERTYPE_VLAN, child: vlanDecoder },
  { parent, key: ETHERTYPE_QINQ, child: vlanDecoder },
  { parent, key: ETHERTYPE_QINQ_OLD, child: vlanDecoder },
];

const IP_ROWS = (parent: string): RouteRow[] => [
  { parent, key: IPPROTO_TCP, child: tcpDecoder },
  { parent, key: IPPROTO_UDP, child: udpDecoder },
  parent === 'ipv4'
    ? { parent, key: IPPROTO_ICMP, child: icmpDecoder }
    : { parent, key: IPPROTO_ICMPV6, child: icmpv6Decoder },
];

/**
 * 802.15.4 and Zigbee (issue 10). LINKTYPE 195 ends in a 16-bit FCS or TI
 * CC24xx metadata (ieee802154/fcs.ts); the TAP header's key is its FCS type
 * (0 none, 1 16-bit, 2 32-bit); the NONASK PHY header is followed by a
 * 16-bit FCS. A MAC data frame's key is the Zigbee NWK protocol version
 * (1 2004, 2 PRO, 3 Green Power); NWK routes to APS with key 0; APS to ZDO
 * (profile 0, key 0) or ZCL (key 1).
 */
const IEEE802154_ROWS: RouteRow[] = [
  { parent: 'linktype', key: LINKTYPE_IEEE802_15_4_WITHFCS, child: ieee802154FcsDecoder },
  { parent: 'linktype', key: LINKTYPE_IEEE802_15_4_NOFCS, child: ieee802154NoFcsDecoder },
  { parent: 'linktype', key: LINKTYPE_IEEE802_15_4_NONASK_PHY, child: ieee802154PhyDecoder },
  { parent: 'linktype', key: LINKTYPE_IEEE802_15_4_TAP, child: ieee802154TapDecoder },
  { parent: 'ieee802154-phy', key: 1, child: ieee802154Fcs16Decoder },
  { parent: 'ieee802154-tap', key: 0, child: ieee802154NoFcsDecoder },
  { parent: 'ieee802154-tap', key: 1, child: ieee802154Fcs16Decoder },
  { parent: 'ieee802154-tap', key: 2, child: ieee802154Fcs32Decoder },
  { parent: 'ieee802154', key: 1, child: zigbeeNwkDecoder },
  { parent: 'ieee802154', key: 2, child: zigbeeNwkDecoder },
  { parent: 'ieee802154', key: 3, child: zigbeeGpDecoder },
  { parent: 'zigbee-nwk', key: 0, child: zigbeeApsDecoder },
  { parent: 'zigbee-aps', key: 0, child: zigbeeZdoDecoder },
  { parent: 'zigbee-aps', key: 1, child: zigbeeZclDecoder },
];

/** The sensor's routes. Later protocols add rows (e.g. `{parent: 'udp', key: 67, ...}`). */
export const DEFAULT_ROUTES: readonly RouteRow[] = Object.freeze([
  { parent: 'linktype', key: LINKTYPE_ETHERNET, child: ethernetDecoder },
  { parent: 'linktype', key: LINKTYPE_RAW_DLT12, child: rawIpDecoder },
  { parent: 'linktype', key: LINKTYPE_RAW_DLT14, child: rawIpDecoder },
  { parent: 'linktype', key: LINKTYPE_RAW, child: rawIpDecoder },
  { parent: 'linktype', key: LINKTYPE_LINUX_SLL, child: sllDecoder },
  { parent: 'linktype', key: LINKTYPE_IPV4, child: ipv4Decoder },
  { parent: 'linktype', key: LINKTYPE_IPV6, child: ipv6Decoder },
  { parent: 'linktype', key: LINKTYPE_LINUX_SLL2, child: sll2Decoder },
  ...ETHERTYPE_ROWS('ethernet'),
  ...ETHERTYPE_ROWS('vlan'),
  ...ETHERTYPE_ROWS('sll'),
  ...ETHERTYPE_ROWS('sll2'),
  ...IP_ROWS('ipv4'),
  ...IP_ROWS('ipv6'),
  ...IEEE802154_ROWS,
]);

/**
 * The lookup built once from rows: one Map per parent, keyed by number,
 * so a lookup per layer is two Map reads and no string building.
 */
export class RouteTable {
  private readonly byParent: Map<string, Map<number, Decoder>>;
  readonly rows: readonly RouteRow[];

  /** Throws when two rows share a parent and key, or a key is not an integer. */
  constructor(rows: readonly RouteRow[]) {
    this.byParent = new Map();
    for (const row of rows) {
      if (!Number.isInteger(row.key) || row.key < 0) {
        throw new Error(`route ${row.parent}/${row.key} -> ${row.child.name}: key must be a non-negative integer`);
      }
      let m = this.byParent.get(row.parent);
      if (m === undefined) {
        m = new Map();
        this.byParent.set(row.parent, m);
      }
      const prev = m.get(row.key);
      if (prev !== undefined) {
        throw new Error(
          `duplicate route ${row.parent}/${row.key} (0x${row.key.toString(16)}): ${prev.name} and ${row.child.name}`,
        );
      }
      m.set(row.key, row.child);
    }
    this.rows = Object.freeze(rows.slice());
  }

  /** The decoder for (parent, key), or undefined when there is no route. */
  get(parent: string, key: number): Decoder | undefined {
    const m = this.byParent.get(parent);
    return m === undefined ? undefined : m.get(key);
  }

  /** The parent names that have rows. */
  parents(): string[] {
    return [...this.byParent.keys()];
  }
}

/** A table from the default rows plus `extra` (which may not repeat a default parent/key). */
export function buildRouteTable(extra: readonly RouteRow[] = [], base: readonly RouteRow[] = DEFAULT_ROUTES): RouteTable {
  return new RouteTable([...base, ...extra]);
}
