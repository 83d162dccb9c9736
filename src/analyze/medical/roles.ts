/**
 * DICOM node roles from the services a node asks for and accepts (issue 11
 * §6), as data. A requestor (SCU) that stores images or reads the worklist
 * is a modality; one that only queries and retrieves is a workstation. An
 * acceptor (SCP) of storage or query/retrieve is a PACS; of the modality
 * worklist, a worklist server (PS3.4 Annexes B, C, K, F).
 */
import type { DicomService } from '../../decode/dicom/consts.js';

export type DicomRole = 'modality' | 'workstation' | 'pacs' | 'worklist-server';

export const SCU_ROLES: ReadonlyArray<readonly [DicomRole, readonly DicomService[]]> = [
  ['modality', ['storage', 'worklist', 'mpps', 'commitment']],
  ['workstation', ['query', 'retrieve']],
];
export const SCP_ROLES: ReadonlyArray<readonly [DicomRole, readonly DicomService[]]> = [
  ['worklist-server', ['worklist', 'mpps']],
  ['pacs', ['storage', 'query', 'retrieve', 'commitment']],
];

/** The requestor's role: the first row any proposed service matches (a modality may also query). */
export function scuRole(services: readonly DicomService[]): DicomRole | undefined {
  return SCU_ROLES.find(([, s]) => s.some((x) => services.includes(x)))?.[0];
}

/** The acceptor's roles: every row an accepted service matches (a PACS often serves the worklist too). */
export function scpRoles(services: readonly DicomService[]): DicomRole[] {
  return SCP_ROLES.filter(([, s]) => s.some((x) => services.includes(x))).map(([r]) => r);
}
