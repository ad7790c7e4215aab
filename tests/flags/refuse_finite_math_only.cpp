// SPDX-License-Identifier: MIT
// Rule: -ffast-math (and -Ofast, -ffinite-math-only) is refused unless CXATTN_ALLOW_FAST_MATH=1:
// the compiler would assume no NaN or infinity, on which masks and edge cases rest.
// flags: -ffast-math
// expected: -ffinite-math-only (part of -ffast-math and -Ofast)
// expected: CXATTN_ALLOW_FAST_MATH
#include <cxattn/cxattn.hpp>

int main() {}
