// SPDX-License-Identifier: MIT
// Rule: multi_head_attention's per-head sinks are a matrix<T, 1, NumHeads> (one logit per query head).
// expected: cxattn::multi_head_attention: a sink's logit is a floating-point number, or a matrix<T, 1, NumHeads>
#include <cxattn/multi_head.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 8> query{};
    constexpr cxattn::matrix<float, 3, 8> kv{};
    constexpr cxattn::mha_params<float, 8, 2> params{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<float, 1, 3> sinks{}; // 3 logits for 2 heads
#else
    constexpr cxattn::matrix<float, 1, 2> sinks{};
#endif
    constexpr auto r = cxattn::multi_head_attention(query, kv, kv, params, cxattn::sink(sinks));
    static_cast<void>(r);
}
