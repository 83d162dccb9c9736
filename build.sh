#!/usr/bin/env bash
# Sets up a development or demo machine (Debian / Raspberry Pi OS) and builds
# the sensor: installs the system packages that are missing, the npm
# dependencies, and compiles the TypeScript to dist/.
#
#   ./build.sh            install what is missing, then compile
#   ./build.sh --no-apt   compile only (no package installation)
#   ./build.sh release [--no-apt] [--arch x64,arm64,armv7]
#       build the installable tarballs release/iomt-sensor-<version>-linux-<arch>.tar.gz
#       (byte-reproducible: mtimes from SOURCE_DATE_EPOCH, default the last commit time).
#       Environment: RELEASE_DIR (output dir, default release/), IOMT_VERSION
#       (version override, default package.json's), SOURCE_DATE_EPOCH.
set -euo pipefail
cd "$(dirname "$0")"

want_apt=1
release=0
arches="x64,arm64,armv7"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-apt) want_apt=0 ;;
    release) release=1 ;;
    --arch) [ $# -ge 2 ] || { echo "build.sh: --arch needs a value" >&2; exit 2; }; arches=$2; shift ;;
    --arch=*) arches=${1#--arch=} ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# ---------------------------------------------------------------------------
# release: one tarball per target, from the compiled src/ and the production
# dependencies installed for that target (npm --os/--cpu), byte-reproducible.
release_main() {
  local arch_list=$1 version sde outdir work arch cpu stage tarball
  version=${IOMT_VERSION:-$(node -p 'require("./package.json").version')}
  if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.+~-][0-9A-Za-z.+~-]*)?$ ]]; then
    echo "build.sh: version \"$version\" is not a version (IOMT_VERSION or package.json)" >&2; exit 2
  fi
  if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null) || {
      echo "build.sh: not a git checkout: set SOURCE_DATE_EPOCH for a reproducible release" >&2; exit 2; }
  fi
  sde=$SOURCE_DATE_EPOCH
  outdir=${RELEASE_DIR:-release}
  mkdir -p "$outdir"
  outdir=$(cd "$outdir" && pwd)
  umask 022
  export LC_ALL=C TZ=UTC npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  work=$(mktemp -d "${TMPDIR:-/tmp}/iomt-release.XXXXXX")
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT

  local units=() u
  for u in systemd/*.service systemd/*.socket systemd/*.timer; do [ -f "$u" ] && units+=("$u"); done
  if [ ${#units[@]} -eq 0 ]; then echo "build.sh: no systemd unit in systemd/ (*.service, *.socket, *.timer)" >&2; exit 1; fi
  [ -f scripts/install.sh ] || { echo "build.sh: scripts/install.sh is missing" >&2; exit 1; }

  # The compiler comes from the dev dependencies; install them when missing or stale.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies (for the compiler)"
    npm ci --no-fund --no-audit --loglevel=error
  fi

  say "release $version (SOURCE_DATE_EPOCH=$sde): compiling src/"
  # Only src/ without its tests, no source maps (the tarball has no .ts to map to),
  # into a scratch directory: dist/ of the work tree is left alone.
  cat >"$work/tsconfig.json" <<TSCONFIG
{
  "extends": "$PWD/tsconfig.json",
  "compilerOptions": { "rootDir": "$PWD", "outDir": "$work/build", "sourceMap": false,
                       "typeRoots": ["$PWD/node_modules/@types"] },
  "include": ["$PWD/src/**/*.ts"],
  "exclude": ["$PWD/src/**/*.test.ts", "$PWD/src/**/testing.ts"]
}
TSCONFIG
  node_modules/.bin/tsc -p "$work/tsconfig.json"

  # What the runtime loads: every module reachable from the command by relative
  # import, and from what scripts/install.sh imports (the helper unit names).
  node --input-type=module - "$work/build" "$work/app" <<'CLOSURE'
import { readFileSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
const [from, to] = process.argv.slice(2);
const seen = new Set();
const todo = [join(from, 'src/cli.js'), join(from, 'src/capture/helper-units.js')];
const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
while (todo.length > 0) {
  const f = todo.pop();
  if (seen.has(f)) continue;
  if (!existsSync(f)) throw new Error(`release: ${relative(from, f)} is imported but was not compiled`);
  seen.add(f);
  for (const m of readFileSync(f, 'utf8').matchAll(re)) if (m[1].endsWith('.js')) todo.push(resolve(dirname(f), m[1]));
}
for (const f of seen) {
  const rel = relative(from, f);
  if (rel.startsWith('..')) throw new Error(`release: ${f} is outside the build`);
  mkdirSync(dirname(join(to, 'dist', rel)), { recursive: true });
  copyFileSync(f, join(to, 'dist', rel));
}
console.error(`release: ${seen.size} modules reachable from dist/src/cli.js`);
CLOSURE
  chmod 755 "$work/app/dist/src/cli.js"

  for arch in ${arch_list//,/ }; do
    case "$arch" in
      x64) cpu=x64 ;;
      arm64) cpu=arm64 ;;
      armv7) cpu=arm ;;
      *) echo "build.sh: unknown --arch $arch (x64, arm64, armv7)" >&2; exit 2 ;;
    esac
    say "release $version linux-$arch: production dependencies for linux/$cpu"
    mkdir -p "$work/npm-$arch"
    cp package.json package-lock.json "$work/npm-$arch/"
    # cbor-x's optional accelerator cbor-extract comes as prebuilt per-platform
    # packages (@cbor-extract/cbor-extract-linux-<cpu>). When the lockfile has no
    # such package for this target (cbor-extract 2.2.3 references versions that
    # were never published), it is left out: cbor-x falls back to JavaScript.
    local extract=1
    if ! node -e 'process.exit(require(process.argv[1]).packages["node_modules/@cbor-extract/cbor-extract-linux-" + process.argv[2]] ? 0 : 1)' \
        "$PWD/package-lock.json" "$cpu"; then
      extract=0
      say "cbor-extract left out for linux-$cpu: no @cbor-extract/cbor-extract-linux-$cpu in package-lock.json"
      node -e '
        const fs = require("fs"), f = process.argv[1], l = JSON.parse(fs.readFileSync(f, "utf8"));
        for (const [k, v] of Object.entries(l.packages)) {
          if (/(^|\/)node_modules\/(@cbor-extract\/[^/]+|cbor-extract)$/.test(k)) delete l.packages[k];
          else if (v.optionalDependencies) { delete v.optionalDependencies["cbor-extract"]; }
        }
        fs.writeFileSync(f, JSON.stringify(l, null, 2) + "\n");
      ' "$work/npm-$arch/package-lock.json"
    fi
    # --ignore-scripts: nothing is compiled on the build machine; the native
    # modules (classic-level, cbor-extract) ship prebuilt binaries.
    (cd "$work/npm-$arch" && npm ci --omit=dev --ignore-scripts \
      --os=linux --cpu="$cpu" --libc=glibc --no-fund --no-audit --loglevel=error)

    stage="$work/stage-$arch/iomt-sensor-$version"
    mkdir -p "$stage"
    mv "$work/npm-$arch/node_modules" "$stage/node_modules"
    rm -f "$stage/node_modules/.package-lock.json"
    # Native code: keep only this target's prebuilt LevelDB binding (glibc).
    local cl="$stage/node_modules/classic-level"
    if [ ! -d "$cl/prebuilds/linux-$cpu" ]; then echo "build.sh: classic-level has no prebuild for linux-$cpu" >&2; exit 1; fi
    find "$cl/prebuilds" -mindepth 1 -maxdepth 1 ! -name "linux-$cpu" -exec rm -rf {} +
    rm -f "$cl/prebuilds/linux-$cpu/"*.musl.node
    rm -rf "$cl/deps"   # the LevelDB C++ sources, only for building from source
    # The optional native bindings (serialport's, the HCI socket's for ble-hci
    # and their usb and nested copies) ship node-gyp-build prebuilds for every
    # platform: in every prebuilds/ directory keep this target's (glibc) only.
    local pb
    while IFS= read -r -d '' pb; do
      find "$pb" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
        -regex '.*/(linux|darwin|win32|android|freebsd|openbsd)-[^/]+' ! -name "linux-$cpu" -exec rm -rf {} +
      rm -f "$pb/linux-$cpu/"*.musl.node
    done < <(find "$stage/node_modules" -type d -name prebuilds -print0)
    # Native sources are not needed with a prebuild.
    find "$stage/node_modules" -type d \( -path '*/bluetooth-hci-socket/src' -o -path '*/bindings-cpp/src' \) -prune -exec rm -rf {} +
    if [ "$extract" = 1 ]; then
      rm -f "$stage/node_modules/@cbor-extract/"*/*.musl.node
      ls "$stage/node_modules/@cbor-extract/cbor-extract-linux-$cpu/"*.node >/dev/null \
        || { echo "build.sh: @cbor-extract/cbor-extract-linux-$cpu has no prebuilt binary" >&2; exit 1; }
    fi
    local dev
    for dev in typescript tap fast-check @tapjs; do
      if [ -e "$stage/node_modules/$dev" ]; then echo "build.sh: dev dependency $dev leaked into the release" >&2; exit 1; fi
    done

    cp -R "$work/app/dist" "$stage/dist"
    node -e '
      const p = require("./package.json");
      const out = { name: p.name, version: process.argv[1], description: p.description, license: p.license,
        type: p.type, engines: p.engines, bin: p.bin, dependencies: p.dependencies };
      require("fs").writeFileSync(process.argv[2], JSON.stringify(out, null, 2) + "\n");
    ' "$version" "$stage/package.json"
    mkdir -p "$stage/docs" "$stage/scripts" "$stage/systemd"
    cp README.md "$stage/README.md"
    cp docs/sample-config.yaml "$stage/docs/sample-config.yaml"
    install -m 755 scripts/install.sh "$stage/scripts/install.sh"
    install -m 755 scripts/wifi-monitor.sh "$stage/scripts/wifi-monitor.sh"
    cp "${units[@]}" "$stage/systemd/"
    local lic
    for lic in LICENSE LICENSE.md LICENSE.txt NOTICE COPYING; do if [ -f "$lic" ]; then cp "$lic" "$stage/"; fi; done
    node --input-type=module - "$stage" "$version" "$arch" <<'NOTICE_JS'
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
const [stage, version, arch] = process.argv.slice(2);
const rows = [];
const walk = (nm) => {
  if (!existsSync(nm)) return;
  for (const e of readdirSync(nm).sort()) {
    if (e.startsWith('.')) continue;
    const dirs = e.startsWith('@') ? readdirSync(join(nm, e)).sort().map((s) => join(e, s)) : [e];
    for (const d of dirs) {
      const pj = join(nm, d, 'package.json');
      if (!existsSync(pj)) continue;
      const p = JSON.parse(readFileSync(pj, 'utf8'));
      const lic = typeof p.license === 'string' ? p.license : (p.license?.type ?? 'see the package');
      const files = readdirSync(join(nm, d)).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f)).sort();
      rows.push(`${p.name}@${p.version}  ${lic}  ${files.length ? join(nm.slice(stage.length + 1), d, files[0]) : '(no licence file in the package)'}`);
      walk(join(nm, d, 'node_modules'));
    }
  }
};
walk(join(stage, 'node_modules'));
const pkg = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8'));
writeFileSync(join(stage, 'NOTICE'),
  `iomt-sensor ${version} for linux-${arch}, licensed under ${pkg.license}.\n\n` +
  'It bundles these third-party npm packages, each under its own licence (text in the file named):\n\n' +
  rows.join('\n') + '\n');
NOTICE_JS

    tarball="$outdir/iomt-sensor-$version-linux-$arch.tar.gz"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$sde" \
      --mode='u+rwX,go+rX,go-w' --format=gnu -C "$work/stage-$arch" -cf - "iomt-sensor-$version" \
      | gzip -n -9 >"$tarball.tmp"
    mv "$tarball.tmp" "$tarball"
    rm -rf "$work/stage-$arch" "$work/npm-$arch"
    printf '%s  %s bytes  sha256 %s\n' "$tarball" "$(stat -c %s "$tarball")" "$(sha256sum "$tarball" | cut -d' ' -f1)"
  done
}

# Runtime: tcpdump (capture), ieee-data (vendor names), socat (systemd notifications).
# Development and tests: mosquitto (real broker), tshark (reference decoder), libndpi-bin (ndpiReader, the real-traffic bench),
# socat (serial pseudo-terminals), tcpreplay and iproute2 (live capture through
# network namespaces), python3-cbor2 (independent CBOR decoder), time (bench RSS),
# debootstrap (the install test's Debian chroot), shellcheck (install.sh lint),
# strace (the units' system-call filters checked against what node and tcpdump call),
# e2fsprogs and mount (mkfs.ext4, losetup: the power-cut test's ext4 on a loop device).
packages=(tcpdump ieee-data mosquitto tshark libndpi-bin socat tcpreplay iproute2 python3-cbor2 time ca-certificates debootstrap shellcheck strace e2fsprogs mount)

if [ "$want_apt" = 1 ]; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture; the sensor does not need it.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if ! command -v node >/dev/null; then
  echo "build.sh: Node.js 20 or newer is needed (Debian bookworm ships 18; use the NodeSource or nodejs.org packages)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "build.sh: Node.js $(node --version) is too old: 20 or newer is needed" >&2
  exit 1
fi

if [ "$release" = 1 ]; then
  release_main "$arches"
  exit 0
fi

say "installing npm dependencies"
if [ -f package-lock.json ]; then npm ci --no-fund --no-audit --loglevel=error; else npm install --no-fund --no-audit --loglevel=error; fi

say "compiling"
rm -rf dist
npx tsc -p tsconfig.json
chmod +x dist/src/cli.js 2>/dev/null || true
say "built: node dist/src/cli.js --help"
