#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs, on Debian 12, the packages that cxattn's build, tests and tools need, and only those
# that are missing: when everything is present it touches nothing (no apt-get at all).
#   scripts/setup.sh            the build, the examples and the test suite
#   scripts/setup.sh GROUP...   also: ci (the compilers of CI's matrix, libFuzzer, CMake and
#                               make for the consumer projects of tests/consumers/, the i386
#                               headers of the x87 refusal test, and numpy for the fixtures' check),
#                               cross (the Cortex-M4F toolchain and QEMU, docs/embedded.md, and
#                               Eigen's headers for the device benchmark),
#                               bench (Google Benchmark, Eigen, OpenBLAS, xsimd and Highway, for -Dbenchmarks=enabled),
#                               docs (matplotlib, for scripts/plot_seed_weights.py),
#                               model (PyTorch, scikit-learn and matplotlib for Debian's
#                               /usr/bin/python3: tools/cxattn_export.py, its tests and
#                               examples/digits/),
#                               oracles (no package: requires the CMSIS-NN sources, see the end)
# It also extracts the CMSIS-NN sources that the quantized tests compare against, when they are
# not there yet and the archive is (see the end).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A groups=(
  [base]="meson ninja-build pkg-config python3 g++ clang clang-format libboost-test-dev libmpfr-dev"
  [ci]="clang-19 libclang-rt-14-dev cmake make g++-multilib python3-numpy"
  [cross]="gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm libeigen3-dev"
  [bench]="libbenchmark-dev libeigen3-dev libopenblas-dev libxsimd-dev libhwy-dev"
  [docs]="python3-matplotlib"
  [model]="python3-torch python3-sklearn python3-matplotlib"
  [oracles]=""
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
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "setup.sh: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The oracle of the quantized tests (docs/quantized.md): CMSIS-NN at the revision pinned in
# subprojects/cmsis-nn.wrap. There is no network, so it comes from the archive of that revision in
# ../shared/third_party (checked against its sha256), extracted where the wrap expects it, with the
# wrap's overlay (subprojects/packagefiles/cmsis-nn) applied. Without the archive the oracle tests
# are skipped, unless the group `oracles` was asked for (CI), which makes that an error.
cmsis_dir=subprojects/CMSIS-NN-99f736a63036
cmsis_archive=../shared/third_party/CMSIS-NN-99f736a63036.tar.gz
cmsis_sha256=d9491984d2901c65ce54b1ca56cb56577072e3b6ec3e7eb72a875033f5059158
if [[ ! -f $cmsis_dir/meson.build ]]; then
  if [[ -f $cmsis_archive ]]; then
    echo "$cmsis_sha256  $cmsis_archive" | sha256sum --check --status ||
      { echo "setup.sh: $cmsis_archive does not have the pinned sha256 $cmsis_sha256" >&2; exit 1; }
    tar -xzf "$cmsis_archive" -C subprojects
    meson subprojects packagefiles --apply cmsis-nn >/dev/null
    echo "setup.sh: extracted CMSIS-NN into $cmsis_dir (the oracle of the quantized tests)"
  elif [[ " $* " == *" oracles "* ]]; then
    echo "setup.sh: $cmsis_archive is missing; the group oracles needs it" >&2
    exit 1
  else
    echo "setup.sh: $cmsis_archive is absent: the quantized oracle tests will be skipped"
  fi
elif ! cmp -s subprojects/packagefiles/cmsis-nn/meson.build "$cmsis_dir/meson.build"; then
  meson subprojects packagefiles --apply cmsis-nn >/dev/null # the overlay changed since the extraction
  echo "setup.sh: applied the changed overlay subprojects/packagefiles/cmsis-nn to $cmsis_dir"
fi
