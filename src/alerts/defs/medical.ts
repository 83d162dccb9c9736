/** Medical protocol alerts: HL7 v2, DICOM, POCT1-A, IEEE 11073 SDC (issue 11), ids 5000-5099. */
import type { AlertDefinition } from '../catalogue.js';

export const MEDICAL_ALERTS: readonly AlertDefinition[] = [
  {
    code: 'phi.cleartext_transport',
    id: 5000,
    severity: 'high',
    title: 'Patient data crossed the network unencrypted',
    trigger:
      'An HL7 v2 message over MLLP carried a patient segment (PID, NK1, PV1, OBX ...), a DICOM association carried a dataset (C-STORE, C-FIND identifier ...), a POCT1-A message carried a patient topic, or an IEEE 11073 SDC provider announced with http:// XAddrs exchanged a PatientContextState (IEEE 11073-20701 §9.3.2), in cleartext TCP. The alert names the two devices, the protocol and the service port; it never carries any of the content, which the parsers cannot return.',
    guidance:
      'Anyone on the path can read names, IDs and results. Move the interface to its TLS form (DICOM TLS on 2762, HL7 over TLS or a VPN between the interface engine and the device, SDC over https as IEEE 11073-20702 §7.3 requires), or confine the traffic to an isolated clinical segment. Record the finding for the data-protection officer.',
  },
  {
    code: 'medical.dicom_new_peer',
    id: 5001,
    severity: 'medium',
    title: 'DICOM association from a host never seen in DICOM before',
    trigger: 'An A-ASSOCIATE-RQ comes from an address that has not requested a DICOM association before (after the learning period, medical.learning_s). The alert names the requestor, the acceptor, the AE titles and the port.',
    guidance: 'Check that the host is a known modality or workstation. An unknown host querying or retrieving from the PACS may be harvesting studies.',
  },
  {
    code: 'medical.dicom_new_ae_title',
    id: 5002,
    severity: 'low',
    title: 'DICOM AE title never seen before',
    trigger: 'An A-ASSOCIATE-RQ names a calling or called AE title the sensor has not seen (after the learning period). AE titles are the only access control many PACS have.',
    guidance: 'Confirm the AE title belongs to a configured node. A new calling AE title against a PACS is how AE-title guessing looks.',
  },
  {
    code: 'medical.hl7_unknown_application',
    id: 5003,
    severity: 'medium',
    title: 'HL7 message from an unknown sending application',
    trigger: 'An HL7 v2 message arrives whose sending application and facility (MSH-3, MSH-4) the sensor has not seen before (after the learning period). The alert names the sender, receiver, application and message type.',
    guidance: 'Check the interface engine\'s list of feeds. An unexpected sender can inject ADT, orders or results into clinical systems.',
  },
  {
    code: 'medical.dicom_reject_burst',
    id: 5004,
    severity: 'medium',
    title: 'Burst of rejected DICOM associations',
    trigger: 'A DICOM node answers medical.reject_burst A-ASSOCIATE-RJ within medical.reject_window_s seconds: someone is trying AE titles or SOP classes (probing).',
    guidance: 'Find the requesting host in the alert facts and check whether it is a misconfigured modality or a scan. Restrict the PACS port to known nodes.',
  },
  {
    code: 'medical.cleartext_user_identity',
    id: 5005,
    severity: 'high',
    title: 'DICOM user identity sent in cleartext',
    trigger: 'An A-ASSOCIATE-RQ carries a user identity negotiation item (username, username and passcode, Kerberos, SAML or JWT; PS3.7 §D.3.3.7) outside TLS. Only the identity type is kept, never the fields.',
    guidance: 'The credential can be read off the wire. Use DICOM over TLS (port 2762) for associations that authenticate, and change the credential.',
  },
  {
    code: 'medical.dicom_store_offsite',
    id: 5006,
    severity: 'high',
    title: 'DICOM C-STORE to an address outside the site networks',
    trigger: 'A C-STORE request goes to an address outside inventory.site_networks (the private ranges by default): images leave the site.',
    guidance: 'Check that the destination is a sanctioned teleradiology or cloud archive. Otherwise treat it as exfiltration: block the destination and find out how the node was configured.',
  },
];
