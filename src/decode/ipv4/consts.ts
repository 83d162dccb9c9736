/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers"); shared by IPv4 and IPv6. */
export interface IpProtocolEntry {
  readonly id: number;
  readonly name: string;
}

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;

export const IP_PROTOCOLS: readonly IpProtocolEntry[] = [
  { id: 0, name: 'HOPOPT' },
  { id: 1, name: 'ICMP' },
  { id: 2, name: 'IGMP' },
  { id: 4, name: 'IPv4 (encapsulation)' },
  { id: 6, name: 'TCP' },
  { id: 17, name: 'UDP' },
  { id: 41, name: 'IPv6 (encapsulation)' },
  { id: 43, name: 'IPv6-Route' },
  { id: 44, name: 'IPv6-Frag' },
  { id: 47, name: 'GRE' },
  { id: 50, name: 'ESP' },
  { id: 51, name: 'AH' },
  { id: 58, name: 'IPv6-ICMP' },
  { id: 59, name: 'IPv6-NoNxt' },
  { id: 60, name: 'IPv6-Opts' },
  { id: 89, name: 'OSPF' },
  { id: 103, name: 'PIM' },
  { id: 112, name: 'VRRP' },
  { id: 132, name: 'SCTP' },
];
