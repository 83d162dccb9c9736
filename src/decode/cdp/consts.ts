/**
 * Cisco Discovery Protocol constants (Cisco, "CDP" in the Cisco IOS
 * Configuration Fundamentals guide; TLV numbers as Wireshark's
 * packet-cdp.c and Cisco's published CDP frame format), as data.
 */
export interface CdpEntry {
  readonly id: number;
  readonly name: string;
}

/** Version, TTL, checksum. */
export const CDP_HEADER_LEN = 4;
/** TLVs walked per frame at most; real ones carry about 15. */
export const CDP_MAX_TLVS = 64;
/** Addresses read from one Addresses TLV at most. */
export const CDP_MAX_ADDRESSES = 16;

export const CDP_DEVICE_ID = 0x0001;
export const CDP_ADDRESSES = 0x0002;
export const CDP_PORT_ID = 0x0003;
export const CDP_CAPABILITIES = 0x0004;
export const CDP_SOFTWARE_VERSION = 0x0005;
export const CDP_PLATFORM = 0x0006;
export const CDP_NATIVE_VLAN = 0x000a;
export const CDP_MGMT_ADDRESSES = 0x0016;

/** Capability bits, with the names of the `cdp` capabilities text. */
export const CDP_CAPABILITIES_BITS: readonly CdpEntry[] = [
  { id: 0x01, name: 'router' },
  { id: 0x02, name: 'trans_bridge' },
  { id: 0x04, name: 'source_route_bridge' },
  { id: 0x08, name: 'switch' },
  { id: 0x10, name: 'host' },
  { id: 0x20, name: 'igmp' },
  { id: 0x40, name: 'repeater' },
  { id: 0x80, name: 'phone' },
  { id: 0x100, name: 'remote_managed' },
  { id: 0x200, name: 'cvta' },
  { id: 0x400, name: 'two_port_mac_relay' },
];

/** Router, bridges, switch, repeater: the sender describes one of its own ports. */
export const CDP_NETWORK_MASK = 0x01 | 0x02 | 0x04 | 0x08 | 0x40;

/** Address protocol types: NLPID 0xCC is IPv4; 802.2 with the IPv6 EtherType is IPv6. */
export const CDP_PROTO_NLPID = 1;
export const CDP_PROTO_8022 = 2;
export const NLPID_IPV4 = 0xcc;
