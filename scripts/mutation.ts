/**
 * Mutation testing, one Stryker run per folder, and a score table at the end.
 *
 *   npm run mutation                 # every folder below
 *   npm run mutation -- alerts pcap  # only the folders whose name contains a word
 *
 * Why one run per folder: the tap runner starts one node process per test
 * file for every mutant, so each mutant must see only the test files of its
 * own folder (a decode mutant has nothing to learn from the MQTT tests).
 * Stryker mutates the TypeScript in a sandbox copy, `tsc` compiles the
 * sandbox to dist/ with every mutant switched off, and the tap runner runs
 * the compiled tests with one mutant switched on through the environment.
 * The TypeScript checker drops mutants that do not compile before any test
 * runs. Reports land in reports/mutation/<folder>.{html,json}; survivors are
 * also listed in reports/mutation/<folder>-survivors.txt for review.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';

type StrykerOptions = ConstructorParameters<typeof Stryker>[0];
type MutantResult = Awaited<ReturnType<Stryker['runMutationTest']>>[number];

interface Target {
  /** Shown in the table; also the CLI filter and the report file name (slashes become dashes). */
  readonly name: string;
  readonly mutate: readonly string[];
  /** Compiled test files, relative to the repository. */
  readonly tests: readonly string[];
}

/** Helpers that only tests import are not product code, so they are not mutated. */
const NOT_PRODUCT = ['!**/*.test.ts', '!**/testing.ts'];

const TARGETS: readonly Target[] = [
  { name: 'src/alerts', mutate: ['src/alerts/**/*.ts'], tests: ['dist/src/alerts/*.test.js'] },
  { name: 'src/capture/pcap', mutate: ['src/capture/pcap/**/*.ts'], tests: ['dist/src/capture/pcap/*.test.js'] },
  {
    name: 'src/publish',
    mutate: ['src/publish/outbox.ts', 'src/publish/mqtt-session.ts'],
    tests: ['dist/src/publish/outbox*.test.js', 'dist/src/publish/mqtt-session*.test.js', 'dist/src/publish/describe-error*.test.js'],
  },
  { name: 'src/decode', mutate: ['src/decode/**/*.ts'], tests: ['dist/src/decode/**/*.test.js'] },
  // The identification wave's first new folder (issue 13: every later folder reports its score).
  {
    name: 'src/analyze/inventory',
    mutate: ['src/analyze/inventory/**/*.ts'],
    tests: ['dist/src/analyze/inventory/*.test.js', 'dist/test/store-migration.test.js'],
  },
  // Wired discovery (issue 7 part A: wired-disc), one row per protocol group so each fits in one sitting;
  // `npm run mutation -- "wired discovery"` runs them all.
  {
    name: 'src/decode (wired discovery: dhcp)',
    mutate: ['src/decode/dhcp/**/*.ts', 'src/decode/dhcpv6/**/*.ts'],
    tests: ['dist/src/decode/dhcp/*.test.js', 'dist/src/decode/dhcpv6/*.test.js'],
  },
  {
    name: 'src/decode (wired discovery: names)',
    mutate: ['src/decode/dns/**/*.ts', 'src/decode/nbns/**/*.ts', 'src/decode/text.ts'],
    tests: ['dist/src/decode/dns/*.test.js', 'dist/src/decode/nbns/*.test.js', 'dist/src/decode/dhcp/*.test.js'],
  },
  {
    name: 'src/decode (wired discovery: upnp)',
    mutate: ['src/decode/ssdp/**/*.ts', 'src/decode/wsd/**/*.ts'],
    tests: ['dist/src/decode/ssdp/*.test.js', 'dist/src/decode/wsd/*.test.js'],
  },
  {
    name: 'src/decode (wired discovery: link)',
    mutate: ['src/decode/lldp/**/*.ts', 'src/decode/cdp/**/*.ts', 'src/decode/llc/**/*.ts'],
    tests: ['dist/src/decode/lldp/*.test.js', 'dist/src/decode/cdp/*.test.js'],
  },
  { name: 'src/identify/wired (wired discovery)', mutate: ['src/identify/wired/**/*.ts'], tests: ['dist/src/identify/wired/*.test.js'] },
  // wired-app (issue 7 part B): the application decoders, one row per protocol so each run stays short.
  { name: 'src/decode/http', mutate: ['src/decode/http/**/*.ts', 'src/decode/text.ts'], tests: ['dist/src/decode/http/http.test.js'] },
  { name: 'src/decode/tls', mutate: ['src/decode/tls/**/*.ts'], tests: ['dist/src/decode/tls/tls.test.js'] },
  { name: 'src/decode/snmp', mutate: ['src/decode/snmp/**/*.ts', 'src/decode/ber.ts'], tests: ['dist/src/decode/snmp/snmp.test.js'] },
  {
    name: 'src/decode/banners (ssh, ftp, telnet, content)',
    mutate: ['src/decode/ssh/**/*.ts', 'src/decode/ftp/**/*.ts', 'src/decode/telnet/**/*.ts', 'src/decode/content/**/*.ts'],
    tests: ['dist/src/decode/ssh/ssh.test.js', 'dist/src/decode/ftp/ftp.test.js', 'dist/src/decode/telnet/telnet.test.js', 'dist/src/decode/content/content.test.js'],
  },
  // Device-class engine and its rules (issue 7, branch classes).
  { name: 'src/identify', mutate: ['src/identify/engine.ts', 'src/identify/rules/**/*.ts'], tests: ['dist/src/identify/*.test.js'] },
  // flows-bench: the flow table and server-port facts (the tshark conformance test is too slow to run per mutant).
  // Credentials and the application sighting sources (issue 7 part B).
  { name: 'src/analyze/credentials', mutate: ['src/analyze/credentials/*.ts', '!src/analyze/credentials/*.test.ts'], tests: ['dist/src/analyze/credentials/*.test.js'] },
  { name: 'src/analyze/wired-app', mutate: ['src/analyze/wired-app/*.ts', '!src/analyze/wired-app/*.test.ts'], tests: ['dist/src/analyze/wired-app/*.test.js'] },
  { name: 'src/analyze/flows', mutate: ['src/analyze/flows/**/*.ts'], tests: ['dist/src/analyze/flows/*.test.js'] },
  // vulns (issue 12): matching, versions, names, CSAF reading and risk, against the validator-free table test.
  {
    name: 'src/analyze/vulns',
    mutate: ['src/analyze/vulns/match.ts', 'src/analyze/vulns/risk.ts', 'src/identify/advisories/version.ts', 'src/identify/advisories/names.ts', 'src/identify/advisories/csaf.ts'],
    tests: ['dist/src/analyze/vulns/vulns.mutation.test.js'],
  },
  // wifi (issue 8): the 802.11 decoders and the Wi-Fi analyzer.
  {
    name: 'src/decode/wifi',
    mutate: ['src/decode/radiotap/*.ts', 'src/decode/ieee80211/*.ts', 'src/decode/ppi/*.ts', 'src/decode/llc/*.ts', 'src/decode/eapol/*.ts', '!src/decode/**/*.test.ts'],
    tests: ['dist/src/decode/radiotap/*.test.js', 'dist/src/decode/ieee80211/*.test.js', 'dist/src/decode/ppi/*.test.js'],
  },
  { name: 'src/analyze/wifi', mutate: ['src/analyze/wifi/*.ts', '!src/analyze/wifi/*.test.ts'], tests: ['dist/src/analyze/wifi/*.test.js', 'dist/test/wifi-ward.test.js'] },
  // BLE (issue 9): the analyzer folder (alerts, connections, merging, RPA); the BLE decoders are in src/decode's row.
  { name: 'src/analyze/ble', mutate: ['src/analyze/ble/**/*.ts'], tests: ['dist/src/analyze/ble/*.test.js'] },
  {
    name: 'src/decode/ble',
    mutate: ['src/decode/{btle,btle_rf,nordic_ble,hci_h4,hci_mon,hci_cmd,hci_evt,hci_acl,l2cap,att,smp}/*.ts', '!src/decode/**/*.test.ts'],
    tests: ['dist/src/decode/btle/*.test.js', 'dist/src/decode/hci_evt/*.test.js'],
  },
  { name: 'src/capture/ble-hci', mutate: ['src/capture/ble-hci/*.ts', '!src/capture/ble-hci/*.test.ts'], tests: ['dist/src/capture/ble-hci/*.test.js'] },
  { name: 'src/capture/btsnoop', mutate: ['src/capture/btsnoop/**/*.ts'], tests: ['dist/src/capture/btsnoop/*.test.js'] },
  // zigbee (issue 10): the 802.15.4 link layers, the Zigbee layers, the analyzer.
  { name: 'src/decode/ieee802154', mutate: ['src/decode/ieee802154/*.ts', 'src/decode/ieee802154-tap/*.ts', 'src/decode/ieee802154-phy/*.ts'], tests: ['dist/src/decode/ieee802154/*.test.js'] },
  { name: 'src/decode/zigbee', mutate: ['src/decode/zigbee-*/*.ts'], tests: ['dist/src/decode/zigbee-*/*.test.js'] },
  { name: 'src/analyze/zigbee', mutate: ['src/analyze/zigbee/*.ts'], tests: ['dist/src/analyze/zigbee/*.test.js'] },
  // Serial sniffer dongles (issues 9 and 10): the shared layer and one row per firmware.
  { name: 'src/capture/serial', mutate: ['src/capture/serial/*.ts', '!src/capture/serial/*.test.ts'], tests: ['dist/src/capture/serial/*.test.js'] },
  {
    name: 'src/capture/dongles (nrf802154, ti-sniffer, nrf-ble)',
    mutate: ['src/capture/{nrf802154-serial,ti-sniffer-serial,nrf-ble-serial}/*.ts', '!src/capture/**/*.test.ts'],
    tests: ['dist/src/capture/nrf802154-serial/*.test.js', 'dist/src/capture/ti-sniffer-serial/*.test.js', 'dist/src/capture/nrf-ble-serial/*.test.js'],
  },
  // Medical protocols (issue 11): reassembly, the parsers, the analyzer.
  { name: 'src/analyze/streams', mutate: ['src/analyze/streams/*.ts', '!src/analyze/streams/*.test.ts'], tests: ['dist/src/analyze/streams/*.test.js'] },
  {
    name: 'src/decode/medical (dicom, hl7, poct1)',
    mutate: ['src/decode/{dicom,hl7,poct1}/*.ts', '!src/decode/**/*.test.ts'],
    tests: ['dist/src/decode/dicom/*.test.js', 'dist/src/decode/hl7/*.test.js'],
  },
  { name: 'src/analyze/medical', mutate: ['src/analyze/medical/*.ts', '!src/analyze/medical/*.test.ts'], tests: ['dist/src/analyze/medical/*.test.js'] },
];

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Stryker's own definition: killed or timed out, over every mutant that compiled. */
export interface Score {
  readonly target: string;
  readonly mutants: number;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Mutants the TypeScript checker rejected; they count for nothing. */
  readonly compileErrors: number;
  readonly score: number;
  readonly seconds: number;
}

export function score(target: string, results: readonly MutantResult[], seconds: number): Score {
  const n = (status: MutantResult['status']): number => results.filter((r) => r.status === status).length;
  const killed = n('Killed');
  const timeout = n('Timeout');
  const survived = n('Survived');
  const noCoverage = n('NoCoverage');
  const valid = killed + timeout + survived + noCoverage;
  return {
    target,
    mutants: results.length,
    killed,
    timeout,
    survived,
    noCoverage,
    compileErrors: n('CompileError'),
    score: valid === 0 ? 100 : (100 * (killed + timeout)) / valid,
    seconds,
  };
}

function slug(name: string): string {
  return name.replace(/^src\//, '').replace(/\//g, '-');
}

function options(t: Target): StrykerOptions {
  const report = join('reports', 'mutation', slug(t.name));
  return {
    mutate: [...t.mutate, ...NOT_PRODUCT],
    testRunner: 'tap',
    tap: { testFiles: [...t.tests], nodeArgs: [], forceBail: true },
    // One test "file" is the unit the tap runner reports, so perTest coverage
    // means: run a mutant only against the test files that reach it.
    coverageAnalysis: 'perTest',
    checkers: ['typescript'],
    tsconfigFile: 'tsconfig.json',
    buildCommand: 'tsc -p tsconfig.json',
    plugins: ['@stryker-mutator/tap-runner', '@stryker-mutator/typescript-checker'],
    // The machine is shared: at most two worker processes, which Stryker
    // splits into one type checker and one test runner.
    // MUTATION_CONCURRENCY=1 when two folders run side by side.
    concurrency: Number(process.env['MUTATION_CONCURRENCY'] ?? 2),
    timeoutMS: 10_000,
    ignorePatterns: ['dist', 'var', '.tap', 'release', 'reports'],
    // One temp dir per folder, so two folders can run side by side.
    tempDirName: join('.stryker-tmp', slug(t.name)),
    // No incremental mode: with the tap runner a test's identity includes the
    // sandbox path, so Stryker 9.6 saw every test file as new on the next run
    // and reused only 43 of 650 results; it bought nothing.
    reporters: ['progress', 'html', 'json'],
    htmlReporter: { fileName: `${report}.html` },
    jsonReporter: { fileName: `${report}.json` },
    logLevel: 'info',
    fileLogLevel: 'off',
  } as StrykerOptions;
}

function survivors(results: readonly MutantResult[]): string {
  return results
    .filter((r) => r.status === 'Survived' || r.status === 'NoCoverage')
    .sort((a, b) => a.fileName.localeCompare(b.fileName) || a.location.start.line - b.location.start.line)
    .map((r) => `${r.fileName}:${r.location.start.line}:${r.location.start.column + 1} ${r.status} ${r.mutatorName}: ${r.replacement ?? ''}`.replace(/\s+/g, ' '))
    .join('\n');
}

export function table(scores: readonly Score[]): string {
  const head = '| folder | mutants | killed | timeout | survived | no coverage | compile errors | score | time |';
  const rule = '|---|--:|--:|--:|--:|--:|--:|--:|--:|';
  const rows = scores.map(
    (s) =>
      `| ${s.target} | ${s.mutants} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.compileErrors} | ${s.score.toFixed(1)}% | ${Math.round(s.seconds)} s |`,
  );
  return [head, rule, ...rows].join('\n');
}

async function main(args: readonly string[]): Promise<number> {
  const words = args;
  process.chdir(ROOT);
  // The capture tests find ../shared/captures relative to the repository;
  // from inside the sandbox that path would miss, so name it outright.
  process.env['IOMT_CAPTURES'] ??= join(ROOT, '..', 'shared', 'captures');
  const chosen = TARGETS.filter((t) => words.length === 0 || words.some((w) => t.name.includes(w)));
  if (chosen.length === 0) {
    console.error(`no folder matches ${words.join(' ')}; folders: ${TARGETS.map((t) => t.name).join(', ')}`);
    return 2;
  }
  const scores: Score[] = [];
  for (const t of chosen) {
    const started = Date.now();
    const results = await new Stryker(options(t)).runMutationTest();
    const s = score(t.name, results, (Date.now() - started) / 1000);
    scores.push(s);
    mkdirSync(join('reports', 'mutation'), { recursive: true });
    writeFileSync(join('reports', 'mutation', `${slug(t.name)}-survivors.txt`), survivors(results) + '\n');
    console.log(`\n${table([s])}\n`);
  }
  console.log(`\nMutation scores\n\n${table(scores)}\n`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
