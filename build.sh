#!/usr/bin/env bash
# Sets up a development or demo machine (Debian / Raspberry Pi OS) and builds
# the sensor: installs the system packages that are missing, the npm
# dependencies, and compiles the TypeScript to dist/.
#
#   ./build.sh            install what is missing, then compile
#   ./build.sh --no-apt   compile only (no package installation)
set -euo pipefail
cd "$(dirname "$0")"

want_apt=1
for arg in "$@"; do
  case "$arg" in
    --no-apt) want_apt=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Runtime: tcpdump (live capture child), ieee-data (vendor names).
# Development and tests: mosquitto (real broker), tshark (reference decoder),
# socat (serial pseudo-terminals), tcpreplay and iproute2 (live capture through
# network namespaces), python3-cbor2 (independent CBOR decoder), time (bench RSS).
packages=(tcpdump ieee-data mosquitto tshark socat tcpreplay iproute2 python3-cbor2 time ca-certificates)

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

say "installing npm dependencies"
if [ -f package-lock.json ]; then npm ci --no-fund --no-audit --loglevel=error; else npm install --no-fund --no-audit --loglevel=error; fi

say "compiling"
rm -rf dist
npx tsc -p tsconfig.json
chmod +x dist/src/cli.js 2>/dev/null || true
say "built: node dist/src/cli.js --help"
