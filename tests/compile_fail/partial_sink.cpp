// SPDX-License-Identifier: MIT
// Rule: a part takes no sink; merge adds it once.
// expected: cxattn::partial_attention: a part takes no sink
#include <cxattn/partial.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
    constexpr auto a = cxattn::partial_attention(q, k, v);
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto b = cxattn::partial_attention(q, k, v, cxattn::key_offset(3), cxattn::sink(0.5f));
    constexpr auto r = cxattn::merge(a, b);
#else
    constexpr auto b = cxattn::partial_attention(q, k, v, cxattn::key_offset(3));
    constexpr auto r = cxattn::merge(a, b, cxattn::sink(0.5f));
#endif
    static_cast<void>(r);
}
