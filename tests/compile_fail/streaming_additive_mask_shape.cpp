// SPDX-License-Identifier: MIT
// Rule: a mask is L x S (query rows x key rows), an additive one too.
// expected: cxattn::streaming_attention: a mask is not L x S (query rows x key rows)
// expected: masks_match_scores<cxattn::shapes::scores<2, 3>, cxattn::matrix<float, 3, 2>
#include <cxattn/streaming.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 4> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<float, 3, 2> bias{}; // S x L: transposed
#else
    constexpr cxattn::matrix<float, 2, 3> bias{};
#endif
    constexpr auto out = cxattn::streaming_attention(q, k, v, bias);
    static_cast<void>(out);
}
