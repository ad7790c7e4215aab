#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target of tests/fuzz for a bounded time (default 60 s each), starting from
# the kept inputs in tests/fuzz/regressions/<target>/. An input that makes a target fail is copied
# into that directory, so `meson test` replays it from then on; the script then exits non-zero.
#   scripts/fuzz.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=build-fuzz
if [[ ! -f $dir/build.ninja ]]; then
  CXX=clang++ meson setup $dir -Dfuzz=enabled -Dexamples=false >/dev/null || exit 1
fi
meson compile -C $dir >/dev/null || exit 1

status=0
for fuzzer in $dir/tests/fuzz/fuzz_*; do
  [[ -f $fuzzer && -x $fuzzer ]] || continue
  target=${fuzzer##*/fuzz_}
  kept=tests/fuzz/regressions/$target
  work=$(mktemp -d)
  echo "fuzz: $target for $seconds s"
  if ! "$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/" "$work" "$kept" \
       >"$work/log" 2>&1; then
    status=1
    tail -n 30 "$work/log"
  fi
  grep -E "^(stat::number_of_executed_units|stat::new_units_added)" "$work/log" | sed "s/^/  /"
  for artifact in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [[ -f $artifact ]] || continue
    cp "$artifact" "$kept/" && echo "fuzz: kept $kept/${artifact##*/}"
  done
  rm -rf "$work"
done
exit $status
