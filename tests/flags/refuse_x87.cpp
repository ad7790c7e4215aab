// SPDX-License-Identifier: MIT
// Rule: x87 evaluation (FLT_EVAL_METHOD 2) is refused; the message names -mfpmath=sse.
// Only the preprocessor and the parser run (-fsyntax-only): no i386 libraries are needed.
// flags: -m32 -mfpmath=387
// expected: -mfpmath=sse
#include <cxattn/cxattn.hpp>

int main() {}
