/**
 * scripts/install.sh in a real Debian bookworm (debootstrap --variant=minbase),
 * entered with chroot inside a private mount namespace: install, modify the
 * config and the state, upgrade to a bumped version, reinstall, uninstall,
 * purge. Node 20 is not in bookworm, so this machine's node binary (and any
 * library ldd names that the chroot lacks) is copied to /usr/local/bin there,
 * as a nodejs.org binary install would put it.
 *
 * The debootstrap result is cached in var/chroot-cache/<key> (with the apt
 * lists and the runtime .debs downloaded, so install.sh's apt-get install runs
 * offline); each run works on a fresh copy. Needs root, debootstrap, unshare.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const PKG_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const V1 = PKG_VERSION;
const V2 = PKG_VERSION.replace(/^(\d+)\.(\d+)\.(\d+).*$/, (_m, a: string, b: string, c: string) => `${a}.${b}.${Number(c) + 1}`);
/** Bump when the recipe below changes: the cache is rebuilt under the new key. */
const CACHE_KEY = `bookworm-minbase-${process.arch}-v1`;
const CACHE = join(ROOT, 'var', 'chroot-cache', CACHE_KEY);
const RUNTIME_DEBS = ['tcpdump', 'ieee-data', 'socat', 'libcap2-bin'];
const CAPTURE_WANTS = '/etc/systemd/system/iomt-sensor.service.wants/iomt-sensor-capture@eth1.service';

interface Run { code: number | null; out: string; err: string }
function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = ROOT): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}
const seconds = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);

/** The Debian mirror this machine's apt uses (deb822 .sources or one-line lists). */
function debianMirror(): string {
  if (process.env['IOMT_DEBIAN_MIRROR']) return process.env['IOMT_DEBIAN_MIRROR'];
  const files = ['/etc/apt/sources.list', ...(existsSync('/etc/apt/sources.list.d') ? readdirSync('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f)) : [])];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^\s*(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/gm)) {
      const uri = m[1]!;
      if (/\/debian\/?$/.test(uri)) return uri;
    }
  }
  return 'http://deb.debian.org/debian';
}

/** Runs a shell command in the chroot, with /proc and /dev mounted in a private mount namespace. */
function chroot(root: string, script: string, path = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'): Run {
  const outer = 'set -e; mount -t proc proc "$R/proc"; mount --rbind /dev "$R/dev"; ' +
    'exec chroot "$R" /usr/bin/env -i HOME=/root LC_ALL=C PATH="$P" /bin/bash -c "$S"';
  return run('unshare', ['--mount', '--propagation', 'private', '--fork', '--', 'bash', '-c', outer], { ...process.env, R: root, P: path, S: script });
}

/** var/chroot-cache/<key>: debootstrap, apt lists and the runtime .debs. Built once, atomically. */
function ensureCache(t: Test): string | undefined {
  if (existsSync(join(CACHE, '.ready'))) {
    t.comment(`chroot cache ${CACHE_KEY}: reused`);
    return CACHE;
  }
  mkdirSync(dirname(CACHE), { recursive: true });
  const tmp = `${CACHE}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const mirror = debianMirror();
  let t0 = Date.now();
  const d = run('debootstrap', ['--variant=minbase', 'bookworm', tmp, mirror]);
  if (d.code !== 0) {
    t.fail(`debootstrap --variant=minbase bookworm from ${mirror} failed\n${(d.out + d.err).slice(-3000)}`);
    return undefined;
  }
  t.comment(`debootstrap --variant=minbase bookworm (${mirror}): ${seconds(t0)} s`);
  copyFileSync('/etc/resolv.conf', join(tmp, 'etc', 'resolv.conf'));
  t0 = Date.now();
  const a = chroot(tmp, `apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --download-only --no-install-recommends ${RUNTIME_DEBS.join(' ')}`);
  if (a.code !== 0) {
    t.fail(`apt-get update / download in the chroot failed\n${(a.out + a.err).slice(-3000)}`);
    return undefined;
  }
  t.comment(`apt lists and runtime .debs cached: ${seconds(t0)} s`);
  writeFileSync(join(tmp, '.ready'), `${new Date().toISOString()} ${mirror}\n`);
  try {
    renameSync(tmp, CACHE);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another run finished first
  }
  return CACHE;
}

/** Copies node into /usr/local/bin of the chroot, with the libraries it needs that the chroot lacks. */
function installNode(root: string): string[] {
  copyFileSync(process.execPath, join(root, 'usr', 'local', 'bin', 'node'));
  run('chmod', ['755', join(root, 'usr', 'local', 'bin', 'node')]);
  const copied: string[] = [];
  for (const line of run('ldd', [process.execPath]).out.split('\n')) {
    const m = /=>\s*(\/\S+)|^\s*(\/\S+)/.exec(line);
    const lib = m?.[1] ?? m?.[2];
    if (lib === undefined || existsSync(join(root, lib))) continue;
    mkdirSync(join(root, dirname(lib)), { recursive: true });
    copyFileSync(lib, join(root, lib));
    copied.push(lib);
  }
  return copied;
}

const haveTools = process.getuid?.() === 0 && run('sh', ['-c', 'command -v debootstrap && command -v unshare && command -v chroot']).code === 0;
const skip = !haveTools ? 'needs root, debootstrap (apt-get install debootstrap) and unshare'
  : process.arch !== 'x64' ? 'the chroot runs the x64 tarball: x64 machines only' : false;

t.test('install, upgrade, uninstall in a Debian bookworm chroot', { skip }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'iomt-install-test-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

  // The two releases: the package's version and a bumped one.
  let t0 = Date.now();
  for (const v of [V1, V2]) {
    const b = run('bash', ['build.sh', 'release', '--no-apt', '--arch', 'x64'], { ...process.env, RELEASE_DIR: join(tmp, 'rel'), IOMT_VERSION: v });
    if (b.code !== 0) return void t.fail(`build.sh release (${v}) failed\n${b.err.slice(-3000)}`);
  }
  t.comment(`two x64 releases built: ${seconds(t0)} s`);

  t0 = Date.now();
  const cache = ensureCache(t);
  if (cache === undefined) return;
  t.comment(`chroot cache ready: ${seconds(t0)} s`);

  t0 = Date.now();
  const root = join(tmp, 'root');
  const cp = run('cp', ['-a', cache, root]);
  t.equal(cp.code, 0, `copy of the cached chroot\n${cp.err}`);
  rmSync(join(root, '.ready'), { force: true });
  copyFileSync('/etc/resolv.conf', join(root, 'etc', 'resolv.conf'));
  const libs = installNode(root);
  t.comment(`fresh chroot from the cache, node copied (libraries added: ${libs.join(' ') || 'none'}): ${seconds(t0)} s`);
  for (const v of [V1, V2]) copyFileSync(join(tmp, 'rel', `iomt-sensor-${v}-linux-x64.tar.gz`), join(root, 'tmp', `iomt-sensor-${v}.tar.gz`));

  const sh = (script: string, path?: string) => chroot(root, script, path);
  const out = (script: string) => sh(script).out.trim();

  // No node on the PATH: a clear message, nothing installed.
  const noNode = sh(`mkdir -p /tmp/u1 && tar -xzf /tmp/iomt-sensor-${V1}.tar.gz -C /tmp/u1 && /tmp/u1/iomt-sensor-${V1}/scripts/install.sh /tmp/iomt-sensor-${V1}.tar.gz`, '/usr/sbin:/usr/bin:/sbin:/bin');
  t.not(noNode.code, 0, 'install.sh fails without node');
  t.match(noNode.err, /Node\.js 20 or newer is needed/, 'and says what is missing');
  t.notOk(existsSync(join(root, 'usr/lib/iomt-sensor')), 'nothing installed');

  // Install from the tarball.
  t0 = Date.now();
  const i1 = sh(`/tmp/u1/iomt-sensor-${V1}/scripts/install.sh /tmp/iomt-sensor-${V1}.tar.gz`);
  t.equal(i1.code, 0, `install ${V1}\n${i1.out.slice(-4000)}\n${i1.err.slice(-3000)}`);
  t.comment(`install (apt-get install of the runtime packages from the cached .debs included): ${seconds(t0)} s`);
  t.match(i1.out, /==> apt-get install .*tcpdump/, 'installs the runtime packages');
  t.match(i1.out, /systemd is not running here .* starts on the next boot/, 'says the service starts on boot');

  t.match(out('getent passwd iomt-sensor'), /^iomt-sensor:x:\d+:\d+:[^:]*:\/var\/lib\/iomt-sensor:\/usr\/sbin\/nologin$/, 'system user without a login shell');
  t.equal(out('stat -c "%n %U:%G %a" /etc/iomt-sensor /var/lib/iomt-sensor /var/log/iomt-sensor'),
    ['/etc/iomt-sensor root:iomt-sensor 750', '/var/lib/iomt-sensor iomt-sensor:iomt-sensor 750', '/var/log/iomt-sensor iomt-sensor:iomt-sensor 750'].join('\n'), 'directories, owners and modes');
  t.equal(out(`find /usr/lib/iomt-sensor/ -type f -exec getcap {} + | wc -l`), '0', 'no file of the program holds capabilities (the capture helper unit does)');
  t.equal(out('readlink /usr/lib/iomt-sensor'), `iomt-sensor-${V1}`, '/usr/lib/iomt-sensor points at the version');
  t.equal(out('iomt-sensor --version'), V1, 'iomt-sensor --version');
  t.equal(out('stat -c "%U:%G %a" /etc/iomt-sensor/config.yaml'), 'root:iomt-sensor 640', 'config readable by the group only');
  const config = readFileSync(join(root, 'etc/iomt-sensor/config.yaml'), 'utf8');
  t.match(config, /^    via: helper$/m, 'sample config captures through the helper unit');
  const check = sh(`cd /usr/lib/iomt-sensor && node --input-type=module -e "
    const { loadConfig } = await import('/usr/lib/iomt-sensor/dist/src/config/index.js');
    const { config } = loadConfig('/etc/iomt-sensor/config.yaml');
    console.log(config.sources[0].via, config.sources[0].iface);"`);
  t.equal(check.out.trim(), 'helper eth1', `the installed config passes the installed validation\n${check.err}`);
  t.equal(out(`readlink ${CAPTURE_WANTS}`), '/etc/systemd/system/iomt-sensor-capture@.service', 'the capture helper for eth1 starts with the agent');
  t.match(readFileSync(join(root, 'etc/systemd/system/iomt-sensor-capture@.service'), 'utf8'), /^AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN$/m, 'the capture helper unit, and only it, holds the capture capabilities');
  const unit = readFileSync(join(root, 'etc/systemd/system/iomt-sensor.service'), 'utf8');
  t.match(unit, /^ExecStart=\/usr\/local\/bin\/node (?:-\S+ )*\/usr\/lib\/iomt-sensor\/dist\/src\/cli\.js run --config \/etc\/iomt-sensor\/config\.yaml$/m, 'unit installed, ExecStart on this node');
  t.equal(out('readlink /etc/systemd/system/multi-user.target.wants/iomt-sensor.service'), '/etc/systemd/system/iomt-sensor.service', 'unit enabled for multi-user.target');

  // The technician edits the config; the agent has state.
  writeFileSync(join(root, 'etc/iomt-sensor/config.yaml'), config.replace('id: ward3-gw1', 'id: icu7-gw2') + '# edited on site\n');
  const edited = readFileSync(join(root, 'etc/iomt-sensor/config.yaml'), 'utf8');
  t.equal(sh('echo leveldb > /var/lib/iomt-sensor/CURRENT && chown iomt-sensor: /var/lib/iomt-sensor/CURRENT').code, 0, 'state written');

  // Upgrade, run from the unpacked tarball without an argument.
  t0 = Date.now();
  const i2 = sh(`mkdir -p /tmp/u2 && tar -xzf /tmp/iomt-sensor-${V2}.tar.gz -C /tmp/u2 && /tmp/u2/iomt-sensor-${V2}/scripts/install.sh`);
  t.equal(i2.code, 0, `upgrade to ${V2}\n${i2.out.slice(-4000)}\n${i2.err.slice(-3000)}`);
  t.comment(`upgrade: ${seconds(t0)} s`);
  t.equal(out('iomt-sensor --version'), V2, 'iomt-sensor --version shows the new version');
  t.equal(out('readlink /usr/lib/iomt-sensor'), `iomt-sensor-${V2}`, 'switched to the new version');
  t.ok(existsSync(join(root, `usr/lib/iomt-sensor-${V1}`)), 'previous version kept for a rollback');
  t.equal(readFileSync(join(root, 'etc/iomt-sensor/config.yaml'), 'utf8'), edited, 'config not overwritten');
  t.match(i2.out, /keeping the existing \/etc\/iomt-sensor\/config\.yaml/, 'and says so');
  t.equal(out('cat /var/lib/iomt-sensor/CURRENT; stat -c %U /var/lib/iomt-sensor/CURRENT'), 'leveldb\niomt-sensor', 'state survives the upgrade');
  t.equal(out(`readlink ${CAPTURE_WANTS}`), '/etc/systemd/system/iomt-sensor-capture@.service', 'capture helper still enabled after the upgrade');

  // Again: idempotent.
  const i3 = sh(`/tmp/u2/iomt-sensor-${V2}/scripts/install.sh /tmp/iomt-sensor-${V2}.tar.gz`);
  t.equal(i3.code, 0, `reinstalling ${V2} works\n${i3.err.slice(-3000)}`);
  t.equal(out('iomt-sensor --version'), V2, 'same version after a reinstall');
  t.equal(out('ls -d /usr/lib/iomt-sensor-*'), `/usr/lib/iomt-sensor-${V1}\n/usr/lib/iomt-sensor-${V2}`, 'no leftovers');
  t.equal(readFileSync(join(root, 'etc/iomt-sensor/config.yaml'), 'utf8'), edited, 'config still untouched');

  // Uninstall keeps config and state.
  const u = sh(`/tmp/u2/iomt-sensor-${V2}/scripts/install.sh --uninstall`);
  t.equal(u.code, 0, `uninstall\n${u.out}\n${u.err}`);
  for (const p of ['usr/lib/iomt-sensor', `usr/lib/iomt-sensor-${V1}`, `usr/lib/iomt-sensor-${V2}`, 'usr/bin/iomt-sensor', 'etc/systemd/system/iomt-sensor.service', 'etc/systemd/system/multi-user.target.wants/iomt-sensor.service', 'etc/systemd/system/iomt-sensor-capture@.service', CAPTURE_WANTS.slice(1)]) {
    t.notOk(existsSync(join(root, p)), `uninstall removed /${p}`);
  }
  t.equal(readFileSync(join(root, 'etc/iomt-sensor/config.yaml'), 'utf8'), edited, 'uninstall keeps the config');
  t.ok(existsSync(join(root, 'var/lib/iomt-sensor/CURRENT')), 'uninstall keeps the state');
  t.equal(sh('getent passwd iomt-sensor >/dev/null').code, 0, 'uninstall keeps the user');

  // Purge removes them.
  const p = sh(`/tmp/u2/iomt-sensor-${V2}/scripts/install.sh --uninstall --purge`);
  t.equal(p.code, 0, `purge\n${p.out}\n${p.err}`);
  for (const d of ['etc/iomt-sensor', 'var/lib/iomt-sensor', 'var/log/iomt-sensor']) t.notOk(existsSync(join(root, d)), `--purge removed /${d}`);
  t.not(sh('getent passwd iomt-sensor').code, 0, '--purge removed the user');
  t.not(sh('getent group iomt-sensor').code, 0, '--purge removed the group');
});

const noShellcheck = run('sh', ['-c', 'command -v shellcheck']).code !== 0;
t.test('install.sh and build.sh are shellcheck-clean', { skip: noShellcheck ? 'shellcheck is not installed (apt-get install shellcheck)' : false }, async (t) => {
  const r = run('shellcheck', ['scripts/install.sh', 'build.sh']);
  t.equal(r.code, 0, r.out + r.err);
});
