// SPDX-License-Identifier: MIT
// Rule: GCC's -fsingle-precision-constant (double constants rounded to float) is detected by a
// constexpr self-check in config.hpp.
// flags: -fsingle-precision-constant
// expected: -fsingle-precision-constant
#include <cxattn/cxattn.hpp>

int main() {}
