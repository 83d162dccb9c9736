/**
 * HTTP/1.x tables as data. Methods: RFC 9110 §9.1 (plus PATCH, RFC 5789
 * §2). Authorization schemes: the IANA "HTTP Authentication Schemes"
 * registry (RFC 7617 Basic, RFC 7616 Digest, RFC 6750 Bearer) and the two
 * Microsoft schemes seen on hospital networks (NTLM, Negotiate: RFC 4559).
 */
export const HTTP_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The scheme of an Authorization header: a name from this list, never the credential after it. */
export const AUTH_SCHEMES = ['basic', 'digest', 'bearer', 'ntlm', 'negotiate'] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number] | 'other';

/** Longest header value copied out (User-Agent strings run to ~200 bytes; facts keep 128). */
export const HTTP_MAX_VALUE = 256;
/** Header lines looked at in one segment, so a flood of tiny headers costs a bounded scan. */
export const HTTP_MAX_HEADERS = 64;
