// SPDX-License-Identifier: MIT
// Rule: cxattn::alibi takes one slope per head, so only multi_head_attention has it; elsewhere alibi_slope(m) gives the slope.
// expected: cxattn::scaled_dot_product_attention: cxattn::alibi takes its slopes from the heads
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::alibi);
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::alibi_slope(0.5f));
#endif
    static_cast<void>(r);
}
