/**
 * SNMP v1/v2c tables as data: PDU tags (RFC 1157 §4.1, RFC 3416 §3), the
 * system-group OIDs read from responses (RFC 3418 §2, SNMPv2-MIB), and the
 * community strings this sensor judges to be well-known defaults.
 *
 * DEFAULT_COMMUNITIES is a hand-kept list, each entry with its source; the
 * strings are only ever compared with the bytes of a message, never copied
 * out, published or stored (the view returns a verdict, the entry's `id`).
 */
export const SNMP_VERSIONS = { v1: 0, v2c: 1, v3: 3 } as const;

export const SNMP_PDU = {
  getRequest: 0xa0, getNextRequest: 0xa1, response: 0xa2, setRequest: 0xa3, trapV1: 0xa4,
  getBulkRequest: 0xa5, informRequest: 0xa6, trapV2: 0xa7, report: 0xa8,
} as const;
export type SnmpPduName = keyof typeof SNMP_PDU;
export const SNMP_PDU_NAMES: readonly SnmpPduName[] = Object.keys(SNMP_PDU) as SnmpPduName[];

/** SNMPv2-MIB system group (RFC 3418 §2), instance .0, as BER OID content bytes. */
export const OID_SYS_DESCR = Uint8Array.of(0x2b, 6, 1, 2, 1, 1, 1, 0);
export const OID_SYS_OBJECT_ID = Uint8Array.of(0x2b, 6, 1, 2, 1, 1, 2, 0);
export const OID_SYS_NAME = Uint8Array.of(0x2b, 6, 1, 2, 1, 1, 5, 0);

export interface DefaultCommunity {
  /** Stable id, published in alerts in place of the string. */
  readonly id: string;
  readonly value: string;
  readonly source: string;
}

/**
 * Well-known default communities (compared case-sensitively, as agents do).
 * Sources: RFC 1157 §3.2.5 and every agent's shipped configuration
 * (public/private; CVE-1999-0517, CVE-1999-0516); vendor manuals and
 * advisories as named per entry.
 */
export const DEFAULT_COMMUNITIES: readonly DefaultCommunity[] = [
  { id: 'generic-read', value: 'public', source: 'RFC 1157 examples; net-snmp snmpd.conf example; CVE-1999-0517' },
  { id: 'generic-write', value: 'private', source: 'net-snmp snmpd.conf example; CVE-1999-0516' },
  { id: 'cisco-ilmi', value: 'ILMI', source: 'Cisco Security Advisory cisco-sa-20010227-ios-snmp-ilmi' },
  { id: 'cisco-cable', value: 'cable-docsis', source: 'Cisco Security Advisory cisco-sa-20010228-ios-snmp-community' },
  { id: 'hp-jetdirect', value: 'internal', source: 'HP JetDirect default write community (CVE-2002-1048 advisory)' },
  { id: 'generic-admin', value: 'admin', source: 'common vendor default (Metasploit snmp_default_pass list)' },
  { id: 'generic-manager', value: 'manager', source: 'common vendor default (Metasploit snmp_default_pass list)' },
  { id: 'generic-secret', value: 'secret', source: 'common vendor default (Metasploit snmp_default_pass list)' },
  { id: 'generic-community', value: 'community', source: 'common vendor default (Metasploit snmp_default_pass list)' },
  { id: 'generic-monitor', value: 'monitor', source: 'common vendor default (Metasploit snmp_default_pass list)' },
];

/** Varbinds walked in one message at decode time (a response to a large get-bulk is cut here). */
export const SNMP_MAX_VARBINDS = 64;
/** Longest OCTET STRING value copied out (sysDescr). */
export const SNMP_MAX_TEXT = 255;
