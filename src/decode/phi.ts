/**
 * The privacy guard (issue 11 §7): the one place that decides which bytes of
 * a medical protocol may leave a parser as text.
 *
 * HL7 v2 and DICOM carry names, IDs and birth dates (DESIGN.md
 * non-negotiable 2). The medical parsers receive all the bytes, but the
 * types they may return hold text only as `SafeText`, and the only way to
 * make a `SafeText` is `safeText(field, ...)` with a field from
 * `NonPhiField`: identification and routing fields that name software,
 * applications and services, never a patient. A parser that tried to
 * return PID-5 (patient name) would have to name a field that is not in the
 * union, and the build fails. Everything else a PHI-bearing segment or
 * dataset says leaves as enums, counts and booleans (`PhiSummary`).
 *
 * The brand is a compile-time property: `string & {[brand]}` cannot be
 * produced from a plain string without a cast, and casts are what review
 * looks for (see phi.test.ts, which proves an assignment does not compile).
 */
import { text } from './text.js';

declare const safeBrand: unique symbol;

/** Text read from a field the guard lets through. Assignable to string; a string is not assignable to it. */
export type SafeText = string & { readonly [safeBrand]: 'non-phi' };

/**
 * The fields whose text may leave a parser, with the spec that defines them:
 * - HL7 v2.5.1 §2.14.9 MSH-3..MSH-6 (applications and facilities), MSH-9
 *   (message type), MSH-10 (control id: a sender's message counter),
 *   MSH-11 (processing id), MSH-12 (version); §2.14.8 MSA-1 (ack code);
 *   a segment's three-letter name (§2.5).
 * - DICOM PS3.8 §9.3.2: the AE titles, the application context, abstract and
 *   transfer syntax UIDs, implementation class UID (§D.3.3.2) and version
 *   name (§D.3.3.2.3). None of them is a patient attribute.
 * - POCT1-A HEL/DST (POCT1-A2 §7): device and vendor identification.
 * - WS-Discovery/DPWS metadata: types, scopes, manufacturer, model, firmware.
 */
export type NonPhiField =
  | 'hl7.msh.sending_application' | 'hl7.msh.sending_facility' | 'hl7.msh.receiving_application' | 'hl7.msh.receiving_facility'
  | 'hl7.msh.message_type' | 'hl7.msh.trigger_event' | 'hl7.msh.control_id' | 'hl7.msh.processing_id' | 'hl7.msh.version'
  | 'hl7.msa.ack_code' | 'hl7.segment_name' | 'hl7.encoding_characters'
  | 'dicom.ae_title' | 'dicom.uid' | 'dicom.implementation_version'
  | 'poct1.device' | 'poct1.vendor' | 'poct1.model' | 'poct1.version';

/** Longest text any field yields; longer values are cut. */
export const MAX_SAFE_TEXT = 64;

/**
 * Reads bytes [start, end) of a non-PHI field as printable Latin-1 text, at
 * most MAX_SAFE_TEXT characters, control characters dropped, ends trimmed.
 * `field` is the evidence that the caller asked for an allowed field.
 */
export function safeText(field: NonPhiField, bytes: Uint8Array, start: number, end: number): SafeText {
  void field;
  const e = Math.min(end, start + MAX_SAFE_TEXT * 2, bytes.length);
  const s = text(bytes, start, Math.max(start, e)).replace(/[\x00-\x1f\x7f]/g, '').trim();
  return (s.length > MAX_SAFE_TEXT ? s.slice(0, MAX_SAFE_TEXT) : s) as SafeText;
}

/** A constant from a table in this repository (a UID's name, a command name): not read from the wire. */
export function tableText(s: string): SafeText {
  return s as SafeText;
}

/** The empty value, for a field that was absent. */
export const NO_TEXT = '' as SafeText;

/**
 * What a PHI-bearing part of a message may say: which segments (by name) and
 * how many of each, and whether patient data crossed at all. No field of it
 * can hold a value read from those segments.
 */
export interface PhiSummary {
  /** The message carried patient data (an HL7 PID/NK1/PV1/OBX segment, a DICOM dataset). */
  readonly carriesPhi: boolean;
}
