#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs, on Debian 12, the packages that cxattn's build, tests and tools need, and only those
# that are missing: when everything is present it touches nothing (no apt-get at all).
#   scripts/setup.sh            the build, the examples and the test suite
#   scripts/setup.sh GROUP...   also: ci (the compilers of CI's matrix, libFuzzer, and CMake and
#                               make for the consumer projects of tests/consumers/),
#                               cross (the Cortex-M4F toolchain and QEMU, docs/embedded.md),
#                               bench (Google Benchmark and Eigen, for -Dbenchmarks=enabled)
#                               docs (matplotlib, for scripts/plot_seed_weights.py)
set -euo pipefail

declare -A groups=(
  [base]="meson ninja-build pkg-config python3 g++ clang clang-format libboost-test-dev libmpfr-dev"
  [ci]="clang-19 libclang-rt-14-dev cmake make"
  [cross]="gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm"
  [bench]="libbenchmark-dev libeigen3-dev"
  [docs]="python3-matplotlib"
)

wanted=(${groups[base]})
for group in "$@"; do
  [[ -n "${groups[$group]+x}" ]] || { echo "setup.sh: unknown group '$group' (known: ${!groups[*]})" >&2; exit 2; }
  wanted+=(${groups[$group]})
done

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
echo "setup.sh: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
