// SPDX-License-Identifier: MIT
// Rejected in constant evaluation: softmax parameters whose input_left_shift is outside [0, 31].
// expected: softmax_input_left_shift_is_outside_0_to_31
#include <cstdint>

#include <cxattn/quantized/softmax.hpp>

int main() {
    constexpr cxattn::matrix<std::int8_t, 1, 3> m{1, 2, 3};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::quantized::softmax_params params{1 << 30, 32, 0};
#else
    constexpr cxattn::quantized::softmax_params params{1 << 30, 31, 0};
#endif
    constexpr auto s = cxattn::quantized::softmax(m, params);
    static_cast<void>(s);
}
