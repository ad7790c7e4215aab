// SPDX-License-Identifier: MIT
// Rule: a part of the keys places its queries by query_offset; the lower-right options would place
// them by the part's own key count.
// expected: cxattn::partial_attention: causal_lower_right and align_lower_right place the queries
#include <cxattn/partial.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::partial_attention(q, k, v, cxattn::causal_lower_right);
#else
    constexpr auto r = cxattn::partial_attention(q, k, v, cxattn::causal, cxattn::query_offset(1));
#endif
    static_cast<void>(r);
}
