#!/bin/bash
# make fuzz: build the decoders' libFuzzer target with clang (ASan + UBSan) and run
# it for FUZZ_SECONDS (default 60). A crash leaves crash-* in build-fuzz/ and fails.
set -eu
cd "$(dirname "$0")/../.."
command -v clang >/dev/null || { echo "fuzz: needs clang (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
out=build-fuzz
mkdir -p "$out/corpus"
flags="-O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -DPP_VERSION=\"fuzz\" -Icommon -std=gnu11"
# shellcheck disable=SC2086
clang $flags -o "$out/fuzz_decoders" tests/fuzz/fuzz_decoders.c common/*.c \
	$(pkg-config --libs libmnl libnftnl libnetfilter_conntrack libpcap zlib)
cd "$out"
./fuzz_decoders -max_total_time="${FUZZ_SECONDS:-60}" -max_len=4096 -print_final_stats=1 corpus
