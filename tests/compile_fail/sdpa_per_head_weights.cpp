// SPDX-License-Identifier: MIT
// Rule: per_head_weights returns the weights of each head, so only multi_head_attention takes it.
// expected: cxattn::scaled_dot_product_attention: per_head_weights is an option of multi_head_attention
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::per_head_weights);
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v);
#endif
    static_cast<void>(r);
}
