/**
 * EtherType values this sensor names (IEEE Registration Authority EtherType
 * register; IEEE 802.1Q-2018 §9.5 for the tag protocol identifiers).
 */
export interface EtherTypeEntry {
  readonly id: number;
  readonly name: string;
}

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ outer tag, still sent by some switches. */
export const ETHERTYPE_QINQ_OLD = 0x9100;

/**
 * A type/length field below this is an IEEE 802.3 length (IEEE 802.3-2022
 * §3.2.6): the frame carries LLC, not an EtherType.
 */
export const ETHERTYPE_MIN = 0x0600;
/** The largest valid 802.3 length field. */
export const ETHER_MAX_LENGTH = 1500;
/**
 * The route key of an 802.3 frame with a length field (IEEE 802.3-2022
 * §3.2.6: LLC follows). Above 0xffff, so it is never an EtherType.
 */
export const ETHER_KEY_LLC = 0x10000;

export const ETHERTYPES: readonly EtherTypeEntry[] = [
  { id: 0x0800, name: 'IPv4' },
  { id: 0x0806, name: 'ARP' },
  { id: 0x0842, name: 'Wake-on-LAN' },
  { id: 0x22f0, name: 'AVTP' },
  { id: 0x22f3, name: 'TRILL' },
  { id: 0x8035, name: 'RARP' },
  { id: 0x8100, name: 'VLAN (802.1Q C-tag)' },
  { id: 0x86dd, name: 'IPv6' },
  { id: 0x8808, name: 'Ethernet flow control' },
  { id: 0x8809, name: 'Slow protocols (LACP)' },
  { id: 0x8847, name: 'MPLS unicast' },
  { id: 0x8848, name: 'MPLS multicast' },
  { id: 0x8863, name: 'PPPoE discovery' },
  { id: 0x8864, name: 'PPPoE session' },
  { id: 0x888e, name: 'EAPOL (802.1X)' },
  { id: 0x8892, name: 'PROFINET' },
  { id: 0x88a4, name: 'EtherCAT' },
  { id: 0x88a8, name: 'VLAN (802.1ad S-tag)' },
  { id: 0x88b8, name: 'IEC 61850 GOOSE' },
  { id: 0x88cc, name: 'LLDP' },
  { id: 0x88e5, name: 'MACsec' },
  { id: 0x88f7, name: 'PTP' },
  { id: 0x8906, name: 'FCoE' },
  { id: 0x9000, name: 'Loopback (CTP)' },
  { id: 0x9100, name: 'VLAN (QinQ, pre-standard)' },
];
