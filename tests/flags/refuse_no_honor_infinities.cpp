// SPDX-License-Identifier: MIT
// Rule: Clang's -fno-honor-infinities (no macro tells it) is refused: Clang 18 and later make every
// infinity undefined under it, and Clang 19 miscompiled masks.
// flags: -fno-honor-infinities
// expected: use of infinity is undefined behavior
#include <cxattn/cxattn.hpp>

int main() {}
