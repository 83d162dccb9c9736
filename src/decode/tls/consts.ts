/**
 * TLS tables as data: record content types (RFC 8446 §5.1 / RFC 5246
 * §6.2.1), handshake types (RFC 8446 §4), extension numbers (IANA "TLS
 * ExtensionType Values"), versions with the two characters JA4 prints for
 * them (FoxIO JA4 technical_details/JA4.md "TLS and DTLS Version").
 */
export const TLS_CONTENT = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23, heartbeat: 24 } as const;
export const TLS_HANDSHAKE = { clientHello: 1, serverHello: 2, certificate: 11 } as const;
export const TLS_EXT = { serverName: 0x0000, signatureAlgorithms: 0x000d, alpn: 0x0010, supportedVersions: 0x002b } as const;

/** Version code -> JA4's two characters; anything else is "00". */
export const JA4_VERSIONS: ReadonlyArray<readonly [number, string]> = [
  [0x0304, '13'], [0x0303, '12'], [0x0302, '11'], [0x0301, '10'], [0x0300, 's3'], [0x0002, 's2'],
  [0xfeff, 'd1'], [0xfefd, 'd2'], [0xfefc, 'd3'],
];

/** RFC 8446 §5.1: a record fragment is at most 2^14 bytes, plus 2048 for a TLS 1.2 ciphertext expansion (RFC 5246 §6.2.3). */
export const TLS_MAX_RECORD = 16384 + 2048;
/** Handshake messages looked at in one segment. */
export const TLS_MAX_MESSAGES = 8;
/** Longest SNI / ALPN / certificate name copied out. */
export const TLS_MAX_NAME = 255;

/** GREASE values (RFC 8701 §2): 0x0a0a, 0x1a1a ... 0xfafa. JA4 ignores them everywhere. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}
