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
// Wired discovery (issue 7 part A: wired-disc).
import { cdpDecoder } from './cdp/index.js';
import { DHCP_CLIENT_PORT, DHCP_SERVER_PORT } from './dhcp/consts.js';
import { dhcpDecoder } from './dhcp/index.js';
import { DHCPV6_CLIENT_PORT, DHCPV6_SERVER_PORT } from './dhcpv6/consts.js';
import { dhcpv6Decoder } from './dhcpv6/index.js';
import { DNS_PORT, MDNS_PORT } from './dns/consts.js';
import { dnsDecoder, mdnsDecoder } from './dns/index.js';
import { ETHER_KEY_LLC } from './ethernet/consts.js';
import { LLC_KEY_CDP } from './llc/consts.js';
import { llcDecoder } from './llc/index.js';
import { ETHERTYPE_LLDP } from './lldp/consts.js';
import { lldpDecoder } from './lldp/index.js';
import { NBNS_PORT } from './nbns/consts.js';
import { nbnsDecoder } from './nbns/index.js';
import { SSDP_PORT } from './ssdp/consts.js';
import { ssdpDecoder } from './ssdp/index.js';
import { WSD_PORT } from './wsd/consts.js';
import { wsdDecoder } from './wsd/index.js';
import { contentDecoder } from './content/index.js';
import { ftpDecoder } from './ftp/index.js';
import { httpDecoder } from './http/index.js';
import { snmpDecoder } from './snmp/index.js';
import { sshDecoder } from './ssh/index.js';
import { telnetDecoder } from './telnet/index.js';
import { tlsDecoder } from './tls/index.js';
// Wi-Fi (802.11): radiotap, PPI, 802.11, LLC/SNAP, EAPOL.
import { radiotapDecoder } from './radiotap/index.js';
import { KEY_80211, KEY_80211_PADDED } from './radiotap/consts.js';
import { ieee80211Decoder, ieee80211PaddedDecoder, KEY_LLC } from './ieee80211/index.js';
import { ppiDecoder, PPI_DLT_USER0 } from './ppi/index.js';
import { eapolDecoder, ETHERTYPE_EAPOL } from './eapol/index.js';
// BLE (issue 9): link types 192, 201, 251, 254, 256, 272 and the layers above them.
import { attDecoder } from './att/index.js';
import { btleCodedDecoder, btleDecoder, btleEncryptedDecoder, BTLE_NEXT_L2CAP } from './btle/index.js';
import { btleRfDecoder, RF_NEXT_LL, RF_NEXT_LL_CODED } from './btle_rf/index.js';
import { ACL_NEXT_L2CAP, hciAclDecoder } from './hci_acl/index.js';
import { hciCmdDecoder } from './hci_cmd/index.js';
import { hciEvtDecoder } from './hci_evt/index.js';
import { H4_ACL, H4_COMMAND, H4_EVENT, hciH4Decoder } from './hci_h4/index.js';
import { hciMonDecoder } from './hci_mon/index.js';
import { CID_ATT, CID_SMP, l2capDecoder } from './l2cap/index.js';
import { NORDIC_NEXT_LL, NORDIC_NEXT_LL_CODED, NORDIC_NEXT_LL_ENCRYPTED } from './nordic_ble/consts.js';
import { nordicBleDecoder } from './nordic_ble/index.js';

import { smpDecoder } from './smp/index.js';
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
/** Wi-Fi link types: raw 802.11, radiotap, PPI. */
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const LINKTYPE_PPI = 192;
// BLE (issue 9).
export const LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR = 201;
export const LINKTYPE_BLUETOOTH_LE_LL = 251;
export const LINKTYPE_BLUETOOTH_LINUX_MONITOR = 254;
export const LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR = 256;
export const LINKTYPE_NORDIC_BLE = 272;

/** BLE: radio headers to the LL packet, HCI to its packets, both to L2CAP, ATT and SMP. */
const HCI_ROWS = (parent: string): RouteRow[] => [
  { parent, key: H4_COMMAND, child: hciCmdDecoder },
  { parent, key: H4_ACL, child: hciAclDecoder },
  { parent, key: H4_EVENT, child: hciEvtDecoder },
];
const BLE_ROWS: readonly RouteRow[] = [
  { parent: 'linktype', key: LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR, child: hciH4Decoder },
  { parent: 'linktype', key: LINKTYPE_BLUETOOTH_LE_LL, child: btleDecoder },
  { parent: 'linktype', key: LINKTYPE_BLUETOOTH_LINUX_MONITOR, child: hciMonDecoder },
  { parent: 'linktype', key: LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR, child: btleRfDecoder },
  { parent: 'linktype', key: LINKTYPE_NORDIC_BLE, child: nordicBleDecoder },
  { parent: 'ppi', key: PPI_DLT_USER0, child: btleDecoder },
  { parent: 'nordic_ble', key: NORDIC_NEXT_LL, child: btleDecoder },
  { parent: 'nordic_ble', key: NORDIC_NEXT_LL_CODED, child: btleCodedDecoder },
  { parent: 'nordic_ble', key: NORDIC_NEXT_LL_ENCRYPTED, child: btleEncryptedDecoder },
  { parent: 'btle_rf', key: RF_NEXT_LL, child: btleDecoder },
  { parent: 'btle_rf', key: RF_NEXT_LL_CODED, child: btleCodedDecoder },
  ...HCI_ROWS('hci_h4'),
  ...HCI_ROWS('hci_mon'),
  { parent: 'btle', key: BTLE_NEXT_L2CAP, child: l2capDecoder },
  { parent: 'hci_acl', key: ACL_NEXT_L2CAP, child: l2capDecoder },
  { parent: 'l2cap', key: CID_ATT, child: attDecoder },
  { parent: 'l2cap', key: CID_SMP, child: smpDecoder },
];

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
 * Wired discovery (issue 7 part A): link-layer discovery (LLDP on its
 * EtherType; 802.3 length frames to LLC, and CDP under Cisco's SNAP) and the
 * UDP discovery protocols by well-known port. UDP routes on the destination
 * port, then the source port, so replies to ephemeral ports are found too.
 * DHCPv6 and SSDP/WS-Discovery ride IPv4 and IPv6 alike.
 */
const WIRED_DISCOVERY_ROWS: RouteRow[] = [
  ...['ethernet', 'vlan', 'sll', 'sll2'].map((parent) => ({ parent, key: ETHERTYPE_LLDP, child: lldpDecoder })),
  { parent: 'ethernet', key: ETHER_KEY_LLC, child: llcDecoder },
  { parent: 'vlan', key: ETHER_KEY_LLC, child: llcDecoder },
  { parent: 'llc', key: LLC_KEY_CDP, child: cdpDecoder },
  { parent: 'udp', key: DHCP_SERVER_PORT, child: dhcpDecoder },
  { parent: 'udp', key: DHCP_CLIENT_PORT, child: dhcpDecoder },
  { parent: 'udp', key: DHCPV6_SERVER_PORT, child: dhcpv6Decoder },
  { parent: 'udp', key: DHCPV6_CLIENT_PORT, child: dhcpv6Decoder },
  { parent: 'udp', key: DNS_PORT, child: dnsDecoder },
  { parent: 'udp', key: MDNS_PORT, child: mdnsDecoder },
  { parent: 'udp', key: NBNS_PORT, child: nbnsDecoder },
  { parent: 'udp', key: SSDP_PORT, child: ssdpDecoder },
  { parent: 'udp', key: WSD_PORT, child: wsdDecoder },
];

/**
 * The key of a parent's content row: tried after `nextKey` and `altKey`
 * found no row (src/decode/index.ts), for a layer with payload. Above any
 * port or EtherType and above the ethernet layer's own LLC key
 * (ethernet/consts.ts ETHER_KEY_LLC, 0x10000), so an Ethernet frame with an
 * unknown EtherType never falls through to LLC. Its decoder recognises the
 * payload by its first bytes, or returns undefined.
 */
export const CONTENT_KEY = 0x20000;

/**
 * Application protocols (issue 7 part B, wired-app): on their IANA ports,
 * and by content on any TCP port without a row (content/index.ts).
 */
const APP_ROWS: RouteRow[] = [
  { parent: 'tcp', key: 80, child: httpDecoder },
  { parent: 'tcp', key: 443, child: tlsDecoder },
  { parent: 'tcp', key: 22, child: sshDecoder },
  { parent: 'tcp', key: 21, child: ftpDecoder },
  { parent: 'tcp', key: 23, child: telnetDecoder },
  { parent: 'udp', key: 161, child: snmpDecoder },
  { parent: 'udp', key: 162, child: snmpDecoder },
  { parent: 'tcp', key: CONTENT_KEY, child: contentDecoder },
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
  ...WIRED_DISCOVERY_ROWS,
  // wired-app (issue 7 part B): HTTP, TLS, SSH, FTP, Telnet, SNMP.
  ...APP_ROWS,
  // Wi-Fi (issue 8): monitor-mode link types, the 802.11 frame, its LLC/SNAP body into the IP rows, EAPOL.
  { parent: 'linktype', key: LINKTYPE_IEEE802_11, child: ieee80211Decoder },
  { parent: 'linktype', key: LINKTYPE_IEEE802_11_RADIOTAP, child: radiotapDecoder },
  { parent: 'linktype', key: LINKTYPE_PPI, child: ppiDecoder },
  { parent: 'radiotap', key: KEY_80211, child: ieee80211Decoder },
  { parent: 'radiotap', key: KEY_80211_PADDED, child: ieee80211PaddedDecoder },
  { parent: 'ppi', key: LINKTYPE_IEEE802_11, child: ieee80211Decoder },
  { parent: 'ieee80211', key: KEY_LLC, child: llcDecoder },
  ...ETHERTYPE_ROWS('llc'),
  { parent: 'llc', key: ETHERTYPE_EAPOL, child: eapolDecoder },
  // BLE (issue 9).
  ...BLE_ROWS,
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
