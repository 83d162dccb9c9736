/**
 * The patch priority list as `iomt-sensor vulns` prints it: devices ranked
 * by risk, each with its score's factors, its worst advisories and the
 * advisory's remediation. `--json` prints the same entries as data.
 */
import type { DeviceVulnsBody } from '../../telemetry/kinds.js';
import { rank } from './risk.js';
import { rankingEntry } from './index.js';

export interface PriorityList {
  readonly feed: string;
  readonly entries: ReadonlyArray<ReturnType<typeof rankingEntry> & { readonly result: DeviceVulnsBody }>;
}

export function priorityList(results: readonly DeviceVulnsBody[], feed: string): PriorityList {
  return { feed, entries: rank(results).map((b, i) => ({ ...rankingEntry(b, i), result: b })) };
}

/** Plain text, one block per device, widest first column padded. */
export function renderPriorityList(list: PriorityList, top = 3): string {
  if (list.entries.length === 0) return `no device matches the feed (${list.feed})\n`;
  const lines = [`${list.entries.length} devices with known vulnerabilities; feed ${list.feed}`, ''];
  for (const e of list.entries) {
    lines.push(`#${e.rank}  ${e.device}  risk ${e.score}/100`);
    for (const f of e.result.factors) lines.push(`    ${f.name.padEnd(11)} ${String(f.points).padStart(2)}/${f.weight}  ${f.detail}`);
    for (const m of e.result.matches.slice(0, top)) {
      lines.push(`    ${m.advisory}  ${m.product}  [${m.confidence}]  CVSS ${(m.cvss10 / 10).toFixed(1)}  ${m.cves.slice(0, 4).join(' ')}${m.cves.length > 4 ? ` +${m.cves.length - 4}` : ''}`);
      lines.push(`        advisory: ${m.advisoryEvidence}`);
      lines.push(`        device:   ${m.deviceEvidence.join('; ')}`);
    }
    if (e.result.matches.length > top) lines.push(`    ... ${e.result.matches.length - top} more`);
    if (e.remediation !== undefined) lines.push(`    fix: ${e.remediation}`);
    lines.push('');
  }
  return lines.join('\n');
}
