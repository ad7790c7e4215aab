// SPDX-License-Identifier: MIT
// Rule: query and key rows have the same length Dk (query L x Dk, key S x Dk).
// expected: cxattn::scaled_dot_product_attention: query and key head sizes differ
// expected: query_and_key_head_sizes_agree<cxattn::shapes::query<3, 4>, cxattn::shapes::key<5, 8>
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<double, 3, 4> q{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<double, 5, 8> k{};
#else
    constexpr cxattn::matrix<double, 5, 4> k{};
#endif
    constexpr cxattn::matrix<double, 5, 2> v{};
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v);
    static_cast<void>(r);
}
