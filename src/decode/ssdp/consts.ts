/**
 * SSDP constants (UPnP Device Architecture 2.0 §1: discovery, HTTPU on
 * UDP 1900), as data.
 */
export const SSDP_PORT = 1900;
/** Header lines read per message at most; real announcements have about ten. */
export const SSDP_MAX_HEADERS = 64;

/** The three message kinds (UPnP DA 2.0 §1.2, §1.3): advertisement, search, search response. */
export const SSDP_KINDS = ['NOTIFY', 'M-SEARCH', 'RESPONSE'] as const;
export type SsdpKind = (typeof SSDP_KINDS)[number];

/** Header names a fingerprint reads (UPnP DA 2.0 §1.2.2, §1.3.2, §1.3.3); compared case-insensitively. */
export const SSDP_HEADERS = ['server', 'usn', 'nt', 'nts', 'st', 'location', 'user-agent', 'cache-control', 'man', 'host'] as const;
