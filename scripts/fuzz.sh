#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target of tests/fuzz for a bounded time (default 60 s each), starting from
# the kept inputs in tests/fuzz/regressions/<target>/, as many at once as there are processors. An
# input that makes a target fail is copied into that directory, so `meson test` replays it from then
# on; the script then exits non-zero.
#   scripts/fuzz.sh [SECONDS]
# The build (build-fuzz) has only the fuzz targets, at -O1 -g as libFuzzer's documentation builds
# them: the rest of the project's targets are the test builds' business.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=build-fuzz
if [[ ! -f $dir/build.ninja ]]; then
  CXX=clang++ meson setup $dir -Dfuzz=enabled -Dexamples=false -Doptimization=1 -Ddebug=true >/dev/null || exit 1
fi
# The targets this build has (fuzz_quantized needs the oracles: tests/oracles/).
targets=$(meson introspect --targets $dir | python3 -c '
import json, sys
print(" ".join(sorted(t["name"][len("fuzz_"):] for t in json.load(sys.stdin) if t["name"].startswith("fuzz_"))))')
if ! meson compile -C $dir $(printf 'tests/fuzz/fuzz_%s ' $targets) >"$dir/fuzz-compile.log" 2>&1; then
  tail -n 40 "$dir/fuzz-compile.log"
  exit 1
fi

# fuzz_one TARGET WORK: one target's run, its log and artifacts in WORK.
fuzz_one() {
  "$dir/tests/fuzz/fuzz_$1" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$2/" "$2" \
    "tests/fuzz/regressions/$1" >"$2/log" 2>&1
  echo $? >"$2/status"
}
declare -A work
for target in $targets; do
  work[$target]=$(mktemp -d)
  fuzz_one "$target" "${work[$target]}" &
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n; done
done
wait

status=0
for target in $targets; do
  w=${work[$target]} kept=tests/fuzz/regressions/$target
  echo "fuzz: $target for $seconds s"
  if [[ $(cat "$w/status") != 0 ]]; then
    status=1
    # The failed check and its message (tests/fuzz/fuzz_input.hpp), then the end of the log.
    grep -A1 "check failed" "$w/log"
    tail -n 30 "$w/log"
  fi
  grep -E "^(stat::number_of_executed_units|stat::new_units_added)" "$w/log" | sed "s/^/  /"
  for artifact in "$w"/crash-* "$w"/leak-* "$w"/timeout-* "$w"/oom-*; do
    [[ -f $artifact ]] || continue
    cp "$artifact" "$kept/" && echo "fuzz: kept $kept/${artifact##*/}"
  done
  rm -rf "$w"
done
exit $status
