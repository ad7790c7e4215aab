// SPDX-License-Identifier: MIT
// Rule: a mask of the int8 attention is L x S, as for float.
// expected: cxattn::quantized::scaled_dot_product_attention: a mask is not L x S
// expected: matrix<bool, 5, 3>
#include <cstdint>

#include <cxattn/quantized/attention.hpp>

int main() {
    constexpr cxattn::matrix<std::int8_t, 3, 4> q{};
    constexpr cxattn::matrix<std::int8_t, 5, 4> k{};
    constexpr cxattn::matrix<std::int8_t, 5, 2> v{};
    constexpr cxattn::quantized::attention_quantization quantization{{0.1, 0}, {0.1, 0}, {0.1, 0}, {0.05, 0}, {0.1, 0}};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<bool, 5, 3> mask{};
#else
    constexpr cxattn::matrix<bool, 3, 5> mask{};
#endif
    constexpr auto r = cxattn::quantized::scaled_dot_product_attention(q, k, v, quantization, mask, cxattn::causal);
    static_cast<void>(r);
}
