#!/usr/bin/env python3
"""sctp_init.py: real SCTP packets for the lab's truth, without the kernel's SCTP.

This kernel has no SCTP module (CONFIG_IP_SCTP is off), so nothing can listen on or
connect with SCTP; a raw IP socket of protocol 132 still sends one. Two modes:

  sctp_init.py send SRC DST DPORT SPORT COUNT
      COUNT SCTP INIT chunks from SRC to DST:DPORT, source ports SPORT, SPORT+1, ...:
      each is the first packet of a new association (verification tag 0, an initiate
      tag of its own, a correct CRC32c), so conntrack sees COUNT new flows.
  sctp_init.py capture DEV SECONDS SPORT COUNT
      prints "DADDR DPORT SADDR SPORT" for every SCTP packet DEV receives within
      SECONDS whose source port (after any NAT on the way: none is done to it here)
      is SPORT..SPORT+COUNT-1, one line each, after a "ready" line once listening; and
      "icmp TYPE CODE FROM" for an ICMP or ICMPv6 error that quotes one of them.

IPv4 and IPv6 (the address decides). No payload but the INIT: an endpoint without
SCTP answers it with ICMP protocol unreachable (IPv6: parameter problem), which the
capture on the sender's side shows.
"""
import os
import select
import socket
import struct
import sys
import time

IPPROTO_SCTP = 132
ETH_P_ALL = 0x0003


def crc32c(data):
    """CRC-32C (Castagnoli), as SCTP uses it (RFC 4960 appendix B)."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def init_packet(sport, dport, tag):
    # INIT: type 1, flags 0, length 20; initiate tag, a_rwnd, streams out/in, initial TSN
    chunk = struct.pack("!BBHIIHHI", 1, 0, 20, tag, 65535, 10, 10, tag)
    hdr = struct.pack("!HHII", sport, dport, 0, 0)
    pkt = hdr + chunk
    # the CRC32c goes in as the little-endian value of the sum (as the kernel's sctp_compute_cksum)
    return pkt[:8] + struct.pack("<I", crc32c(pkt)) + pkt[12:]


def send(src, dst, dport, sport, count):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_RAW, IPPROTO_SCTP)
    s.bind((src, 0))
    for i in range(count):
        s.sendto(init_packet(sport + i, dport, 0x10000 + os.getpid() + i), (dst, 0))
        time.sleep(0.01)
    s.close()


def icmp_error(et, p, sport, count):
    """"icmp TYPE CODE FROM" for an ICMP(v6) error quoting one of our INITs, else None."""
    if et == 0x0800 and len(p) >= 20 and p[9] == 1:
        ihl = (p[0] & 0x0F) * 4
        icmp, fam, frm = p[ihl:], socket.AF_INET, socket.inet_ntop(socket.AF_INET, p[12:16])
        if len(icmp) < 8 + 20 or icmp[0] not in (3, 11, 12):
            return None
        inner = icmp[8:]
        iihl = (inner[0] & 0x0F) * 4
        if inner[9] != IPPROTO_SCTP or len(inner) < iihl + 4:
            return None
        sp = struct.unpack("!H", inner[iihl:iihl + 2])[0]
    elif et == 0x86DD and len(p) >= 40 and p[6] == 58:
        icmp, frm = p[40:], socket.inet_ntop(socket.AF_INET6, p[8:24])
        if len(icmp) < 8 + 40 + 4 or icmp[0] not in (1, 3, 4):
            return None
        inner = icmp[8:]
        if inner[6] != IPPROTO_SCTP:
            return None
        sp = struct.unpack("!H", inner[40:42])[0]
    else:
        return None
    if sport <= sp < sport + count:
        return "icmp %u %u %s" % (icmp[0], icmp[1], frm)
    return None


def capture(dev, seconds, sport, count):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((dev, 0))
    print("ready", flush=True)
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        frame, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING or len(frame) < 14:
            continue
        et = struct.unpack("!H", frame[12:14])[0]
        p = frame[14:]
        err = icmp_error(et, p, sport, count)
        if err:
            print(err, flush=True)
            continue
        if et == 0x0800 and len(p) >= 20 and p[9] == IPPROTO_SCTP:
            ihl = (p[0] & 0x0F) * 4
            sa, da, l4 = socket.inet_ntop(socket.AF_INET, p[12:16]), socket.inet_ntop(socket.AF_INET, p[16:20]), p[ihl:]
        elif et == 0x86DD and len(p) >= 40 and p[6] == IPPROTO_SCTP:
            sa, da, l4 = socket.inet_ntop(socket.AF_INET6, p[8:24]), socket.inet_ntop(socket.AF_INET6, p[24:40]), p[40:]
        else:
            continue
        if len(l4) < 4:
            continue
        sp, dp = struct.unpack("!HH", l4[:4])
        if sport <= sp < sport + count:
            print(da, dp, sa, sp, flush=True)


def main():
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "send":
        send(a[1], a[2], int(a[3]), int(a[4]), int(a[5]))
    elif len(a) == 5 and a[0] == "capture":
        capture(a[1], float(a[2]), int(a[3]), int(a[4]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
