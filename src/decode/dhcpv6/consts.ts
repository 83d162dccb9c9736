/**
 * DHCPv6 constants (RFC 8415 §7, IANA "DHCPv6 Parameters"), as data.
 */
export interface Dhcpv6Entry {
  readonly id: number;
  readonly name: string;
}

/** RFC 8415 §7.2. */
export const DHCPV6_CLIENT_PORT = 546;
export const DHCPV6_SERVER_PORT = 547;

/** msg-type + transaction-id (RFC 8415 §8). */
export const DHCPV6_HEADER_LEN = 4;
/** msg-type + hop-count + link-address + peer-address (RFC 8415 §9). */
export const DHCPV6_RELAY_HEADER_LEN = 34;
/** RFC 8415 §7.6 HOP_COUNT_LIMIT: relays nest at most this deep. */
export const DHCPV6_MAX_RELAY_DEPTH = 8;
/** Options walked per message at most (a bound, as for DHCPv4). */
export const DHCPV6_MAX_OPTIONS = 128;

export const MSG_RELAY_FORW = 12;
export const MSG_RELAY_REPL = 13;

export const OPT6_CLIENTID = 1;
export const OPT6_ORO = 6;
export const OPT6_RELAY_MSG = 9;
export const OPT6_USER_CLASS = 15;
export const OPT6_VENDOR_CLASS = 16;
export const OPT6_CLIENT_FQDN = 39;

/** Message types (RFC 8415 §7.3). */
export const DHCPV6_MESSAGE_TYPES: readonly Dhcpv6Entry[] = [
  { id: 1, name: 'Solicit' },
  { id: 2, name: 'Advertise' },
  { id: 3, name: 'Request' },
  { id: 4, name: 'Confirm' },
  { id: 5, name: 'Renew' },
  { id: 6, name: 'Rebind' },
  { id: 7, name: 'Reply' },
  { id: 8, name: 'Release' },
  { id: 9, name: 'Decline' },
  { id: 10, name: 'Reconfigure' },
  { id: 11, name: 'Information-request' },
  { id: 12, name: 'Relay-forw' },
  { id: 13, name: 'Relay-repl' },
];

/** DUID types (RFC 8415 §11.1). */
export const DUID_TYPES: readonly Dhcpv6Entry[] = [
  { id: 1, name: 'DUID-LLT' },
  { id: 2, name: 'DUID-EN' },
  { id: 3, name: 'DUID-LL' },
  { id: 4, name: 'DUID-UUID' },
];
