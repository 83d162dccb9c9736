/**
 * DICOM upper layer (PS3.8 §9.3) as a streaming parser over one direction of
 * a reassembled TCP stream (src/analyze/streams/): A-ASSOCIATE-RQ/AC/RJ,
 * P-DATA-TF, A-RELEASE-RQ/RP and A-ABORT.
 *
 * What leaves it (DicomEvent) is owned data typed by the privacy guard
 * (../phi.ts): AE titles, UIDs, the implementation version name, DIMSE
 * command names and statuses from the command set (PS3.7 Annex E), and the
 * user identity type only (PS3.7 §D.3.3.7), never its fields. A dataset
 * (patient attributes, pixel data) is never read: its PDVs are skipped as
 * they pass, and only the fact that one crossed (`dataset`) is reported.
 *
 * Control PDUs are read whole (up to MAX_CONTROL_PDU: an association
 * request of 128 presentation contexts is about 20 KB); P-DATA is read PDV
 * by PDV, so a 500 MB study costs a few bytes of state.
 */
import { safeText, tableText, NO_TEXT, type SafeText } from '../phi.js';
import type { StreamParser } from '../stream.js';
import {
  DIMSE_COMMANDS, ITEM_ABSTRACT_SYNTAX, ITEM_APPLICATION_CONTEXT, ITEM_PRESENTATION_CONTEXT_AC, ITEM_PRESENTATION_CONTEXT_RQ,
  ITEM_TRANSFER_SYNTAX, ITEM_USER_INFORMATION, MAX_COMMAND_SET, MAX_CONTROL_PDU, MAX_PRESENTATION_CONTEXTS, MAX_TRANSFER_SYNTAXES,
  NO_DATASET, PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, PDU_ASSOCIATE_RQ, PDU_HEADER_LEN, PDU_P_DATA, PDU_RELEASE_RP,
  PDU_RELEASE_RQ, PDV_HEADER_LEN, SUB_IMPLEMENTATION_CLASS_UID, SUB_IMPLEMENTATION_VERSION, SUB_MAX_LENGTH, SUB_USER_IDENTITY_RQ,
  TAG_AFFECTED_SOP_CLASS, TAG_COMMAND_DATASET_TYPE, TAG_COMMAND_FIELD, TAG_STATUS, USER_IDENTITY_TYPES,
} from './consts.js';

export interface PresentationContext {
  readonly id: number;
  /** Abstract syntax UID (RQ only; an AC item carries none). */
  readonly abstractSyntax: SafeText;
  readonly transferSyntaxes: readonly SafeText[];
  /** Result/reason (AC only, PS3.8 Table 9-18); -1 in an RQ. */
  readonly result: number;
}

export interface Association {
  readonly kind: 'associate-rq' | 'associate-ac';
  readonly calledAe: SafeText;
  readonly callingAe: SafeText;
  readonly applicationContext: SafeText;
  readonly contexts: readonly PresentationContext[];
  /** Presentation contexts beyond MAX_PRESENTATION_CONTEXTS, counted and not kept. */
  readonly contextsDropped: number;
  readonly implementationUid: SafeText;
  readonly implementationVersion: SafeText;
  readonly maxPduLength: number;
  /** User identity negotiation type name (RQ), 'accepted' (AC), or '' when absent: never the username or secret. */
  readonly userIdentity: SafeText;
}

export type DicomEvent =
  | Association
  | { readonly kind: 'associate-rj'; readonly result: number; readonly source: number; readonly reason: number }
  | { readonly kind: 'release-rq' } | { readonly kind: 'release-rp' }
  | { readonly kind: 'abort'; readonly source: number; readonly reason: number }
  | {
    readonly kind: 'command'; readonly contextId: number; readonly command: number; readonly name: SafeText;
    readonly status: number; readonly affectedSopClass: SafeText; readonly hasDataset: boolean;
  }
  /** A dataset began to cross (the privacy guard's boolean: patient data may be in it). */
  | { readonly kind: 'dataset'; readonly contextId: number }
  | { readonly kind: 'anomaly'; readonly code: string };

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32le = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + ((b[o + 3]! << 24) >>> 0);

/** A-ASSOCIATE-RQ/AC (PS3.8 §9.3.2, §9.3.3) of `b[start, end)` (the whole PDU), or an anomaly code. */
export function parseAssociation(b: Uint8Array, start: number, end: number): Association | string {
  const type = b[start]!;
  if (end - start < PDU_HEADER_LEN + 68) return 'dicom.associate_truncated';
  let ctxName = NO_TEXT;
  let implUid = NO_TEXT;
  let implVersion = NO_TEXT;
  let userIdentity = NO_TEXT;
  let maxPdu = 0;
  let dropped = 0;
  const contexts: PresentationContext[] = [];
  let p = start + PDU_HEADER_LEN + 68;
  while (p + 4 <= end) {
    const it = b[p]!;
    const len = u16(b, p + 2);
    const body = p + 4;
    const stop = body + len;
    if (stop > end) return 'dicom.item_overrun';
    if (it === ITEM_APPLICATION_CONTEXT) {
      ctxName = safeText('dicom.uid', b, body, stop);
    } else if (it === ITEM_PRESENTATION_CONTEXT_RQ || it === ITEM_PRESENTATION_CONTEXT_AC) {
      if (len < 4) return 'dicom.bad_presentation_context';
      if (contexts.length >= MAX_PRESENTATION_CONTEXTS) {
        dropped++;
      } else {
        let abstract = NO_TEXT;
        const ts: SafeText[] = [];
        for (let q = body + 4; q + 4 <= stop;) {
          const sl = u16(b, q + 2);
          if (q + 4 + sl > stop) return 'dicom.item_overrun';
          if (b[q] === ITEM_ABSTRACT_SYNTAX) abstract = safeText('dicom.uid', b, q + 4, q + 4 + sl);
          else if (b[q] === ITEM_TRANSFER_SYNTAX && ts.length < MAX_TRANSFER_SYNTAXES) ts.push(safeText('dicom.uid', b, q + 4, q + 4 + sl));
          q += 4 + sl;
        }
        contexts.push({ id: b[body]!, abstractSyntax: abstract, transferSyntaxes: ts, result: it === ITEM_PRESENTATION_CONTEXT_AC ? b[body + 2]! : -1 });
      }
    } else if (it === ITEM_USER_INFORMATION) {
      for (let q = body; q + 4 <= stop;) {
        const st = b[q]!;
        const sl = u16(b, q + 2);
        const s0 = q + 4;
        if (s0 + sl > stop) return 'dicom.item_overrun';
        if (st === SUB_MAX_LENGTH && sl >= 4) maxPdu = u32(b, s0);
        else if (st === SUB_IMPLEMENTATION_CLASS_UID) implUid = safeText('dicom.uid', b, s0, s0 + sl);
        else if (st === SUB_IMPLEMENTATION_VERSION) implVersion = safeText('dicom.implementation_version', b, s0, s0 + sl);
        // PS3.7 §D.3.3.7.1: only the type byte is read; the primary and secondary fields are the credential.
        else if (st === SUB_USER_IDENTITY_RQ && sl >= 1) userIdentity = tableText(USER_IDENTITY_TYPES[b[s0]!] ?? 'unknown');
        else if (st === SUB_USER_IDENTITY_RQ + 1) userIdentity = tableText('accepted');
        q = s0 + sl;
      }
    }
    p = stop;
  }
  return {
    kind: type === PDU_ASSOCIATE_RQ ? 'associate-rq' : 'associate-ac',
    calledAe: safeText('dicom.ae_title', b, start + 10, start + 26),
    callingAe: safeText('dicom.ae_title', b, start + 26, start + 42),
    applicationContext: ctxName, contexts, contextsDropped: dropped,
    implementationUid: implUid, implementationVersion: implVersion, maxPduLength: maxPdu, userIdentity,
  };
}

/** The command set (PS3.7 Annex E, implicit VR little endian) of `b[start, end)`. */
export function parseCommand(b: Uint8Array, start: number, end: number, contextId: number): DicomEvent {
  let command = -1;
  let status = -1;
  let dsType = NO_DATASET;
  let sop = NO_TEXT;
  for (let p = start; p + 8 <= end;) {
    const tag = ((u16le(b, p) << 16) >>> 0) + u16le(b, p + 2);
    const len = u32le(b, p + 4);
    const v = p + 8;
    if (len > end - v) return { kind: 'anomaly', code: 'dicom.command_overrun' };
    if (tag === TAG_COMMAND_FIELD && len >= 2) command = u16le(b, v);
    else if (tag === TAG_STATUS && len >= 2) status = u16le(b, v);
    else if (tag === TAG_COMMAND_DATASET_TYPE && len >= 2) dsType = u16le(b, v);
    else if (tag === TAG_AFFECTED_SOP_CLASS) sop = safeText('dicom.uid', b, v, v + len);
    p = v + len;
  }
  if (command < 0) return { kind: 'anomaly', code: 'dicom.command_without_field' };
  return {
    kind: 'command', contextId, command, name: tableText(DIMSE_COMMANDS[command] ?? `0x${command.toString(16).padStart(4, '0')}`),
    status, affectedSopClass: sop, hasDataset: dsType !== NO_DATASET,
  };
}

/** Does `b` at `p` look like the start of an upper-layer PDU? (Needs 10 bytes.) */
function plausiblePdu(b: Uint8Array, p: number): boolean {
  const t = b[p]!;
  if (t < PDU_ASSOCIATE_RQ || t > PDU_ABORT || b[p + 1] !== 0) return false;
  const len = u32(b, p + 2);
  if (t === PDU_ASSOCIATE_RQ || t === PDU_ASSOCIATE_AC) return len >= 68 && len <= MAX_CONTROL_PDU && u16(b, p + 6) === 1;
  if (t === PDU_P_DATA) {
    const pdv = u32(b, p + 6);
    return len >= 6 && pdv >= 2 && pdv + 4 <= len;
  }
  return len === 4;
}

/**
 * Content detection: the first bytes of a direction are an A-ASSOCIATE-RQ
 * or -AC (PS3.8 §9.3.2-9.3.3), or an A-ASSOCIATE-RJ (§9.3.4: 10 bytes,
 * result 1 or 2, source 1-3), which is all an acceptor that refuses ever
 * sends, so rejection bursts are seen.
 */
export function looksLikeDicom(first: Uint8Array): boolean {
  if (first.length < 10) return false;
  if (first[0] === PDU_ASSOCIATE_RJ) return plausiblePdu(first, 0) && first[6] === 0 && (first[7] === 1 || first[7] === 2) && first[8]! >= 1 && first[8]! <= 3;
  return (first[0] === PDU_ASSOCIATE_RQ || first[0] === PDU_ASSOCIATE_AC) && plausiblePdu(first, 0);
}

export class DicomStreamParser implements StreamParser<DicomEvent> {
  need = PDU_HEADER_LEN;
  private pduRemain = 0;
  private skip = 0;
  private datasetOpen = false;
  private cmd = new Uint8Array(0);
  private cmdLen = 0;

  feed(b: Uint8Array, emit: (e: DicomEvent) => void): number {
    let p = 0;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, b.length - p);
        p += n;
        this.skip -= n;
        this.pduRemain -= n;
        if (this.skip > 0) return this.wait(p, 1);
      }
      const have = b.length - p;
      if (this.pduRemain > 0) {
        if (have < PDV_HEADER_LEN) return this.wait(p, PDV_HEADER_LEN);
        const pdvLen = u32(b, p);
        if (pdvLen < 2 || pdvLen + 4 > this.pduRemain) return this.lost(p, emit, 'dicom.bad_pdv_length');
        const ctx = b[p + 4]!;
        const mch = b[p + 5]!;
        const body = pdvLen - 2;
        if ((mch & 1) !== 0) {
          // A command fragment (PS3.8 Annex E.2): kept until the last one, then parsed.
          if (this.cmdLen + body > MAX_COMMAND_SET) return this.lost(p, emit, 'dicom.command_too_long');
          if (have < PDV_HEADER_LEN + body) return this.wait(p, PDV_HEADER_LEN + body);
          this.appendCommand(b.subarray(p + PDV_HEADER_LEN, p + PDV_HEADER_LEN + body));
          if ((mch & 2) !== 0) {
            emit(parseCommand(this.cmd, 0, this.cmdLen, ctx));
            this.cmdLen = 0;
          }
          p += PDV_HEADER_LEN + body;
          this.pduRemain -= PDV_HEADER_LEN + body;
        } else {
          // A dataset fragment: never read, only noted once per message.
          if (!this.datasetOpen) emit({ kind: 'dataset', contextId: ctx });
          this.datasetOpen = (mch & 2) === 0;
          p += PDV_HEADER_LEN;
          this.pduRemain -= PDV_HEADER_LEN;
          this.skip = body;
        }
        continue;
      }
      if (have < PDU_HEADER_LEN) return this.wait(p, PDU_HEADER_LEN);
      const type = b[p]!;
      const len = u32(b, p + 2);
      if (type < PDU_ASSOCIATE_RQ || type > PDU_ABORT) return this.lost(p, emit, 'dicom.bad_pdu_type');
      if (type === PDU_P_DATA) {
        p += PDU_HEADER_LEN;
        this.pduRemain = len;
        continue;
      }
      if (len > MAX_CONTROL_PDU) return this.lost(p, emit, 'dicom.pdu_too_long');
      if (have < PDU_HEADER_LEN + len) return this.wait(p, PDU_HEADER_LEN + len);
      emit(this.control(b, p, p + PDU_HEADER_LEN + len));
      p += PDU_HEADER_LEN + len;
    }
  }

  resync(b: Uint8Array): number {
    this.pduRemain = 0;
    this.skip = 0;
    this.cmdLen = 0;
    this.datasetOpen = false;
    this.need = PDU_HEADER_LEN;
    for (let p = 0; p + 10 <= b.length; p++) if (plausiblePdu(b, p)) return p;
    return -1;
  }

  private wait(p: number, need: number): number {
    this.need = need;
    return p;
  }

  /** The bytes at `p` are not DICOM: report it and hand back `~p` (stream.ts). */
  private lost(p: number, emit: (e: DicomEvent) => void, code: string): number {
    emit({ kind: 'anomaly', code });
    return ~p;
  }

  private appendCommand(part: Uint8Array): void {
    if (this.cmdLen + part.length > this.cmd.length) {
      const grown = new Uint8Array(Math.min(MAX_COMMAND_SET, Math.max(256, (this.cmdLen + part.length) * 2)));
      grown.set(this.cmd.subarray(0, this.cmdLen));
      this.cmd = grown;
    }
    this.cmd.set(part, this.cmdLen);
    this.cmdLen += part.length;
  }

  private control(b: Uint8Array, start: number, end: number): DicomEvent {
    const type = b[start]!;
    const len = end - start - PDU_HEADER_LEN;
    switch (type) {
      case PDU_ASSOCIATE_RQ:
      case PDU_ASSOCIATE_AC: {
        const a = parseAssociation(b, start, end);
        return typeof a === 'string' ? { kind: 'anomaly', code: a } : a;
      }
      case PDU_ASSOCIATE_RJ:
        // PS3.8 §9.3.4: reserved, result, source, reason/diag.
        return len < 4 ? { kind: 'anomaly', code: 'dicom.rj_truncated' } : { kind: 'associate-rj', result: b[start + 7]!, source: b[start + 8]!, reason: b[start + 9]! };
      case PDU_RELEASE_RQ:
        return { kind: 'release-rq' };
      case PDU_RELEASE_RP:
        return { kind: 'release-rp' };
      default:
        // PDU_ABORT, PS3.8 §9.3.8: reserved, reserved, source, reason/diag.
        return len < 4 ? { kind: 'anomaly', code: 'dicom.abort_truncated' } : { kind: 'abort', source: b[start + 8]!, reason: b[start + 9]! };
    }
  }
}
