#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the consumer projects of this directory against this source tree, the ways a user takes
# cxattn, each from a clean state, and prints one line per check: PASS NAME or FAIL NAME.
#   tests/consumers/run.sh [RESULTS_FILE]     (also appends the lines to RESULTS_FILE)
# Exits 1 when a check fails. Works offline; the work directory is removed at the end unless
# CONSUMERS_KEEP=1. The checks:
#   install-agreement       `meson install` and CMake's install step install the same files
#   meson-wrap              a Meson project, cxattn as a subproject through a [wrap-file] with
#                           [provide]; system include directory; the parent installs nothing of it
#   cmake-find-package      a CMake project, find_package(cxattn 0.2) after `meson install --destdir`;
#                           find_package(cxattn 0.1) must fail (before 1.0 a minor release may break)
#   cmake-add-subdirectory  a CMake project, add_subdirectory() of this tree; installs nothing of it
#   cmake-fetchcontent      the same through FetchContent of a source archive
#   makefile-pkg-config     a Makefile, pkg-config --cflags cxattn (-isystem, no -std) with -std=c++2b:
#                           C++23 stays C++23
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/consumers
results=${1:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/cxattn-consumers.XXXXXX")
[[ ${CONSUMERS_KEEP:-0} == 1 ]] && echo "consumers: work directory $work" || trap 'rm -rf "$work"' EXIT
log=$work/log.txt
failed=0

# check NAME FUNCTION: runs FUNCTION with its output in the log; on failure prints the log's tail.
check() {
  local name=$1 start=$SECONDS; shift
  echo "::: consumer $name" >> "$log"
  # Not in an if: bash ignores set -e inside a condition.
  ( set -e; "$@" ) >> "$log" 2>&1
  if [[ $? -eq 0 ]]; then
    echo "PASS consumer $name ($((SECONDS - start)) s)"
    [[ -n $results ]] && echo "PASS consumer $name" >> "$results"
  else
    echo "FAIL consumer $name ($((SECONDS - start)) s); the end of its log:"
    sed -n "/^::: consumer $name\$/,\$p" "$log" | tail -n 30
    [[ -n $results ]] && echo "FAIL consumer $name" >> "$results"
    failed=1
  fi
  return 0
}

# copy PROJECT: the consumer project's files and app.cpp, in a fresh directory of the work area.
copy() {
  rm -rf "${work:?}/$1" && cp -r "$here/$1" "$work/$1" && cp "$here/app.cpp" "$work/$1/"
}

# The two installs (the same prefix, each into its own DESTDIR) and a source archive of the files
# git knows, tracked or new, as a release would hold them.
version=$(sed -n "s/^ *version : '\([0-9.]*\)',\$/\1/p" "$root/meson.build" | head -n 1)
prepare() {
  meson setup "$work/build-meson" "$root" --prefix=/usr/local -Dtests=false -Dexamples=false --fatal-meson-warnings
  meson install -C "$work/build-meson" --destdir "$work/meson-dest"
  cmake -S "$root" -B "$work/build-cmake" -DCMAKE_INSTALL_PREFIX=/usr/local
  DESTDIR="$work/cmake-dest" cmake --install "$work/build-cmake"
  if git -C "$root" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    git -C "$root" ls-files -z --cached --others --exclude-standard
  else
    (cd "$root" && find . -name 'build*' -prune -o -type f -printf '%P\0')
  fi | (cd "$root" && while IFS= read -r -d '' f; do [[ -f $f ]] && printf '%s\0' "$f"; done) |
    tar -C "$root" --null -T - --transform "s,^,cxattn-$version/," -czf "$work/cxattn-$version.tar.gz"
}

install_agreement() {
  diff -r "$work/meson-dest" "$work/cmake-dest"
  test -f "$work/meson-dest/usr/local/share/cmake/cxattn/cxattnConfig.cmake"
  test -f "$work/meson-dest/usr/local/share/pkgconfig/cxattn.pc"
  test -f "$work/meson-dest/usr/local/include/cxattn/cxattn.hpp"
}

# A compile command of app.cpp must take cxattn's headers as system headers.
includes_as_system() {
  grep -E -- "-isystem *[^ ]*$1" "$2"
}

meson_wrap() {
  copy meson
  mkdir -p "$work/meson/subprojects/packagecache"
  cp "$work/cxattn-$version.tar.gz" "$work/meson/subprojects/packagecache/"
  cat > "$work/meson/subprojects/cxattn.wrap" <<WRAP
[wrap-file]
directory = cxattn-$version
source_url = https://example.invalid/cxattn-$version.tar.gz
source_filename = cxattn-$version.tar.gz
source_hash = $(sha256sum "$work/cxattn-$version.tar.gz" | cut -d' ' -f1)

[provide]
dependency_names = cxattn
WRAP
  # --force-fallback-for: the wrap even where an installed cxattn exists.
  meson setup "$work/meson/build" "$work/meson" --fatal-meson-warnings --force-fallback-for=cxattn --prefix=/usr/local
  meson test -C "$work/meson/build" --print-errorlogs
  includes_as_system "subprojects/cxattn-$version/include" "$work/meson/build/compile_commands.json"
  meson install -C "$work/meson/build" --destdir "$work/meson/dest"
  # The parent installs its program and nothing of cxattn.
  [[ $(cd "$work/meson/dest" && find . -type f) == ./usr/local/bin/app ]]
}

cmake_find_package() {
  copy cmake-find-package
  cmake -S "$work/cmake-find-package" -B "$work/cmake-find-package/build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DCMAKE_PREFIX_PATH="$work/meson-dest/usr/local"
  cmake --build "$work/cmake-find-package/build"
  "$work/cmake-find-package/build/app"
  includes_as_system "meson-dest/usr/local/include" "$work/cmake-find-package/build/compile_commands.json"
  ! cmake -S "$work/cmake-find-package" -B "$work/cmake-find-package/build-0.1" -DCXATTN_REQUEST=0.1 \
    -DCMAKE_PREFIX_PATH="$work/meson-dest/usr/local"
}

cmake_add_subdirectory() {
  copy cmake-add-subdirectory
  cmake -S "$work/cmake-add-subdirectory" -B "$work/cmake-add-subdirectory/build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DCXATTN_SOURCE_DIR="$root"
  cmake --build "$work/cmake-add-subdirectory/build"
  "$work/cmake-add-subdirectory/build/app"
  includes_as_system "$root/include" "$work/cmake-add-subdirectory/build/compile_commands.json"
  DESTDIR="$work/cmake-add-subdirectory/dest" cmake --install "$work/cmake-add-subdirectory/build" --prefix /usr/local
  [[ $(cd "$work/cmake-add-subdirectory/dest" && find . -type f) == ./usr/local/bin/app ]]
}

cmake_fetchcontent() {
  rm -rf "$work/cmake-fetchcontent" && cp -r "$here/cmake-add-subdirectory" "$work/cmake-fetchcontent" &&
    cp "$here/app.cpp" "$work/cmake-fetchcontent/"
  cmake -S "$work/cmake-fetchcontent" -B "$work/cmake-fetchcontent/build" \
    -DCXATTN_URL="file://$work/cxattn-$version.tar.gz" \
    -DCXATTN_URL_HASH="SHA256=$(sha256sum "$work/cxattn-$version.tar.gz" | cut -d' ' -f1)"
  cmake --build "$work/cmake-fetchcontent/build"
  "$work/cmake-fetchcontent/build/app"
}

makefile_pkg_config() {
  copy makefile
  export PKG_CONFIG_PATH="$work/meson-dest/usr/local/share/pkgconfig"
  local cflags
  cflags=$(pkg-config --cflags cxattn)
  echo "pkg-config --cflags cxattn: $cflags"
  [[ $cflags != *-std* ]]
  [[ $cflags == *-isystem* ]]
  make -C "$work/makefile"
  "$work/makefile/app" | tee "$work/makefile/out.txt"
  grep -q '__cplusplus 2023\|__cplusplus 2021' "$work/makefile/out.txt"
}

start=$SECONDS
( set -e; prepare ) >> "$log" 2>&1
if [[ $? -eq 0 ]]; then
  check install-agreement install_agreement
  check meson-wrap meson_wrap
  check cmake-find-package cmake_find_package
  check cmake-add-subdirectory cmake_add_subdirectory
  check cmake-fetchcontent cmake_fetchcontent
  check makefile-pkg-config makefile_pkg_config
else
  echo "FAIL consumer setup (the installs or the source archive); the end of the log:"
  tail -n 30 "$log"
  [[ -n $results ]] && echo "FAIL consumer setup" >> "$results"
  failed=1
fi
echo "consumers: $((SECONDS - start)) s"
exit $failed
