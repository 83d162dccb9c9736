/**
 * DICOM upper layer (PS3.8 §9.3) and DIMSE (PS3.7 §9.3, §10.3, Annex E)
 * constants, as data.
 */
import { DICOM_UIDS, type UidKind } from './uids.js';

/** PDU types, PS3.8 §9.3.1 Table 9-11. */
export const PDU_ASSOCIATE_RQ = 0x01;
export const PDU_ASSOCIATE_AC = 0x02;
export const PDU_ASSOCIATE_RJ = 0x03;
export const PDU_P_DATA = 0x04;
export const PDU_RELEASE_RQ = 0x05;
export const PDU_RELEASE_RP = 0x06;
export const PDU_ABORT = 0x07;

/** Variable item types, PS3.8 §9.3.2.1-9.3.3.3 and Annex D.3.3. */
export const ITEM_APPLICATION_CONTEXT = 0x10;
export const ITEM_PRESENTATION_CONTEXT_RQ = 0x20;
export const ITEM_PRESENTATION_CONTEXT_AC = 0x21;
export const ITEM_ABSTRACT_SYNTAX = 0x30;
export const ITEM_TRANSFER_SYNTAX = 0x40;
export const ITEM_USER_INFORMATION = 0x50;
export const SUB_MAX_LENGTH = 0x51;
export const SUB_IMPLEMENTATION_CLASS_UID = 0x52;
export const SUB_IMPLEMENTATION_VERSION = 0x55;
export const SUB_USER_IDENTITY_RQ = 0x58;
export const SUB_USER_IDENTITY_AC = 0x59;

/** The PDU header: type, reserved, 32-bit length (PS3.8 §9.3.1). */
export const PDU_HEADER_LEN = 6;
/** A PDV item header inside P-DATA-TF: 32-bit length, context id, message control header (PS3.8 §9.3.5.1, Annex E.2). */
export const PDV_HEADER_LEN = 6;
/**
 * Longest non-P-DATA PDU read whole. PS3.8 does not bound an A-ASSOCIATE-RQ;
 * 128 presentation contexts of long UIDs stay far below this. Longer is
 * treated as not DICOM (`dicom.pdu_too_long`).
 */
export const MAX_CONTROL_PDU = 256 * 1024;
/** Longest command set kept while its fragments arrive (a command set is a few hundred bytes). */
export const MAX_COMMAND_SET = 16 * 1024;
/** Presentation contexts kept per association (more are counted, not kept). */
export const MAX_PRESENTATION_CONTEXTS = 256;
/** Transfer syntaxes kept per presentation context. */
export const MAX_TRANSFER_SYNTAXES = 32;

/** Presentation context results, PS3.8 §9.3.3.2 Table 9-18. */
export const PC_RESULTS: Readonly<Record<number, string>> = {
  0: 'acceptance', 1: 'user-rejection', 2: 'no-reason', 3: 'abstract-syntax-not-supported', 4: 'transfer-syntaxes-not-supported',
};

/** A-ASSOCIATE-RJ result, source and reason, PS3.8 §9.3.4 Table 9-21. */
export const RJ_RESULTS: Readonly<Record<number, string>> = { 1: 'rejected-permanent', 2: 'rejected-transient' };
export const RJ_SOURCES: Readonly<Record<number, string>> = { 1: 'service-user', 2: 'service-provider-acse', 3: 'service-provider-presentation' };

/** User identity types, PS3.7 Annex D.3.3.7.1 Table D.3-14: the type only is kept, never the fields. */
export const USER_IDENTITY_TYPES: Readonly<Record<number, string>> = {
  1: 'username', 2: 'username-passcode', 3: 'kerberos', 4: 'saml', 5: 'jwt',
};

/** DIMSE command fields, PS3.7 §9.3 and §10.3 (Command Field (0000,0100)). */
export const DIMSE_COMMANDS: Readonly<Record<number, string>> = {
  0x0001: 'C-STORE-RQ', 0x8001: 'C-STORE-RSP', 0x0010: 'C-GET-RQ', 0x8010: 'C-GET-RSP',
  0x0020: 'C-FIND-RQ', 0x8020: 'C-FIND-RSP', 0x0021: 'C-MOVE-RQ', 0x8021: 'C-MOVE-RSP',
  0x0030: 'C-ECHO-RQ', 0x8030: 'C-ECHO-RSP', 0x0100: 'N-EVENT-REPORT-RQ', 0x8100: 'N-EVENT-REPORT-RSP',
  0x0110: 'N-GET-RQ', 0x8110: 'N-GET-RSP', 0x0120: 'N-SET-RQ', 0x8120: 'N-SET-RSP',
  0x0130: 'N-ACTION-RQ', 0x8130: 'N-ACTION-RSP', 0x0140: 'N-CREATE-RQ', 0x8140: 'N-CREATE-RSP',
  0x0150: 'N-DELETE-RQ', 0x8150: 'N-DELETE-RSP', 0x0fff: 'C-CANCEL-RQ',
};

/** Command set tags (group 0000, PS3.7 Annex E.1), as (group << 16 | element). */
export const TAG_AFFECTED_SOP_CLASS = 0x00000002;
export const TAG_COMMAND_FIELD = 0x00000100;
export const TAG_COMMAND_DATASET_TYPE = 0x00000800;
export const TAG_STATUS = 0x00000900;
/** Command Data Set Type (0000,0800) value meaning "no dataset follows" (PS3.7 §E.1). */
export const NO_DATASET = 0x0101;

/** Status class of a DIMSE status (PS3.7 Annex C). */
export function statusClass(status: number): 'success' | 'pending' | 'cancel' | 'warning' | 'failure' {
  if (status === 0x0000) return 'success';
  if (status === 0xff00 || status === 0xff01) return 'pending';
  if (status === 0xfe00) return 'cancel';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116 || (status & 0xf000) === 0xb000) return 'warning';
  return 'failure';
}

/**
 * What a SOP class says about the nodes that use and offer it, for roles
 * (issue 11 §6). Matched against the generated table's names, in order.
 */
export type DicomService = 'verification' | 'storage' | 'worklist' | 'mpps' | 'commitment' | 'query' | 'retrieve' | 'print' | 'other';
const SERVICE_PATTERNS: ReadonlyArray<readonly [RegExp, DicomService]> = [
  [/^Verification/, 'verification'],
  [/Worklist.*FIND|Modality Worklist/, 'worklist'],
  [/Performed Procedure Step/, 'mpps'],
  [/Storage Commitment/, 'commitment'],
  [/(Query\/Retrieve|Information Model).*FIND/, 'query'],
  [/(Query\/Retrieve|Information Model).*(MOVE|GET)/, 'retrieve'],
  [/Storage/, 'storage'],
  [/Print|Film|Image Box|Printer/, 'print'],
];

export interface UidInfo {
  readonly name: string;
  readonly kind: UidKind;
  readonly service: DicomService;
}

/** The UID table as a Map, built once per process from the generated rows (read-only, so shared safely). */
export const UID_INFO: ReadonlyMap<string, UidInfo> = new Map(DICOM_UIDS.map(([uid, kind, name]) => {
  const p = kind === 'sop' || kind === 'meta' ? SERVICE_PATTERNS.find(([re]) => re.test(name)) : undefined;
  return [uid, { name, kind, service: p?.[1] ?? 'other' }] as const;
}));
