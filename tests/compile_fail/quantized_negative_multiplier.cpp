// SPDX-License-Identifier: MIT
// Rejected in constant evaluation: a negative (or non-finite) real multiplier.
// expected: real_multiplier_is_negative_or_not_finite
#include <cxattn/quantized/multiplier.hpp>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto m = cxattn::quantized::quantize_multiplier(-0.25);
#else
    constexpr auto m = cxattn::quantized::quantize_multiplier(0.25);
#endif
    static_cast<void>(m);
}
