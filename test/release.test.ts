/**
 * `./build.sh release`: the tarballs are reproducible, hold the production
 * dependencies only with the target's native prebuilds, the unit, the sample
 * config and the installer, and the x64 one runs from wherever it is unpacked.
 */
import { deviceId } from '../src/telemetry/device.js';
import type { DeviceRecord } from '../src/analyze/inventory/record.js';
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile } from '../src/capture/pcap/writer.js';
import { ethernet, ipv4, udp } from './builders/frames.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ARCHES = ['x64', 'arm64'] as const;

function run(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

const tmp = mkdtempSync(join(tmpdir(), 'iomt-release-test-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

// Both builds read one snapshot of the inputs, so that an edit in the work
// tree between them cannot pass for irreproducibility. node_modules is the
// work tree's (a symlink, only read: package-lock.json gets an old mtime so
// build.sh never reinstalls it); the mtimes come from the last commit.
const SNAP = join(tmp, 'src');
mkdirSync(SNAP);
for (const p of ['build.sh', 'package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'src', 'docs', 'scripts', 'systemd']) {
  cpSync(join(ROOT, p), join(SNAP, p), { recursive: true, preserveTimestamps: true });
}
for (const p of ['LICENSE', 'NOTICE']) if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(SNAP, p));
symlinkSync(join(ROOT, 'node_modules'), join(SNAP, 'node_modules'));
utimesSync(join(SNAP, 'package-lock.json'), 0, 0);
const SDE = process.env['SOURCE_DATE_EPOCH'] ?? run('git', ['log', '-1', '--format=%ct']).out.trim();

/** Builds the x64 and arm64 tarballs into a fresh directory. */
function buildRelease(dir: string) {
  return run('bash', ['build.sh', 'release', '--no-apt', '--arch', ARCHES.join(',')], { cwd: SNAP, env: { ...process.env, RELEASE_DIR: dir, SOURCE_DATE_EPOCH: SDE } });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const tarball = (dir: string, arch: string) => join(dir, `iomt-sensor-${VERSION}-linux-${arch}.tar.gz`);

const first = join(tmp, 'a');
const second = join(tmp, 'b');

t.test('build.sh release builds every tarball and reports size and sha256', async (t) => {
  const r = buildRelease(first);
  t.equal(r.code, 0, `build.sh release exits 0\n${r.err.slice(-3000)}`);
  for (const arch of ARCHES) {
    const file = tarball(first, arch);
    const line = r.out.split('\n').find((l) => l.includes(`linux-${arch}.tar.gz`)) ?? '';
    t.match(line, new RegExp(`\\d+ bytes\\s+sha256 ${sha256(file)}`), `${arch}: size and sha256 printed`);
    t.comment(`${arch}: ${line.trim()}`);
  }
});

t.test('a second build from the same inputs is byte-identical', async (t) => {
  const r = buildRelease(second);
  t.equal(r.code, 0, `second build exits 0\n${r.err.slice(-3000)}`);
  for (const arch of ARCHES) t.equal(sha256(tarball(second, arch)), sha256(tarball(first, arch)), `${arch}: same sha256`);
});

function list(file: string): string[] {
  const r = run('tar', ['-tzf', file]);
  if (r.code !== 0) throw new Error(`tar -tzf ${file}: ${r.err}`);
  return r.out.split('\n').filter(Boolean);
}

t.test('contents', async (t) => {
  for (const arch of ARCHES) {
    const entries = list(tarball(first, arch));
    const top = `iomt-sensor-${VERSION}/`;
    t.ok(entries.every((e) => e.startsWith(top)), `${arch}: everything under ${top}`);
    const has = (p: string) => entries.includes(top + p);
    for (const p of ['package.json', 'README.md', 'NOTICE', 'dist/src/cli.js', 'docs/sample-config.yaml', 'scripts/install.sh', 'systemd/iomt-sensor.service', 'dist/src/capture/helper-units.js']) {
      t.ok(has(p), `${arch}: has ${p}`);
    }
    for (const dev of ['typescript', 'tap', 'fast-check', '@tapjs']) {
      t.notOk(entries.some((e) => e.includes(`node_modules/${dev}/`)), `${arch}: no dev dependency ${dev}`);
    }
    t.notOk(entries.some((e) => /\.test\.js$|\/dist\/test\/|\.ts$|\.map$/.test(e) && !e.includes('node_modules/')), `${arch}: no tests, sources or maps of ours`);
    t.notOk(entries.some((e) => /\.(pcap|pcapng|cap)$|\/(captures|feeds)\//.test(e)), `${arch}: no captures or feeds`);
    const prebuilds = entries.filter((e) => /node_modules\/classic-level\/prebuilds\/[^/]+\/$/.test(e)).map((e) => e.split('/').at(-2));
    t.same(prebuilds, [`linux-${arch}`], `${arch}: classic-level prebuilds for linux-${arch} only`);
    t.ok(entries.some((e) => e.endsWith('.node') && e.includes(`prebuilds/linux-${arch}/`)), `${arch}: the LevelDB binding is there`);
    const foreign = entries.filter((e) => /@cbor-extract\/cbor-extract-/.test(e) && !e.includes(`cbor-extract-linux-${arch}`));
    t.same(foreign, [], `${arch}: no cbor-extract binary for another platform`);
  }
  const arm = list(tarball(first, 'arm64'));
  t.notOk(arm.some((e) => e.includes('prebuilds/linux-x64')), 'arm64 tarball has no linux-x64 prebuild');
  for (const arch of ARCHES) {
    const entries = list(tarball(first, arch));
    const foreign = entries.filter((e) => /\/prebuilds\/[^/]+\/$/.test(e) && !e.endsWith(`/prebuilds/linux-${arch}/`));
    t.same(foreign, [], `${arch}: no package keeps a prebuild for another platform`);
    for (const opt of ['serialport', '@stoprocent/bluetooth-hci-socket']) {
      t.ok(entries.some((e) => e.includes(`node_modules/${opt}/package.json`)), `${arch}: optional ${opt} is shipped`);
    }
    t.ok(entries.some((e) => /bluetooth-hci-socket\/prebuilds\/linux-[^/]+\/.+\.node$/.test(e)), `${arch}: the HCI socket binding's prebuild for linux-${arch}`);
    t.ok(entries.includes(`iomt-sensor-${VERSION}/scripts/wifi-monitor.sh`), `${arch}: the Wi-Fi monitor script`);
  }
});

t.test('the unpacked x64 release runs', async (t) => {
  const dir = join(tmp, 'unpacked');
  mkdirSync(dir);
  const x = run('tar', ['-xzf', tarball(first, 'x64'), '-C', dir]);
  t.equal(x.code, 0, x.err);
  const app = join(dir, `iomt-sensor-${VERSION}`);
  const cli = join(app, 'dist', 'src', 'cli.js');
  // Run from elsewhere, with nothing of the work tree on the module path.
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmp };

  const v = run(process.execPath, [cli, '--version'], { cwd: tmp, env });
  t.equal(v.code, 0, v.err);
  t.equal(v.out.trim(), VERSION, '--version prints the package version');

  const frames = [];
  for (let i = 0; i < 20; i++) {
    const n = (i % 4) + 1;
    const bytes = ethernet(
      { src: `00:1b:63:00:00:0${n}`, dst: '02:00:00:00:00:ff', type: 0x0800 },
      ipv4({ src: `10.1.0.${n}`, dst: '10.1.0.254', proto: 17 }, udp({ sport: 5000 + n, dport: 2575 }, new Uint8Array(8))),
    );
    frames.push({ tsSec: 1_700_000_000 + i, tsNsec: 0, bytes });
  }
  const pcap = join(tmp, 'ward.pcap');
  writeFileSync(pcap, pcapFile(1, frames));
  const r = run(process.execPath, [cli, 'replay', '--json', pcap], { cwd: tmp, env });
  t.equal(r.code, 0, `replay exits 0\n${r.err}`);
  const summary = JSON.parse(r.out) as { frames: number; devices: DeviceRecord[] };
  t.equal(summary.frames, 20, 'replay read every frame');
  t.same(summary.devices.map((d) => deviceId(d)).filter((k) => k.includes('00:1b:63')).sort(),
    ['mac:00:1b:63:00:00:01', 'mac:00:1b:63:00:00:02', 'mac:00:1b:63:00:00:03', 'mac:00:1b:63:00:00:04'], 'replay found the four senders');

  // The native LevelDB binding loads from the tarball's prebuild.
  const state = join(tmp, 'state');
  mkdirSync(state);
  const inv = run(process.execPath, [cli, 'inventory', '--state', state], { cwd: tmp, env });
  t.equal(inv.code, 0, `inventory on an empty state opens LevelDB\n${inv.err}`);
  t.match(inv.out, /^0 devices/, 'empty inventory');
});
