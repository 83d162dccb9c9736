/** ICMP message types (RFC 792; IANA "ICMP Type Numbers"). */
export interface IcmpTypeEntry {
  readonly id: number;
  readonly name: string;
  /** True for error messages, whose body quotes the offending IP header (RFC 1122 §3.2.2). */
  readonly error: boolean;
}

export const ICMP_TYPES: readonly IcmpTypeEntry[] = [
  { id: 0, name: 'Echo Reply', error: false },
  { id: 3, name: 'Destination Unreachable', error: true },
  { id: 4, name: 'Source Quench', error: true },
  { id: 5, name: 'Redirect', error: true },
  { id: 8, name: 'Echo Request', error: false },
  { id: 9, name: 'Router Advertisement', error: false },
  { id: 10, name: 'Router Solicitation', error: false },
  { id: 11, name: 'Time Exceeded', error: true },
  { id: 12, name: 'Parameter Problem', error: true },
  { id: 13, name: 'Timestamp', error: false },
  { id: 14, name: 'Timestamp Reply', error: false },
];
