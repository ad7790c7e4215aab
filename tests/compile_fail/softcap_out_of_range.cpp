// SPDX-License-Identifier: MIT
// Rule: a soft cap must be finite and positive in the element type (c tanh(s / c)); constant evaluation refuses any other.
// expected: softcap_is_not_finite_and_positive_in_the_element_type
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::softcap(0.0f));
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::softcap(30.0f));
#endif
    static_cast<void>(r);
}
