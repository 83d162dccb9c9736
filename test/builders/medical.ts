/**
 * Byte builders for the medical protocols (issue 11): DICOM upper-layer PDUs
 * (PS3.8 §9.3), DIMSE command sets (PS3.7 Annex E) and HL7 v2 messages in
 * MLLP frames. Names and IDs in the HL7 builders are whatever the caller
 * passes; the tests use fake ones and then look for them in every output.
 */
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const be16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];
const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const le16 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff];
const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

export function pdu(type: number, body: readonly number[]): Uint8Array {
  return Uint8Array.from([type, 0, ...be32(body.length), ...body]);
}

function item(type: number, body: readonly number[]): number[] {
  return [type, 0, ...be16(body.length), ...body];
}

const uidItem = (type: number, uid: string): number[] => item(type, ascii(uid.length % 2 === 1 ? `${uid}\0` : uid));
const ae = (s: string): number[] => ascii(s.padEnd(16, ' ').slice(0, 16));

export interface AssocOpts {
  readonly calling: string;
  readonly called: string;
  /** [id, abstract syntax, transfer syntaxes] for an RQ; [id, result, transfer syntax] for an AC. */
  readonly contexts: ReadonlyArray<readonly [number, string, readonly string[]]>;
  readonly implUid?: string;
  readonly implVersion?: string;
  /** User identity (PS3.7 §D.3.3.7): type and the secret fields, which the parser must never return. */
  readonly identity?: { readonly type: number; readonly primary: string; readonly secondary: string };
}

export function associateRq(o: AssocOpts, type = 0x01): Uint8Array {
  const body: number[] = [...be16(1), 0, 0, ...ae(o.called), ...ae(o.calling), ...new Array<number>(32).fill(0)];
  body.push(...uidItem(0x10, '1.2.840.10008.3.1.1.1'));
  for (const [id, as, ts] of o.contexts) {
    const sub = type === 0x01
      ? [...uidItem(0x30, as), ...ts.flatMap((t) => uidItem(0x40, t))]
      : uidItem(0x40, ts[0] ?? '1.2.840.10008.1.2');
    body.push(...item(type === 0x01 ? 0x20 : 0x21, [id, 0, type === 0x01 ? 0 : Number(as), 0, ...sub]));
  }
  const user = [...item(0x51, be32(16384)), ...uidItem(0x52, o.implUid ?? '1.2.3.4.5'), ...item(0x55, ascii(o.implVersion ?? 'TEST_1'))];
  if (o.identity !== undefined) {
    const p = ascii(o.identity.primary);
    const s = ascii(o.identity.secondary);
    user.push(...item(0x58, [o.identity.type, 0, ...be16(p.length), ...p, ...be16(s.length), ...s]));
  }
  body.push(...item(0x50, user));
  return pdu(type, body);
}

export const associateAc = (o: AssocOpts): Uint8Array => associateRq(o, 0x02);
export const associateRj = (result: number, source: number, reason: number): Uint8Array => pdu(0x03, [0, result, source, reason]);
export const releaseRq = (): Uint8Array => pdu(0x05, [0, 0, 0, 0]);
export const releaseRp = (): Uint8Array => pdu(0x06, [0, 0, 0, 0]);
export const abort = (source: number, reason: number): Uint8Array => pdu(0x07, [0, 0, source, reason]);

function element(group: number, elem: number, value: readonly number[]): number[] {
  return [...le16(group), ...le16(elem), ...le32(value.length), ...value];
}

/** A DIMSE command set (implicit VR little endian, PS3.7 Annex E) with its group length. */
export function commandSet(o: { command: number; sopClass?: string; status?: number; messageId?: number; dataset: boolean }): number[] {
  const uid = o.sopClass === undefined ? [] : ascii(o.sopClass.length % 2 === 1 ? `${o.sopClass}\0` : o.sopClass);
  const rest = [
    ...(o.sopClass === undefined ? [] : element(0, 0x0002, uid)),
    ...element(0, 0x0100, le16(o.command)),
    ...element(0, (o.command & 0x8000) !== 0 ? 0x0120 : 0x0110, le16(o.messageId ?? 1)),
    ...element(0, 0x0800, le16(o.dataset ? 0x0000 : 0x0101)),
    ...(o.status === undefined ? [] : element(0, 0x0900, le16(o.status))),
  ];
  return [...element(0, 0x0000, le32(rest.length)), ...rest];
}

/** A P-DATA-TF PDU with PDVs [context id, flags (bit 0 command, bit 1 last), bytes]. */
export function pData(...pdvs: ReadonlyArray<readonly [number, number, readonly number[]]>): Uint8Array {
  return pdu(0x04, pdvs.flatMap(([ctx, flags, data]) => [...be32(data.length + 2), ctx, flags, ...data]));
}

/** A dataset in implicit VR LE with a patient name, ID and birth date (PS3.6 (0010,0010), (0010,0020), (0010,0030)). */
export function patientDataset(name: string, id: string, birth: string): number[] {
  const even = (s: string): number[] => ascii(s.length % 2 === 1 ? `${s} ` : s);
  return [...element(0x0010, 0x0010, even(name)), ...element(0x0010, 0x0020, even(id)), ...element(0x0010, 0x0030, even(birth))];
}

/** An HL7 v2 message (segments joined by CR) in an MLLP frame. */
export function mllp(...segments: string[]): Uint8Array {
  return Uint8Array.from([0x0b, ...ascii(segments.join('\r') + '\r'), 0x1c, 0x0d]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
