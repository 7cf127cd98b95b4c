#!/bin/sh
# Install the Debian packages the build and the tests need, only those missing.
# Run as root (CI and `make check` on a fresh machine); as a user it only reports.
set -eu

# procps (sysctl, pgrep) and systemd (systemd-analyze, systemd-escape for the
# unit tests) come with every full Debian system but not with a minimal one.
PKGS="gcc make pkg-config libc6-dev
libmnl-dev libnftnl-dev libnetfilter-conntrack-dev libpcap-dev
iproute2 nftables iptables ipset conntrack jq ethtool iputils-ping socat iputils-tracepath python3 python3-yaml procps
prometheus prometheus-node-exporter systemd"

# perf(1) for make bench: dropstat's counts against perf stat -e skb:kfree_skb.
PKGS="$PKGS linux-perf"
# /usr/bin/time for make bench: pathcheck's peak RSS on a kube-proxy-sized ruleset.
PKGS="$PKGS time"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# promtool comes with the prometheus package; policy-rc.d (or no systemd) keeps its daemon from starting.
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
