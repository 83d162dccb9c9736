/**
 * NetBIOS name service constants (RFC 1002 §4.2, RFC 1001 §14), as data.
 */
export interface NbSuffixEntry {
  readonly id: number;
  readonly name: string;
}

export const NBNS_PORT = 137;
/** RFC 1001 §14.1: a NetBIOS name is 16 bytes, encoded into 32 ('A' + nibble). */
export const NB_NAME_LEN = 16;
export const NB_ENCODED_LEN = 32;

/**
 * The 16th byte of a NetBIOS name says what the name is (Microsoft
 * [MS-NBTE] §2.2.1 and KB 163409; tshark's nbns dissector uses the same table).
 */
export const NB_SUFFIXES: readonly NbSuffixEntry[] = [
  { id: 0x00, name: 'Workstation/Redirector' },
  { id: 0x01, name: 'Browser' },
  { id: 0x03, name: 'Messenger service/Main name' },
  { id: 0x06, name: 'RAS Server service' },
  { id: 0x1b, name: 'Domain Master Browser' },
  { id: 0x1c, name: 'Domain Controllers' },
  { id: 0x1d, name: 'Local Master Browser' },
  { id: 0x1e, name: 'Browser Election Service' },
  { id: 0x1f, name: 'Net DDE Service' },
  { id: 0x20, name: 'Server service' },
  { id: 0x21, name: 'RAS client service' },
  { id: 0x6a, name: 'Exchange IMC' },
  { id: 0x87, name: 'Exchange MTA' },
  { id: 0xbe, name: 'Network Monitor Agent' },
  { id: 0xbf, name: 'Network Monitor Application' },
];
