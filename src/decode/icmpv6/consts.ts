/** ICMPv6 message types (RFC 4443 §2.1, RFC 4861 §4, RFC 3810 §5; IANA "ICMPv6 Parameters"). */
export interface Icmpv6TypeEntry {
  readonly id: number;
  readonly name: string;
}

export const ICMPV6_TYPES: readonly Icmpv6TypeEntry[] = [
  { id: 1, name: 'Destination Unreachable' },
  { id: 2, name: 'Packet Too Big' },
  { id: 3, name: 'Time Exceeded' },
  { id: 4, name: 'Parameter Problem' },
  { id: 128, name: 'Echo Request' },
  { id: 129, name: 'Echo Reply' },
  { id: 130, name: 'Multicast Listener Query' },
  { id: 131, name: 'Multicast Listener Report' },
  { id: 132, name: 'Multicast Listener Done' },
  { id: 133, name: 'Router Solicitation' },
  { id: 134, name: 'Router Advertisement' },
  { id: 135, name: 'Neighbor Solicitation' },
  { id: 136, name: 'Neighbor Advertisement' },
  { id: 137, name: 'Redirect' },
  { id: 143, name: 'Multicast Listener Report v2' },
];
