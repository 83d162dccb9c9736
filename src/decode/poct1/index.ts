/**
 * POCT1-A (CLSI POCT1-A2, point-of-care device connectivity): XML messages
 * over TCP between an analyser and its data manager. A streaming parser over
 * one direction of a reassembled stream reads each message whole (bounded)
 * and reports its root (HEL.R01 hello, DST.R01 device status, OBS.R01
 * observations, ACK.R01 ...), the device identification of a hello
 * (POCT1-A2 §7 DEV topic: vendor_id, model_id, device_id, sw_version) and,
 * for the privacy guard, whether a patient topic (`PT.`) crossed. Values
 * come out only through ../phi.ts.
 */
import { NO_TEXT, safeText, tableText, type NonPhiField, type SafeText } from '../phi.js';
import type { StreamParser } from '../stream.js';

/** Longest message read whole; a longer one is `poct1.message_too_long`. */
export const MAX_POCT1_MESSAGE = 64 * 1024;

export type Poct1Event =
  | {
    readonly kind: 'message'; readonly root: SafeText; readonly carriesPhi: boolean;
    readonly vendor: SafeText; readonly model: SafeText; readonly device: SafeText; readonly version: SafeText;
  }
  | { readonly kind: 'anomaly'; readonly code: string };

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const XML_DECL = enc('<?xml');
const DECL_END = enc('?>');
const V_ATTR = enc('V="');
const PT_TOPIC = enc('<PT.');
/** The DEV topic tags read from a hello (POCT1-A2 §7), encoded once. */
const TAGS = new Map<string, Uint8Array>();
const tagBytes = (tag: string): Uint8Array => {
  let t = TAGS.get(tag);
  if (t === undefined) TAGS.set(tag, (t = enc(`<${tag}`)));
  return t;
};

function indexOf(b: Uint8Array, pat: Uint8Array, from: number, to = b.length): number {
  outer: for (let i = from; i + pat.length <= to; i++) {
    for (let j = 0; j < pat.length; j++) if (b[i + j] !== pat[j]) continue outer;
    return i;
  }
  return -1;
}

/** A POCT1-A message root: three capitals, '.', 'R', two digits (HEL.R01). */
function rootAt(b: Uint8Array, p: number): number {
  if (p + 8 > b.length || b[p] !== 0x3c) return -1;
  for (let i = 1; i <= 3; i++) if (b[p + i]! < 0x41 || b[p + i]! > 0x5a) return -1;
  if (b[p + 4] !== 0x2e || b[p + 5] !== 0x52 || b[p + 6]! < 0x30 || b[p + 6]! > 0x39 || b[p + 7]! < 0x30 || b[p + 7]! > 0x39) return -1;
  return p + 8;
}

/** Content detection: an XML declaration or a POCT1-A root element first. */
export function looksLikePoct1(first: Uint8Array): boolean {
  return indexOf(first, XML_DECL, 0, Math.min(first.length, 8)) === 0 || rootAt(first, 0) > 0;
}

/** The `V` attribute of the first `<tag V="...">` in b[s, e). */
function attrV(b: Uint8Array, s: number, e: number, tag: string, field: NonPhiField): SafeText {
  const at = indexOf(b, tagBytes(tag), s, e);
  if (at < 0) return NO_TEXT;
  const gt = b.indexOf(0x3e, at);
  const v = indexOf(b, V_ATTR, at, gt < 0 ? e : gt);
  if (v < 0) return NO_TEXT;
  const q = b.indexOf(0x22, v + 3);
  return q < 0 || q > e ? NO_TEXT : safeText(field, b, v + 3, q);
}

export class Poct1StreamParser implements StreamParser<Poct1Event> {
  need = 1;

  feed(b: Uint8Array, emit: (e: Poct1Event) => void): number {
    let p = 0;
    for (;;) {
      while (p < b.length && (b[p] === 0x20 || b[p] === 0x0d || b[p] === 0x0a || b[p] === 0x09 || b[p] === 0)) p++;
      if (p >= b.length) return this.wait(p, 1);
      let r = p;
      if (indexOf(b, XML_DECL, p, p + 5) === p || b.length - p < 5) {
        const end = indexOf(b, DECL_END, p);
        if (end < 0) return this.wait(p, b.length - p + 1);
        r = end + 2;
        while (r < b.length && b[r] !== 0x3c) r++;
      }
      if (b.length - r < 8) return this.wait(p, b.length - p + 8);
      const nameEnd = rootAt(b, r);
      if (nameEnd < 0) {
        emit({ kind: 'anomaly', code: 'poct1.not_poct1_root' });
        return ~p;
      }
      const root = b.subarray(r + 1, nameEnd);
      const close = indexOf(b, Uint8Array.from([0x3c, 0x2f, ...root, 0x3e]), nameEnd);
      if (close < 0) {
        if (b.length - p >= MAX_POCT1_MESSAGE) {
          emit({ kind: 'anomaly', code: 'poct1.message_too_long' });
          return ~p;
        }
        return this.wait(p, b.length - p + 1);
      }
      const end = close + root.length + 3;
      const hello = root[0] === 0x48 && root[1] === 0x45 && root[2] === 0x4c;
      emit({
        kind: 'message', root: tableText(String.fromCharCode(...root)), carriesPhi: indexOf(b, PT_TOPIC, r, end) >= 0,
        vendor: hello ? attrV(b, r, end, 'DEV.vendor_id', 'poct1.vendor') : NO_TEXT,
        model: hello ? attrV(b, r, end, 'DEV.model_id', 'poct1.model') : NO_TEXT,
        device: hello ? attrV(b, r, end, 'DEV.device_id', 'poct1.device') : NO_TEXT,
        version: hello ? attrV(b, r, end, 'DEV.sw_version', 'poct1.version') : NO_TEXT,
      });
      p = end;
    }
  }

  resync(b: Uint8Array): number {
    this.need = 1;
    for (let p = 0; p + 8 <= b.length; p++) if (indexOf(b, XML_DECL, p, p + 5) === p || rootAt(b, p) > 0) return p;
    return -1;
  }

  private wait(p: number, need: number): number {
    this.need = need;
    return p;
  }
}
