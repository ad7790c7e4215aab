// SPDX-License-Identifier: MIT
// Rule: the key's cols are the parameters' KDim (cross-attention declares it in mha_params).
// expected: cxattn::multi_head_attention: key cols differ from the parameters' KDim
// expected: key_cols_are_kdim<cxattn::shapes::key<3, 5>, cxattn::shapes::kdim<8>
#include <cxattn/multi_head.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 8> query{};
    constexpr cxattn::matrix<float, 3, 5> key{};
    constexpr cxattn::matrix<float, 3, 8> value{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::mha_params<float, 8, 2> params{};
#else
    constexpr cxattn::mha_params<float, 8, 2, 5> params{};
#endif
    constexpr auto r = cxattn::multi_head_attention(query, key, value, params);
    static_cast<void>(r);
}
