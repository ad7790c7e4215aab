// SPDX-License-Identifier: MIT
// Rule: a sink's logit is one number; a matrix of one logit per head is multi_head_attention's.
// expected: cxattn::scaled_dot_product_attention: a sink's logit is a floating-point number
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(cxattn::matrix<float, 1, 2>{}));
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(0.5f));
#endif
    static_cast<void>(r);
}
