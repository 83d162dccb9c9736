#!/bin/sh
# Creates an 802.11 monitor interface with iw and hops channels, for a
# pcap-live source with `monitor: true` (or a plain source on the monitor
# interface). It runs in its own unit, systemd/iomt-sensor-wifi@.service, with CAP_NET_ADMIN;
# the agent itself holds no capabilities and never calls iw. Passive only:
# a monitor interface receives, it never transmits.
#
# Raspberry Pi: the built-in Broadcom radio has no monitor mode without
# patched firmware; use a USB adapter whose driver supports it (mt76x2u,
# mt7921u, rt2800usb, ath9k_htc) on a USB 3 port. Check with `iw list`
# ("Supported interface modes: * monitor").
#
# Usage: wifi-monitor.sh PHY_IFACE MON_IFACE [CHANNELS (1,6,11)] [DWELL_S (0.3)]
#   e.g. wifi-monitor.sh wlan1 wlan1mon 1,6,11,36,40,44,48 0.25
# Exits non-zero with a message when the interface cannot do monitor mode.
set -eu
iface=${1:?usage: wifi-monitor.sh PHY_IFACE MON_IFACE [CHANNELS] [DWELL_S]}
mon=${2:?usage: wifi-monitor.sh PHY_IFACE MON_IFACE [CHANNELS] [DWELL_S]}
channels=${3:-1,6,11}
dwell=${4:-0.3}
command -v iw >/dev/null || { echo "wifi-monitor: iw is not installed (Debian package iw)" >&2; exit 2; }
case "$channels" in *[!0-9,]*|'') echo "wifi-monitor: channels must be a comma-separated list of numbers, got '$channels'" >&2; exit 2;; esac
case "$dwell" in *[!0-9.]*|'') echo "wifi-monitor: dwell must be seconds, got '$dwell'" >&2; exit 2;; esac
phy=$(iw dev "$iface" info 2>/dev/null | awk '/wiphy/ {print "phy" $2}')
[ -n "$phy" ] || { echo "wifi-monitor: $iface is not a wireless interface (iw dev $iface info failed)" >&2; exit 3; }
iw phy "$phy" info | grep -q '^[[:space:]]*\* monitor$' || { echo "wifi-monitor: $phy ($iface) does not support monitor mode" >&2; exit 3; }
if ! iw dev "$mon" info >/dev/null 2>&1; then
  iw phy "$phy" interface add "$mon" type monitor flags none
fi
ip link set "$mon" up
iw dev "$mon" info | grep -q 'type monitor' || { echo "wifi-monitor: $mon is not in monitor mode" >&2; exit 3; }
echo "wifi-monitor: $mon up on $phy, hopping $channels every ${dwell}s" >&2
# Hop for ever; the unit restarts the script if it dies. A single channel means no hopping.
if [ "${channels#*,}" = "$channels" ]; then
  iw dev "$mon" set channel "$channels"
  exec sleep infinity
fi
while :; do
  for ch in $(echo "$channels" | tr ',' ' '); do
    iw dev "$mon" set channel "$ch" 2>/dev/null || echo "wifi-monitor: channel $ch refused by $phy" >&2
    sleep "$dwell"
  done
done
