// SPDX-License-Identifier: MIT
// Rule: the int8 attention takes no additive (float) mask.
// expected: cxattn::quantized::scaled_dot_product_attention: an additive (float) mask has no meaning
#include <cstdint>

#include <cxattn/quantized/attention.hpp>

int main() {
    constexpr cxattn::matrix<std::int8_t, 3, 4> q{};
    constexpr cxattn::matrix<std::int8_t, 5, 4> k{};
    constexpr cxattn::matrix<std::int8_t, 5, 2> v{};
    constexpr cxattn::quantized::attention_quantization quantization{{0.1, 0}, {0.1, 0}, {0.1, 0}, {0.05, 0}, {0.1, 0}};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<float, 3, 5> mask{};
#else
    constexpr cxattn::matrix<bool, 3, 5> mask{true, true, true, true, true};
#endif
    constexpr auto r = cxattn::quantized::scaled_dot_product_attention(q, k, v, quantization, mask);
    static_cast<void>(r);
}
