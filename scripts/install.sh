#!/usr/bin/env bash
# Installs, upgrades or removes iomt-sensor on Debian / Raspberry Pi OS.
#
#   install.sh [--prefix DIR] TARBALL       install or upgrade from a release tarball
#   install.sh [--prefix DIR]               the same, run from an unpacked tarball
#   install.sh [--prefix DIR] --uninstall [--purge]
#       remove the program and the units; keep the
#       configuration (/etc/iomt-sensor) and the state (/var/lib/iomt-sensor)
#       unless --purge, which also removes them, the logs and the user.
#
# The program goes to DIR/iomt-sensor-<version> (DIR defaults to /usr/lib) and
# DIR/iomt-sensor is a symlink to it, switched with one rename(2): the paths the
# unit uses never change, a power cut mid-upgrade leaves the old or the new
# version (never a mix), and the previous version stays for a rollback
# (ln -sfn iomt-sensor-<old> DIR/iomt-sensor). Running it again is harmless.
set -euo pipefail
umask 022
export LC_ALL=C

prefix=/usr/lib
uninstall=0
purge=0
tarball=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }; prefix=$2; shift ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$tarball" ] || { echo "install.sh: one tarball only" >&2; exit 2; }; tarball=$1 ;;
  esac
  shift
done
if [ "$purge" = 1 ] && [ "$uninstall" = 0 ]; then echo "install.sh: --purge goes with --uninstall" >&2; exit 2; fi
case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be an absolute path, not $prefix" >&2; exit 2 ;; esac
prefix=${prefix%/}

name=iomt-sensor
user=iomt-sensor
link="$prefix/$name"                # -> iomt-sensor-<version>
capture_unit=$name-capture@.service
ble_unit=$name-ble@.service
# Templates whose instances follow the config (src/capture/helper-units.ts).
helper_templates=("$capture_unit" "$ble_unit")
etc=/etc/$name
state=/var/lib/$name
logs=/var/log/$name
unitdir=/etc/systemd/system
bin=/usr/bin/$name
runtime_packages=(tcpdump ieee-data socat)

step() { printf '==> %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (sudo $0 ...)"

systemd_running=0
[ -d /run/systemd/system ] && command -v systemctl >/dev/null && systemd_running=1

# Stops the service if it runs; sets was_active.
was_active=0
stop_service() {
  if [ "$systemd_running" = 1 ] && systemctl is-active --quiet "$name.service"; then
    was_active=1
    step "stopping $name.service"
    systemctl stop "$name.service"
  fi
}

# The unit files a version installed (from its systemd/ folder).
units_of() { [ -d "$1/systemd" ] && find "$1/systemd" -maxdepth 1 -type f \( -name '*.service' -o -name '*.socket' -o -name '*.timer' \) -printf '%f\n' | sort; true; }

# Enables a unit: systemctl when there is one (it also works offline), else the
# [Install] WantedBy= symlinks by hand (a chroot or image without systemd yet).
enable_unit() {
  local u=$1 target
  if command -v systemctl >/dev/null; then
    step "enabling $u"
    systemctl enable "$u" >/dev/null 2>&1 || systemctl --root=/ enable "$u"
    return
  fi
  local file=$u
  case "$u" in *@?*.service) file="${u%%@*}@.service" ;; esac # an instance: its template
  # shellcheck disable=SC2013 # WantedBy= lists names separated by spaces
  for target in $(sed -n 's/^WantedBy=//p' "$unitdir/$file"); do
    step "enabling $u for $target (symlink in $unitdir/$target.wants, no systemctl here)"
    mkdir -p "$unitdir/$target.wants"
    ln -sfn "$unitdir/$file" "$unitdir/$target.wants/$u"
  done
}

disable_unit() {
  local u=$1
  step "disabling and removing $unitdir/$u"
  if command -v systemctl >/dev/null; then systemctl disable "$u" >/dev/null 2>&1 || true; fi
  rm -f "$unitdir"/*.wants/"$u" "$unitdir/$u"
}

# ---------------------------------------------------------------------------
if [ "$uninstall" = 1 ]; then
  stop_service
  current=$(readlink -f "$link" 2>/dev/null || true)
  units=$( { [ -n "$current" ] && units_of "$current"; echo "$name.service"; } | sort -u)
  for tmpl in "${helper_templates[@]}"; do
    for f in "$unitdir"/*.wants/"${tmpl%@.service}"@*.service; do
      [ -e "$f" ] || [ -L "$f" ] || continue
      step "disabling $(basename "$f")"
      if command -v systemctl >/dev/null; then systemctl disable "$(basename "$f")" >/dev/null 2>&1 || true; fi
      rm -f "$f"
    done
  done
  for u in $units; do
    if [ -e "$unitdir/$u" ] || compgen -G "$unitdir/*.wants/$u" >/dev/null; then disable_unit "$u"; fi
  done
  if [ "$systemd_running" = 1 ]; then step "systemctl daemon-reload"; systemctl daemon-reload; fi
  if [ -L "$bin" ]; then step "removing $bin"; rm -f "$bin"; fi
  if [ -L "$link" ]; then step "removing $link"; rm -f "$link"; fi
  for d in "$prefix/$name"-[0-9]*; do
    [ -d "$d" ] || continue
    step "removing $d"
    rm -rf "$d"
  done
  if [ "$purge" = 1 ]; then
    for d in "$etc" "$state" "$logs"; do
      if [ -e "$d" ]; then step "purging $d"; rm -rf "$d"; fi
    done
    if getent passwd "$user" >/dev/null; then step "removing user $user"; userdel "$user"; fi
    if getent group "$user" >/dev/null; then step "removing group $user"; groupdel "$user"; fi
    step "iomt-sensor removed, with its configuration, state and logs"
  else
    step "iomt-sensor removed; kept the configuration in $etc and the state in $state (--purge removes them)"
  fi
  exit 0
fi

# ---------------------------------------------------------------------------
step "checking Node.js"
if ! node_bin=$(command -v node); then
  die "Node.js 20 or newer is needed and there is none on the PATH. Debian bookworm ships 18: install the nodejs package from NodeSource (deb.nodesource.com, node_20.x) or the nodejs.org binaries, then run this again."
fi
node_bin=$(readlink -f "$node_bin")
node_version=$("$node_bin" -p 'process.versions.node')
if [ "${node_version%%.*}" -lt 20 ]; then
  die "Node.js $node_version at $node_bin is too old: 20 or newer is needed (Debian bookworm ships 18; use NodeSource's node_20.x or the nodejs.org binaries)."
fi
step "Node.js $node_version at $node_bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/$name-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -n "$tarball" ]; then
  [ -f "$tarball" ] || die "no such tarball: $tarball"
  step "unpacking $tarball"
  tar -xzf "$tarball" -C "$work" --no-same-owner
  set -- "$work"/"$name"-*/
  { [ $# = 1 ] && [ -d "$1" ]; } || die "$tarball is not an iomt-sensor release (expected one directory $name-<version>/)"
  src=${1%/}
else
  src=$(cd "$(dirname "$0")/.." && pwd)
  step "installing from $src"
fi
{ [ -f "$src/package.json" ] && [ -f "$src/dist/src/cli.js" ]; } || die "$src is not an unpacked iomt-sensor release (no package.json or dist/src/cli.js)"
pkg_name=$("$node_bin" -p "require(process.argv[1]).name" "$src/package.json")
version=$("$node_bin" -p "require(process.argv[1]).version" "$src/package.json")
[ "$pkg_name" = "$name" ] || die "$src holds $pkg_name, not $name"
[[ "$version" =~ ^[0-9A-Za-z.+~-]+$ ]] || die "odd version \"$version\" in $src/package.json"
step "installing $name $version into $prefix/$name-$version"

# Runtime packages: tcpdump (run by the capture helper unit), ieee-data (vendor
# names), socat (notifications to systemd).
missing=()
for p in "${runtime_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing ${missing[*]} and there is no apt-get: install them, then run this again"
  step "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    step "apt-get update (the package lists were missing or stale), then again"
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
else
  step "runtime packages present: ${runtime_packages[*]}"
fi
command -v tcpdump >/dev/null || [ -x /usr/bin/tcpdump ] || die "tcpdump is not installed"

if ! getent group "$user" >/dev/null; then
  step "creating system group $user"
  groupadd --system "$user"
fi
if ! getent passwd "$user" >/dev/null; then
  step "creating system user $user (no login shell, no home directory)"
  useradd --system --gid "$user" --home-dir "$state" --no-create-home --shell /usr/sbin/nologin \
    --comment "iomt-sensor ward security sensor" "$user"
else
  step "system user $user exists"
fi

step "directories: $etc (root:$user 0750), $state ($user:$user 0750), $logs ($user:$user 0750)"
install -d -o root -g "$user" -m 0750 "$etc"
install -d -o "$user" -g "$user" -m 0750 "$state"
install -d -o "$user" -g "$user" -m 0750 "$logs"

# Stage the new version next to the old one, then switch.
target="$prefix/$name-$version"
new="$target.new.$$"
mkdir -p "$prefix"
rm -rf "$new"
step "copying the program to $new"
cp -R "$src/." "$new/"
chown -R root:root "$new"
chmod -R go-w "$new"
chmod 755 "$new/dist/src/cli.js"


previous=$(readlink -f "$link" 2>/dev/null || true)
[ -e "$link" ] && [ ! -L "$link" ] && die "$link exists and is not a symlink: move it away first"
stop_service

if [ -d "$target" ]; then
  step "replacing the installed $name-$version"
  mv -T "$target" "$target.old.$$"
fi
mv -T "$new" "$target"
step "switching $link -> $name-$version"
ln -sfn "$name-$version" "$link.tmp.$$"
mv -Tf "$link.tmp.$$" "$link"
rm -rf "$target.old.$$"
# Keep one other version for a rollback: the one just replaced, or (when this
# version was reinstalled) the most recent other one. Older ones go.
keep=""
if [ -n "$previous" ] && [ "$previous" != "$target" ] && [ -d "$previous" ]; then
  keep=$previous
else
  keep=$(find "$prefix" -mindepth 1 -maxdepth 1 -type d -name "$name-[0-9]*" ! -path "$target" ! -name '*.new.*' ! -name '*.old.*' \
    -printf '%T@ %p\n' | sort -rn | sed -n '1s/^[^ ]* //p')
fi
for d in "$prefix/$name"-[0-9]*; do
  [ -d "$d" ] || continue
  case "$d" in "$target" | "$keep") continue ;; esac
  step "removing old version $d"
  rm -rf "$d"
done
if [ -n "$keep" ]; then
  step "previous version kept in $keep (rollback: ln -sfn $(basename "$keep") $link)"
fi

step "command: $bin -> $link/dist/src/cli.js"
ln -sfn "$link/dist/src/cli.js" "$bin"

# Configuration: from the sample on the first install only.
if [ -e "$etc/config.yaml" ]; then
  step "keeping the existing $etc/config.yaml"
else
  step "installing $etc/config.yaml from the sample (live capture through the helper unit: via: helper)"
  # The agent holds no capabilities: its live sources capture through
  # iomt-sensor-capture@<iface>.service. Set (or uncomment) via: helper in
  # the first pcap-live source.
  awk '
    function indent(s) { match(s, /^[ ]*/); return RLENGTH }
    NR == FNR {
      if (!start && $0 ~ /^[ ]*-[ ]+type:[ ]*pcap-live([ ]|$)/) {
        start = FNR; match($0, /^[ ]*-[ ]+/); ki = RLENGTH; next
      }
      if (start && !end && $0 !~ /^[ ]*$/) {
        if (indent($0) < ki) { end = FNR; next }
        if (!via && $0 ~ /^[ ]*(#[ ]*)?via:/) via = FNR
        if (!iface && $0 ~ /^[ ]*iface:/) iface = FNR
      }
      next
    }
    {
      pad = sprintf("%" ki "s", "")
      if (FNR == via) { print pad "via: helper"; next }
      print
      if (!via && FNR == (iface ? iface : start)) print pad "via: helper"
    }
  ' "$src/docs/sample-config.yaml" "$src/docs/sample-config.yaml" >"$work/config.yaml"
  grep -q "^[ ]*via: helper\$" "$work/config.yaml" || step "warning: no pcap-live source in the sample; via: helper not set"
  install -o root -g "$user" -m 0640 "$work/config.yaml" "$etc/config.yaml"
fi

# Units: paths adjusted to this node and prefix; units the old version had and
# this one has not are removed.
old_units=""
[ -n "$previous" ] && old_units=$(units_of "$previous")
new_units=$(units_of "$target")
for u in $old_units; do
  grep -qx "$u" <<<"$new_units" || disable_unit "$u"
done
for u in $new_units; do
  step "installing $unitdir/$u"
  mkdir -p "$unitdir"
  sed -e "s#/usr/bin/node #$node_bin #g" -e "s#/usr/lib/$name/#$link/#g" "$target/systemd/$u" >"$work/$u"
  install -o root -g root -m 0644 "$work/$u" "$unitdir/$u"
done
if [ "$systemd_running" = 1 ]; then
  step "systemctl daemon-reload"
  systemctl daemon-reload
fi
for u in $new_units; do
  case "$u" in *@.service) continue ;; esac # templates are enabled per instance below
  grep -q '^WantedBy=' "$unitdir/$u" && enable_unit "$u"
done

# One helper instance per source captured through a helper unit:
# iomt-sensor-capture@<iface> (pcap-live) and iomt-sensor-ble@hciN (ble-hci),
# both with via: helper (src/capture/helper-units.ts, names escaped as
# systemd-escape does). Instances no longer configured are disabled (they
# would retry for ever).
if [ -f "$unitdir/$capture_unit" ] || [ -f "$unitdir/$ble_unit" ]; then
  instances=$("$node_bin" --input-type=module -e "
    import { readFileSync } from 'node:fs';
    import { parseConfigText } from '$link/dist/src/config/index.js';
    import { helperUnits } from '$link/dist/src/capture/helper-units.js';
    const f = process.argv[1];
    for (const u of helperUnits(parseConfigText(readFileSync(f, 'utf8'), f).sources)) console.log(u);
  " "$etc/config.yaml") || { step "warning: $etc/config.yaml does not load; enable the capture helpers by hand after fixing it"; instances=""; }
  wanted=()
  for u in $instances; do
    if [ -f "$unitdir/${u%%@*}@.service" ]; then wanted+=("$u"); else step "warning: $u: no unit ${u%%@*}@.service installed"; fi
  done
  for tmpl in "${helper_templates[@]}"; do
    for f in "$unitdir"/*.wants/"${tmpl%@.service}"@*.service; do
      [ -e "$f" ] || [ -L "$f" ] || continue
      inst=$(basename "$f")
      printf '%s\n' "${wanted[@]}" | grep -qxF "$inst" && continue
      step "disabling $inst (no longer a helper-captured source in the config)"
      if command -v systemctl >/dev/null; then systemctl disable "$inst" >/dev/null 2>&1 || true; fi
      rm -f "$f"
    done
  done
  for inst in "${wanted[@]}"; do enable_unit "$inst"; done
fi

if [ "$systemd_running" = 1 ]; then
  if [ "$was_active" = 1 ]; then
    step "starting $name.service (the agent migrates its state in $state itself)"
    systemctl start "$name.service"
  else
    step "not started: edit $etc/config.yaml (sensor, sources, mqtt), then: systemctl start $name"
  fi
else
  step "systemd is not running here (chroot or image build): the unit is installed and enabled and starts on the next boot"
fi
step "$name $version installed: $bin --version"
