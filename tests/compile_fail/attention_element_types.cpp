// SPDX-License-Identifier: MIT
// Rule: query, key and value hold the same element type.
// expected: cxattn::scaled_dot_product_attention: query and value element types differ
// expected: same_element_type<float, double>
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 3, 4> q{};
    constexpr cxattn::matrix<float, 5, 4> k{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<double, 5, 2> v{};
#else
    constexpr cxattn::matrix<float, 5, 2> v{};
#endif
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v);
    static_cast<void>(r);
}
