/**
 * WS-Discovery (OASIS WS-Discovery 1.1; SOAP-over-UDP 1.1) on UDP 3702:
 * Hello, Bye, Probe, ProbeMatches, Resolve and ResolveMatches, with the
 * Types, Scopes, XAddrs and endpoint Address they carry. IEEE 11073 SDC
 * devices announce themselves this way (IEEE 11073-20702 §9, MDPWS types
 * such as mdpws:MedicalDevice).
 *
 * No XML DOM: a bounded scanner walks the tags (at most WSD_MAX_TAGS) and
 * returns the text of the few elements asked for, matched by local name
 * (the prefix is whatever the sender bound; namespaces are not resolved,
 * which is safe for the handful of WS-Discovery element names). A message
 * whose first element is not a SOAP Envelope is `wsd.not_soap`.
 */
import { text } from '../text.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { WSD_ACTIONS, WSD_MAX_TAGS, WSD_MAX_VALUES, XML_ENTITIES, type WsdAction } from './consts.js';

const LT = 0x3c;
const GT = 0x3e;

/** One start tag: where its local name is, and where its content starts. */
interface Tag {
  readonly localStart: number;
  readonly localEnd: number;
  /** After the '>' (content start), or -1 for an empty element `<x/>`. */
  readonly content: number;
}

/** Calls `f` per start tag (no `</`, `<?`, `<!`) until it returns true or WSD_MAX_TAGS are read; returns false when the cap stopped it. */
function scanTags(b: Uint8Array, start: number, end: number, f: (t: Tag) => boolean): boolean {
  let p = start;
  for (let n = 0; n < WSD_MAX_TAGS; n++) {
    while (p < end && b[p] !== LT) p++;
    if (p + 1 >= end) return true;
    const c = b[p + 1]!;
    let q = p + 1;
    while (q < end && b[q] !== GT) q++;
    if (q >= end) return true;
    if (c !== 0x2f && c !== 0x3f && c !== 0x21) {
      // Name: up to whitespace, '/' or '>'; the local part is after the last ':'.
      let e = p + 1;
      let local = p + 1;
      while (e < q && b[e] !== 0x20 && b[e] !== 0x09 && b[e] !== 0x0d && b[e] !== 0x0a && b[e] !== 0x2f) {
        if (b[e] === 0x3a) local = e + 1;
        e++;
      }
      if (f({ localStart: local, localEnd: e, content: b[q - 1] === 0x2f ? -1 : q + 1 })) return true;
    }
    p = q + 1;
  }
  return false;
}

function nameIs(b: Uint8Array, t: Tag, name: string): boolean {
  if (t.localEnd - t.localStart !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (b[t.localStart + i] !== name.charCodeAt(i)) return false;
  return true;
}

/** XML 1.0 §4.6 predefined entities and numeric character references. */
function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (m, e: string) => {
    if (e.startsWith('#x')) return safeCodePoint(parseInt(e.slice(2), 16)) ?? m;
    if (e.startsWith('#')) return safeCodePoint(parseInt(e.slice(1), 10)) ?? m;
    return XML_ENTITIES[e] ?? m;
  });
}

function safeCodePoint(n: number): string | undefined {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

export class WsdView implements Layer {
  readonly name = 'wsd';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  readonly warning: Anomaly | undefined;

  constructor(bytes: Uint8Array, offset: number, end: number, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.warning = warning;
  }

  /** Text content of every element with local name `local`, trimmed and unescaped (at most WSD_MAX_VALUES). */
  values(local: string): string[] {
    const b = this.bytes;
    const end = this.payloadEnd;
    const out: string[] = [];
    scanTags(b, this.offset, end, (t) => {
      if (!nameIs(b, t, local)) return false;
      if (t.content < 0) {
        out.push('');
      } else {
        let e = t.content;
        while (e < end && b[e] !== LT) e++;
        out.push(unescapeXml(text(b, t.content, e).trim()));
      }
      return out.length >= WSD_MAX_VALUES;
    });
    return out;
  }

  /** The first element `local`'s text, or undefined. */
  value(local: string): string | undefined {
    return this.values(local)[0];
  }

  /** The wsa:Action URI (WS-Addressing; WS-Discovery 1.1 §4-§6). */
  get actionUri(): string | undefined {
    return this.value('Action');
  }

  /** The message kind from the Action's last path segment, or undefined for any other action. */
  get action(): WsdAction | undefined {
    const a = this.actionUri;
    if (a === undefined) return undefined;
    const last = a.slice(a.lastIndexOf('/') + 1);
    return (WSD_ACTIONS as readonly string[]).includes(last) ? (last as WsdAction) : undefined;
  }

  get messageId(): string | undefined {
    return this.value('MessageID');
  }

  /** Every QName in every Types element (whitespace-separated list, WS-Discovery 1.1 §4.1), in order. */
  get types(): string[] {
    return this.values('Types').flatMap(splitList);
  }

  /** Every scope URI in every Scopes element. */
  get scopes(): string[] {
    return this.values('Scopes').flatMap(splitList);
  }

  /** Every transport address in every XAddrs element. */
  get xaddrs(): string[] {
    return this.values('XAddrs').flatMap(splitList);
  }

  /** Endpoint references (wsa:Address, usually urn:uuid:...) in order. */
  get addresses(): string[] {
    return this.values('Address');
  }

  get metadataVersion(): number {
    const v = this.value('MetadataVersion');
    return v !== undefined && /^\d{1,10}$/.test(v) ? Number(v) : -1;
  }
}

function splitList(s: string): string[] {
  return s.split(/\s+/).filter((x) => x !== '').slice(0, WSD_MAX_VALUES);
}

class WsdDecoder implements Decoder {
  readonly name = 'wsd';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): WsdView | Anomaly {
    let first: Tag | undefined;
    scanTags(bytes, offset, end, (t) => {
      first = t;
      return true;
    });
    if (first === undefined || !nameIs(bytes, first, 'Envelope')) return anomaly('wsd.not_soap', 'wsd', offset, 0, end - offset);
    let n = 0;
    const complete = scanTags(bytes, offset, end, () => ++n < 0);
    const warning = complete ? undefined : anomaly('wsd.too_many_tags', 'wsd', offset, 0, WSD_MAX_TAGS);
    return new WsdView(bytes, offset, end, warning);
  }
}

export const wsdDecoder: Decoder = new WsdDecoder();
