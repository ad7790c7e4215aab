// SPDX-License-Identifier: MIT
// Rule: key and value have the same number of rows S (key S x Dk, value S x Dv).
// expected: cxattn::scaled_dot_product_attention: key and value lengths differ
// expected: key_and_value_lengths_agree<cxattn::shapes::key<5, 4>, cxattn::shapes::value<6, 2>
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<double, 3, 4> q{};
    constexpr cxattn::matrix<double, 5, 4> k{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<double, 6, 2> v{};
#else
    constexpr cxattn::matrix<double, 5, 2> v{};
#endif
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v);
    static_cast<void>(r);
}
