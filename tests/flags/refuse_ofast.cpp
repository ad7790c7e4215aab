// SPDX-License-Identifier: MIT
// Rule: -Ofast includes -ffinite-math-only, refused unless CXATTN_ALLOW_FAST_MATH=1.
// flags: -Ofast
// expected: -ffinite-math-only (part of -ffast-math and -Ofast)
#include <cxattn/cxattn.hpp>

int main() {}
