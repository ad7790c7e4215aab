// SPDX-License-Identifier: MIT
// Rule: every trailing argument is an option (here a bare number, where cxattn::scale(s) is meant).
// expected: cxattn::scaled_dot_product_attention: an option is none of causal, causal_lower_right, align_lower_right, a mask
// expected: every_option_is_known<double
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<double, 2, 4> q{};
    constexpr cxattn::matrix<double, 3, 4> k{};
    constexpr cxattn::matrix<double, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, 0.5);
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(0.5));
#endif
    static_cast<void>(r);
}
