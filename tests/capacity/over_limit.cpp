// SPDX-License-Identifier: MIT
// What each compiler prints when a constant evaluation exceeds its default limits (README, "When a
// constant evaluation exceeds the limits"): attention at N = 160 must fail, naming the limit. Compiled
// as it is (N = 8) it must pass; with the flags below it must fail (../compile_check.py, mode refuse).
// flags: -DPROBE_KIND=1 -DPROBE_N=160
// expected-gcc: -fconstexpr-ops-limit=
// expected-clang: constexpr evaluation hit maximum step limit
#ifndef PROBE_N
#define PROBE_KIND 1
#define PROBE_N 8
#endif
#include "probe.cpp"
