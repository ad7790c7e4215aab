// SPDX-License-Identifier: MIT
// Rule: an additive mask holds the query's element type (a bool mask selects; others add).
// expected: cxattn::scaled_dot_product_attention: an additive mask's element type differs from the query's
// expected: additive_masks_hold_element_type<float, cxattn::matrix<double, 2, 3>
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<double, 2, 3> bias{};
#else
    constexpr cxattn::matrix<float, 2, 3> bias{};
#endif
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, bias);
    static_cast<void>(r);
}
