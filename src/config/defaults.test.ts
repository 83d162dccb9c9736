/**
 * The replay defaults kept as JSON (src/config/defaults.ts) are what the
 * schema makes of REPLAY_BASE today: a schema change without regenerating
 * fails here. And replay without --config loads no schema library.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pcapFile } from '../capture/pcap/writer.js';
import { validateConfig } from './index.js';
import { REPLAY_BASE } from './replay-base.js';
import { replayDefaults } from './defaults.js';
import { defaultsSource } from '../../scripts/gen-config-defaults.js';

t.test('the committed defaults equal the schema\'s', async (t) => {
  t.same(replayDefaults(), validateConfig(REPLAY_BASE), 'regenerate: node dist/scripts/gen-config-defaults.js');
  const committed = readFileSync(fileURLToPath(new URL('../../../src/config/defaults.ts', import.meta.url)), 'utf8');
  const date = /on\n \* (\d{4}-\d{2}-\d{2});/.exec(committed)?.[1] ?? 'missing';
  t.equal(committed, defaultsSource(date), 'the file is the generator\'s output');
});

t.test('each call gives a fresh copy', async (t) => {
  const a = replayDefaults();
  (a.inventory as { learning_period_s: number }).learning_period_s = 1;
  t.not(replayDefaults().inventory.learning_period_s, 1);
});

t.test('replay without --config loads neither zod nor yaml', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'defaults-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A loader hook that names every zod or yaml module resolved.
  writeFileSync(join(dir, 'hooks.mjs'), "export async function resolve(s, c, next) { const r = await next(s, c); if (/node_modules\\/(zod|yaml)\\//.test(r.url)) process.stderr.write('LOADED ' + r.url + '\\n'); return r; }\n");
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  const pcap = join(dir, 'one.pcap');
  writeFileSync(pcap, pcapFile(1, [{ tsSec: 1, tsNsec: 0, bytes: new Uint8Array(60) }]));
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), ...args], { encoding: 'utf8', cwd: dir });
  const control = run(['--input-type=module', '-e', `await import(${JSON.stringify(fileURLToPath(new URL('./index.js', import.meta.url)))})`]);
  t.match(control.stderr, /LOADED .*node_modules\/zod\//, 'the hook sees zod when the schema is imported');
  const r = run([fileURLToPath(new URL('../cli.js', import.meta.url)), 'replay', pcap]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /1 frame/, 'replay ran');
  t.notMatch(r.stderr, /LOADED/, 'no zod, no yaml');
});
