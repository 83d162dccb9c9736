/**
 * Classes from the medical protocols' own statements (issue 11 §6): DICOM
 * roles from the services a node proposes and accepts (PS3.4, PS3.8
 * §9.3.2-9.3.3), HL7 v2 roles from the message mix (HL7 v2.5.1 chapters
 * 3-7, IHE PCD DEC/ACM/PIV), POCT1-A hellos (POCT1-A2 §7) and IEEE 11073
 * SDC discovery (IEEE 11073-20701/-20702). Facts are set by
 * src/analyze/medical/sighting.ts and sdc.ts.
 */
import type { ClassRule } from './types.js';

/** An SDC MDS type that names the kind of device: the generic SDC rules step aside for it. */
export const SDC_KNOWN_MDS = { key: 'sdc.mds_type', oneOf: ['MDC_DEV_PUMP_INFUS_MDS', 'MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS'] } as const;

export const MEDICAL_PROTOCOL_RULES: readonly ClassRule[] = [
  {
    name: 'dicom.role.pacs', class: 'imaging', confidence: 3, all: [{ key: 'dicom.role', oneOf: ['pacs'] }],
    source: 'DICOM PS3.4 Annex B/C: the acceptor of Storage and Query/Retrieve presentation contexts is an archive (PACS) node.',
  },
  {
    name: 'dicom.role.worklist', class: 'clinical-system', confidence: 3, all: [{ key: 'dicom.role', oneOf: ['worklist-server'] }], none: [{ key: 'dicom.role', oneOf: ['pacs'] }],
    source: 'DICOM PS3.4 Annex K: the acceptor of Modality Worklist Information Model - FIND is the RIS/worklist broker.',
  },
  {
    name: 'dicom.role.workstation', class: 'workstation', confidence: 2, all: [{ key: 'dicom.role', oneOf: ['workstation'] }], none: [{ key: 'dicom.role', oneOf: ['modality', 'pacs'] }],
    source: 'DICOM PS3.4 Annex C: a requestor that only queries and retrieves is a review workstation.',
  },
  {
    name: 'hl7.role.monitor_gateway', class: 'medical-gateway', confidence: 3, all: [{ key: 'hl7.role', oneOf: ['observation-reporter', 'alarm-reporter'] }],
    source: 'IHE PCD Technical Framework: DEC PCD-01 (ORU^R01) and ACM PCD-04 (ORU^R40) are sent by the device observation/alarm reporter, the patient-monitor gateway.',
  },
  {
    name: 'hl7.role.pump_server', class: 'infusion-pump', confidence: 3, all: [{ key: 'hl7.role', oneOf: ['infusion-pump-server'] }],
    source: 'IHE PCD PIV: PCD-03 RGV^O15 is received by the infusion order consumer, the pump server.',
  },
  {
    name: 'hl7.role.clinical', class: 'clinical-system', confidence: 2,
    all: [{ key: 'hl7.role', oneOf: ['adt-source', 'adt-consumer', 'order-placer', 'order-filler', 'lab-system', 'pharmacy-system', 'pharmacy-order-placer', 'observation-consumer', 'alarm-manager', 'scheduler', 'master-file-source'] }],
    none: [{ key: 'hl7.role', oneOf: ['observation-reporter', 'alarm-reporter', 'infusion-pump-server'] }],
    source: 'HL7 v2.5.1 chapters 3-7: ADT, order, lab, pharmacy and scheduling messages are exchanged between clinical information systems.',
  },
  {
    name: 'poct1.hello', class: 'lab-analyzer', confidence: 3, all: [{ key: 'poct1.message', oneOf: ['HEL.R01', 'DST.R01', 'OBS.R01'] }],
    source: 'CLSI POCT1-A2 §7: HEL.R01 hello and DST.R01 device status are sent by the point-of-care device to its data manager.',
  },
  {
    name: 'sdc.provider', class: 'medical-device', confidence: 3, all: [{ key: 'sdc.role', oneOf: ['provider'] }], none: [SDC_KNOWN_MDS],
    source: 'IEEE 11073-20701-2018 §9.3 and -20702-2016 §9.2: a WS-Discovery Hello/ProbeMatch with mdpws:MedicalDevice or sdc.mds.pkp/sdc.cdc.type scopes comes from an SDC provider, a networked medical device.',
  },
  {
    name: 'sdc.provider.infusion_pump', class: 'infusion-pump', confidence: 4, all: [{ key: 'sdc.mds_type', oneOf: ['MDC_DEV_PUMP_INFUS_MDS'] }],
    source: 'ISO/IEEE 11073-10101 MDC_DEV_PUMP_INFUS_MDS (69985) in the provider\'s sdc.cdc.type scope (IEEE 11073-20701-2018 §9.3.1): an infusion pump.',
  },
  {
    name: 'sdc.provider.monitor', class: 'patient-monitor', confidence: 4, all: [{ key: 'sdc.mds_type', oneOf: ['MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS'] }],
    source: 'ISO/IEEE 11073-10101 MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS (69965) in the sdc.cdc.type scope: a multi-parameter patient monitor.',
  },
  {
    name: 'sdc.consumer', class: 'medical-gateway', confidence: 2, all: [{ key: 'sdc.role', oneOf: ['consumer'] }], none: [{ key: 'sdc.role', oneOf: ['provider'] }],
    source: 'IEEE 11073-20701-2018 §9.2: a node probing for mdpws:MedicalDevice is an SDC service consumer (a central station or device integration gateway).',
  },
];
