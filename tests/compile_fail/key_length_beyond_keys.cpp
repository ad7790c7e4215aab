// SPDX-License-Identifier: MIT
// Rule: key_length(n) counts valid keys among the S key rows: n > S is a contract violation, refused in constant evaluation (at run time it is S).
// expected: key_length_exceeds_the_key_rows
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::key_length(4));
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::key_length(3));
#endif
    static_cast<void>(r);
}
