/**
 * Writes docs/alerts.md from src/alerts/catalogue.ts, so the alert catalogue
 * a SOC analyst reads is the one the sensor raises. A test checks the file is
 * current: regenerate with `npm run build && node dist/scripts/gen-alert-docs.js`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { catalogue, Severity } from '../src/alerts/catalogue.js';

export function renderAlertDocs(): string {
  // By id, so each area's range reads as one block whatever the catalogue's order.
  const defs = [...catalogue].sort((a, b) => a.id - b.id);
  const lines = [
    '# Alert catalogue',
    '',
    'Generated from `src/alerts/catalogue.ts` by `node dist/scripts/gen-alert-docs.js`; do not edit by hand.',
    '',
    'Every alert is published on the `alerts` stream (`iomt/v1/<site>/<ward>/<sensor>/alerts`) as a CBOR envelope of kind 5 (see `telemetry.cddl`).',
    'Codes are stable: a code is never renamed or reused. Repeats of one code for one device within `alerts.suppress_s` are folded into the `count` of the next message.',
    '',
    '| id | code | severity | title |',
    '|---|---|---|---|',
    ...defs.map((d) => `| ${d.id} | \`${d.code}\` | ${d.severity} (${Severity[d.severity]}) | ${d.title} |`),
    '',
  ];
  for (const d of defs) {
    lines.push(`## \`${d.code}\` (${d.id})`, '', `**Severity:** ${d.severity}. **${d.title}.**`, '', `**Trigger.** ${d.trigger}`, '', `**What to do.** ${d.guidance}`, '');
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'alerts.md');
  writeFileSync(out, renderAlertDocs());
  console.log(`wrote ${out}`);
}
