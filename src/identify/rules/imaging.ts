/**
 * Imaging and laboratory: Siemens Healthineers, Canon (ex-Toshiba), Fujifilm,
 * Carestream, GE and Philips modalities, PACS; lab and point-of-care
 * analysers. DICOM facts (`dicom.implementation_version`, `dicom.ae_title`,
 * `dicom.role`) come from the A-ASSOCIATE exchange (DICOM PS3.8 §9.3.2 and
 * PS3.7 Annex D.3.3.2, Implementation Version Name).
 */
import { fact, port, vendor, type ClassRule } from './types.js';

export const IMAGING_RULES: readonly ClassRule[] = [
  {
    name: 'dicom.port', class: 'imaging', confidence: 2, all: [port('tcp/104', 'tcp/11112')],
    source: 'DICOM PS3.15 / IANA: 104 and 11112 are the DICOM upper-layer ports; a device that answers on them is a modality, PACS or workstation node.',
  },
  {
    name: 'dicom.role.scu', class: 'imaging', confidence: 2, all: [{ key: 'dicom.role', oneOf: ['scu', 'modality'] }],
    source: 'DICOM PS3.7 §D.3.3.4: an association requestor that stores images is a modality (the role fact is set by the DICOM decoder).',
  },
  {
    name: 'siemens.dicom', class: 'imaging', confidence: 3, all: [fact('dicom.implementation_version', '^(SIEMENS|syngo|SYNGO)[ _-]?(\\S*)')],
    model: 'Siemens Healthineers', firmware: '$2',
    source: 'Siemens syngo DICOM conformance statements: Implementation Version Names begin with "SIEMENS" or "syngo" (PS3.7 D.3.3.2).',
  },
  {
    name: 'siemens.diagnostics.oui', class: 'lab-analyzer', confidence: 2, all: [vendor('^Siemens Healthcare Diagnostics')],
    source: 'IEEE registry: Siemens Healthcare Diagnostics prefixes are on laboratory and point-of-care analysers (RAPIDPoint, Atellica); an OUI that names the product line.',
  },
  {
    name: 'ge.dicom', class: 'imaging', confidence: 3, all: [fact('dicom.implementation_version', '^(GE|GEHC|GEMS|LOGIQ|VIVID|Voluson)[ _-]?(\\S*)')],
    model: 'GE HealthCare', firmware: '$2',
    source: 'assumption: GE conformance statements name the implementation after the product line (GE/GEMS/LOGIQ/Vivid); GE\'s implementation class UID root is 1.2.840.113619.',
  },
  {
    name: 'philips.dicom', class: 'imaging', confidence: 3, all: [fact('dicom.implementation_version', '^(Philips|PMS|ISPACS|IntelliSpace)[ _-]?(\\S*)')],
    model: 'Philips', firmware: '$2',
    source: 'assumption: Philips conformance statements name the implementation Philips/PMS/IntelliSpace.',
  },
  {
    name: 'canon.dicom', class: 'imaging', confidence: 3, all: [fact('dicom.implementation_version', '^(TOSHIBA|TM_|CANON|Vitrea)[ _-]?(\\S*)')],
    model: 'Canon Medical', firmware: '$2',
    source: 'assumption: Canon Medical (formerly Toshiba Medical) conformance statements; names begin TOSHIBA/TM_/CANON/Vitrea.',
  },
  {
    name: 'fujifilm.dicom', class: 'imaging', confidence: 3, all: [fact('dicom.implementation_version', '^(FUJIFILM|FUJI|Synapse|FCR)[ _-]?(\\S*)')],
    model: 'Fujifilm', firmware: '$2',
    source: 'assumption: Fujifilm (FCR/FDR, Synapse PACS) conformance statements; names begin FUJI/Synapse/FCR.',
  },
  {
    name: 'fujifilm.healthcare.oui', class: 'imaging', confidence: 1, all: [vendor('^FUJIFILM Healthcare')],
    source: 'IEEE registry: FUJIFILM Healthcare Corporation (imaging; the other Fujifilm prefixes are office printers).',
  },
  {
    name: 'carestream.dicom', class: 'imaging', confidence: 3, all: [fact('dicom.implementation_version', '^(Carestream|CSH|KODAK|DRX)[ _-]?(\\S*)')],
    model: 'Carestream', firmware: '$2',
    source: 'assumption: Carestream (ex-Kodak Health Imaging) DRX and Vue PACS conformance statements.',
  },
  {
    name: 'carestream.oui', class: 'imaging', confidence: 1, all: [vendor('^Carestream Health')],
    source: 'IEEE registry: Carestream Health (DR detectors and consoles).',
  },
  {
    name: 'ultrasound.vendor_class', class: 'imaging', confidence: 2, all: [fact('dhcp.vendor_class', '(LOGIQ|Vivid|Voluson|DC-\\d+|Resona|EPIQ|Affiniti|ACUSON)')],
    model: '$1',
    source: 'assumption: ultrasound product names (GE, Mindray, Philips, Siemens) in option 60.',
  },
  {
    name: 'poc.analyzer.oui', class: 'lab-analyzer', confidence: 2, all: [vendor('^(Roche Diagnostics|Abbott Point of Care|Abbott Diagnostics)')],
    source: 'IEEE registry: Roche Diagnostics and Abbott Point of Care / Diagnostics prefixes are on analysers (cobas, i-STAT, Afinion); an OUI that names the product line.',
  },
  {
    name: 'poct1a.port', class: 'lab-analyzer', confidence: 2, all: [port('tcp/5001', 'tcp/4001'), vendor('(Diagnostics|Radiometer|Point of Care|Nova Biomedical)')],
    source: 'assumption: POCT1-A (CLSI POCT1) device messaging ports used by analysers towards their data manager, with a diagnostics vendor OUI.',
  },
];
