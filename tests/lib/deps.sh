#!/bin/sh
# Install the Debian packages the build and the tests need, only those missing.
# Run as root (CI and `make check` on a fresh machine); as a user it only reports.
set -eu

# procps (sysctl, pgrep) and systemd (systemd-analyze, systemd-escape for the
# unit tests) come with every full Debian system but not with a minimal one.
PKGS="gcc make pkg-config libc6-dev
libmnl-dev libnftnl-dev libnetfilter-conntrack-dev libpcap-dev zlib1g-dev
iproute2 nftables iptables ipset conntrack jq ethtool iputils-ping socat iputils-tracepath python3 python3-yaml procps
prometheus prometheus-node-exporter systemd"

# Monitoring::Plugin: the --nagios scenario reads every tool's line with it, as a consumer does.
PKGS="$PKGS libmonitoring-plugin-perl"

# perf(1) for make bench: dropstat's counts against perf stat -e skb:kfree_skb.
PKGS="$PKGS linux-perf"
# The firewalls whose rulesets pathcheck's scenarios run inside lab namespaces
# (pathcheck_firewalld, pathcheck_ufw, pathcheck_fail2ban). Their daemons must never
# start on the host: installed under a policy-rc.d that refuses every start, and
# disabled for the next boot where systemd runs.
FW_PKGS="firewalld ufw fail2ban"
PKGS="$PKGS $FW_PKGS"
# The real Docker daemon (pathcheck_dockerd runs it inside a lab namespace) and a static
# busybox for its image.
PKGS="$PKGS docker.io busybox-static"
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
# A policy-rc.d of our own while installing, when there is none: no daemon starts on the host.
own_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# pktpath deps.sh: no service starts while the test packages install\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	own_policy=1
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q >/dev/null
# docker.io and containerd must not start in the root namespace (their rules would change
# its firewall): without a policy-rc.d of the machine's own, one denies every start
# while apt runs.
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard=1
	trap '[ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
# The firewalls' units are enabled by their packages: not on this host's next boot
# (only those installed just now: a firewall the host already had is left as it was).
fw_new=""
for p in $FW_PKGS; do
	case " $missing " in *" $p "*) fw_new="$fw_new $p" ;; esac
done
if [ -n "$fw_new" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
	# shellcheck disable=SC2086
	systemctl disable $fw_new >/dev/null 2>&1 || true
fi
if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
