// SPDX-License-Identifier: MIT
// Rule: additive_attention's key and value have the same number of rows S (key S x Dk, value S x Dv).
// expected: cxattn::additive_attention: key and value lengths differ (key rows != value rows)
// expected: key_and_value_lengths_agree<cxattn::shapes::key<4, 2>, cxattn::shapes::value<5, 1>
#include <cxattn/additive.hpp>

int main() {
    constexpr cxattn::matrix<double, 2, 3> q{};
    constexpr cxattn::matrix<double, 4, 2> k{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<double, 5, 1> v{};
#else
    constexpr cxattn::matrix<double, 4, 1> v{};
#endif
    constexpr cxattn::additive_params<double, 3, 2, 5> params{};
    constexpr auto r = cxattn::additive_attention(q, k, v, params);
    static_cast<void>(r);
}
