// SPDX-License-Identifier: MIT
// Rule: the int8 attention takes causal, causal_lower_right, a bool mask and scale; the options that
// act on float scores (a sliding window, softcap, score_mod, ...) are refused, not ignored.
// expected: cxattn::quantized::scaled_dot_product_attention: positions, windows, key_length
#include <cstdint>

#include <cxattn/quantized/attention.hpp>

int main() {
    constexpr cxattn::matrix<std::int8_t, 3, 4> q{};
    constexpr cxattn::matrix<std::int8_t, 5, 4> k{};
    constexpr cxattn::matrix<std::int8_t, 5, 2> v{};
    constexpr cxattn::quantized::attention_quantization quantization{{0.1, 0}, {0.1, 0}, {0.1, 0}, {0.05, 0}, {0.1, 0}};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::quantized::scaled_dot_product_attention(q, k, v, quantization, cxattn::sliding_window(1),
                                                                       cxattn::causal);
#else
    constexpr auto r = cxattn::quantized::scaled_dot_product_attention(q, k, v, quantization, cxattn::causal);
#endif
    static_cast<void>(r);
}
