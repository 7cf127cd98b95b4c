#!/usr/bin/env python3
# kubeproxy_nft.py TEST: print the nftables transaction kube-proxy's nftables proxier
# writes for the services and endpoints of one of its proxier tests
# (kubernetes/kubernetes pkg/proxy/nftables/proxier_test.go at commit
# 81810de635aa13aa0a32992f6def3aa9d6025ebc), readdressed into our ranges
# (tests/fixtures/kube-proxy-nft/README.md has the table). The rule shapes are the ones
# that test file expects (baseRules and TestOverallNFTablesRules' expected dump); the
# decisions (which chains, which map elements, which verdict for no endpoints) follow
# syncProxyRules in pkg/proxy/nftables/proxier.go. Chain names carry kube-proxy's hash
# (the first 8 base32 characters of the SHA-256 of the name), computed here for the
# readdressed names.
#   kubeproxy_nft.py --check: the generator's output for TestOverallNFTablesRules equals
#   tests/fixtures/kube-proxy-nft/overall.nft (kube-proxy's own expected dump), line set
#   for line set, as kube-proxy's own test compares them.
# Used once to write the fixtures; the scenario loads the fixture files, not this.
import base64
import hashlib
import ipaddress
import os
import sys

V4 = dict(fam="ip", ipx="ip", addr="ipv4_addr", pod="198.51.100.0/26", svc="198.51.100.64/26",
	  node="198.51.100.130")
V6 = dict(fam="ip6", ipx="ip6", addr="ipv6_addr", pod="2001:db8:10::/64", svc="2001:db8:10:96::/112",
	  node="2001:db8::1")


def hashname(name):
	return base64.b32encode(hashlib.sha256(name.encode()).digest()).decode()[:8] + "-" + name


def base_rules(f, nodeport_ips):
	fam, ipx, addr = f["fam"], f["ipx"], f["addr"]
	t = f"{fam} kube-proxy"
	out = [f'add table {t} {{ comment "rules for kube-proxy" ; }}',
	       f'add set {t} cluster-ips {{ type {addr} ; comment "Active ClusterIPs" ; }}',
	       f'add set {t} nodeport-ips {{ type {addr} ; comment "IPs that accept NodePort traffic" ; }}',
	       f'add map {t} firewall-ips {{ type {addr} . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }}',
	       f'add map {t} no-endpoint-nodeports {{ type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }}',
	       f'add map {t} no-endpoint-services {{ type {addr} . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }}',
	       f'add map {t} service-ips {{ type {addr} . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }}',
	       f'add map {t} service-nodeports {{ type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }}',
	       f'add chain {t} cluster-ips-check',
	       f'add chain {t} filter-prerouting-pre-dnat {{ type filter hook prerouting priority -110 ; }}',
	       f'add chain {t} filter-output-pre-dnat {{ type filter hook output priority -110 ; }}',
	       f'add chain {t} filter-forward {{ type filter hook forward priority 0 ; }}',
	       f'add chain {t} filter-input {{ type filter hook input priority 0 ; }}',
	       f'add chain {t} filter-output {{ type filter hook output priority 0 ; }}',
	       f'add chain {t} firewall-check',
	       f'add chain {t} mark-for-masquerade',
	       f'add chain {t} masquerading',
	       f'add chain {t} nat-output {{ type nat hook output priority -100 ; }}',
	       f'add chain {t} nat-postrouting {{ type nat hook postrouting priority 100 ; }}',
	       f'add chain {t} nat-prerouting {{ type nat hook prerouting priority -100 ; }}',
	       f'add chain {t} nodeport-endpoints-check',
	       f'add chain {t} reject-chain {{ comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }}',
	       f'add chain {t} services',
	       f'add chain {t} service-endpoints-check',
	       f'add rule {t} cluster-ips-check {ipx} daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
	       f'add rule {t} cluster-ips-check {ipx} daddr {{ {f["svc"]} }} drop comment "Drop traffic to unallocated ClusterIPs"',
	       f'add rule {t} filter-prerouting-pre-dnat ct state new jump firewall-check',
	       f'add rule {t} filter-forward ct state new jump service-endpoints-check',
	       f'add rule {t} filter-forward ct state new jump cluster-ips-check',
	       f'add rule {t} filter-input ct state new jump nodeport-endpoints-check',
	       f'add rule {t} filter-input ct state new jump service-endpoints-check',
	       f'add rule {t} filter-output ct state new jump service-endpoints-check',
	       f'add rule {t} filter-output-pre-dnat ct state new jump firewall-check',
	       f'add rule {t} filter-output ct state new jump cluster-ips-check',
	       f'add rule {t} firewall-check {ipx} daddr . meta l4proto . th dport vmap @firewall-ips',
	       f'add rule {t} mark-for-masquerade mark set mark or 0x4000',
	       f'add rule {t} masquerading mark and 0x4000 == 0 return',
	       f'add rule {t} masquerading mark set mark xor 0x4000',
	       f'add rule {t} masquerading masquerade fully-random',
	       f'add rule {t} nat-output jump services',
	       f'add rule {t} nat-postrouting jump masquerading',
	       f'add rule {t} nat-prerouting jump services',
	       f'add rule {t} nodeport-endpoints-check {ipx} daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports',
	       f'add rule {t} reject-chain reject',
	       f'add rule {t} services {ipx} daddr . meta l4proto . th dport vmap @service-ips',
	       f'add rule {t} services {ipx} daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports']
	for a in nodeport_ips:
		out.append(f'add element {t} nodeport-ips {{ {a} }}')
	out.append(f'add rule {t} service-endpoints-check {ipx} daddr . meta l4proto . th dport vmap @no-endpoint-services')
	return out


def joinhp(ip, port):
	return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def service(f, s):
	"""s: ns, name, port name pn, proto, port, cip, nodeport, eips, lbips, ranges, etp, itp,
	affinity (seconds or 0), eps [(ip, port, local)]."""
	t, ipx, addr = f"{f['fam']} kube-proxy", f["ipx"], f["addr"]
	proto, port, pn = s.get("proto", "tcp"), s.get("port", 80), s.get("pn", "p80")
	spn = f"{s['ns']}/{s['name']}" + (f":{pn}" if pn else "")
	base = hashname(f"{s['ns']}/{s['name']}/{proto}/{pn}")
	cluster_chain, local_chain = "service-" + base, "local-" + base
	ext_chain, fw_chain = "external-" + base, "firewall-" + base
	eps = sorted(s.get("eps", []), key=lambda e: (ipaddress.ip_address(e[0]), e[1]))
	eips, lbips, ranges = s.get("eips", []), s.get("lbips", []), s.get("ranges", [])
	nodeport = s.get("nodeport", 0)
	etp_local, itp_local = s.get("etp") == "Local", s.get("itp") == "Local"
	ext_access = bool(nodeport or eips or lbips)
	uses_local = itp_local or (ext_access and etp_local)
	uses_cluster = (not itp_local) or (ext_access and not etp_local)
	cluster_eps = eps if uses_cluster else []
	local_eps = [e for e in eps if e[2]] if uses_local else []
	reachable = [e for e in eps if e in cluster_eps or e in local_eps]
	has_eps = bool(eps)
	out, elems = [], []

	def epbase(e):
		ip = e[0].replace(":", ".")
		return hashname(f"{s['ns']}/{s['name']}/{proto}/{pn}__{ip}/{e[1]}")

	for e in reachable:
		out.append(f"add chain {t} endpoint-{epbase(e)}")
	use_cpc = bool(cluster_eps)
	use_lpc = bool(local_eps)
	if use_cpc:
		out.append(f"add chain {t} {cluster_chain}")
	if use_lpc:
		out.append(f"add chain {t} {local_chain}")
	int_chain, has_int = cluster_chain, has_eps
	if itp_local:
		int_chain = local_chain
		has_int = has_int and bool(local_eps)
	ext_pol, has_ext = cluster_chain, has_eps
	if etp_local:
		ext_pol = local_chain
		has_ext = has_ext and bool(local_eps)
	uses_ext = has_eps and ext_access
	if uses_ext:
		out.append(f"add chain {t} {ext_chain}")
	if not has_eps:
		int_v = ext_v = "goto reject-chain"
	else:
		int_v = "drop" if not has_int else None
		ext_v = "drop" if not has_ext else None
	cip = s["cip"]
	elems.append(f"add element {t} cluster-ips {{ {cip} }}")
	if has_int:
		elems.append(f"add element {t} service-ips {{ {cip} . {proto} . {port} : goto {int_chain} }}")
	else:
		elems.append(f'add element {t} no-endpoint-services {{ {cip} . {proto} . {port} comment "{spn}" : {int_v} }}')
	for a in eips:
		if has_eps:
			elems.append(f"add element {t} service-ips {{ {a} . {proto} . {port} : goto {ext_chain} }}")
		if not has_ext:
			elems.append(f'add element {t} no-endpoint-services {{ {a} . {proto} . {port} comment "{spn}" : {ext_v} }}')
	uses_fw = bool(lbips and ranges)
	if uses_fw:
		out.append(f"add chain {t} {fw_chain}")
	for a in lbips:
		if has_eps:
			elems.append(f"add element {t} service-ips {{ {a} . {proto} . {port} : goto {ext_chain} }}")
		if uses_fw:
			elems.append(f"add element {t} firewall-ips {{ {a} . {proto} . {port} : goto {fw_chain} }}")
	if not has_ext:
		for a in lbips:
			elems.append(f'add element {t} no-endpoint-services {{ {a} . {proto} . {port} comment "{spn}" : {ext_v} }}')
	if nodeport:
		if has_eps:
			elems.append(f"add element {t} service-nodeports {{ {proto} . {nodeport} : goto {ext_chain} }}")
		if not has_ext:
			elems.append(f'add element {t} no-endpoint-nodeports {{ {proto} . {nodeport} comment "{spn}" : {ext_v} }}')
	if has_int:
		out.append(f"add rule {t} {int_chain} {ipx} daddr {cip} {ipx} saddr != {f['pod']} jump mark-for-masquerade")
	if uses_ext:
		if not etp_local:
			out.append(f"add rule {t} {ext_chain} jump mark-for-masquerade")
		else:
			out.append(f'add rule {t} {ext_chain} {ipx} saddr {f["pod"]} goto {cluster_chain} comment "short-circuit pod traffic"')
			out.append(f'add rule {t} {ext_chain} fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"')
			out.append(f'add rule {t} {ext_chain} fib saddr type local goto {cluster_chain} comment "short-circuit local traffic"')
		if has_ext:
			out.append(f"add rule {t} {ext_chain} goto {ext_pol}")
	if uses_fw:
		srcs = list(ranges)
		node = ipaddress.ip_address(f["node"])
		if any(node in ipaddress.ip_network(r) for r in ranges):
			srcs += lbips
		out.append(f"add rule {t} {fw_chain} {ipx} saddr != {{ {' , '.join(srcs)} }} drop")
	aff = s.get("affinity", 0)
	if aff:
		for e in reachable:
			out.append(f"add set {t} affinity-{epbase(e)} {{ type {addr} ; flags dynamic,timeout ; timeout {aff}s ; }}")
	for chain, lst in ((cluster_chain, cluster_eps if use_cpc else []), (local_chain, local_eps if use_lpc else [])):
		if not lst:
			continue
		if aff:
			for e in lst:
				out.append(f"add rule {t} {chain} {ipx} saddr @affinity-{epbase(e)} goto endpoint-{epbase(e)}")
		vm = " , ".join(f"{i} : goto endpoint-{epbase(e)}" for i, e in enumerate(lst))
		out.append(f"add rule {t} {chain} numgen random mod {len(lst)} vmap {{ {vm} }}")
	for e in reachable:
		c = "endpoint-" + epbase(e)
		out.append(f"add rule {t} {c} {ipx} saddr {e[0]} jump mark-for-masquerade")
		if aff:
			out.append(f"add rule {t} {c} update @affinity-{epbase(e)} {{ {ipx} saddr }}")
		out.append(f"add rule {t} {c} meta l4proto {proto} dnat to {joinhp(e[0], e[1])}")
	return out + elems


# Readdressed: pods 10.0.0.0/8 -> 198.51.100.0/26 (10.0.0.2 -> .2, 10.180.0.N -> .(10+N),
# 10.180.2.1 -> .21), services 172.30.0.0/16 -> 198.51.100.64/26 (172.30.0.N -> .(64+N)),
# node 192.168.0.2 -> 198.51.100.130, 192.168.1.2 -> .162, 192.168.99.N -> .(192+N),
# LoadBalancer 1.2.3.4 -> 203.0.113.241, 5.6.7.8 -> .242; 172.30.1.1 -> 198.51.100.120,
# 10.0.1.N -> 198.51.100.(30+N) (TestInternalTrafficPolicy); fd00:X -> 2001:db8:X,
# 2600:5200::1 -> 2001:db8:2600::1. 203.0.113.0/24 and 2001:db8::/32 unchanged.
def ep(n, port=80, local=False):
	return (f"198.51.100.{10 + n}", port, local)


EP21 = ("198.51.100.21", 80, False)
CIP = lambda n: f"198.51.100.{64 + n}"
LB1, LB2 = "203.0.113.241", "203.0.113.242"
EIP = lambda n: f"198.51.100.{192 + n}"

ITP = lambda itp, eps: (V4, ["198.51.100.130"], [
	dict(ns="ns1", name="svc1", pn="", cip="198.51.100.120", itp=itp,
	     eps=[(f"198.51.100.{30 + n}", 80, local) for n, local in eps])])

TESTS = {
	"overall": (V4, ["198.51.100.130"], [
		dict(ns="ns1", name="svc1", cip=CIP(41), eps=[ep(1)]),
		dict(ns="ns2", name="svc2", cip=CIP(42), nodeport=3001, lbips=[LB1], eips=[EIP(22)], etp="Local",
		     eps=[ep(2)]),
		dict(ns="ns3", name="svc3", cip=CIP(43), nodeport=3003, eps=[ep(3)]),
		dict(ns="ns4", name="svc4", cip=CIP(44), eips=[EIP(33)], eps=[ep(4), ep(5, local=True)]),
		dict(ns="ns5", name="svc5", cip=CIP(45), nodeport=3002, lbips=[LB2], ranges=["203.0.113.0/25"],
		     affinity=10800, eps=[ep(3)]),
		dict(ns="ns6", name="svc6", cip=CIP(46)),
	]),
	"no-endpoints": (V4, ["198.51.100.130"], [
		dict(ns="ns1", name="svc1", cip=CIP(41), nodeport=3001, eips=[EIP(11)], lbips=[LB1]),
	]),
	"clusterip-general": (V4, ["198.51.100.130"], [
		dict(ns="ns1", name="svc1", pn="http", cip=CIP(41), eps=[ep(1, 80, True)]),
	] + [dict(ns="ns2", name="svc2", pn=pn, proto=pr, port=po, cip=CIP(42),
		  eps=[ep(1, tp, True), ("198.51.100.21", tp, False)])
	     for pn, pr, po, tp in (("http", "tcp", 80, 80), ("https", "tcp", 443, 8443),
				    ("dns-udp", "udp", 53, 53), ("dns-tcp", "tcp", 53, 5353),
				    ("dns-sctp", "sctp", 53, 53))]),
	"loadbalancer": (V4, ["198.51.100.130"], [
		dict(ns="ns1", name="svc1", cip=CIP(41), nodeport=3001, lbips=[LB1, LB2],
		     ranges=["198.51.100.128/27", "203.0.113.0/25"], eps=[ep(1)]),
	]),
	"etp-local": (V4, ["198.51.100.130"], [
		dict(ns="ns1", name="svc1", cip=CIP(41), nodeport=3001, eips=[EIP(11)], lbips=[LB1], etp="Local",
		     eps=[ep(1), ("198.51.100.21", 80, True)]),
	]),
	"etp-cluster": (V4, ["198.51.100.130"], [
		dict(ns="ns1", name="svc1", cip=CIP(41), nodeport=3001, eips=[EIP(11)], lbips=[LB1],
		     eps=[ep(1), ("198.51.100.21", 80, True)]),
	]),
	"itp-cluster": ITP("Cluster", [(1, True), (2, False), (3, False)]),
	"itp-local-one": ITP("Local", [(1, True), (2, False), (3, False)]),
	"itp-local-many": ITP("Local", [(1, True), (2, True), (3, False)]),
	"itp-local-none": ITP("Local", [(1, False), (2, False), (3, False)]),
	"itp-deleted": ITP("Local", []),
	"nodeports-v4": (V4, ["198.51.100.130"], [
		dict(ns="ns1", name="svc1", cip=CIP(41), nodeport=3001, eps=[ep(1), ("198.51.100.21", 80, True)]),
	]),
	"nodeports-v4-multi": (V4, ["198.51.100.130", "198.51.100.162"], [
		dict(ns="ns1", name="svc1", cip=CIP(41), nodeport=3001, eps=[ep(1), ("198.51.100.21", 80, True)]),
	]),
	"nodeports-v6": (V6, ["2001:db8::1"], [
		dict(ns="ns1", name="svc1", cip="2001:db8:172:30::41", nodeport=3001,
		     eps=[("2001:db8:10:180::1", 80, False), ("2001:db8:10:180::2:1", 80, True)]),
	]),
	"nodeports-v6-multi": (V6, ["2001:db8::1", "2001:db8:1::2"], [
		dict(ns="ns1", name="svc1", cip="2001:db8:172:30::41", nodeport=3001,
		     eps=[("2001:db8:10:180::1", 80, False), ("2001:db8:10:180::2:1", 80, True)]),
	]),
}


ORDER = {"table": 0, "set": 1, "map": 2, "chain": 3, "rule": 4, "element": 5}


def load_order(lines):
	"""Objects before what refers to them, as knftables' Dump() writes a table: the
	table, sets and maps, chains, rules (each chain's in order), elements."""
	return sorted(lines, key=lambda l: ORDER.get(l.split(" ")[1], 9))


def generate(name):
	f, npips, svcs = TESTS[name]
	out = base_rules(f, npips)
	for s in svcs:
		out += service(f, s)
	return "\n".join(load_order(out)) + "\n"


def main():
	if len(sys.argv) == 2 and sys.argv[1] == "--check":
		here = os.path.dirname(os.path.abspath(__file__))
		fx = os.path.join(here, "..", "fixtures", "kube-proxy-nft", "overall.nft")
		want = set(l for l in open(fx).read().splitlines() if l and not l.startswith("#"))
		got = set(generate("overall").splitlines())
		for l in sorted(want - got):
			print("fixture only:  " + l)
		for l in sorted(got - want):
			print("generator only: " + l)
		sys.exit(0 if want == got else 1)
	if len(sys.argv) != 2 or sys.argv[1] not in TESTS:
		sys.exit("usage: kubeproxy_nft.py --check | " + " | ".join(TESTS))
	sys.stdout.write(generate(sys.argv[1]))


main()
