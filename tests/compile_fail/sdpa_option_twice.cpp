// SPDX-License-Identifier: MIT
// Rule: each option at most once (two scales, even of different types, are two scales).
// expected: cxattn::scaled_dot_product_attention: an option is given twice (each kind at most once)
// expected: each_option_at_most_once<cxattn::scale<float>, cxattn::causal_t, cxattn::scale<double>
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r =
        cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(0.5f), cxattn::causal, cxattn::scale(2.0));
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(0.5f), cxattn::causal);
#endif
    static_cast<void>(r);
}
