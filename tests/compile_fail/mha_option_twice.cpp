// SPDX-License-Identifier: MIT
// Rule: each option at most once (two bool masks: combine them into one).
// expected: cxattn::multi_head_attention: an option is given twice (each kind at most once)
// expected: each_option_at_most_once<cxattn::matrix<bool, 2, 3>, cxattn::matrix<bool, 2, 3>
#include <cxattn/multi_head.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 8> query{};
    constexpr cxattn::matrix<float, 3, 8> kv{};
    constexpr cxattn::mha_params<float, 8, 2> params{};
    constexpr cxattn::matrix<bool, 2, 3> mask{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::multi_head_attention(query, kv, kv, params, mask, mask);
#else
    constexpr auto r = cxattn::multi_head_attention(query, kv, kv, params, mask);
#endif
    static_cast<void>(r);
}
