// SPDX-License-Identifier: MIT
// Rule: a mask is L x S (query rows x key rows) in multi_head_attention too; one mask for every head.
// expected: cxattn::multi_head_attention: a mask is not L x S (query rows x key rows)
// expected: masks_match_scores<cxattn::shapes::scores<2, 3>, cxattn::matrix<bool, 2, 8>
#include <cxattn/multi_head.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 8> query{};
    constexpr cxattn::matrix<float, 3, 8> kv{};
    constexpr cxattn::mha_params<float, 8, 2> params{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<bool, 2, 8> mask{}; // L x E, not L x S
#else
    constexpr cxattn::matrix<bool, 2, 3> mask{};
#endif
    constexpr auto r = cxattn::multi_head_attention(query, kv, kv, params, mask);
    static_cast<void>(r);
}
