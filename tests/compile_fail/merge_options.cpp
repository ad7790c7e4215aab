// SPDX-License-Identifier: MIT
// Rule: merge's only option is one sink; the masks and positions belong to each part's call.
// expected: cxattn::merge: the only option is one cxattn::sink(z) with a floating-point logit
#include <cxattn/partial.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
    constexpr auto a = cxattn::partial_attention(q, k, v);
    constexpr auto b = cxattn::partial_attention(q, k, v, cxattn::key_offset(3));
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::merge(a, b, cxattn::causal);
#else
    constexpr auto r = cxattn::merge(a, b, cxattn::sink(-1.0f));
#endif
    static_cast<void>(r);
}
