// SPDX-License-Identifier: MIT
// Rule: query_offset places the queries, and so do causal_lower_right and align_lower_right (at n - L): one of them.
// expected: cxattn::streaming_attention: query_offset with causal_lower_right or align_lower_right
#include <cxattn/streaming.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::streaming_attention(q, k, v, cxattn::query_offset(1), cxattn::causal_lower_right);
#else
    constexpr auto r = cxattn::streaming_attention(q, k, v, cxattn::query_offset(1), cxattn::causal);
#endif
    static_cast<void>(r);
}
