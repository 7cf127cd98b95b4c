#!/usr/bin/env python3
# kubeproxy_readdress.py < kube-proxy's test text > readdressed text: moves the addresses of
# kube-proxy's proxier tests (pkg/proxy/{nftables,iptables}/proxier_test.go) into the
# documentation ranges our labs use, and recomputes the hash in every nftables chain or
# set name that carries an address (endpoint-HASH-ns/svc/proto/port__IP/PORT,
# affinity-...), as kube-proxy would name them for the new address. The table is the
# one in tests/fixtures/kube-proxy-nft/README.md.
import base64
import hashlib
import re
import sys

V4 = [
	(r"10\.0\.0\.0/8", "198.51.100.0/26"),
	(r"10\.0\.0\.(\d+)", lambda m: "198.51.100.%d" % int(m.group(1))),
	(r"10\.0\.1\.(\d+)", lambda m: "198.51.100.%d" % (30 + int(m.group(1)))),
	(r"10\.180\.0\.(\d+)", lambda m: "198.51.100.%d" % (10 + int(m.group(1)))),
	(r"10\.180\.2\.1", "198.51.100.21"),
	(r"172\.30\.0\.0/16", "198.51.100.64/26"),
	(r"172\.30\.0\.(\d+)", lambda m: "198.51.100.%d" % (64 + int(m.group(1)))),
	(r"172\.30\.1\.1", "198.51.100.120"),
	(r"192\.168\.0\.0/24", "198.51.100.128/27"),
	(r"192\.168\.0\.2", "198.51.100.130"),
	(r"192\.168\.1\.0/24", "198.51.100.160/27"),
	(r"192\.168\.1\.2", "198.51.100.162"),
	(r"192\.168\.99\.(\d+)", lambda m: "198.51.100.%d" % (192 + int(m.group(1)))),
	(r"1\.2\.3\.4", "203.0.113.241"),
	(r"5\.6\.7\.8", "203.0.113.242"),
	(r"9\.10\.11\.12", "203.0.113.243"),
	(r"fd00:", "2001:db8:"),
	(r"2600:5200::1", "2001:db8:2600::1"),
]
# One pass, longest pattern first at each position, so no address is moved twice.
PAT = re.compile("|".join("(?P<p%d>(?<![0-9.])%s(?![0-9]))" % (i, p) for i, (p, _) in enumerate(V4)))


def move(m):
	for i, (p, r) in enumerate(V4):
		if m.group("p%d" % i) is not None:
			sub = re.match(p, m.group(0))
			return r(sub) if callable(r) else r
	return m.group(0)


def rehash(m):
	name = m.group(2)
	h = base64.b32encode(hashlib.sha256(name.encode()).digest()).decode()[:8]
	return "%s-%s-%s" % (m.group(1), h, name)


text = PAT.sub(move, sys.stdin.read())
text = re.sub(r"\b(endpoint|affinity)-[A-Z2-7]{8}-(\S+__\S+?/\d+)(?=[\s,}]|$)", rehash, text)
sys.stdout.write(text)
