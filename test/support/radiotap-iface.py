#!/usr/bin/env python3
"""A virtual 802.11 monitor interface for live capture tests.

Creates a TAP device whose link type is ARPHRD_IEEE80211_RADIOTAP (803), so
libpcap reports LINKTYPE_IEEE802_11_RADIOTAP (127) on it, exactly as on an
interface that `iw ... type monitor` created (pcap-linux.c maps ARPHRD 803 to
DLT_IEEE802_11_RADIO). Frames sent on it (tcpreplay -i NAME) are seen by a
capture on it. Holds the queue open (carrier on) and drains it until killed.

    radiotap-iface.py NAME    prints "ready" once the interface exists
"""
import fcntl
import os
import struct
import sys

TUNSETIFF = 0x400454CA      # linux/if_tun.h _IOW('T', 202, int)
TUNSETLINK = 0x400454CD     # _IOW('T', 205, int): dev->type, the interface must be down
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
ARPHRD_IEEE80211_RADIOTAP = 803  # linux/if_arp.h

fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', sys.argv[1].encode(), IFF_TAP | IFF_NO_PI))
fcntl.ioctl(fd, TUNSETLINK, ARPHRD_IEEE80211_RADIOTAP)
sys.stdout.write('ready\n')
sys.stdout.flush()
while True:
    try:
        os.read(fd, 65536)
    except OSError:
        break
