#!/bin/bash
# neighwatch -w: an event burst that overruns a small receive buffer. The watch
# says how many events were lost (the kernel's socket drop count), grows the
# buffer, dumps again to resync and goes on; its final table equals a fresh dump.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh

lab_ns mon peer || exit 1
lab_veth mon m0 peer p0 || exit 1
nsrun mon ip -6 addr add 2001:db8:7::1/64 dev m0 nodad

# PERMANENT entries: they do not count against the global gc_thresh3.
batch=$(mktemp)
for i in $(seq 1 1500); do
	printf 'neigh add 2001:db8:7::%x lladdr 02:00:00:%02x:%02x:01 dev m0 nud permanent\n' $((i + 256)) $((i / 256)) $((i % 256))
done >"$batch"
for i in $(seq 1 600); do
	printf 'neigh del 2001:db8:7::%x dev m0\n' $((i + 256))
done >>"$batch"
# The MAC changes come after the burst, 50 at a time, so the watch sees them as events.
for c in 0 1 2 3 4 5; do
	for i in $(seq $((601 + c * 50)) $((650 + c * 50))); do
		printf 'neigh replace 2001:db8:7::%x lladdr 02:00:00:%02x:%02x:02 dev m0 nud permanent\n' $((i + 256)) $((i / 256)) $((i % 256))
	done >"$batch.mac$c"
done

out=$(mktemp)
"$BIN/neighwatch" -N "$(ns mon)" -6 -w -j --duration 6 --rcvbuf 4096 --final-entries >"$out" 2>"$out.err" &
pid=$!
for i in $(seq 1 40); do grep -q '"type":"start"' "$out" && break; sleep 0.1; done
# The watcher is stopped while the burst of 2,100 adds and deletes runs, so its 4 KiB buffer
# overruns whatever the machine's speed (a fast reader kept up with it now and then); then
# it resyncs, and sees the MAC changes.
kill -STOP "$pid"
nsrun mon ip -6 -batch "$batch"
kill -CONT "$pid"
for i in $(seq 1 40); do grep -q '"type":"resync"' "$out" && break; sleep 0.1; done
for c in 0 1 2 3 4 5; do nsrun mon ip -6 -batch "$batch.mac$c"; sleep 0.1; done
wait "$pid"; RC=$?
# 300 MAC changes happened: exit 1 whether or not their events were lost.
expect_rc "burst watch" 1
ov=$(jq -c 'select(.type=="overrun")' "$out" | head -1)
expect_jq "overrun reported" "$ov" '.type' 'overrun'
expect_jq "lost events counted" "$ov" '.lost > 0' 'true'
expect_jq "buffer grown" "$ov" '.rcvbuf > 8192' 'true'
rs=$(jq -c 'select(.type=="resync")' "$out" | head -1)
expect_jq "resync follows" "$rs" '.type' 'resync'
sum=$(jq -c 'select(.type=="summary")' "$out")
expect_jq "summary counts overruns" "$sum" '(.overruns >= 1) and (.resyncs == .overruns) and (.events_lost > 0)' 'true'
lost=$(jq -s '[.[] | select(.type=="overrun") | .lost] | add' "$out")
expect_jq "events lost add up" "$sum" '.events_lost' "$lost"

run_json snap "$BIN/neighwatch" -N "$(ns mon)" -6 -j
want=$(jq -c '[.entries[] | select(.state != "NOARP") | [.dst,.device,.state,(.lladdr // "")]] | sort' <<<"$snap")
got=$(jq -c '[.final_entries[] | select(.state != "NOARP") | [.dst,.device,.state,(.lladdr // "")]] | sort' <<<"$sum")
expect_jq "summary entries equal the dump's" "$sum" '.entries' "$(jq '.summary.entries' <<<"$snap")"
expect_jq "900 PERMANENT entries remain" "$snap" '.summary.permanent' '900'
if [ -n "$want" ] && [ "$want" = "$got" ]; then t_ok "final state equals a fresh dump ($(jq length <<<"$want") entries)"
else t_fail "final state equals a fresh dump"; diff <(jq -c '.[]' <<<"$want") <(jq -c '.[]' <<<"$got") | head | sed 's/^/# /'; fi
sed -n '/"type":"overrun"/p' "$out" | head -3 | sed 's/^/# /'
rm -f "$out" "$out.err" "$batch" "$batch".mac*
t_done
