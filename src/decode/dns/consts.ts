/**
 * DNS constants (RFC 1035 §3.2, IANA "DNS Parameters"), mDNS (RFC 6762) and
 * DNS-SD (RFC 6763), as data.
 */
export interface DnsTypeEntry {
  readonly id: number;
  readonly name: string;
}

export const DNS_PORT = 53;
/** RFC 6762 §3. */
export const MDNS_PORT = 5353;
/** RFC 1035 §4.1.1. */
export const DNS_HEADER_LEN = 12;
/**
 * Records (questions included) walked per message at most. A 9000-byte
 * datagram could hold ~800 minimal records; real mDNS announcements carry
 * tens. Past this the walk stops with `<layer>.too_many_records`.
 */
export const DNS_MAX_RECORDS = 256;

export const TYPE_A = 1;
export const TYPE_NS = 2;
export const TYPE_CNAME = 5;
export const TYPE_PTR = 12;
export const TYPE_HINFO = 13;
export const TYPE_TXT = 16;
export const TYPE_AAAA = 28;
export const TYPE_SRV = 33;
export const TYPE_NSEC = 47;
export const TYPE_ANY = 255;
/** NetBIOS general name service resource (RFC 1002 §4.2.1.3); same number as DNS NIMLOC. */
export const TYPE_NB = 32;
/** NetBIOS node status (RFC 1002 §4.2.1.3); same number as DNS SRV, hence the separate NBNS layer. */
export const TYPE_NBSTAT = 33;

/** Top bit of the class: cache-flush in an mDNS answer (RFC 6762 §10.2), unicast-response in a question (§5.4). */
export const CLASS_TOP_BIT = 0x8000;

export const DNS_TYPES: readonly DnsTypeEntry[] = [
  { id: 1, name: 'A' },
  { id: 2, name: 'NS' },
  { id: 5, name: 'CNAME' },
  { id: 6, name: 'SOA' },
  { id: 12, name: 'PTR' },
  { id: 13, name: 'HINFO' },
  { id: 15, name: 'MX' },
  { id: 16, name: 'TXT' },
  { id: 28, name: 'AAAA' },
  { id: 33, name: 'SRV' },
  { id: 41, name: 'OPT' },
  { id: 47, name: 'NSEC' },
  { id: 65, name: 'HTTPS' },
  { id: 255, name: 'ANY' },
];

/**
 * DNS-SD TXT keys (RFC 6763 §6) that name a device, by the fact they feed.
 * Keys are matched case-insensitively (§6.4). Sources: RFC 6763 §6, the
 * Bonjour Printing Specification 1.2.1 §9 (ty, usb_MFG, usb_MDL), Apple
 * AirPlay/companion records (md, model), Google Cast (md, fn).
 */
export const TXT_MODEL_KEYS: readonly string[] = ['md', 'model', 'ty', 'usb_mdl', 'product'];
export const TXT_MANUFACTURER_KEYS: readonly string[] = ['manufacturer', 'usb_mfg', 'mfg', 'vendor'];
export const TXT_VERSION_KEYS: readonly string[] = ['version', 'fw', 'vers', 'fwvers', 'srcvers', 'osvers'];
