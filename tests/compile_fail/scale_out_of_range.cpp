// SPDX-License-Identifier: MIT
// Rule: a scale factor must be finite and positive in the element type: scale(1e300) on float would
// become inf (every row NaN), scale(1e-60) zero (uniform weights). Constant evaluation refuses it.
// expected: scale_is_not_finite_and_positive_in_the_element_type
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(1e300));
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(1e-30));
#endif
    static_cast<void>(r);
}
