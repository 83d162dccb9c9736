/**
 * The privacy guard is a compile-time property (issue 11 §7): the medical
 * parsers' result types hold text only as SafeText, and SafeText comes only
 * from a field the guard lists. Each `@ts-expect-error` below is a line the
 * build would reject without it; if one ever compiled cleanly, tsc would
 * fail on the unused directive, so this file fails the build rather than
 * passing quietly.
 */
import t from 'tap';
import type { Association } from './dicom/index.js';
import type { Hl7Message } from './hl7/index.js';
import { safeText, type SafeText } from './phi.js';

const bytes = new TextEncoder().encode('PID|1||123456||MOUSE^MICKEY||19700101');

t.test('text from a PHI field cannot be returned by a parser', async (t) => {
  // @ts-expect-error PID-5 (patient name) is not a NonPhiField.
  const name = safeText('hl7.pid.patient_name', bytes, 12, 24);
  // @ts-expect-error a plain string is not SafeText: it did not pass the guard.
  const forged: SafeText = 'MOUSE^MICKEY';
  const msg: Partial<Hl7Message> = {
    // @ts-expect-error the same for a field of a result type.
    sendingApplication: 'MOUSE^MICKEY',
  };
  const assoc: Partial<Association> = {
    // @ts-expect-error and for DICOM.
    callingAe: String.fromCharCode(...bytes.subarray(12, 24)),
  };
  // At run time the guard only trims and bounds; the protection is the type.
  t.equal(typeof name, 'string');
  t.equal(forged.length, 12);
  t.ok(msg.sendingApplication !== undefined && assoc.callingAe !== undefined);
});

t.test('an allowed field is bounded, printable text', async (t) => {
  const long = new TextEncoder().encode(`APP\x01${'X'.repeat(200)}`);
  const s = safeText('hl7.msh.sending_application', long, 0, long.length);
  t.equal(s.length, 64);
  t.ok(s.startsWith('APPX'));
});
