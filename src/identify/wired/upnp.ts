/**
 * SSDP and WS-Discovery as a sighting source; every sighting is about the
 * sender.
 *
 * - SSDP (UPnP DA 2.0 §1): a NOTIFY (ssdp:alive) or a search response
 *   describes the sender: SERVER (`ssdp.server`), the device or service type
 *   it announces (NT, or ST in a response: `ssdp.type`, and the `services`
 *   attribute). An M-SEARCH describes the searcher only by its USER-AGENT
 *   (`ssdp.user_agent`); what it searches for is not what it is.
 * - WS-Discovery 1.1 §4-§6: Hello, ProbeMatches and ResolveMatches carry
 *   the sender's Types (`wsd.type` per QName, and `services`) and Scopes
 *   (`wsd.scope`). An IEEE 11073 SDC device shows up here with
 *   mdpws:MedicalDevice. SDC patient, ensemble, workflow and operator
 *   context scopes are dropped (consts.ts isPersonalScope). A Probe, like an M-SEARCH, says what the sender
 *   seeks, and a Bye carries no Types.
 */
import type { SsdpView } from '../../decode/ssdp/index.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { WsdView } from '../../decode/wsd/index.js';
import { isPersonalScope } from '../../decode/wsd/consts.js';
import { Confidence } from '../../analyze/inventory/identity.js';
import type { Sighting, SightingSource } from '../../analyze/inventory/sighting.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import { attr, FactList } from './common.js';

/** Search targets that name no type (UPnP DA 2.0 §1.3.2): not a service. */
const GENERIC_TARGETS: ReadonlySet<string> = new Set(['ssdp:all', 'upnp:rootdevice']);

function fromSsdp(v: SsdpView, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  const facts = new FactList();
  const attrs: Array<readonly [AttributeName, Observation]> = [];
  if (v.kind === 'M-SEARCH') {
    facts.add('ssdp.user_agent', v.userAgent);
  } else {
    if (v.kind === 'NOTIFY' && v.nts !== undefined && v.nts.toLowerCase() !== 'ssdp:alive') return;
    if (v.kind === 'RESPONSE' && v.statusCode !== 200) return;
    facts.add('ssdp.server', v.server);
    const type = v.kind === 'NOTIFY' ? v.nt : v.st;
    facts.add('ssdp.type', type);
    // A uuid: NT is the device's own id, not a type.
    if (type !== undefined && !GENERIC_TARGETS.has(type.toLowerCase()) && !type.toLowerCase().startsWith('uuid:')) {
      attrs.push(attr(frame, 'services', type, 'ssdp', v.kind === 'NOTIFY' ? 'NT' : 'ST', Confidence.strong));
    }
  }
  if (facts.facts.length > 0 || attrs.length > 0) emit({ subject: 'sender', attrs, facts: facts.facts });
}

function fromWsd(v: WsdView, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  const a = v.action;
  if (a !== 'Hello' && a !== 'ProbeMatches' && a !== 'ResolveMatches') return;
  const facts = new FactList();
  const types = v.types;
  for (const t of types) facts.add('wsd.type', t);
  for (const s of v.scopes) if (!isPersonalScope(s)) facts.add('wsd.scope', s); // never a patient or operator context (issue 11 §7)
  const attrs: Array<readonly [AttributeName, Observation]> = [];
  if (types.length > 0) attrs.push(attr(frame, 'services', [...new Set(types)].join(' '), 'wsd', 'Types', Confidence.strong));
  if (facts.facts.length > 0 || attrs.length > 0) emit({ subject: 'sender', attrs, facts: facts.facts });
}

export const upnpSightings: SightingSource = {
  name: 'upnp',
  layers: ['ssdp', 'wsd'],
  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    if (layer.name === 'ssdp') fromSsdp(layer as SsdpView, frame, emit);
    else fromWsd(layer as WsdView, frame, emit);
  },
};
