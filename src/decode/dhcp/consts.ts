/**
 * DHCPv4 / BOOTP constants (RFC 2131 §2, RFC 2132, IANA "BOOTP Vendor
 * Extensions and DHCP Options"), as data.
 */
export interface DhcpOptionEntry {
  readonly id: number;
  readonly name: string;
}

/** UDP ports (RFC 2131 §4.1). */
export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

/** op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr(16), sname(64), file(128): RFC 2131 §2 Figure 1. */
export const DHCP_FIXED_LEN = 236;
/** The magic cookie 99.130.83.99 (RFC 2131 §3, RFC 2132 §2). */
export const DHCP_MAGIC_COOKIE = 0x63825363;
/** Options start after the fixed header and the cookie. */
export const DHCP_OPTIONS_OFFSET = DHCP_FIXED_LEN + 4;
/**
 * Options walked per message at most. A datagram holds at most ~32k
 * one-byte pad options; real clients send fewer than 30. Past this the walk
 * stops with a warning, so a hostile message costs a bounded amount.
 */
export const DHCP_MAX_OPTIONS = 255;

export const OPT_PAD = 0;
export const OPT_HOSTNAME = 12;
export const OPT_REQUESTED_IP = 50;
export const OPT_MESSAGE_TYPE = 53;
export const OPT_SERVER_ID = 54;
export const OPT_PARAMETER_LIST = 55;
export const OPT_MAX_MESSAGE_SIZE = 57;
export const OPT_VENDOR_CLASS = 60;
export const OPT_CLIENT_ID = 61;
export const OPT_USER_CLASS = 77;
export const OPT_CLIENT_FQDN = 81;
export const OPT_END = 255;

/** RFC 4702 §2.1: the E flag says the name is in DNS wire format, not ASCII. */
export const FQDN_FLAG_E = 0x04;

/** DHCP message types, option 53 (RFC 2132 §9.6; RFC 3203, RFC 4388, RFC 6926). */
export const DHCP_MESSAGE_TYPES: readonly DhcpOptionEntry[] = [
  { id: 1, name: 'DISCOVER' },
  { id: 2, name: 'OFFER' },
  { id: 3, name: 'REQUEST' },
  { id: 4, name: 'DECLINE' },
  { id: 5, name: 'ACK' },
  { id: 6, name: 'NAK' },
  { id: 7, name: 'RELEASE' },
  { id: 8, name: 'INFORM' },
  { id: 9, name: 'FORCERENEW' },
  { id: 10, name: 'LEASEQUERY' },
  { id: 11, name: 'LEASEUNASSIGNED' },
  { id: 12, name: 'LEASEUNKNOWN' },
  { id: 13, name: 'LEASEACTIVE' },
];

/** Options this sensor reads (RFC 2132 unless noted). */
export const DHCP_OPTIONS: readonly DhcpOptionEntry[] = [
  { id: 12, name: 'Host Name' },
  { id: 50, name: 'Requested IP Address' },
  { id: 53, name: 'DHCP Message Type' },
  { id: 54, name: 'Server Identifier' },
  { id: 55, name: 'Parameter Request List' },
  { id: 57, name: 'Maximum DHCP Message Size' },
  { id: 60, name: 'Vendor Class Identifier' },
  { id: 61, name: 'Client Identifier' },
  { id: 77, name: 'User Class (RFC 3004)' },
  { id: 81, name: 'Client FQDN (RFC 4702)' },
];
