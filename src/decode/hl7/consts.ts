/**
 * HL7 v2 over MLLP constants and tables, as data.
 */

/** MLLP framing (HL7 v2.5.1 Appendix C.4.3, "MLLP Release 1"): <VT> message <FS><CR>. */
export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const CR = 0x0d;
export const LF = 0x0a;

/** Longest MSH or MSA segment read whole; a longer one is `hl7.header_too_long` and skipped. */
export const MAX_HEADER_SEGMENT = 4096;
/** Distinct segment names counted per message (more are counted as dropped). */
export const MAX_SEGMENT_NAMES = 48;
/** Default port of HL7 over MLLP (IANA "hl7" 2575); content decides, not the port. */
export const HL7_PORT = 2575;

/**
 * Segments that carry patient data (HL7 v2.5.1 chapters 3, 4, 6, 7): their
 * presence is the PHI boolean; their content is never read.
 */
export const PHI_SEGMENTS: ReadonlySet<string> = new Set([
  'PID', 'PD1', 'NK1', 'PV1', 'PV2', 'MRG', 'OBX', 'OBR', 'NTE', 'AL1', 'DG1', 'PR1', 'GT1', 'IN1', 'IN2', 'IN3',
  'TXA', 'SPM', 'ORC', 'RXO', 'RXE', 'RXA', 'RXR', 'RXG', 'QRD', 'QPD', 'PRB', 'ROL', 'DB1', 'ACC', 'UB1', 'UB2',
]);

/** MSA-1 acknowledgment codes (HL7 v2.5.1 Table 0008). */
export const ACK_CODES: ReadonlySet<string> = new Set(['AA', 'AE', 'AR', 'CA', 'CE', 'CR']);

/**
 * What a message type says about its sender and receiver (issue 11 §2):
 * HL7 v2.5.1 chapters 3-7 and the IHE PCD Technical Framework (DEC: PCD-01
 * ORU^R01; ACM: PCD-04 ORU^R40; PIV: PCD-03 RGV^O15). Rows are tried in
 * order; `trigger` '*' matches any trigger event.
 */
export const HL7_ROLES: ReadonlyArray<{ readonly type: string; readonly trigger: string; readonly sender: string; readonly receiver: string }> = [
  { type: 'ORU', trigger: 'R40', sender: 'alarm-reporter', receiver: 'alarm-manager' },
  { type: 'ORU', trigger: 'R01', sender: 'observation-reporter', receiver: 'observation-consumer' },
  { type: 'RGV', trigger: 'O15', sender: 'pump-order-programmer', receiver: 'infusion-pump-server' },
  { type: 'ADT', trigger: '*', sender: 'adt-source', receiver: 'adt-consumer' },
  { type: 'OUL', trigger: '*', sender: 'lab-system', receiver: 'lab-results-consumer' },
  { type: 'ORL', trigger: '*', sender: 'lab-system', receiver: 'order-placer' },
  { type: 'OML', trigger: '*', sender: 'order-placer', receiver: 'lab-system' },
  { type: 'ORM', trigger: '*', sender: 'order-placer', receiver: 'order-filler' },
  { type: 'RDE', trigger: '*', sender: 'pharmacy-order-placer', receiver: 'pharmacy-system' },
  { type: 'RDS', trigger: '*', sender: 'pharmacy-system', receiver: 'pharmacy-dispense-consumer' },
  { type: 'RAS', trigger: '*', sender: 'administration-reporter', receiver: 'pharmacy-system' },
  { type: 'SIU', trigger: '*', sender: 'scheduler', receiver: 'schedule-consumer' },
  { type: 'MFN', trigger: '*', sender: 'master-file-source', receiver: 'master-file-consumer' },
];

export function hl7Roles(type: string, trigger: string): { readonly sender: string; readonly receiver: string } | undefined {
  return HL7_ROLES.find((r) => r.type === type && (r.trigger === '*' || r.trigger === trigger));
}
