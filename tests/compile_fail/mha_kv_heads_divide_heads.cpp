// SPDX-License-Identifier: MIT
// Rule: NumHeads % NumKvHeads == 0 (each key/value head serves NumHeads / NumKvHeads query heads).
// expected: cxattn::mha_params: NumHeads is not a multiple of NumKvHeads
// expected: num_kv_heads_divide_num_heads<cxattn::shapes::num_heads<6>, cxattn::shapes::num_kv_heads<4>
#include <cxattn/multi_head.hpp>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    constexpr std::size_t kv_heads = 4;
#else
    constexpr std::size_t kv_heads = 3;
#endif
    constexpr cxattn::matrix<double, 2, 12> x{};
    constexpr cxattn::mha_params<double, 12, 6, 12, 12, kv_heads> params{};
    constexpr auto r = cxattn::multi_head_attention(x, x, x, params);
    static_cast<void>(r);
}
