/**
 * The risk score of one device, 0..100, and every factor behind it.
 *
 *   score = severity × 50 + exposure × 25 + criticality × 25   (each factor 0..1)
 *
 * severity: the worst match's CVSS base score / 10, times the match's
 *   confidence (exact and range 1, product 0.7, vendor 0.3), raised by known
 *   exploitation (CISA KEV: +0.2) and the EPSS probability (+0.2 × epss),
 *   capped at 1. Passive indicators count as a range match of their CVEs.
 * exposure: what this ward shows of the device: remote (internet) peers
 *   (up to 4, 0.4), cleartext services it offers (0.3), a passive indicator
 *   that fired on its traffic (0.3).
 * criticality: the clinical weight of its class (CRITICALITY below; a
 *   device with no class yet but an ICS-medical advisory counts as 0.6).
 *
 * Weights are constants, printed with every score, so a ranking can be
 * argued with; the order of equal scores is the device id, so reruns rank
 * the same.
 */
import type { EpssScores, KevCatalogue } from '../../identify/advisories/exploited.js';
import type { InventoryDevice } from '../../telemetry/kinds.js';
import type { MatchConfidence, VulnMatch } from './match.js';

export const WEIGHTS = { severity: 50, exposure: 25, criticality: 25 } as const;

const CONFIDENCE_FACTOR: Readonly<Record<MatchConfidence, number>> = { exact: 1, range: 1, product: 0.7, vendor: 0.3 };

/** Clinical criticality by device class (src/identify/classes.ts names): life-sustaining first, office last. */
export const CRITICALITY: Readonly<Record<string, number>> = {
  'infusion-pump': 1,
  'insulin-pump': 1,
  ventilator: 1,
  'patient-monitor': 0.9,
  imaging: 0.7,
  wearable: 0.6,
  'lab-analyzer': 0.6,
  'clinical-system': 0.5,
  'nurse-call': 0.5,
  server: 0.4,
  'network-infrastructure': 0.4,
  workstation: 0.3,
  mobile: 0.2,
  iot: 0.2,
  'single-board-computer': 0.2,
  printer: 0.1,
  unknown: 0.3,
};

/** Services whose protocol carries data and logins in clear text. */
const CLEARTEXT = /\b(telnet|ftp|http(?!s)|hl7|dicom(?!-tls)|snmp|tftp)\b|\b(tcp\/(21|23|80|104|2575|161)|udp\/(69|161))\b/i;

export interface Factor {
  readonly name: 'severity' | 'exposure' | 'criticality';
  /** 0..1 */
  readonly value: number;
  readonly weight: number;
  /** value × weight, rounded. */
  readonly points: number;
  /** Why, in words: "CVSS 9.0 CVE-2021-33885 (range match), in KEV". */
  readonly detail: string;
}

export interface Risk {
  readonly score: number;
  readonly factors: readonly Factor[];
}

export interface RiskInputs {
  readonly kev?: KevCatalogue;
  readonly epss?: EpssScores;
  /** CVEs of passive indicators that fired for this device (indicators.ts). */
  readonly indicatorCves?: readonly string[];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function riskOf(dev: Pick<InventoryDevice, 'attrs' | 'peers'>, matches: readonly VulnMatch[], inputs: RiskInputs = {}): Risk {
  // Severity: the worst single match, so ten low findings never outrank one critical.
  let sev = 0;
  let why = 'no match';
  for (const m of matches) {
    const s = (m.cvss / 10) * CONFIDENCE_FACTOR[m.confidence];
    if (s > sev || why === 'no match') {
      sev = s;
      why = `CVSS ${m.cvss.toFixed(1)} ${m.cves[0] ?? m.advisory} (${m.advisory}, ${m.confidence} match)`;
    }
  }
  const cves = new Set(matches.flatMap((m) => m.cves));
  for (const c of inputs.indicatorCves ?? []) cves.add(c);
  const kevHits = [...cves].filter((c) => inputs.kev?.entries.has(c) === true).sort();
  let epssMax = 0;
  let epssCve = '';
  for (const c of [...cves].sort()) {
    const e = inputs.epss?.scores.get(c)?.epss ?? 0;
    if (e > epssMax) {
      epssMax = e;
      epssCve = c;
    }
  }
  if ((inputs.indicatorCves?.length ?? 0) > 0 && sev < 0.7) {
    sev = 0.7;
    why = `passive indicator for ${inputs.indicatorCves![0]}`;
  }
  if (kevHits.length > 0) why += `; in KEV: ${kevHits.join(', ')}`;
  if (epssMax > 0) why += `; EPSS ${epssMax.toFixed(3)} (${epssCve})`;
  const severity = Math.min(1, sev + (kevHits.length > 0 ? 0.2 : 0) + 0.2 * epssMax);

  const peers = dev.peers?.length ?? 0;
  const services = dev.attrs.filter((a) => a.name === 'services' && CLEARTEXT.test(a.value)).map((a) => a.value);
  const indicator = (inputs.indicatorCves?.length ?? 0) > 0;
  const exposure = Math.min(1, Math.min(peers, 4) * 0.1 + (services.length > 0 ? 0.3 : 0) + (indicator ? 0.3 : 0));
  const expWhy = [`${peers} internet peer${peers === 1 ? '' : 's'}`, services.length > 0 ? `cleartext ${services.slice(0, 3).join(', ')}` : 'no cleartext service seen', indicator ? 'indicator fired' : undefined].filter((x) => x !== undefined).join(', ');

  const cls = dev.attrs.find((a) => a.name === 'class')?.value;
  let criticality: number;
  let critWhy: string;
  if (cls !== undefined && CRITICALITY[cls] !== undefined) {
    criticality = CRITICALITY[cls]!;
    critWhy = `class ${cls}`;
  } else if (matches.some((m) => /^ICSMA-/i.test(m.advisory))) {
    criticality = 0.6;
    critWhy = 'class not known; named by an ICS-medical advisory';
  } else {
    criticality = CRITICALITY.unknown!;
    critWhy = cls === undefined ? 'class not known' : `class ${cls} (no weight)`;
  }
  const factors: Factor[] = [
    { name: 'severity', value: round2(severity), weight: WEIGHTS.severity, points: Math.round(severity * WEIGHTS.severity), detail: why },
    { name: 'exposure', value: round2(exposure), weight: WEIGHTS.exposure, points: Math.round(exposure * WEIGHTS.exposure), detail: expWhy },
    { name: 'criticality', value: round2(criticality), weight: WEIGHTS.criticality, points: Math.round(criticality * WEIGHTS.criticality), detail: critWhy },
  ];
  return { score: factors.reduce((s, f) => s + f.points, 0), factors };
}

export interface Ranked {
  readonly device: string;
  readonly score: number;
}

/** Highest score first; equal scores by device id, so every run ranks alike. */
export function rank<T extends Ranked>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => b.score - a.score || (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
}
