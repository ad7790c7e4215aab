// SPDX-License-Identifier: MIT
// Rule: the query's cols are the parameters' embedding size E.
// expected: cxattn::multi_head_attention: query cols differ from the parameters' embedding size E
// expected: query_cols_are_embed_dim<cxattn::shapes::query<2, 6>, cxattn::shapes::embed_dim<8>
#include <cxattn/multi_head.hpp>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<float, 2, 6> query{};
#else
    constexpr cxattn::matrix<float, 2, 8> query{};
#endif
    constexpr cxattn::matrix<float, 3, 8> kv{};
    constexpr cxattn::mha_params<float, 8, 2> params{};
    constexpr auto r = cxattn::multi_head_attention(query, kv, kv, params);
    static_cast<void>(r);
}
