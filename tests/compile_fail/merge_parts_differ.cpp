// SPDX-License-Identifier: MIT
// Rule: merge combines two partial_results of the same element type and shape (the same queries).
// expected: cxattn::merge: the parts are not partial_results of the same element type and shape
#include <cxattn/partial.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
    constexpr auto a = cxattn::partial_attention(q, k, v);
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<float, 3, 4> q3{};
    constexpr auto b = cxattn::partial_attention(q3, k, v, cxattn::key_offset(3));
#else
    constexpr auto b = cxattn::partial_attention(q, k, v, cxattn::key_offset(3));
#endif
    constexpr auto r = cxattn::merge(a, b);
    static_cast<void>(r);
}
