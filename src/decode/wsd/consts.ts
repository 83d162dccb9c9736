/**
 * WS-Discovery constants (OASIS WS-Discovery 1.1 §2, SOAP-over-UDP 1.1 on
 * UDP 3702; the 2005/04 draft namespace Windows and DPWS devices still
 * send), as data.
 */
export const WSD_PORT = 3702;
/**
 * Tags read per message at most. A SOAP-over-UDP datagram is at most 64 KB
 * and real Hello/ProbeMatch messages hold under 40 tags; past this the
 * scanner stops (`wsd.too_many_tags`).
 */
export const WSD_MAX_TAGS = 512;
/** Values read per repeated element (Types of each ProbeMatch ...). */
export const WSD_MAX_VALUES = 32;

/** The message kinds (WS-Discovery 1.1 §4-§6), the last path segment of the wsa:Action URI. */
export const WSD_ACTIONS = ['Hello', 'Bye', 'Probe', 'ProbeMatches', 'Resolve', 'ResolveMatches'] as const;
export type WsdAction = (typeof WSD_ACTIONS)[number];

/** XML predefined entities (XML 1.0 §4.6). */
export const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Scopes that can name a person: the IEEE 11073 SDC context scopes for the
 * patient (`sdc.ctxt.pat`), ensemble (`.ens`), workflow (`.wfl`, an order
 * for a patient) and operator (`.opr`, a clinician), IEEE 11073-20701-2018
 * §9.3.2. They are dropped before any fact is kept (issue 11 §7); the
 * location context (`sdc.ctxt.loc`) names a bed, not a person, and stays.
 */
export function isPersonalScope(scope: string): boolean {
  return /^sdc\.ctxt\.(pat|ens|wfl|opr)[:./]/i.test(scope);
}
