// SPDX-License-Identifier: MIT
// Rule: causal and causal_lower_right contradict each other when L != S (and are redundant when
// L == S), so at most one of them.
// expected: cxattn::scaled_dot_product_attention: causal and causal_lower_right together (choose one)
// expected: one_causal_alignment<cxattn::causal_t, cxattn::causal_lower_right_t
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal, cxattn::causal_lower_right);
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal_lower_right);
#endif
    static_cast<void>(r);
}
