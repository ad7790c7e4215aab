// SPDX-License-Identifier: MIT
// Rule: cxattn::scale takes a floating-point factor: an integer or a bool is refused (a bool is a
// mask's element, and an integer factor would convert silently).
// expected: cxattn::scale: the factor must be a floating-point number
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<double, 2, 4> q{};
    constexpr cxattn::matrix<double, 3, 4> k{};
    constexpr cxattn::matrix<double, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(1));
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(1.0));
#endif
    static_cast<void>(r);
}
