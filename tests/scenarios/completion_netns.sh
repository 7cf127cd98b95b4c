#!/bin/bash
# Bash completion (issue 19, item 16): a device option (-d/--dev, --iif, --oif) after
# -N NS, --netns=NS or --netns-pid PID completes from that namespace's devices, not
# the root namespace's; without one, from this namespace's. `TOOL -<TAB>` offers every
# short option of the tool's option table. Each completion function runs in a bash of
# its own with COMP_WORDS set, as bash would call it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh

lab_ns c || exit 1
N=$(ns c)
# A device only the lab has, and one only the root namespace has.
ip -n "$N" link add ppcomp0 type veth peer name ppcomp1 || exit 1
root_dev=$(ls /sys/class/net | grep -vxE "lo|ppcomp[01]" | head -n1)
[ -n "$root_dev" ] || { t_skip "device completion" "the root namespace has no device but lo"; t_done; exit; }
ip -n "$N" link show "$root_dev" >/dev/null 2>&1 && { echo "# $root_dev is in the lab too"; exit 1; }
ip netns exec "$N" sleep 60 & sleeper=$!
trap 'kill $sleeper 2>/dev/null; lab_cleanup' EXIT
# The sleeper's own pid, once it runs inside the namespace (ip netns exec execs it).
for _ in $(seq 50); do [ "$(readlink /proc/$sleeper/ns/net)" = "$(ip netns exec "$N" readlink /proc/self/ns/net)" ] && break; sleep 0.1; done

# complete TOOL WORD...: what the tool's completion offers for the last word.
complete_words() {
	local tool=$1; shift
	bash -c '
		tool=$1; shift
		. "completions/bash/$tool" || exit 1
		COMP_WORDS=("$tool" "$@")
		COMP_CWORD=$#
		"_$tool"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$tool" "$@"
}

# offers NAME WANT NOTWANT TOOL WORD...
offers() {
	local name=$1 want=$2 notwant=$3 got; shift 3
	got=$(complete_words "$@")
	if grep -qxF -- "$want" <<<"$got" && { [ -z "$notwant" ] || ! grep -qxF -- "$notwant" <<<"$got"; }; then
		t_ok "$name"
	else
		t_fail "$name: offered [$(tr '\n' ' ' <<<"$got")], wanted $want${notwant:+, not $notwant}"
	fi
}

for spec in "nicstat -d" "nicstat --dev" "neighwatch -d" "qdiscstat -d" "pathcheck --iif" "pathcheck --oif"; do
	set -- $spec
	tool=$1 opt=$2
	offers "$tool -N NS $opt: the lab's device" ppcomp0 "$root_dev" "$tool" -N "$N" "$opt" ""
	offers "$tool -N NS $opt: the lab's lo, not the root's $root_dev" lo "$root_dev" "$tool" -N "$N" "$opt" ""
	offers "$tool --netns=NS $opt" ppcomp0 "$root_dev" "$tool" --netns = "$N" "$opt" ""
	offers "$tool --netns-pid PID $opt" ppcomp0 "$root_dev" "$tool" --netns-pid "$sleeper" "$opt" ""
	offers "$tool -NNS $opt (attached)" ppcomp0 "$root_dev" "$tool" "-N$N" "$opt" ""
	offers "$tool $opt without a namespace: this one's devices" "$root_dev" ppcomp0 "$tool" "$opt" ""
	offers "$tool -N NS $opt pp<TAB>: the prefix completes" ppcomp0 "" "$tool" -N "$N" "$opt" pp
done

# -<TAB>: every short option of the table (--list-options) is offered.
for t in "$BIN"/*; do
	tool=$(basename "$t")
	[ -f "completions/bash/$tool" ] || continue
	got=$(complete_words "$tool" -)
	missing=()
	for o in $("$t" --list-options | grep -oE -- '^-[a-zA-Z0-9]( |$)' | tr -d ' '); do
		grep -qxF -- "$o" <<<"$got" || missing+=("$o")
	done
	if [ ${#missing[@]} -eq 0 ]; then t_ok "$tool -<TAB> offers every short option"; else
		t_fail "$tool -<TAB> lacks:${missing[*]/#/ }"; fi
done

# zsh: the same namespace for the device options. The file's helper runs with what
# _arguments hands it (opt_args), compadd and _wanted stubbed to print.
if command -v zsh >/dev/null; then
	zoffers() {	# zoffers NAME WANT NOTWANT TOOL KEY VALUE
		local name=$1 want=$2 notwant=$3 got
		got=$(zsh -fc '
			_arguments() { :; }; _net_interfaces() { print -l -- $(ls /sys/class/net); }
			compadd() { [[ $1 == -a ]] && print -l -- ${(P)2}; }
			_wanted() { shift 3; "$@"; }
			source "completions/zsh/_$1" >/dev/null 2>&1
			typeset -A opt_args
			[[ -n $2 ]] && opt_args[$2]=$3
			_pktpath_devs' _ "$4" "$5" "$6")
		if grep -qxF -- "$want" <<<"$got" && ! grep -qxF -- "$notwant" <<<"$got"; then t_ok "$name"; else
			t_fail "$name: offered [$(tr '\n' ' ' <<<"$got")], wanted $want, not $notwant"; fi
	}
	for tool in nicstat neighwatch qdiscstat pathcheck; do
		grep -q ':_pktpath_devs' "completions/zsh/_$tool" || { t_fail "zsh $tool: a device option completes with _pktpath_devs"; continue; }
		zoffers "zsh $tool -N NS: the lab's devices" ppcomp0 "$root_dev" "$tool" -N "$N"
		zoffers "zsh $tool --netns NS" ppcomp0 "$root_dev" "$tool" --netns "$N"
		zoffers "zsh $tool --netns-pid PID" ppcomp0 "$root_dev" "$tool" --netns-pid "$sleeper"
		zoffers "zsh $tool without a namespace: this one's" "$root_dev" ppcomp0 "$tool" "" ""
	done
else
	t_skip "zsh device completion" "no zsh"
fi
t_done
