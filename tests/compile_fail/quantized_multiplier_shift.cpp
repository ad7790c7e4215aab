// SPDX-License-Identifier: MIT
// Rejected in constant evaluation: multiply_by_quantized_multiplier with a shift above 30, here
// reached through a matmul's output multiplier (a real multiplier of 2^31).
// expected: multiplier_shift_is_above_30
#include <cstdint>

#include <cxattn/quantized/matmul.hpp>

int main() {
    constexpr cxattn::matrix<std::int8_t, 1, 2> lhs{1, 2};
    constexpr cxattn::matrix<std::int8_t, 1, 2> rhs{3, 4};
#ifdef CXATTN_COMPILE_FAIL
    constexpr double real = 0x1p31; // shift 32
#else
    constexpr double real = 0x1p29; // shift 30
#endif
    constexpr auto m =
        cxattn::quantized::matmul_transposed(lhs, rhs, {0, 0, 0, cxattn::quantized::quantize_multiplier(real)});
    static_cast<void>(m);
}
