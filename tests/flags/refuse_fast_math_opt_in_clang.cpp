// SPDX-License-Identifier: MIT
// Rule: Clang 15 and later refuse CXATTN_ALLOW_FAST_MATH: under -ffinite-math-only they treat every
// infinity as undefined, and Clang 19 miscompiles softmax of the finite row {0, 1}.
// flags: -ffast-math -DCXATTN_ALLOW_FAST_MATH=1
// expected: CXATTN_ALLOW_FAST_MATH is refused on Clang 15 and later
// expected: -fno-finite-math-only
#include <cxattn/cxattn.hpp>

int main() {}
