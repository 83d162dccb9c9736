/**
 * LLDP constants (IEEE 802.1AB-2016 §8), as data.
 */
export interface LldpEntry {
  readonly id: number;
  readonly name: string;
}

export const ETHERTYPE_LLDP = 0x88cc;
/** TLVs walked per LLDPDU at most; a 1500-byte frame holds at most 750 empty TLVs, real ones about 15. */
export const LLDP_MAX_TLVS = 64;

/** TLV types (IEEE 802.1AB-2016 §8.4, Table 8-1). */
export const TLV_END = 0;
export const TLV_CHASSIS_ID = 1;
export const TLV_PORT_ID = 2;
export const TLV_TTL = 3;
export const TLV_PORT_DESCR = 4;
export const TLV_SYS_NAME = 5;
export const TLV_SYS_DESCR = 6;
export const TLV_SYS_CAPS = 7;
export const TLV_MGMT_ADDR = 8;
export const TLV_ORG = 127;

/** Chassis ID subtypes (§8.5.2.2, Table 8-2). */
export const CHASSIS_MAC = 4;
export const CHASSIS_NETWORK_ADDRESS = 5;
/** Port ID subtypes (§8.5.3.2, Table 8-3). */
export const PORT_MAC = 3;
export const PORT_NETWORK_ADDRESS = 4;

/** IANA address family numbers used by network-address subtypes and the management address TLV. */
export const AF_IPV4 = 1;
export const AF_IPV6 = 2;
export const AF_802 = 6;

/**
 * System capabilities bits (§8.5.8.1, Table 8-4), bit 0 first, with the
 * names the shared `lldp.capabilities` fact uses.
 */
export const LLDP_CAPABILITIES: readonly LldpEntry[] = [
  { id: 0, name: 'other' },
  { id: 1, name: 'repeater' },
  { id: 2, name: 'bridge' },
  { id: 3, name: 'wlan_ap' },
  { id: 4, name: 'router' },
  { id: 5, name: 'telephone' },
  { id: 6, name: 'docsis' },
  { id: 7, name: 'station' },
  { id: 8, name: 'cvlan' },
  { id: 9, name: 'svlan' },
  { id: 10, name: 'tpmr' },
];

/**
 * Capabilities that make the sender a network device whose LLDPDU
 * describes one of its own ports (bridge, WLAN AP, router, repeater, C-VLAN,
 * S-VLAN, TPMR), rather than an end station describing itself.
 */
export const NETWORK_CAPABILITY_MASK = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 8) | (1 << 9) | (1 << 10);
