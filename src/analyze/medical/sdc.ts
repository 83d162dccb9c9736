/**
 * IEEE 11073 SDC (service-oriented device connectivity, issue 11 §4):
 * providers and consumers from their WS-Discovery messages, and the DPWS
 * metadata of a provider where it crosses in cleartext.
 *
 * - A provider announces itself (Hello, ProbeMatches, ResolveMatches) with
 *   the type mdpws:MedicalDevice (IEEE 11073-20702-2016 §9.2, namespace
 *   http://standards.ieee.org/downloads/11073/11073-20702-2016) and the
 *   scopes of IEEE 11073-20701-2018 §9.3: `sdc.mds.pkp:<OID>` (participant
 *   key purpose, 1.2.840.10004.20701.1.1 = "SDC service provider" of
 *   -20701 Annex A), `sdc.cdc.type:/<coding system>/<version>/<code>` (the
 *   MDS type, an ISO/IEEE 11073-10101 MDC code by default).
 * - A consumer (a central station, a gateway) probes for mdpws:MedicalDevice.
 * - DPWS 1.1 §5.1 metadata (a GetMetadata response, or a WS-Transfer Get
 *   answer): ThisModel Manufacturer/ModelName/ModelNumber and ThisDevice
 *   FriendlyName/FirmwareVersion/SerialNumber, read when a TCP segment
 *   carries them in clear (an SDC provider should use TLS, -20702 §7.3;
 *   then nothing is read and the stream counts as protected in the analyzer).
 *
 * Context scopes `sdc.ctxt.pat` (patient), `.ens` (ensemble), `.wfl`
 * (workflow) and `.opr` (operator) can name a patient or a clinician
 * (-20701 §9.3.2): they are never kept (see ../../identify/wired/upnp.ts).
 */
import type { TcpView } from '../../decode/tcp/index.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import { WsdView } from '../../decode/wsd/index.js';
import { isPersonalScope } from '../../decode/wsd/consts.js';
import { Confidence } from '../inventory/identity.js';
import type { Sighting, SightingSource } from '../inventory/sighting.js';
import type { TlsView } from '../../decode/tls/index.js';
import { endpoints } from '../wired-app/frame.js';
import { attr, FactList } from '../../identify/wired/common.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';

/** The MDPWS namespace (IEEE 11073-20702-2016 §5): its presence marks an SDC message whatever the prefix. */
export const MDPWS_NS = 'http://standards.ieee.org/downloads/11073/11073-20702-2016';

/** MDS types (ISO/IEEE 11073-10101 MDC codes, partition 1) to the names the inventory shows. */
export const SDC_MDS_TYPES: ReadonlyMap<string, string> = new Map([
  ['69965', 'MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS'],
  ['69985', 'MDC_DEV_PUMP_INFUS_MDS'],
]);

const isMedicalDeviceType = (t: string): boolean => t === 'MedicalDevice' || t.endsWith(':MedicalDevice') || t.endsWith('}MedicalDevice');
const isSdcScope = (s: string): boolean => s.startsWith('sdc.mds.pkp:') || s.startsWith('sdc.cdc.type:');

/** The code of an `sdc.cdc.type` scope: its last path segment, URI-decoded (bounded). */
export function cdcTypeCode(scope: string): string | undefined {
  if (!scope.startsWith('sdc.cdc.type:')) return undefined;
  const last = scope.slice(scope.lastIndexOf('/') + 1);
  try {
    const v = decodeURIComponent(last);
    return v === '' ? undefined : v.slice(0, 64);
  } catch {
    return undefined;
  }
}

export interface SdcAnnouncement {
  readonly role: 'provider' | 'consumer';
  /** Transport addresses offered (providers only): https:// is protected, http:// cleartext. */
  readonly xaddrs: readonly string[];
}

/** What a WS-Discovery message says about SDC, or undefined when it is not SDC. */
export function sdcAnnouncement(v: WsdView): SdcAnnouncement | undefined {
  const a = v.action;
  const types = v.types;
  const medical = types.some(isMedicalDeviceType);
  if (a === 'Probe') return medical ? { role: 'consumer', xaddrs: [] } : undefined;
  if (a !== 'Hello' && a !== 'ProbeMatches' && a !== 'ResolveMatches') return undefined;
  if (!medical && !v.scopes.some(isSdcScope)) return undefined;
  return { role: 'provider', xaddrs: v.xaddrs };
}

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const THIS_MODEL = enc('ThisModel');
const THIS_DEVICE = enc('ThisDevice');

/** Whether a TCP payload carries DPWS ThisModel/ThisDevice metadata (a native search; no copy). */
export function hasDpwsMetadata(b: Uint8Array, start: number, end: number): boolean {
  const view = Buffer.from(b.buffer, b.byteOffset + start, end - start);
  return view.indexOf(THIS_MODEL) >= 0 || view.indexOf(THIS_DEVICE) >= 0;
}

function fromWsd(v: WsdView, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  const sdc = sdcAnnouncement(v);
  if (sdc === undefined) return;
  const facts = new FactList();
  facts.add('sdc.role', sdc.role);
  const attrs: Array<readonly [AttributeName, Observation]> = [attr(frame, 'role', `sdc-${sdc.role}`, 'wsd', sdc.role === 'provider' ? 'Types' : 'Probe', Confidence.strong)];
  if (sdc.role === 'provider') {
    for (const s of v.scopes) {
      if (isPersonalScope(s)) continue;
      if (s.startsWith('sdc.mds.pkp:')) facts.add('sdc.pkp', s.slice('sdc.mds.pkp:'.length));
      const code = cdcTypeCode(s);
      if (code !== undefined) facts.add('sdc.mds_type', SDC_MDS_TYPES.get(code) ?? code);
    }
    const schemes = new Set(sdc.xaddrs.map((x) => x.slice(0, x.indexOf(':')).toLowerCase()));
    for (const s of schemes) if (s === 'https' || s === 'http') facts.add('sdc.transport', s);
  }
  emit({ subject: 'sender', attrs, facts: facts.facts });
}

/** DPWS 1.1 §5.1 ThisModel / ThisDevice fields: all describe the device, none a patient. */
const DPWS_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['Manufacturer', 'dpws.manufacturer'], ['ModelName', 'dpws.model_name'], ['ModelNumber', 'dpws.model_number'],
  ['FriendlyName', 'dpws.friendly_name'], ['FirmwareVersion', 'dpws.firmware'], ['SerialNumber', 'dpws.serial'],
];

function fromTcp(tcp: TcpView, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  if (tcp.payloadEnd - tcp.payloadOffset < 32 || !hasDpwsMetadata(tcp.bytes, tcp.payloadOffset, tcp.payloadEnd)) return;
  const x = new WsdView(tcp.bytes, tcp.payloadOffset, tcp.payloadEnd, undefined);
  const facts = new FactList();
  const got = new Map<string, string>();
  for (const [el, key] of DPWS_FIELDS) {
    const v = x.value(el)?.slice(0, 128);
    if (v === undefined || v === '') continue;
    facts.add(key, v);
    got.set(el, v);
  }
  const attrs: Array<readonly [AttributeName, Observation]> = [];
  const maker = got.get('Manufacturer');
  const model = got.get('ModelName') ?? got.get('ModelNumber');
  if (maker !== undefined) attrs.push(attr(frame, 'vendor', maker, 'dpws', 'ThisModel/Manufacturer', Confidence.strong));
  if (model !== undefined) attrs.push(attr(frame, 'model', model, 'dpws', 'ThisModel/ModelName', Confidence.strong));
  const fw = got.get('FirmwareVersion');
  if (fw !== undefined) attrs.push(attr(frame, 'firmware', fw, 'dpws', 'ThisDevice/FirmwareVersion', Confidence.strong));
  const serial = got.get('SerialNumber');
  if (serial !== undefined) attrs.push(attr(frame, 'serial', serial, 'dpws', 'ThisDevice/SerialNumber', Confidence.strong));
  if (facts.facts.length > 0) emit({ subject: 'sender', attrs, facts: facts.facts });
}

export class SdcSightingSource implements SightingSource {
  readonly name = 'sdc';
  readonly layers = ['wsd', 'tcp'];

  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    if (layer.name === 'wsd') fromWsd(layer as WsdView, frame, emit);
    else fromTcp(layer as TcpView, frame, emit);
  }
}

/** SDC provider endpoints remembered from their XAddrs (the oldest forgotten first, counted). */
export const MAX_SDC_ENDPOINTS = 4096;
const PATIENT_CONTEXT = enc('PatientContextState');

/** `host|port` of an XAddr URL, and whether it is https; undefined for anything else. */
export function xaddrEndpoint(x: string): { key: string; tls: boolean } | undefined {
  try {
    const u = new URL(x);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    const tls = u.protocol === 'https:';
    const port = u.port === '' ? (tls ? 443 : 80) : Number(u.port);
    return { key: `${u.hostname.replace(/^\[|\]$/g, '')}|${port}`, tls };
  } catch {
    return undefined;
  }
}

export type SdcObservation =
  | { readonly kind: 'protected' | 'cleartext' }
  | { readonly kind: 'patient-context'; readonly server: string; readonly port: number };

/**
 * For the medical analyzer: which SDC providers offer which transport
 * (from Hello/ProbeMatches XAddrs), then per frame whether a TLS session
 * starts to one (`protected`, IEEE 11073-20702 §7.3), a cleartext
 * connection opens to one (`cleartext`), or a cleartext SDC message holds
 * a patient context (-20701 §9.3.2, PatientContextState: PHI in clear).
 */
export class SdcTracker {
  private readonly providers = new Map<string, boolean>();
  evicted = 0;

  get size(): number {
    return this.providers.size;
  }

  observe(frame: DecodedFrame): SdcObservation | undefined {
    let tcp: TcpView | undefined;
    let tls: TlsView | undefined;
    for (const l of frame.layers) {
      if (l.name === 'wsd') {
        this.learn(l as WsdView);
        return undefined;
      }
      if (l.name === 'tcp') tcp = l as TcpView;
      else if (l.name === 'tls') tls = l as TlsView;
    }
    if (tcp === undefined || this.providers.size === 0) return undefined;
    const e = endpoints(frame);
    if (e?.src === undefined || e.dst === undefined) return undefined;
    const toProvider = this.providers.get(`${e.dst.value}|${e.dstPort}`);
    const fromProvider = this.providers.get(`${e.src.value}|${e.srcPort}`);
    if (toProvider === undefined && fromProvider === undefined) return undefined;
    if (tls !== undefined) return tls.isClientHello ? { kind: 'protected' } : undefined;
    if ((tcp.flags & 0x12) === 0x02 && toProvider !== undefined) return { kind: toProvider ? 'protected' : 'cleartext' };
    if (toProvider === true || fromProvider === true) return undefined; // inside TLS: nothing to read
    const view = Buffer.from(tcp.bytes.buffer, tcp.bytes.byteOffset + tcp.payloadOffset, tcp.payloadEnd - tcp.payloadOffset);
    if (view.indexOf(PATIENT_CONTEXT) < 0) return undefined;
    return toProvider !== undefined ? { kind: 'patient-context', server: e.dst.value, port: e.dstPort } : { kind: 'patient-context', server: e.src.value, port: e.srcPort };
  }

  private learn(v: WsdView): void {
    const a = sdcAnnouncement(v);
    if (a?.role !== 'provider') return;
    for (const x of a.xaddrs) {
      const ep = xaddrEndpoint(x);
      if (ep === undefined) continue;
      this.providers.delete(ep.key);
      if (this.providers.size >= MAX_SDC_ENDPOINTS) {
        this.providers.delete(this.providers.keys().next().value!);
        this.evicted++;
      }
      this.providers.set(ep.key, ep.tls);
    }
  }
}
