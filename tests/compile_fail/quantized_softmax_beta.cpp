// SPDX-License-Identifier: MIT
// Rejected in constant evaluation: softmax parameters with beta x input_scale x 2^26 <= 1, here
// from the attention's scores scale and beta = 1/sqrt(Dk) = 1/2.
// expected: softmax_beta_times_input_scale_times_2_pow_26_is_at_most_1
#include <cstdint>

#include <cxattn/quantized/attention.hpp>

int main() {
    constexpr cxattn::matrix<std::int8_t, 2, 4> q{};
    constexpr cxattn::matrix<std::int8_t, 3, 4> k{};
    constexpr cxattn::matrix<std::int8_t, 3, 2> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr double scores_scale = 0x1p-25; // 0.5 x 2^-25 x 2^26 = 1
#else
    constexpr double scores_scale = 0x1p-24;
#endif
    constexpr cxattn::quantized::attention_quantization quantization{
        {0.1, 0}, {0.1, 0}, {0.1, 0}, {scores_scale, 0}, {0.1, 0}};
    constexpr auto r = cxattn::quantized::scaled_dot_product_attention(q, k, v, quantization);
    static_cast<void>(r);
}
