// SPDX-License-Identifier: MIT
// Rule: every trailing argument is an option (here bare numbers, where cxattn::scale(s) and
// cxattn::sink(z) are meant): one error, not also "given twice" for two arguments of unknown kind.
// expected: cxattn::scaled_dot_product_attention: an option is none of causal, causal_lower_right, align_lower_right, a mask
// expected: every_option_is_known<double
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<double, 2, 4> q{};
    constexpr cxattn::matrix<double, 3, 4> k{};
    constexpr cxattn::matrix<double, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, 0.5, 1.0);
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(0.5), cxattn::sink(1.0));
#endif
    static_cast<void>(r);
}
