/**
 * What the medical streams tell the inventory (issue 11 §6): software name
 * and version from the DICOM implementation class UID and version name
 * (PS3.7 §D.3.3.2), AE titles, DICOM roles, HL7 applications and roles from
 * the message mix, POCT1-A device identification. Every value is SafeText
 * from the parsers or a constant from a table: no patient data can reach a
 * fact. The sender of a message is the frame's sender; the receiver of an
 * HL7 message is named directly when it is on the site networks.
 */
import { hl7Roles } from '../../decode/hl7/consts.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import { Confidence } from '../inventory/identity.js';
import type { Fact, Sighting, SightingSource } from '../inventory/sighting.js';
import type { SiteNetworks } from '../inventory/sites.js';
import { attr } from '../../identify/wired/common.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import { parseIpv4Text, parseIpv6Text, type Identifier } from '../../telemetry/ident.js';
import type { MedicalContext, MedicalEvent } from './context.js';
import { scpRoles, scuRole } from './roles.js';

export function isLocal(sites: SiteNetworks, id: Identifier): boolean {
  if (id.kind === 'ipv4') {
    const n = parseIpv4Text(id.value);
    return n !== undefined && sites.isLocal4(n);
  }
  if (id.kind === 'ipv6') {
    const b = parseIpv6Text(id.value);
    return b !== undefined && sites.isLocal6(b, 0);
  }
  return false;
}

export class MedicalSightingSource implements SightingSource {
  readonly name = 'medical';
  readonly layers = ['tcp'];

  constructor(private readonly ctx: MedicalContext, private readonly sites: SiteNetworks) {}

  extract(_layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    for (const e of this.ctx.events(frame)) this.one(e, frame, emit);
  }

  private one(e: MedicalEvent, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const facts: Fact[] = [];
    const attrs: Array<readonly [AttributeName, Observation]> = [];
    const fact = (key: string, value: string): void => {
      if (value !== '') facts.push({ key, value });
    };
    if (e.proto === 'dicom') {
      const a = e.ev;
      if (a.kind !== 'associate-rq' && a.kind !== 'associate-ac') return;
      fact('dicom.ae_title', a.kind === 'associate-rq' ? a.callingAe : a.calledAe);
      fact('dicom.implementation_uid', a.implementationUid);
      fact('dicom.implementation_version', a.implementationVersion);
      const sw = a.implementationVersion !== '' ? a.implementationVersion : a.implementationUid;
      if (sw !== '') attrs.push(attr(frame, 'software', sw, 'dicom', 'implementation_version', Confidence.strong));
      const roles = a.kind === 'associate-rq' ? [scuRole(e.services ?? [])].filter((r) => r !== undefined) : scpRoles(e.services ?? []);
      for (const r of roles) fact('dicom.role', r);
      if (roles[0] !== undefined) attrs.push(attr(frame, 'role', roles.join(' '), 'dicom', 'presentation_contexts', Confidence.medium));
      attrs.push(attr(frame, 'services', a.kind === 'associate-rq' ? 'dicom-scu' : `dicom/tcp/${e.conn.srcPort}`, 'dicom', a.kind, Confidence.strong));
    } else if (e.proto === 'hl7') {
      const m = e.ev;
      if (m.kind !== 'message') return;
      fact('hl7.sending_application', m.sendingApplication);
      fact('hl7.sending_facility', m.sendingFacility);
      fact('hl7.version', m.version);
      fact('hl7.message', m.triggerEvent === '' ? m.messageType : `${m.messageType}^${m.triggerEvent}`);
      const roles = hl7Roles(m.messageType, m.triggerEvent);
      if (roles !== undefined) {
        fact('hl7.role', roles.sender);
        attrs.push(attr(frame, 'role', roles.sender, 'hl7', 'message_type', Confidence.medium));
        if (isLocal(this.sites, e.conn.dst)) {
          emit({
            subject: e.conn.dst, counts: false,
            facts: [{ key: 'hl7.role', value: roles.receiver }, ...(m.receivingApplication === '' ? [] : [{ key: 'hl7.receiving_application', value: m.receivingApplication }])],
            attrs: [attr(frame, 'role', roles.receiver, 'hl7', 'message_type', Confidence.medium)],
          });
        }
      }
    } else {
      const m = e.ev;
      if (m.kind !== 'message') return;
      fact('poct1.message', m.root);
      fact('poct1.vendor', m.vendor);
      fact('poct1.model', m.model);
      fact('poct1.device', m.device);
      if (m.model !== '') attrs.push(attr(frame, 'model', m.vendor === '' ? m.model : `${m.vendor} ${m.model}`, 'poct1', 'DEV.model_id', Confidence.strong));
      if (m.version !== '') attrs.push(attr(frame, 'software', m.version, 'poct1', 'DEV.sw_version', Confidence.strong));
    }
    if (facts.length > 0 || attrs.length > 0) emit({ subject: 'sender', facts, attrs });
  }
}
