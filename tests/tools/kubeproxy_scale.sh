#!/bin/bash
# kubeproxy_scale.sh SERVICES ENDPOINTS_PER_SERVICE: an nft -f script shaped as
# kube-proxy's nftables proxier writes its table (pkg/proxy/nftables/proxier.go:
# the service-ips verdict map keyed by daddr . l4proto . dport, a service chain per
# service with its masquerade mark and a numgen vmap to its endpoint chains, an
# endpoint chain per endpoint with its dnat, the filter and nat base chains at
# kube-proxy's priorities), for a scale benchmark, not for kube-proxy's exact bytes.
# IPv6 only, every address in 2001:db8::/32: ClusterIPs 2001:db8:100::/64, endpoints
# 2001:db8:2::1:0/112 upwards (the lab's server net, so their routes resolve), the
# pod CIDR 2001:db8:3::/48.
# Service 0's ClusterIP is 2001:db8:100::1 port 80, its endpoints 2001:db8:2::1:0 ...
set -eu
nsvc=${1:?usage: kubeproxy_scale.sh SERVICES ENDPOINTS_PER_SERVICE}
nep=${2:-3}
cat <<'HDR'
table ip6 kube-proxy {
	comment "rules for kube-proxy"
	set cluster-ips { type ipv6_addr; comment "Active ClusterIPs"; }
	map service-ips { type ipv6_addr . inet_proto . inet_service : verdict; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"; }
	map service-nodeports { type inet_proto . inet_service : verdict; comment "NodePort traffic"; }
	map no-endpoint-services { type ipv6_addr . inet_proto . inet_service : verdict; comment "vmap to drop or reject packets to services with no endpoints"; }
	chain filter-prerouting { type filter hook prerouting priority -110; policy accept; ct state new jump firewall-check; }
	chain filter-input { type filter hook input priority -110; policy accept; ct state new jump nodeport-endpoints-check; ct state new jump service-endpoints-check; }
	chain filter-forward { type filter hook forward priority -110; policy accept; ct state new jump service-endpoints-check; ct state new jump cluster-ips-check; }
	chain filter-output { type filter hook output priority -110; policy accept; ct state new jump service-endpoints-check; ct state new jump firewall-check; }
	chain filter-output-post-dnat { type filter hook output priority -90; policy accept; ct state new jump cluster-ips-check; }
	chain nat-prerouting { type nat hook prerouting priority -100; policy accept; jump services; }
	chain nat-output { type nat hook output priority -100; policy accept; jump services; }
	chain nat-postrouting { type nat hook postrouting priority 100; policy accept; jump masquerading; }
	chain firewall-check { }
	chain nodeport-endpoints-check { }
	chain masquerading { meta mark & 0x00004000 == 0x00000000 return; meta mark set meta mark ^ 0x00004000; masquerade fully-random; }
	chain mark-for-masquerade { meta mark set meta mark | 0x00004000; }
	chain services { ip6 daddr . meta l4proto . th dport vmap @service-ips; fib daddr type local ip6 daddr != ::1 meta l4proto . th dport vmap @service-nodeports; }
	chain service-endpoints-check { ip6 daddr . meta l4proto . th dport vmap @no-endpoint-services; }
	chain cluster-ips-check {
		ip6 daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
		ip6 daddr 2001:db8:100::/64 drop comment "Drop traffic to unallocated ClusterIPs"
	}
}
HDR
awk -v nsvc="$nsvc" -v nep="$nep" '
function cip(i) { return sprintf("2001:db8:100::%x:%x", int((i + 1) / 65536), (i + 1) % 65536) }
function eip(j) { return sprintf("2001:db8:2::%x:%x", int(j / 65536) + 1, j % 65536) }
function svc(i) { return sprintf("service-%08X-ns%d/svc%d/tcp/p80", i * 2654435761 % 4294967296, i % 100, i) }
# An endpoint chain is named for its address (kube-proxy: endpoint-HASH-ns/svc/tcp/p80__IP/PORT), colons as "-".
function ep(i, k,   a) { a = eip(i * nep + k); gsub(":", "-", a); return sprintf("endpoint-%08X-ns%d/svc%d/tcp/p80__%s/8080", (i * nep + k) * 40503 % 4294967296, i % 100, i, a) }
BEGIN {
	for (i = 0; i < nsvc; i++) {
		printf "add chain ip6 kube-proxy %s\n", svc(i)
		for (k = 0; k < nep; k++) printf "add chain ip6 kube-proxy %s\n", ep(i, k)
	}
	for (i = 0; i < nsvc; i++) {
		s = svc(i)
		printf "add rule ip6 kube-proxy %s ip6 daddr %s tcp dport 80 ip6 saddr != 2001:db8:3::/48 jump mark-for-masquerade\n", s, cip(i)
		printf "add rule ip6 kube-proxy %s numgen random mod %d vmap { ", s, nep
		for (k = 0; k < nep; k++) printf "%s%d : goto %s", (k ? ", " : ""), k, ep(i, k)
		print " }"
		for (k = 0; k < nep; k++) {
			e = ep(i, k)
			printf "add rule ip6 kube-proxy %s ip6 saddr %s jump mark-for-masquerade\n", e, eip(i * nep + k)
			printf "add rule ip6 kube-proxy %s meta l4proto tcp dnat to [%s]:8080\n", e, eip(i * nep + k)
		}
	}
	for (i = 0; i < nsvc; i += 1000) {
		printf "add element ip6 kube-proxy cluster-ips { "
		for (j = i; j < i + 1000 && j < nsvc; j++) printf "%s%s", (j > i ? ", " : ""), cip(j)
		print " }"
		printf "add element ip6 kube-proxy service-ips { "
		for (j = i; j < i + 1000 && j < nsvc; j++) printf "%s%s . tcp . 80 : goto %s", (j > i ? ", " : ""), cip(j), svc(j)
		print " }"
	}
}'
