// SPDX-License-Identifier: MIT
// Rule: an int8 softmax row has at most 4095 entries (the int32 sum of exps overflows beyond).
// expected: cxattn::quantized::softmax: a row has more than 4095 entries
// expected: softmax_row<4096>
#include <cstdint>

#include <cxattn/quantized/softmax.hpp>

#ifdef CXATTN_COMPILE_FAIL
constexpr std::size_t columns = 4096;
#else
constexpr std::size_t columns = 4095;
#endif

int main() {
    static const cxattn::matrix<std::int8_t, 1, columns> m{};
    const auto s = cxattn::quantized::softmax(m, cxattn::quantized::softmax_params_for(0.1));
    return s.values[0];
}
